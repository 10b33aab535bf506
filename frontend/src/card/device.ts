// A wallbox's entities, found through the entity registry (device + translation key), so the card
// works whatever the wallbox and its entities are called.
import type { CardHass, DeviceEntry } from "./types";

export const DOMAIN = "ev_session_monitor";
/** How many of the last sessions the card lists unless its configuration says otherwise. */
export const DEFAULT_SESSIONS = 3;

/** The translation keys of the entities the card shows. */
export type Role =
  | "charger_status"
  | "power"
  | "session_energy"
  | "session_cost"
  | "session_duration"
  | "time_to_full"
  | "last_tag"
  | "charging_enabled"
  | "charging_current"
  | "last_session_energy"
  | "last_session_duration";

const ROLES = new Set<string>([
  "charger_status",
  "power",
  "session_energy",
  "session_cost",
  "session_duration",
  "time_to_full",
  "last_tag",
  "charging_enabled",
  "charging_current",
  "last_session_energy",
  "last_session_duration",
]);

export type WallboxEntities = Partial<Record<Role, string>>;

export function wallboxEntities(hass: CardHass, deviceId: string): WallboxEntities {
  const found: WallboxEntities = {};
  for (const entry of Object.values(hass.entities)) {
    const key = entry?.translation_key;
    if (entry && entry.device_id === deviceId && entry.platform === DOMAIN && key && ROLES.has(key)) {
      found[key as Role] = entry.entity_id;
    }
  }
  return found;
}

/** The first wallbox (a device of the integration with a status sensor), for the card picker. */
export function firstWallbox(hass: CardHass): string | undefined {
  return Object.values(hass.entities).find(
    (entry) => entry?.platform === DOMAIN && entry.translation_key === "charger_status" && entry.device_id,
  )?.device_id;
}

export function deviceName(device: DeviceEntry): string {
  return device.name_by_user || device.name || "";
}

export function configEntryOf(device: DeviceEntry): string | undefined {
  return device.primary_config_entry ?? device.config_entries[0];
}
