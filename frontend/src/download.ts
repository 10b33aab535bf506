// CSV downloads from the integration's authenticated endpoint (the token goes in a header).
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

export async function downloadCsv(
  hass: HomeAssistant,
  kind: "sessions" | "totals",
  params: URLSearchParams,
): Promise<void> {
  const response = await fetch(`/api/ev_session_monitor/download/${kind}?${params}`, {
    headers: { Authorization: `Bearer ${hass.auth.data.access_token}` },
  });
  if (!response.ok) {
    const body = await response.json().catch(() => ({ message: response.statusText }));
    throw new Error(body.message ?? response.statusText);
  }
  const disposition = response.headers.get("Content-Disposition") ?? "";
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? `ev-${kind}.csv`;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
