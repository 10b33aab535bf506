// Sessions: a table paged, sorted and filtered by the server; a row opens the session's detail
// with its audit trail, where an administrator can reassign its card or note it.
import { LitElement, css, html, nothing } from "lit";
import { downloadTable, filterParams } from "../download";
import { dateTime, duration, errorText, kw, kwh, money, timeOfDay, unitPrice } from "../format";
import { shared } from "../styles";
import { t, tMaybe, type StringKey } from "../strings";
import type { Correction, Filters, HomeAssistant, PortalInfo, Session } from "../types";
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
    trail: { state: true },
    detailError: { state: true },
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
  declare trail: Correction[] | undefined;
  declare detailError: string | undefined;
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

  private async download(format: "csv" | "xlsx") {
    const params = filterParams(this.filters);
    params.set("sort", this.sort);
    params.set("descending", String(this.descending));
    try {
      await downloadTable(this.hass, "sessions", params, format);
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private async open(session: Session) {
    this.selected = session;
    this.trail = undefined;
    this.detailError = undefined;
    try {
      const answer = await this.hass.callWS<{ corrections: Correction[] }>({
        type: "ev_session_monitor/sessions/corrections",
        session_id: session.session_id,
      });
      if (this.selected === session) this.trail = answer.corrections;
    } catch (err) {
      this.detailError = errorText(err);
    }
  }

  private async correct(ev: Event) {
    ev.preventDefault();
    const session = this.selected;
    if (!session) return;
    const form = ev.target as HTMLFormElement;
    const tag = (form.elements.namedItem("correct_tag") as HTMLSelectElement).value;
    const note = (form.elements.namedItem("correct_note") as HTMLTextAreaElement).value;
    const change: Record<string, string> = {};
    if (tag && tag !== session.tag_id) change.tag_id = tag;
    if (note !== (session.note ?? "")) change.note = note;
    if (!Object.keys(change).length) return;
    try {
      const answer = await this.hass.callWS<{ session: Session; corrections: Correction[] }>({
        type: "ev_session_monitor/sessions/correct",
        session_id: session.session_id,
        ...change,
      });
      this.selected = answer.session;
      this.trail = answer.corrections;
      this.detailError = undefined;
      void this.load();
    } catch (err) {
      this.detailError = errorText(err);
    }
  }

  private trailList() {
    if (this.trail === undefined) return html`<p class="muted">${t("loading")}</p>`;
    if (!this.trail.length) return html`<p class="muted">${t("detail_trail_empty")}</p>`;
    return html`<ul class="trail">
      ${this.trail.map(
        (item) => html`<li>
          ${t("detail_trail_item", {
            when: dateTime(this.hass, item.changed_at),
            who: item.user_name ?? t("detail_trail_automation"),
            field: t(item.field === "tag" ? "detail_trail_tag" : "detail_trail_note"),
            before: item.before ?? "—",
            after: item.after ?? "—",
          })}
        </li>`,
      )}
    </ul>`;
  }

  private correctionForm(session: Session) {
    const known = this.info.tags.some((tag) => tag.tag_id === session.tag_id);
    return html`<form class="correct" @submit=${this.correct}>
      <h3>${t("detail_correct")}</h3>
      <label
        >${t("col_tag")}
        <select name="correct_tag">
          ${known ? nothing : html`<option value="" selected>${session.tag_name ?? session.tag_id ?? t("untagged")}</option>`}
          ${this.info.tags.map(
            (tag) =>
              html`<option value=${tag.tag_id} ?selected=${tag.tag_id === session.tag_id}>${tag.name}</option>`,
          )}
        </select>
      </label>
      <label
        >${t("detail_note")}
        <textarea name="correct_note" maxlength="500" .value=${session.note ?? ""}></textarea>
      </label>
      <button type="submit" class="save-correction">${t("detail_save")}</button>
    </form>`;
  }

  private closeDetail() {
    this.selected = undefined;
    this.trail = undefined;
  }

  private header(column: SortColumn, label: StringKey, numeric = false) {
    const arrow = this.sort === column ? (this.descending ? " ▼" : " ▲") : "";
    return html`<th class=${numeric ? "num" : ""}>
      <button class="sort" data-sort=${column} @click=${() => this.sortBy(column)}>
        ${t(label)}${arrow}
      </button>
    </th>`;
  }

  /** The session's energy per price where the price changed (a dynamic tariff's hours). */
  private priceParts(session: Session) {
    const parts = session.price_parts ?? [];
    if (parts.length < 2) return nothing;
    return html`<h3>${t("detail_parts")}</h3>
      <table class="parts">
        <thead>
          <tr>
            <th>${t("detail_parts_time")}</th>
            <th class="num">${t("col_energy")}</th>
            <th class="num">${t("detail_price")}</th>
            <th class="num">${t("col_cost")}</th>
          </tr>
        </thead>
        <tbody>
          ${parts.map((part, index) => {
            const until = parts[index + 1]?.started_at ?? session.ended_at;
            const price = part.price_per_kwh;
            return html`<tr>
              <td>${timeOfDay(this.hass, part.started_at)}–${timeOfDay(this.hass, until)}</td>
              <td class="num">${kwh(this.hass, part.energy_wh)}</td>
              <td class="num">${unitPrice(this.hass, price, session.currency)}</td>
              <td class="num">
                ${money(this.hass, price === null ? null : (part.energy_wh / 1000) * price, session.currency)}
              </td>
            </tr>`;
          })}
        </tbody>
      </table>`;
  }

  private detail(session: Session) {
    const estimated = session.end_latest
      ? t("detail_estimated_end", {
          from: dateTime(this.hass, session.ended_at),
          to: dateTime(this.hass, session.end_latest),
        })
      : t("detail_end_measured");
    const reading = (wh: number | null) => (wh === null ? "—" : kwh(this.hass, wh));
    return html`<div class="overlay" @click=${this.closeDetail}>
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
          <dt>${t("detail_meter")}</dt>
          <dd class="meter">${reading(session.meter_start_wh)} → ${reading(session.meter_end_wh)}</dd>
          <dt>${t("detail_price")}</dt>
          <dd class="price">${unitPrice(this.hass, session.price_per_kwh, session.currency)}</dd>
          <dt>${t("detail_note")}</dt>
          <dd class="note">${session.note ?? "—"}</dd>
        </dl>
        ${this.priceParts(session)}
        <h3>${t("detail_trail")}</h3>
        ${this.trailList()}
        ${this.detailError ? html`<p class="error">${this.detailError}</p>` : nothing}
        ${this.info.admin ? this.correctionForm(session) : nothing}
        <button class="close" @click=${this.closeDetail}>${t("detail_close")}</button>
      </section>
    </div>`;
  }

  render() {
    const sessions = this.sessions;
    const last = Math.min(this.offset + PAGE, this.total);
    return html`
      <ev-filter-bar .info=${this.info} @filters-changed=${this.filtersChanged}>
        <button class="secondary download" @click=${() => this.download("csv")}>
          ${t("download_csv")}
        </button>
        <button class="secondary download-xlsx" @click=${() => this.download("xlsx")}>
          ${t("download_xlsx")}
        </button>
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
                    (s) => html`<tr class="row" data-id=${s.session_id} @click=${() => this.open(s)}>
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
      .parts {
        width: 100%;
        margin-bottom: 8px;
      }
      .trail {
        padding-left: 18px;
        margin: 4px 0 12px;
      }
      .correct {
        display: grid;
        gap: 8px;
        margin-bottom: 12px;
      }
      .correct label {
        display: grid;
        gap: 4px;
      }
      textarea {
        font: inherit;
        min-height: 3em;
      }
    `,
  ];
}
customElements.define("ev-sessions-view", EvSessionsView);
