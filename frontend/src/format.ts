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

function inCurrency(
  hass: HomeAssistant,
  value: number | null,
  currency: string | null,
  digits: Intl.NumberFormatOptions,
  fallbackDigits: number,
): string {
  if (value === null) return "—";
  try {
    return new Intl.NumberFormat(language(hass), {
      style: "currency",
      currency: currency || "EUR",
      ...digits,
    }).format(value);
  } catch {
    return `${value.toFixed(fallbackDigits)} ${currency ?? ""}`.trim();
  }
}

export function money(hass: HomeAssistant, value: number | null, currency: string | null): string {
  return inCurrency(hass, value, currency, {}, 2);
}

/** A price per kWh: the currency's format with up to four decimals (0.312 €, not 0.31 €). */
export function unitPrice(hass: HomeAssistant, value: number | null, currency: string | null): string {
  return inCurrency(hass, value, currency, { minimumFractionDigits: 2, maximumFractionDigits: 4 }, 4);
}

/** Home Assistant's time zone (Settings → System → General), which the CSV, XLSX, calendar and
 * month totals use too; the browser's own zone only if the frontend did not say. */
export function timeZone(hass: HomeAssistant): string | undefined {
  return hass.config?.time_zone || undefined;
}

export function dateTime(hass: HomeAssistant, iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(language(hass), {
    dateStyle: "short",
    timeStyle: "short",
    timeZone: timeZone(hass),
  }).format(new Date(iso));
}

/** The time of day (no date) of a moment, in Home Assistant's time zone. */
export function timeOfDay(hass: HomeAssistant, iso: string): string {
  return new Intl.DateTimeFormat(language(hass), {
    timeStyle: "short",
    timeZone: timeZone(hass),
  }).format(new Date(iso));
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  const total = Math.max(0, Math.round(seconds / 60));
  const hours = Math.floor(total / 60);
  const minutes = total % 60;
  return `${hours}:${String(minutes).padStart(2, "0")} h`;
}

/** The calendar day (yyyy-mm-dd, as <input type="date"> holds it) of a moment in Home
 * Assistant's time zone. */
export function isoDay(hass: HomeAssistant, moment: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: timeZone(hass),
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(moment);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")}`;
}

/** The day `days` calendar days after (or before) a yyyy-mm-dd day; plain date arithmetic. */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** The first day of the month `months` months after (or before) a yyyy-mm-dd day's month. */
export function monthStartOf(day: string, months = 0): string {
  const date = new Date(`${day.slice(0, 7)}-01T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.toISOString().slice(0, 10);
}

// The server reads a time without an offset in Home Assistant's time zone, so a day sent this
// way begins at that zone's midnight (daylight saving included), whatever the browser's zone.
/** The start of a day (yyyy-mm-dd) in Home Assistant's time zone, for the server's filters. */
export function dayStart(day: string): string {
  return `${day}T00:00:00`;
}

/** The start of the day after a day (an inclusive "to" date becomes an exclusive end). */
export function dayAfter(day: string): string {
  return dayStart(addDays(day, 1));
}

export function errorText(error: unknown): string {
  if (error && typeof error === "object" && "message" in error) {
    return String((error as { message: unknown }).message);
  }
  return String(error);
}
