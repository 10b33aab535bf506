// The parts of Home Assistant's frontend `hass` object a Lovelace card reads.
import type { HomeAssistant } from "../types";

export interface HassEntityState {
  entity_id: string;
  state: string;
  last_changed: string;
  attributes: Record<string, unknown>;
}

/** An entity registry display entry (hass.entities). */
export interface EntityEntry {
  entity_id: string;
  device_id?: string;
  platform?: string;
  translation_key?: string;
}

export interface DeviceEntry {
  id: string;
  name: string | null;
  name_by_user: string | null;
  config_entries: string[];
  primary_config_entry?: string | null;
}

export interface CardHass extends HomeAssistant {
  states: Record<string, HassEntityState | undefined>;
  entities: Record<string, EntityEntry | undefined>;
  devices: Record<string, DeviceEntry | undefined>;
  callService(domain: string, service: string, data: Record<string, unknown>): Promise<unknown>;
  formatEntityState?(state: HassEntityState): string;
}

export interface CardConfig {
  type: string;
  device_id?: string;
  sessions?: number;
}

export interface MonthSummary {
  sessions: number;
  energy_wh: number;
  cost: Record<string, number>;
}
