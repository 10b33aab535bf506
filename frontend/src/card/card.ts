// The Lovelace card `custom:ev-session-card`: one wallbox at a glance. The integration adds its
// loader (loader.ts) to every frontend page, so no dashboard resource is needed.
import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import { dateTime, dayStart, duration, errorText, isoDay, kw, kwh, money, monthStartOf } from "../format";
import type { Session } from "../types";
import {
  DEFAULT_SESSIONS,
  configEntryOf,
  deviceName, firstWallbox, wallboxEntities, type Role, type WallboxEntities } from "./device";
import { t } from "./strings";
import type { CardConfig, CardHass, HassEntityState, MonthSummary } from "./types";
import "./editor";

const CARD = "ev-session-card";
const UNSET = new Set(["unknown", "unavailable"]);

/** This month's first midnight in Home Assistant's time zone. */
function monthStart(hass: CardHass): string {
  return dayStart(monthStartOf(isoDay(hass)));
}

export class EvSessionCard extends LitElement {
  static properties = {
    hass: { attribute: false },
    config: { state: true },
    recent: { state: true },
    month: { state: true },
    error: { state: true },
    denied: { state: true },
  };

  declare hass: CardHass | undefined;
  declare config: CardConfig;
  declare recent: Session[] | undefined;
  declare month: MonthSummary | undefined;
  declare error: string | undefined;
  // Entities whose controls this user may not use (ev_session_monitor/permissions); hidden.
  declare denied: ReadonlySet<string>;
  private permissionsAsked = false;
  // What the sessions and totals were last loaded for; a finished session changes it.
  private loadedFor = "";
  private entities: WallboxEntities = {};
  private entitiesOf: unknown;

  static getConfigElement(): HTMLElement {
    return document.createElement("ev-session-card-editor");
  }

  static getStubConfig(hass: CardHass): CardConfig {
    return { type: `custom:${CARD}`, device_id: firstWallbox(hass) ?? "" };
  }

  setConfig(config: CardConfig): void {
    if (config.sessions !== undefined && !(Number.isInteger(config.sessions) && config.sessions >= 0)) {
      throw new Error("sessions must be a whole number, 0 or more");
    }
    this.config = config;
    this.entitiesOf = undefined;
    this.loadedFor = "";
  }

  getCardSize(): number {
    return 6 + Math.min(this.sessionCount(), 5);
  }

  private sessionCount(): number {
    return this.config?.sessions ?? DEFAULT_SESSIONS;
  }

  private stateOf(role: Role): HassEntityState | undefined {
    const entityId = this.entities[role];
    return entityId ? this.hass?.states[entityId] : undefined;
  }

  private number(role: Role): number | null {
    const state = this.stateOf(role);
    if (!state || UNSET.has(state.state)) return null;
    const value = Number(state.state);
    return Number.isFinite(value) ? value : null;
  }

  private shown(state: HassEntityState | undefined): string {
    if (!state || UNSET.has(state.state)) return "—";
    return this.hass?.formatEntityState?.(state) ?? state.state;
  }

  protected willUpdate(changed: PropertyValues): void {
    const hass = this.hass;
    const deviceId = this.config?.device_id;
    if (!hass || !deviceId) return;
    if (!this.permissionsAsked) {
      this.permissionsAsked = true;
      void this.loadPermissions(hass);
    }
    if (changed.has("config") || this.entitiesOf !== hass.entities) {
      this.entitiesOf = hass.entities;
      this.entities = wallboxEntities(hass, deviceId);
    }
    const device = hass.devices[deviceId];
    const entryId = device && configEntryOf(device);
    if (!entryId) return;
    const finished = [this.stateOf("last_session_energy"), this.stateOf("last_session_duration")]
      .map((state) => state?.last_changed ?? "")
      .join("|");
    const key = `${entryId}|${this.sessionCount()}|${finished}`;
    if (key !== this.loadedFor) {
      this.loadedFor = key;
      void this.loadHistory(hass, entryId);
    }
  }

  private async loadHistory(hass: CardHass, entryId: string): Promise<void> {
    const filter = { config_entry_id: [entryId] };
    const count = this.sessionCount();
    try {
      const [page, totals] = await Promise.all([
        count > 0
          ? hass.callWS<{ sessions: Session[] }>({ type: "ev_session_monitor/sessions", ...filter, limit: count })
          : Promise.resolve({ sessions: [] }),
        hass.callWS<{ summary: MonthSummary }>({
          type: "ev_session_monitor/totals",
          ...filter,
          start: monthStart(hass),
        }),
      ]);
      this.recent = page.sessions;
      this.month = totals.summary;
      this.error = undefined;
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private async loadPermissions(hass: CardHass): Promise<void> {
    try {
      const answer = await hass.callWS<{ controls_denied_entities?: string[] }>({
        type: "ev_session_monitor/permissions",
      });
      this.denied = new Set(answer.controls_denied_entities ?? []);
    } catch {
      // An integration without the command lets everyone use the controls.
      this.denied = new Set();
    }
  }

  /** A control's state, unless the user may not use it. */
  private control(role: Role): HassEntityState | undefined {
    const entityId = this.entities[role];
    return entityId && this.denied?.has(entityId) ? undefined : this.stateOf(role);
  }

  private toggle(event: Event): void {
    const entityId = this.entities.charging_enabled;
    const on = (event.target as HTMLInputElement).checked;
    if (entityId) void this.hass?.callService("switch", on ? "turn_on" : "turn_off", { entity_id: entityId });
  }

  private setCurrent(event: Event): void {
    const entityId = this.entities.charging_current;
    const value = Number((event.target as HTMLInputElement).value);
    if (entityId) void this.hass?.callService("number", "set_value", { entity_id: entityId, value });
  }

  private controls() {
    const enable = this.control("charging_enabled");
    const current = this.control("charging_current");
    if (!enable && !current) return nothing;
    const attrs = current?.attributes ?? {};
    const amps = this.number("charging_current");
    return html`<div class="controls">
      ${enable
        ? html`<label class="row enable">
            <span>${t("enabled")}</span>
            <input
              type="checkbox"
              role="switch"
              .checked=${enable.state === "on"}
              ?disabled=${enable.state === "unavailable"}
              @change=${this.toggle}
            />
          </label>`
        : nothing}
      ${current
        ? html`<label class="row current">
            <span>${t("current")}</span>
            <input
              type="range"
              min=${Number(attrs.min ?? 6)}
              max=${Number(attrs.max ?? 32)}
              step=${Number(attrs.step ?? 1)}
              .value=${String(amps ?? attrs.min ?? 6)}
              ?disabled=${current.state === "unavailable"}
              @change=${this.setCurrent}
            />
            <output>${amps === null ? "—" : `${amps} A`}</output>
          </label>`
        : nothing}
    </div>`;
  }

  private history(hass: CardHass) {
    const month = this.month;
    const currency = month && Object.keys(month.cost)[0];
    return html`
      ${this.error ? html`<p class="error">${t("error", { message: this.error })}</p>` : nothing}
      ${month
        ? html`<div class="month">
            <span class="label">${t("month")}</span>
            <span class="figures"
              ><b class="month-energy">${kwh(hass, month.energy_wh)} kWh</b> ·
              <b class="month-cost">${currency !== undefined ? money(hass, month.cost[currency], currency) : "—"}</b>
              · <span class="month-sessions">${t("month_sessions", { count: month.sessions })}</span></span
            >
          </div>`
        : nothing}
      ${this.sessionCount() > 0 && this.recent
        ? html`<div class="recent">
            <span class="label">${t("recent")}</span>
            ${this.recent.length === 0 ? html`<p class="muted">${t("recent_empty")}</p>` : nothing}
            ${this.recent.map(
              (session) => html`<div class="session">
                <span class="when">${dateTime(hass, session.started_at)}</span>
                <span class="tag">${session.tag_name ?? session.tag_id ?? t("untagged")}</span>
                <span class="num">${kwh(hass, session.energy_wh)} kWh</span>
                <span class="num">${money(hass, session.cost, session.currency)}</span>
              </div>`,
            )}
          </div>`
        : nothing}
    `;
  }

  render() {
    const hass = this.hass;
    if (!hass || !this.config) return nothing;
    const deviceId = this.config.device_id;
    const device = deviceId ? hass.devices[deviceId] : undefined;
    if (!device) {
      return html`<ha-card><p class="hint">${t(deviceId ? "device_gone" : "no_device")}</p></ha-card>`;
    }
    const status = this.stateOf("charger_status");
    const reachable = status !== undefined && status.state !== "unavailable";
    const minutes = this.number("session_duration");
    const running = minutes !== null;
    const toFull = this.number("time_to_full");
    const energy = this.number("session_energy");
    return html`<ha-card>
      <div class="head">
        <h2>${deviceName(device)}</h2>
        <span class="status" data-state=${status?.state ?? ""}>${reachable ? this.shown(status) : t("unavailable")}</span>
      </div>
      <div class="power" title=${t("power")}>${kw(hass, this.number("power"))}</div>
      ${running
        ? html`<div class="stats">
            <div><span class="label">${t("energy")}</span><b class="energy">${kwh(hass, energy === null ? null : energy * 1000)} kWh</b></div>
            <div><span class="label">${t("cost")}</span><b class="cost">${this.shown(this.stateOf("session_cost"))}</b></div>
            <div><span class="label">${t("duration")}</span><b class="duration">${duration(minutes * 60)}</b></div>
            <div><span class="label">${t("time_to_full")}</span><b class="to-full">${toFull === null ? "—" : duration(toFull * 60)}</b></div>
            <div><span class="label">${t("who")}</span><b class="who">${this.shown(this.stateOf("last_tag"))}</b></div>
          </div>`
        : html`<p class="muted idle">${t("no_session")}</p>`}
      ${this.controls()} ${this.history(hass)}
    </ha-card>`;
  }

  static styles = css`
    ha-card {
      padding: 16px;
      color: var(--primary-text-color);
    }
    .head {
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: 8px;
    }
    h2 {
      margin: 0;
      font-size: var(--ha-card-header-font-size, 1.2em);
      font-weight: 500;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .status {
      flex: none;
      padding: 2px 10px;
      border-radius: 12px;
      font-size: 0.85em;
      background: var(--secondary-background-color);
    }
    .status[data-state="charging"] {
      color: var(--text-primary-color);
      background: var(--success-color, var(--primary-color));
    }
    .status[data-state="error"] {
      color: var(--text-primary-color);
      background: var(--error-color);
    }
    .power {
      font-size: 2.2em;
      font-weight: 300;
      margin: 8px 0;
    }
    .stats {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(90px, 1fr));
      gap: 8px;
    }
    .stats div {
      display: flex;
      flex-direction: column;
      min-width: 0;
    }
    .label {
      color: var(--secondary-text-color);
      font-size: 0.8em;
    }
    b {
      font-weight: 500;
      overflow-wrap: anywhere;
    }
    .muted,
    .hint {
      color: var(--secondary-text-color);
      margin: 4px 0;
    }
    .error {
      color: var(--error-color);
    }
    .controls,
    .month,
    .recent {
      border-top: 1px solid var(--divider-color);
      margin-top: 12px;
      padding-top: 8px;
    }
    .row {
      display: flex;
      align-items: center;
      gap: 12px;
      min-height: 40px;
    }
    .row span {
      flex: 1;
    }
    input {
      accent-color: var(--primary-color);
      margin: 0;
    }
    /* A switch drawn from theme colours: HA's own ha-switch may not be loaded on every page. */
    input[role="switch"] {
      appearance: none;
      position: relative;
      flex: none;
      width: 36px;
      height: 20px;
      border-radius: 10px;
      background: var(--disabled-color, #bdbdbd);
      cursor: pointer;
      transition: background 0.2s;
    }
    input[role="switch"]::before {
      content: "";
      position: absolute;
      top: 2px;
      left: 2px;
      width: 16px;
      height: 16px;
      border-radius: 50%;
      background: var(--card-background-color, #fff);
      transition: transform 0.2s;
    }
    input[role="switch"]:checked {
      background: var(--primary-color);
    }
    input[role="switch"]:checked::before {
      transform: translateX(16px);
    }
    input:disabled {
      opacity: 0.5;
      cursor: default;
    }
    input[type="range"] {
      appearance: none;
      flex: 2;
      min-width: 0;
      height: 4px;
      border-radius: 2px;
      background: var(--divider-color);
    }
    input[type="range"]::-webkit-slider-thumb {
      appearance: none;
      width: 16px;
      height: 16px;
      border-radius: 50%;
      background: var(--primary-color);
      cursor: pointer;
    }
    input[type="range"]::-moz-range-thumb {
      width: 16px;
      height: 16px;
      border: none;
      border-radius: 50%;
      background: var(--primary-color);
    }
    output {
      min-width: 3.5em;
      text-align: right;
    }
    .month {
      display: flex;
      flex-direction: column;
    }
    .session {
      display: grid;
      grid-template-columns: auto 1fr auto auto;
      gap: 8px;
      padding: 4px 0;
      font-size: 0.9em;
    }
    .session span {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .num {
      text-align: right;
    }
  `;
}

interface CustomCardEntry {
  type: string;
  name: string;
  description: string;
  preview: boolean;
  documentationURL?: string;
}

// The module may load twice (the integration adds it, and a user may have added it as a resource).
if (!customElements.get(CARD)) {
  customElements.define(CARD, EvSessionCard);
  const picker = window as unknown as { customCards?: CustomCardEntry[] };
  picker.customCards ??= [];
  picker.customCards.push({
    type: CARD,
    name: t("name"),
    description: t("description"),
    preview: true,
    documentationURL: "https://github.com/ev-session-monitor/ev_session_monitor#dashboard-card",
  });
}
