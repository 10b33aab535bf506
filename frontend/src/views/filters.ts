// The filter bar of the Sessions and Reports views: wallbox, card, person, date range.
import { LitElement, html, nothing } from "lit";
import { dayAfter, dayStart } from "../format";
import { shared } from "../styles";
import { t } from "../strings";
import type { Filters, PortalInfo } from "../types";

export class EvFilterBar extends LitElement {
  static properties = {
    info: { attribute: false },
    from: { type: String },
    to: { type: String },
  };

  declare info: PortalInfo;
  declare from: string;
  declare to: string;
  private wallbox = "";
  private tag = "";
  private person = "";

  constructor() {
    super();
    this.from = "";
    this.to = "";
  }

  /** The filters as the websocket commands and the download take them. */
  get filters(): Filters {
    const filters: Filters = {};
    if (this.wallbox) filters.config_entry_id = [this.wallbox];
    if (this.tag) filters.tag_id = [this.tag];
    if (this.person) filters.person = this.person;
    if (this.from) filters.start = dayStart(this.from);
    if (this.to) filters.end = dayAfter(this.to);
    return filters;
  }

  private changed(field: "wallbox" | "tag" | "person" | "from" | "to", ev: Event) {
    this[field] = (ev.target as HTMLInputElement | HTMLSelectElement).value;
    this.dispatchEvent(new CustomEvent("filters-changed", { detail: this.filters }));
  }

  render() {
    const info = this.info;
    return html`<div class="filters">
      <label
        >${t("filter_wallbox")}
        <select name="wallbox" @change=${(ev: Event) => this.changed("wallbox", ev)}>
          <option value="">${t("filter_all")}</option>
          ${info.wallboxes.map((box) => html`<option value=${box.entry_id}>${box.title}</option>`)}
        </select>
      </label>
      <label
        >${t("filter_tag")}
        <select name="tag" @change=${(ev: Event) => this.changed("tag", ev)}>
          <option value="">${t("filter_all")}</option>
          ${info.tags.map((tag) => html`<option value=${tag.tag_id}>${tag.name}</option>`)}
        </select>
      </label>
      ${info.admin && info.persons.length
        ? html`<label
            >${t("filter_person")}
            <select name="person" @change=${(ev: Event) => this.changed("person", ev)}>
              <option value="">${t("filter_all")}</option>
              ${info.persons.map((p) => html`<option value=${p.entity_id}>${p.name}</option>`)}
            </select>
          </label>`
        : nothing}
      <label
        >${t("filter_from")}
        <input
          type="date"
          name="from"
          .value=${this.from}
          @change=${(ev: Event) => this.changed("from", ev)}
        />
      </label>
      <label
        >${t("filter_to")}
        <input type="date" name="to" .value=${this.to} @change=${(ev: Event) => this.changed("to", ev)} />
      </label>
      <slot></slot>
    </div>`;
  }

  static styles = [shared];
}
customElements.define("ev-filter-bar", EvFilterBar);
