// Utilization (administrators): per wallbox and for the site, plugged-in, charging and blocking
// hours, sessions per day, energy and revenue per month, peak power, and an occupancy heat map by
// hour of the week in Home Assistant's time zone (the server places the hours).
import { LitElement, css, html, nothing, svg } from "lit";
import { downloadUtilization } from "../download";
import { dateTime, errorText, kw, money } from "../format";
import { shared } from "../styles";
import { t } from "../strings";
import type { Filters, HomeAssistant, PortalInfo, Utilization, UtilizationFigures } from "../types";

const CELL = 18;
const LEFT = 40;
const TOP = 16;

export class EvUtilization extends LitElement {
  static properties = {
    hass: { attribute: false },
    info: { attribute: false },
    filters: { attribute: false },
    figures: { state: true },
    shown: { state: true },
    error: { state: true },
  };

  declare hass: HomeAssistant;
  declare info: PortalInfo;
  declare filters: Filters;
  declare figures: Utilization | undefined;
  declare shown: string; // "" = the site, else a charger_id
  declare error: string | undefined;
  private request = 0;

  constructor() {
    super();
    this.shown = "";
  }

  protected willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("filters")) void this.load();
  }

  private async load() {
    const request = ++this.request;
    this.error = undefined;
    try {
      const period: Record<string, string> = {};
      if (this.filters?.start) period.start = this.filters.start;
      if (this.filters?.end) period.end = this.filters.end;
      const figures = await this.hass.callWS<Utilization>({
        type: "ev_session_monitor/utilization",
        ...period,
      });
      if (request === this.request) this.figures = figures;
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private async download(format: "csv" | "xlsx") {
    try {
      await downloadUtilization(this.hass, this.filters ?? {}, format);
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private number(value: number, digits = 1): string {
    return new Intl.NumberFormat(this.hass.locale?.language ?? this.hass.language, {
      maximumFractionDigits: digits,
    }).format(value);
  }

  /** Monday … Sunday in the user's language (1 January 2024 was a Monday). */
  private weekdays(): string[] {
    const names = new Intl.DateTimeFormat(this.hass.locale?.language ?? this.hass.language, {
      weekday: "short",
      timeZone: "UTC",
    });
    return [...Array(7).keys()].map((day) => names.format(Date.UTC(2024, 0, 1 + day)));
  }

  private heatMap(figures: UtilizationFigures) {
    const days = this.weekdays();
    const width = LEFT + 24 * CELL;
    const height = TOP + 7 * CELL;
    const cells = figures.occupancy.map((share, index) => {
      const day = Math.floor(index / 24);
      const hour = index % 24;
      return svg`<rect class="cell" data-hour=${index} x=${LEFT + hour * CELL} y=${TOP + day * CELL}
        width=${CELL - 2} height=${CELL - 2} rx="2" fill-opacity=${0.08 + 0.92 * share}>
        <title>${days[day]} ${String(hour).padStart(2, "0")}:00 · ${Math.round(share * 100)} %</title></rect>`;
    });
    return html`<figure class="card heat">
      <figcaption>${t("util_heatmap")}</figcaption>
      <svg viewBox="0 0 ${width} ${height}" role="img" aria-label=${t("util_heatmap")}>
        ${[0, 6, 12, 18].map(
          (hour) => svg`<text class="axis" x=${LEFT + hour * CELL} y="11">${hour}</text>`,
        )}
        ${days.map(
          (name, day) => svg`<text class="axis" x="0" y=${TOP + day * CELL + 12}>${name}</text>`,
        )}
        ${cells}
      </svg>
      <p class="muted">${t("util_heatmap_hint")}</p>
    </figure>`;
  }

  private overview(figures: Utilization) {
    const rows = [...figures.wallboxes, figures.site];
    return html`<table class="overview">
      <thead>
        <tr>
          <th>${t("col_wallbox")}</th>
          <th class="num">${t("col_sessions")}</th>
          <th class="num">${t("util_per_day")}</th>
          <th class="num">${t("util_plugged")}</th>
          <th class="num">${t("util_charging")}</th>
          <th class="num">${t("util_blocking")}</th>
          <th class="num">${t("col_energy")}</th>
          <th class="num">${t("util_revenue")}</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (row) => html`<tr data-charger=${row.charger_id}>
            <td>${row.charger_id ? row.charger_name : t("util_site")}</td>
            <td class="num">${row.sessions}</td>
            <td class="num">${this.number(row.sessions_per_day, 2)}</td>
            <td class="num">${this.number(row.plugged_h)}</td>
            <td class="num">${this.number(row.charging_h)}</td>
            <td class="num blocking">${this.number(row.blocking_h)}</td>
            <td class="num">${this.number(row.energy_kwh, 2)}</td>
            <td class="num">${money(this.hass, row.revenue, this.info.currency)}</td>
          </tr>`,
        )}
      </tbody>
    </table>`;
  }

  private months(figures: Utilization, shown: UtilizationFigures) {
    const peaks = new Map(figures.peaks.map((peak) => [peak.month, peak]));
    return html`<table class="months">
      <thead>
        <tr>
          <th>${t("col_month")}</th>
          <th class="num">${t("col_sessions")}</th>
          <th class="num">${t("col_energy")}</th>
          <th class="num">${t("util_revenue")}</th>
          <th class="num">${t("util_plugged")}</th>
          <th class="num">${t("util_charging")}</th>
          ${shown.charger_id ? nothing : html`<th class="num">${t("util_peak")}</th>`}
        </tr>
      </thead>
      <tbody>
        ${shown.months.map((month) => {
          const peak = peaks.get(month.month);
          return html`<tr>
            <td>${month.month}</td>
            <td class="num">${month.sessions}</td>
            <td class="num">${this.number(month.energy_kwh, 2)}</td>
            <td class="num">${money(this.hass, month.revenue, this.info.currency)}</td>
            <td class="num">${this.number(month.plugged_h)}</td>
            <td class="num">${this.number(month.charging_h)}</td>
            ${shown.charger_id
              ? nothing
              : html`<td class="num peak">
                  ${peak ? `${kw(this.hass, peak.power_w)} · ${dateTime(this.hass, peak.at)}` : "—"}
                </td>`}
          </tr>`;
        })}
      </tbody>
    </table>`;
  }

  render() {
    const figures = this.figures;
    if (this.error) return html`<p class="error">${t("error", { message: this.error })}</p>`;
    if (!figures) return html`<p class="muted">${t("loading")}</p>`;
    const shown = figures.wallboxes.find((box) => box.charger_id === this.shown) ?? figures.site;
    return html`<section class="card utilization">
      <h2>${t("util_title")}</h2>
      <div class="downloads">
        <button class="secondary util-csv" @click=${() => this.download("csv")}>
          ${t("download_csv")}
        </button>
        <button class="secondary util-xlsx" @click=${() => this.download("xlsx")}>
          ${t("download_xlsx")}
        </button>
      </div>
      <div class="table-wrap">${this.overview(figures)}</div>
      <label
        >${t("util_show")}
        <select
          name="util_wallbox"
          @change=${(ev: Event) => (this.shown = (ev.target as HTMLSelectElement).value)}
        >
          <option value="">${t("util_site")}</option>
          ${figures.wallboxes.map(
            (box) => html`<option value=${box.charger_id}>${box.charger_name}</option>`,
          )}
        </select>
      </label>
      ${this.heatMap(shown)}
      <div class="table-wrap">${this.months(figures, shown)}</div>
    </section>`;
  }

  static styles = [
    shared,
    css`
      figure {
        margin: 12px 0;
        box-shadow: none;
        padding: 0;
      }
      figcaption {
        font-weight: 500;
        margin-bottom: 8px;
      }
      svg {
        width: 100%;
        max-width: 640px;
        height: auto;
      }
      .cell {
        fill: var(--primary-color, #03a9f4);
      }
      .axis {
        font-size: 10px;
        fill: var(--secondary-text-color);
      }
      table + table {
        margin-top: 12px;
      }
      .downloads {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
        margin-bottom: 12px;
      }
    `,
  ];
}
customElements.define("ev-utilization", EvUtilization);
