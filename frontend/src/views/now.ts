// Now: one tile per wallbox, pushed by the server after every poll (no polling by the page).
import { LitElement, css, html, nothing } from "lit";
import { dateTime, duration, errorText, kw, kwh, money } from "../format";
import { shared } from "../styles";
import { t, tMaybe } from "../strings";
import type { HomeAssistant, SiteState, WallboxTile } from "../types";
import "./site";

export class EvNowView extends LitElement {
  static properties = {
    hass: { attribute: false },
    admin: { type: Boolean },
    tiles: { state: true },
    sites: { state: true },
    error: { state: true },
    denied: { state: true },
  };

  declare hass: HomeAssistant;
  declare admin: boolean;
  declare tiles: WallboxTile[] | undefined;
  // Each site's shares, pushed after every tick of its allocator.
  declare sites: SiteState[] | undefined;
  declare error: string | undefined;
  // Entities whose controls this user may not use (ev_session_monitor/permissions); hidden.
  declare denied: ReadonlySet<string> | undefined;
  private unsubscribe?: Promise<() => void>;
  private unsubscribeSites?: Promise<() => void>;

  connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = this.hass.connection.subscribeMessage<{ wallboxes: WallboxTile[] }>(
      (event) => {
        this.tiles = event.wallboxes;
      },
      { type: "ev_session_monitor/wallboxes/subscribe" },
    );
    this.unsubscribe.catch((err) => (this.error = errorText(err)));
    this.unsubscribeSites = this.hass.connection.subscribeMessage<{ sites: SiteState[] }>(
      (event) => {
        this.sites = event.sites;
      },
      { type: "ev_session_monitor/sites/subscribe" },
    );
    this.unsubscribeSites.catch((err) => (this.error = errorText(err)));
    this.hass
      .callWS<{ controls_denied_entities?: string[] }>({ type: "ev_session_monitor/permissions" })
      .then((answer) => (this.denied = new Set(answer.controls_denied_entities ?? [])))
      // An integration without the command lets administrators use every control.
      .catch(() => (this.denied = new Set()));
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.then((unsub) => unsub()).catch(() => undefined);
    this.unsubscribe = undefined;
    this.unsubscribeSites?.then((unsub) => unsub()).catch(() => undefined);
    this.unsubscribeSites = undefined;
  }

  private async control(tile: WallboxTile, change: { enabled?: boolean; current_a?: number }) {
    this.error = undefined;
    try {
      await this.hass.callWS({
        type: "ev_session_monitor/wallboxes/control",
        entry_id: tile.entry_id,
        ...change,
      });
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private controls(shown: WallboxTile) {
    const allowed = <T extends { entity_id: string }>(control: T | null) =>
      control && !this.denied?.has(control.entity_id) ? control : null;
    const tile = { ...shown, enable: allowed(shown.enable), current: allowed(shown.current) };
    if (!this.admin || (!tile.enable && !tile.current)) return nothing;
    return html`<div class="controls">
      ${tile.enable
        ? html`<button
            class=${tile.enable.on === false ? "" : "secondary"}
            @click=${() => this.control(tile, { enabled: tile.enable?.on === false })}
          >
            ${tile.enable.on === false ? t("now_start") : t("now_stop")}
          </button>`
        : nothing}
      ${tile.current
        ? html`<label class="current"
            >${t("now_current")} (${tile.current.min}–${tile.current.max} A)
            <span class="actions">
              <input
                type="number"
                min=${tile.current.min}
                max=${tile.current.max}
                step="1"
                .value=${String(tile.current.value ?? tile.current.max)}
                @change=${(ev: Event) =>
                  this.control(tile, { current_a: Number((ev.target as HTMLInputElement).value) })}
              />
              A
            </span>
          </label>`
        : nothing}
    </div>`;
  }

  private tile(tile: WallboxTile) {
    const session = tile.session;
    const status = tile.available
      ? tMaybe(`status_${tile.status ?? "unknown"}`, tile.status ?? t("status_unknown"))
      : t("now_unavailable");
    return html`<section class="card tile" data-entry=${tile.entry_id}>
      <div class="head">
        <h2>${tile.title}</h2>
        <span class="status status-${tile.status ?? "unknown"}">${status}</span>
      </div>
      <dl>
        <dt>${t("now_power")}</dt>
        <dd class="power">${kw(this.hass, tile.power_w)}</dd>
        <dt>${t("now_who")}</dt>
        <dd class="who">${tile.who ?? t("now_nobody")}</dd>
        <dt>${t("now_energy")}</dt>
        <dd>${session ? `${kwh(this.hass, session.energy_wh)} kWh` : t("now_no_session")}</dd>
        <dt>${t("now_cost")}</dt>
        <dd>${session ? money(this.hass, session.cost, session.currency) : "—"}</dd>
        <dt>${t("now_duration")}</dt>
        <dd title=${session ? dateTime(this.hass, session.started_at) : ""}>
          ${session ? duration(session.duration_s) : "—"}
        </dd>
        <dt>${t("now_time_to_full")}</dt>
        <dd>${duration(tile.time_to_full_s)}</dd>
      </dl>
      ${this.controls(tile)}
    </section>`;
  }

  render() {
    if (this.error) return html`<p class="error">${t("error", { message: this.error })}</p>`;
    if (!this.tiles) return html`<p class="muted">${t("loading")}</p>`;
    if (!this.tiles.length) return html`<p class="muted">${t("now_empty")}</p>`;
    return html`${(this.sites ?? []).map(
        (site) => html`<ev-site-section .hass=${this.hass} .site=${site}></ev-site-section>`,
      )}
      <div class="grid">${this.tiles.map((tile) => this.tile(tile))}</div>`;
  }

  static styles = [
    shared,
    css`
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(280px, 1fr));
        gap: 16px;
      }
      .head {
        display: flex;
        justify-content: space-between;
        align-items: baseline;
        gap: 8px;
      }
      .status {
        font-size: 0.85em;
        padding: 2px 8px;
        border-radius: 10px;
        background: var(--secondary-background-color, #eee);
      }
      .status-charging {
        background: var(--success-color, #43a047);
        color: var(--text-primary-color, #fff);
      }
      dl {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 6px 12px;
        margin: 8px 0 12px;
      }
      dt {
        color: var(--secondary-text-color);
      }
      dd {
        margin: 0;
        text-align: right;
        font-variant-numeric: tabular-nums;
      }
      .controls {
        display: flex;
        flex-wrap: wrap;
        gap: 12px;
        align-items: flex-end;
        justify-content: space-between;
      }
      .current input {
        width: 80px;
      }
    `,
  ];
}
customElements.define("ev-now-view", EvNowView);
