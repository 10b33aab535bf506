// Sessions: a table paged, sorted and filtered by the server; a row opens the session's detail.
import { LitElement, css, html, nothing } from "lit";
import { downloadCsv, filterParams } from "../download";
import { dateTime, duration, errorText, kw, kwh, money } from "../format";
import { shared } from "../styles";
import { t, tMaybe, type StringKey } from "../strings";
import type { Filters, HomeAssistant, PortalInfo, Session } from "../types";
import "./filters";

const PAGE = 50;
type SortColumn = "started_at" | "charger_name" | "tag_name" | "energy_wh" | "cost" | "charging_s";

export class EvSessionsView extends LitElement {
  static properties = {
    hass: { attribute: false },
    info: { attribute: false },
    sessions: { state: true },
    total: { state: true },
    offset: { state: true },
    sort: { state: true },
    descending: { state: true },
    selected: { state: true },
    error: { state: true },
  };

  declare hass: HomeAssistant;
  declare info: PortalInfo;
  declare sessions: Session[] | undefined;
  declare total: number;
  declare offset: number;
  declare sort: SortColumn;
  declare descending: boolean;
  declare selected: Session | undefined;
  declare error: string | undefined;
  private filters: Filters = {};
  private request = 0;

  constructor() {
    super();
    this.total = 0;
    this.offset = 0;
    this.sort = "started_at";
    this.descending = true;
  }

  connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    const request = ++this.request;
    this.error = undefined;
    try {
      const page = await this.hass.callWS<{ sessions: Session[]; total: number }>({
        type: "ev_session_monitor/sessions",
        ...this.filters,
        offset: this.offset,
        limit: PAGE,
        sort: this.sort,
        descending: this.descending,
      });
      if (request !== this.request) return; // a newer request is on its way
      this.sessions = page.sessions;
      this.total = page.total;
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private filtersChanged(ev: CustomEvent<Filters>) {
    this.filters = ev.detail;
    this.offset = 0;
    void this.load();
  }

  private sortBy(column: SortColumn) {
    this.descending = this.sort === column ? !this.descending : column === "started_at";
    this.sort = column;
    this.offset = 0;
    void this.load();
  }

  private page(delta: number) {
    this.offset = Math.max(0, this.offset + delta * PAGE);
    void this.load();
  }

  private async download() {
    const params = filterParams(this.filters);
    params.set("sort", this.sort);
    params.set("descending", String(this.descending));
    try {
      await downloadCsv(this.hass, "sessions", params);
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private header(column: SortColumn, label: StringKey, numeric = false) {
    const arrow = this.sort === column ? (this.descending ? " ▼" : " ▲") : "";
    return html`<th class=${numeric ? "num" : ""}>
      <button class="sort" data-sort=${column} @click=${() => this.sortBy(column)}>
        ${t(label)}${arrow}
      </button>
    </th>`;
  }

  private detail(session: Session) {
    const estimated = session.end_latest
      ? t("detail_estimated_end", {
          from: dateTime(this.hass, session.ended_at),
          to: dateTime(this.hass, session.end_latest),
        })
      : t("detail_end_measured");
    return html`<div class="overlay" @click=${() => (this.selected = undefined)}>
      <section class="card detail" @click=${(ev: Event) => ev.stopPropagation()}>
        <h2>${t("detail_title", { id: session.session_id.slice(0, 8) })}</h2>
        <dl>
          <dt>${t("col_wallbox")}</dt>
          <dd>${session.charger_name}</dd>
          <dt>${t("col_tag")}</dt>
          <dd>${session.tag_name ?? session.tag_id ?? t("untagged")}</dd>
          <dt>${t("col_start")}</dt>
          <dd>${dateTime(this.hass, session.started_at)}</dd>
          <dt>${t("col_end")}</dt>
          <dd>${dateTime(this.hass, session.ended_at)}</dd>
          <dt></dt>
          <dd class="estimated">${estimated}</dd>
          <dt>${t("col_energy")}</dt>
          <dd>${kwh(this.hass, session.energy_wh)}</dd>
          <dt>${t("col_cost")}</dt>
          <dd>${money(this.hass, session.cost, session.currency)}</dd>
          <dt>${t("col_charging")}</dt>
          <dd>${duration(session.charging_s)}</dd>
          <dt>${t("detail_avg_power")}</dt>
          <dd>${kw(this.hass, session.avg_power_w)}</dd>
          <dt>${t("detail_peak_power")}</dt>
          <dd>${kw(this.hass, session.peak_power_w)}</dd>
          <dt>${t("detail_energy_source")}</dt>
          <dd class="source">
            ${tMaybe(`source_${session.energy_source}`, session.energy_source)}
          </dd>
          <dt>${t("detail_gaps")}</dt>
          <dd class="gaps">${session.gaps}</dd>
          <dt>${t("detail_unpriced")}</dt>
          <dd class="unpriced">${kwh(this.hass, session.unpriced_wh)}</dd>
          <dt>${t("detail_unseen")}</dt>
          <dd class="unseen">${duration(session.unseen_s)}</dd>
        </dl>
        <button @click=${() => (this.selected = undefined)}>${t("detail_close")}</button>
      </section>
    </div>`;
  }

  render() {
    const sessions = this.sessions;
    const last = Math.min(this.offset + PAGE, this.total);
    return html`
      <ev-filter-bar .info=${this.info} @filters-changed=${this.filtersChanged}>
        <button class="secondary download" @click=${this.download}>${t("download_csv")}</button>
      </ev-filter-bar>
      ${this.error ? html`<p class="error">${t("error", { message: this.error })}</p>` : nothing}
      ${sessions === undefined
        ? html`<p class="muted">${t("loading")}</p>`
        : html`<div class="card table-wrap">
              <table>
                <thead>
                  <tr>
                    ${this.header("started_at", "col_start")}
                    ${this.header("charger_name", "col_wallbox")} ${this.header("tag_name", "col_tag")}
                    ${this.header("energy_wh", "col_energy", true)}
                    ${this.header("cost", "col_cost", true)}
                    ${this.header("charging_s", "col_charging", true)}
                  </tr>
                </thead>
                <tbody>
                  ${sessions.map(
                    (s) => html`<tr class="row" data-id=${s.session_id} @click=${() => (this.selected = s)}>
                      <td>${dateTime(this.hass, s.started_at)}</td>
                      <td>${s.charger_name}</td>
                      <td>${s.tag_name ?? s.tag_id ?? t("untagged")}</td>
                      <td class="num">${kwh(this.hass, s.energy_wh)}</td>
                      <td class="num">${money(this.hass, s.cost, s.currency)}</td>
                      <td class="num">${duration(s.charging_s)}</td>
                    </tr>`,
                  )}
                </tbody>
              </table>
              ${sessions.length ? nothing : html`<p class="muted">${t("sessions_empty")}</p>`}
            </div>
            <div class="pager actions">
              <button class="secondary" ?disabled=${this.offset === 0} @click=${() => this.page(-1)}>
                ${t("previous")}
              </button>
              <span class="range"
                >${t("sessions_range", {
                  from: this.total ? this.offset + 1 : 0,
                  to: last,
                  total: this.total,
                })}</span
              >
              <button class="secondary" ?disabled=${last >= this.total} @click=${() => this.page(1)}>
                ${t("next")}
              </button>
            </div>`}
      ${this.selected ? this.detail(this.selected) : nothing}
    `;
  }

  static styles = [
    shared,
    css`
      .pager {
        margin-top: 12px;
        justify-content: center;
      }
      .overlay {
        position: fixed;
        inset: 0;
        background: rgba(0, 0, 0, 0.4);
        display: flex;
        align-items: center;
        justify-content: center;
        z-index: 10;
        padding: 16px;
      }
      .detail {
        max-width: 480px;
        width: 100%;
        max-height: 90vh;
        overflow: auto;
      }
      dl {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 6px 12px;
      }
      dt {
        color: var(--secondary-text-color);
      }
      dd {
        margin: 0;
      }
    `,
  ];
}
customElements.define("ev-sessions-view", EvSessionsView);
