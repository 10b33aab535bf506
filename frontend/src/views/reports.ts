// Reports: totals per card and month and per wallbox and month, a bar chart, CSV and XLSX of the
// same; the monthly PDF statement of a card or of a person (all their cards); utilization of the
// site (administrators).
import { LitElement, css, html, nothing, svg } from "lit";
import { downloadStatement, downloadTable, filterParams } from "../download";
import { dayStart, duration, errorText, isoDay, kwh, money, monthStartOf } from "../format";
import { shared } from "../styles";
import { t } from "../strings";
import type { ChargerTotal, Filters, HomeAssistant, PortalInfo, TagTotal } from "../types";
import "./filters";
import "./utilization";

// Distinct colours that read on light and dark backgrounds.
const PALETTE = ["#03a9f4", "#ff9800", "#8bc34a", "#e91e63", "#9c27b0", "#009688", "#795548", "#607d8b"];

interface Totals {
  by_tag: TagTotal[];
  by_charger: ChargerTotal[];
}

export class EvReportsView extends LitElement {
  static properties = {
    hass: { attribute: false },
    info: { attribute: false },
    totals: { state: true },
    statementOf: { state: true },
    filters: { state: true },
    error: { state: true },
  };

  declare hass: HomeAssistant;
  declare info: PortalInfo;
  declare totals: Totals | undefined;
  declare error: string | undefined;
  declare filters: Filters;
  private from: string;
  private statementTag = "";
  private statementPerson = "";
  private statementMonth: string;
  // Whose statement: one card's, or a person's over all the cards they own.
  private statementOf: "card" | "person" = "card";

  constructor() {
    super();
    this.from = "";
    this.filters = {};
    this.statementMonth = "";
  }

  connectedCallback(): void {
    super.connectedCallback();
    // The last twelve months by default (in Home Assistant's time zone): a report, not the
    // whole history.
    if (!this.from) {
      this.from = monthStartOf(isoDay(this.hass), -11);
      this.filters = { start: dayStart(this.from) };
    }
    // The last complete month: the one a statement is usually asked for.
    if (!this.statementMonth) this.statementMonth = monthStartOf(isoDay(this.hass), -1).slice(0, 7);
    void this.load();
  }

  private async load() {
    this.error = undefined;
    try {
      this.totals = await this.hass.callWS<Totals>({
        type: "ev_session_monitor/totals",
        ...this.filters,
      });
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private filtersChanged(ev: CustomEvent<Filters>) {
    this.filters = ev.detail;
    void this.load();
  }

  private async download(format: "csv" | "xlsx") {
    try {
      await downloadTable(this.hass, "totals", filterParams(this.filters), format);
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private async statement(ev: Event) {
    ev.preventDefault();
    if (!this.statementMonth) return;
    const subject =
      this.statementOf === "person"
        ? { person: this.statementPerson || this.info.persons[0]?.entity_id }
        : { tag_id: this.statementTag || this.info.tags[0]?.tag_id };
    if (!subject.person && !subject.tag_id) return;
    try {
      await downloadStatement(this.hass, subject, this.statementMonth);
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private statementForm() {
    if (!this.info.tags.length) return nothing;
    const byPerson = this.statementOf === "person";
    return html`<form class="card statement" @submit=${this.statement}>
      <h2>${t("statement_title")}</h2>
      <div class="filters">
        ${this.info.persons.length
          ? html`<label
              >${t("statement_of")}
              <select
                name="statement_of"
                @change=${(ev: Event) =>
                  (this.statementOf = (ev.target as HTMLSelectElement).value as "card" | "person")}
              >
                <option value="card" ?selected=${!byPerson}>${t("statement_of_card")}</option>
                <option value="person" ?selected=${byPerson}>${t("statement_of_person")}</option>
              </select>
            </label>`
          : nothing}
        ${byPerson
          ? html`<label
              >${t("filter_person")}
              <select
                name="statement_person"
                @change=${(ev: Event) =>
                  (this.statementPerson = (ev.target as HTMLSelectElement).value)}
              >
                ${this.info.persons.map(
                  (p) =>
                    html`<option value=${p.entity_id} ?selected=${p.entity_id === this.statementPerson}
                      >${p.name}</option
                    >`,
                )}
              </select>
            </label>`
          : html`<label
              >${t("filter_tag")}
              <select
                name="statement_tag"
                @change=${(ev: Event) => (this.statementTag = (ev.target as HTMLSelectElement).value)}
              >
                ${this.info.tags.map(
                  (tag) =>
                    html`<option value=${tag.tag_id} ?selected=${tag.tag_id === this.statementTag}
                      >${tag.name}</option
                    >`,
                )}
              </select>
            </label>`}
        <label
          >${t("statement_month")}
          <input
            type="month"
            name="statement_month"
            required
            .value=${this.statementMonth}
            @change=${(ev: Event) => (this.statementMonth = (ev.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" class="pdf">${t("download_pdf")}</button>
      </div>
      <p class="muted">${t(byPerson ? "statement_hint_person" : "statement_hint")}</p>
    </form>`;
  }

  private tagLabel(row: { tag_name: string | null; tag_id: string | null }): string {
    return row.tag_name ?? row.tag_id ?? t("untagged");
  }

  /** Stacked bars per month, one colour per card; `value` picks energy or cost. */
  private chart(title: string, rows: TagTotal[], value: (row: TagTotal) => number, unit: string) {
    const months = [...new Set(rows.map((row) => row.month))].sort();
    const tags = [...new Set(rows.map((row) => this.tagLabel(row)))];
    const sums = months.map((month) =>
      rows.filter((row) => row.month === month).reduce((sum, row) => sum + value(row), 0),
    );
    const top = Math.max(...sums, 0) || 1;
    const width = 600;
    const height = 200;
    const left = 44;
    const bottom = 22;
    const slot = (width - left) / Math.max(months.length, 1);
    const bar = Math.min(slot * 0.7, 48);
    const scale = (height - bottom - 8) / top;
    const bars = months.flatMap((month, index) => {
      let y = height - bottom;
      return rows
        .filter((row) => row.month === month)
        .map((row) => {
          const h = value(row) * scale;
          y -= h;
          const colour = PALETTE[tags.indexOf(this.tagLabel(row)) % PALETTE.length];
          return svg`<rect x=${left + index * slot + (slot - bar) / 2} y=${y} width=${bar}
            height=${Math.max(h, 0)} fill=${colour}><title>${this.tagLabel(row)} ${month}: ${value(row).toFixed(2)} ${unit}</title></rect>`;
        });
    });
    const labels = months.map(
      (month, index) => svg`<text x=${left + index * slot + slot / 2} y=${height - 6}
        text-anchor="middle" class="axis">${month.slice(2)}</text>`,
    );
    return html`<figure class="card chart">
      <figcaption>${title} (${unit})</figcaption>
      <svg viewBox="0 0 ${width} ${height}" role="img" aria-label=${title}>
        <line x1=${left} x2=${width} y1=${height - bottom} y2=${height - bottom} class="grid" />
        <text x=${left - 6} y="14" text-anchor="end" class="axis">${top.toFixed(top < 10 ? 1 : 0)}</text>
        <text x=${left - 6} y=${height - bottom} text-anchor="end" class="axis">0</text>
        ${bars} ${labels}
      </svg>
      <div class="legend">
        ${tags.map(
          (tag, index) =>
            html`<span><i style="background:${PALETTE[index % PALETTE.length]}"></i>${tag}</span>`,
        )}
      </div>
    </figure>`;
  }

  private table<T extends TagTotal | ChargerTotal>(title: string, rows: T[], who: (row: T) => string) {
    return html`<section class="card table-wrap">
      <h2>${title}</h2>
      <table>
        <thead>
          <tr>
            <th>${t("col_month")}</th>
            <th>${t("col_tag")} / ${t("col_wallbox")}</th>
            <th class="num">${t("col_sessions")}</th>
            <th class="num">${t("col_energy")}</th>
            <th class="num">${t("col_charging")}</th>
            <th class="num">${t("col_cost")}</th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (row) => html`<tr>
              <td>${row.month}</td>
              <td>${who(row)}</td>
              <td class="num">${row.sessions}</td>
              <td class="num">${kwh(this.hass, row.energy_wh)}</td>
              <td class="num">${duration(row.charging_s)}</td>
              <td class="num">${money(this.hass, row.cost, row.currency)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </section>`;
  }

  render() {
    const totals = this.totals;
    return html`
      <ev-filter-bar .info=${this.info} from=${this.from} @filters-changed=${this.filtersChanged}>
        <button class="secondary download" @click=${() => this.download("csv")}>
          ${t("download_csv")}
        </button>
        <button class="secondary download-xlsx" @click=${() => this.download("xlsx")}>
          ${t("download_xlsx")}
        </button>
      </ev-filter-bar>
      ${this.statementForm()}
      ${this.error ? html`<p class="error">${t("error", { message: this.error })}</p>` : nothing}
      ${totals === undefined
        ? html`<p class="muted">${t("loading")}</p>`
        : totals.by_tag.length === 0
          ? html`<p class="muted">${t("reports_empty")}</p>`
          : html`<div class="charts">
                ${this.chart(
                  `${t("reports_chart")} · ${t("reports_energy")}`,
                  totals.by_tag,
                  (row) => row.energy_wh / 1000,
                  "kWh",
                )}
                ${this.chart(
                  `${t("reports_chart")} · ${t("reports_cost")}`,
                  totals.by_tag,
                  (row) => row.cost ?? 0,
                  totals.by_tag.find((row) => row.currency)?.currency ?? this.info.currency,
                )}
              </div>
              ${this.table(t("reports_by_tag"), totals.by_tag, (row) => this.tagLabel(row))}
              ${this.table(t("reports_by_wallbox"), totals.by_charger, (row) => row.charger_name)}`}
      ${this.info.admin
        ? html`<ev-utilization .hass=${this.hass} .info=${this.info} .filters=${this.filters}></ev-utilization>`
        : nothing}
    `;
  }

  static styles = [
    shared,
    css`
      .charts {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(300px, 1fr));
        gap: 16px;
        margin-bottom: 16px;
      }
      figure {
        margin: 0;
      }
      figcaption {
        font-weight: 500;
        margin-bottom: 8px;
      }
      svg {
        width: 100%;
        height: auto;
      }
      .axis {
        font-size: 11px;
        fill: var(--secondary-text-color);
      }
      .grid {
        stroke: var(--divider-color, #ccc);
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 4px 12px;
        font-size: 0.85em;
      }
      .legend i {
        display: inline-block;
        width: 10px;
        height: 10px;
        border-radius: 2px;
        margin-right: 4px;
      }
      section + section,
      .statement,
      ev-utilization {
        display: block;
        margin: 16px 0;
      }
    `,
  ];
}
customElements.define("ev-reports-view", EvReportsView);
