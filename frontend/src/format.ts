// Numbers, money, times and durations in the user's language.
import type { HomeAssistant } from "./types";

export function language(hass: HomeAssistant): string {
  return hass.locale?.language ?? hass.language ?? navigator.language;
}

export function kwh(hass: HomeAssistant, wh: number | null | undefined): string {
  if (wh === null || wh === undefined) return "—";
  return new Intl.NumberFormat(language(hass), {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  }).format(wh / 1000);
}

export function kw(hass: HomeAssistant, w: number | null | undefined): string {
  if (w === null || w === undefined) return "—";
  return `${new Intl.NumberFormat(language(hass), { maximumFractionDigits: 1 }).format(w / 1000)} kW`;
}

export function money(hass: HomeAssistant, value: number | null, currency: string | null): string {
  if (value === null) return "—";
  try {
    return new Intl.NumberFormat(language(hass), {
      style: "currency",
      currency: currency || "EUR",
    }).format(value);
  } catch {
    return `${value.toFixed(2)} ${currency ?? ""}`.trim();
  }
}

export function dateTime(hass: HomeAssistant, iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(language(hass), {
    dateStyle: "short",
    timeStyle: "short",
  }).format(new Date(iso));
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  const total = Math.max(0, Math.round(seconds / 60));
  const hours = Math.floor(total / 60);
  const minutes = total % 60;
  return `${hours}:${String(minutes).padStart(2, "0")} h`;
}

/** yyyy-mm-dd in local time, for <input type="date">. */
export function isoDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The start of a local day as an ISO time with offset, for the server's filters. */
export function dayStart(day: string): string {
  return new Date(`${day}T00:00:00`).toISOString();
}

/** The start of the day after a local day (an inclusive "to" date becomes an exclusive end). */
export function dayAfter(day: string): string {
  const date = new Date(`${day}T00:00:00`);
  date.setDate(date.getDate() + 1);
  return date.toISOString();
}

export function errorText(error: unknown): string {
  if (error && typeof error === "object" && "message" in error) {
    return String((error as { message: unknown }).message);
  }
  return String(error);
}
