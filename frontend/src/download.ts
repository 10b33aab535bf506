// Downloads (CSV, XLSX, PDF statements) from the integration's authenticated endpoints (the token
// goes in a header).
import type { Filters, HomeAssistant } from "./types";

export function filterParams(filters: Filters): URLSearchParams {
  const params = new URLSearchParams();
  for (const id of filters.config_entry_id ?? []) params.append("config_entry_id", id);
  for (const id of filters.tag_id ?? []) params.append("tag_id", id);
  if (filters.person) params.set("person", filters.person);
  if (filters.start) params.set("start", filters.start);
  if (filters.end) params.set("end", filters.end);
  return params;
}

/** The Sessions or Reports table as CSV or as an XLSX workbook. */
export function downloadTable(
  hass: HomeAssistant,
  kind: "sessions" | "totals",
  params: URLSearchParams,
  format: "csv" | "xlsx",
): Promise<void> {
  const query = new URLSearchParams(params);
  query.set("format", format);
  return downloadFile(hass, `download/${kind}`, query, `ev-${kind}.${format}`);
}

/** The utilization figures of a period (administrators), as CSV or an XLSX workbook. */
export function downloadUtilization(
  hass: HomeAssistant,
  filters: Filters,
  format: "csv" | "xlsx",
): Promise<void> {
  const query = new URLSearchParams({ format });
  if (filters.start) query.set("start", filters.start);
  if (filters.end) query.set("end", filters.end);
  return downloadFile(hass, "download/utilization", query, `ev-utilization.${format}`);
}

/** The monthly statement (PDF) of a card or of a person, filed as create_statement files it. */
export function downloadStatement(
  hass: HomeAssistant,
  subject: { tag_id: string } | { person: string },
  month: string,
): Promise<void> {
  const query = new URLSearchParams({ ...subject, month });
  const name = "tag_id" in subject ? subject.tag_id : subject.person.replace("person.", "person-");
  return downloadFile(hass, "statement", query, `statement-${name}-${month}.pdf`);
}

async function downloadFile(
  hass: HomeAssistant,
  path: string,
  params: URLSearchParams,
  fallbackName: string,
): Promise<void> {
  const response = await fetch(`/api/ev_session_monitor/${path}?${params}`, {
    headers: { Authorization: `Bearer ${hass.auth.data.access_token}` },
  });
  if (!response.ok) {
    const body = await response.json().catch(() => ({ message: response.statusText }));
    throw new Error(body.message ?? response.statusText);
  }
  const disposition = response.headers.get("Content-Disposition") ?? "";
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
