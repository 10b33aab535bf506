// The parts of Home Assistant's frontend `hass` object and of our websocket answers we use.

export interface HassMessage {
  type: string;
  [key: string]: unknown;
}

export interface HomeAssistant {
  callWS<T>(message: HassMessage): Promise<T>;
  connection: {
    subscribeMessage<T>(callback: (event: T) => void, message: HassMessage): Promise<() => void>;
  };
  auth: { data: { access_token: string } };
  user?: { is_admin: boolean };
  locale?: { language: string };
  language?: string;
  config?: { time_zone: string };
}

export interface WallboxInfo {
  entry_id: string;
  charger_id: string;
  title: string;
}

export interface PortalInfo {
  admin: boolean;
  currency: string;
  wallboxes: WallboxInfo[];
  tags: { tag_id: string; name: string }[];
  persons: { entity_id: string; name: string }[];
}

export interface Session {
  session_id: string;
  charger_id: string;
  charger_name: string;
  started_at: string;
  ended_at: string;
  duration_s: number;
  charging_s: number;
  energy_wh: number;
  cost: number | null;
  currency: string | null;
  avg_power_w: number | null;
  peak_power_w: number | null;
  tag_id: string | null;
  tag_name: string | null;
  energy_source: string;
  gaps: number;
  // The car left while Home Assistant was down: the end lies between ended_at and end_latest.
  end_latest: string | null;
  unpriced_wh: number;
  unseen_s: number;
  meter_start_wh: number | null;
  meter_end_wh: number | null;
  meter_serial: string | null;
  price_per_kwh: number | null;
  note: string | null;
  // Where the price changed during the session: its energy at each price, in order.
  price_parts: PricePart[];
}

/** Energy of a session delivered at one price, from `started_at` until the next part. */
export interface PricePart {
  started_at: string;
  energy_wh: number;
  price_per_kwh: number | null;
}

/** One change in a session's audit trail. */
export interface Correction {
  changed_at: string;
  user_id: string | null;
  user_name: string | null;
  field: "tag" | "note";
  before: string | null;
  after: string | null;
}

export interface UtilizationMonth {
  month: string;
  sessions: number;
  energy_kwh: number;
  revenue: number;
  plugged_h: number;
  charging_h: number;
}

export interface UtilizationFigures {
  charger_id: string;
  charger_name: string;
  sessions: number;
  sessions_per_day: number;
  plugged_h: number;
  charging_h: number;
  blocking_h: number;
  energy_kwh: number;
  revenue: number;
  // Share (0-1) of each local hour of the week with a car plugged in; 0 = Monday 00-01.
  occupancy: number[];
  months: UtilizationMonth[];
}

export interface Utilization {
  start: string;
  end: string;
  wallboxes: UtilizationFigures[];
  site: UtilizationFigures;
  peaks: { month: string; power_w: number; at: string }[];
}

export interface Filters {
  config_entry_id?: string[];
  tag_id?: string[];
  person?: string;
  start?: string;
  end?: string;
}

export interface TagTotal {
  month: string;
  tag_id: string | null;
  tag_name: string | null;
  sessions: number;
  energy_wh: number;
  charging_s: number;
  cost: number | null;
  currency: string | null;
}

export interface ChargerTotal {
  month: string;
  charger_id: string;
  charger_name: string;
  sessions: number;
  energy_wh: number;
  charging_s: number;
  cost: number | null;
  currency: string | null;
}

export interface WallboxTile {
  entry_id: string;
  title: string;
  available: boolean;
  status: string | null;
  power_w: number | null;
  who: string | null;
  session: {
    started_at: string;
    duration_s: number;
    energy_wh: number;
    cost: number | null;
    currency: string;
  } | null;
  time_to_full_s: number | null;
  enable: { entity_id: string; on: boolean | null } | null;
  current: { entity_id: string; min: number; max: number; value: number | null } | null;
}

/** One grid phase of a circuit: house load + the boxes' shares + headroom + margin = limit. */
export interface SitePhase {
  phase: number;
  house_a: number;
  wallboxes_a: number;
  headroom_a: number;
  shares: { entry_id: string; current_a: number }[];
}

export interface SiteCircuit {
  circuit_id: string;
  /** null: the site's main fuse. */
  name: string | null;
  parent: string | null;
  limit_a: number;
  margin_a: number;
  measured: boolean;
  /** The grid meter is silent: the boxes share the safe share. */
  stale: boolean;
  phases: SitePhase[];
}

export interface SiteBox {
  entry_id: string;
  title: string;
  circuit_id: string;
  current_a: number | null;
  phases: number | null;
  grid_phases: number[];
  reason: string | null;
  /** With reason limited_by_circuit: the circuit that caps the share. */
  limited_by: string | null;
  priority: number;
}

export interface SiteState {
  entry_id: string;
  title: string;
  configured_limit_a: number;
  circuits: SiteCircuit[];
  wallboxes: SiteBox[];
}

export interface KnownTag {
  tag_id: string;
  name: string;
  owner: string | null;
  price_per_kwh: number | null;
  chargers: string[];
  person: string | null;
  blocked: boolean;
  /** Its car's priority at a site, 0-10 (the box counts with the higher of its own and this). */
  priority: number;
}

export interface Attempt {
  time: string;
  entry_id: string | null;
  charger: string | null;
  tag_id: string | null;
  attempts: number | null;
  known: boolean;
  blocked: boolean;
}
