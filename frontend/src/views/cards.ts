// Cards: the known cards (add, rename, change, block, remove) and the unknown cards presented.
// Administrators only, like everything on the cards (their priority at a site included).
import { LitElement, css, html, nothing } from "lit";
import { dateTime, errorText, money } from "../format";
import { shared } from "../styles";
import { t, type StringKey } from "../strings";
import type { Attempt, HomeAssistant, KnownTag, PortalInfo } from "../types";

// A card's priority at a site: 0 to 10 (core/site/model.py MAX_PRIORITY).
const MAX_PRIORITY = 10;

const ERRORS: Record<string, StringKey> = {
  invalid_tag: "err_invalid_tag",
  duplicate_tag: "err_duplicate_tag",
  unauthorized: "err_unauthorized",
  not_found: "err_not_found",
};

function wsError(err: unknown): string {
  const code = err && typeof err === "object" && "code" in err ? String(err.code) : "";
  return code in ERRORS ? t(ERRORS[code]) : t("error", { message: errorText(err) });
}

export class EvCardsView extends LitElement {
  static properties = {
    hass: { attribute: false },
    info: { attribute: false },
    tags: { state: true },
    attempts: { state: true },
    editing: { state: true },
    error: { state: true },
  };

  declare hass: HomeAssistant;
  declare info: PortalInfo;
  declare tags: KnownTag[] | undefined;
  declare attempts: Attempt[] | undefined;
  /** The card being edited; "new" for the add form. */
  declare editing: KnownTag | "new" | undefined;
  declare error: string | undefined;

  connectedCallback(): void {
    super.connectedCallback();
    if (this.info.admin) void this.load();
  }

  private async load() {
    try {
      const [tags, attempts] = await Promise.all([
        this.hass.callWS<{ tags: KnownTag[] }>({ type: "ev_session_monitor/tags" }),
        this.hass.callWS<{ attempts: Attempt[] }>({ type: "ev_session_monitor/attempts" }),
      ]);
      this.tags = tags.tags;
      this.attempts = attempts.attempts;
    } catch (err) {
      this.error = wsError(err);
    }
  }

  private async run(message: { type: string; [key: string]: unknown }): Promise<boolean> {
    this.error = undefined;
    try {
      await this.hass.callWS(message);
    } catch (err) {
      this.error = wsError(err);
      return false;
    }
    await this.load();
    this.dispatchEvent(new CustomEvent("tags-changed", { bubbles: true, composed: true }));
    return true;
  }

  private async save(ev: SubmitEvent) {
    ev.preventDefault();
    const form = new FormData(ev.target as HTMLFormElement);
    const price = String(form.get("price_per_kwh") ?? "").trim();
    const adding = this.editing === "new";
    const message = {
      type: adding ? "ev_session_monitor/tags/add" : "ev_session_monitor/tags/update",
      tag_id: adding ? String(form.get("tag_id") ?? "") : (this.editing as KnownTag).tag_id,
      name: String(form.get("name") ?? ""),
      price_per_kwh: price === "" ? null : Number(price.replace(",", ".")),
      chargers: form.getAll("chargers").map(String),
      person: String(form.get("person") ?? "") || null,
      priority: Number(form.get("priority") ?? 0),
    };
    if (await this.run(message)) this.editing = undefined;
  }

  private async removeTag(tag: KnownTag) {
    if (!confirm(t("cards_confirm_remove", { name: tag.name }))) return;
    await this.run({ type: "ev_session_monitor/tags/remove", tag_id: tag.tag_id });
  }

  private async setBlocked(tag: KnownTag, blocked: boolean) {
    if (blocked && !confirm(t("cards_confirm_block", { name: tag.name }))) return;
    await this.run({ type: "ev_session_monitor/tags/block", tag_id: tag.tag_id, blocked });
  }

  private form(tag: KnownTag | undefined) {
    return html`<form class="card edit" @submit=${this.save}>
      ${tag
        ? html`<h2>${tag.name} <span class="muted">${tag.tag_id}</span></h2>`
        : html`<label>${t("cards_id")}<input name="tag_id" required autocomplete="off" /></label>`}
      <label>${t("cards_name")}<input name="name" required .value=${tag?.name ?? ""} /></label>
      <label
        >${t("cards_person")}
        <select name="person">
          <option value="">${t("cards_none")}</option>
          ${this.info.persons.map(
            (p) => html`<option value=${p.entity_id} ?selected=${tag?.person === p.entity_id}>
              ${p.name}
            </option>`,
          )}
        </select>
        <span class="muted hint">${t("cards_person_hint")}</span>
      </label>
      <label
        >${t("cards_price_field", { currency: this.info.currency })}
        <input name="price_per_kwh" inputmode="decimal" .value=${tag?.price_per_kwh?.toString() ?? ""} />
      </label>
      <label
        >${t("cards_priority")}
        <input
          name="priority"
          type="number"
          min="0"
          max=${MAX_PRIORITY}
          step="1"
          required
          .value=${String(tag?.priority ?? 0)}
        />
        <span class="muted hint">${t("cards_priority_hint")}</span>
      </label>
      <fieldset>
        <legend>${t("cards_wallboxes")}</legend>
        ${this.info.wallboxes.map(
          (box) => html`<label class="check"
            ><input
              type="checkbox"
              name="chargers"
              value=${box.charger_id}
              .checked=${tag?.chargers.includes(box.charger_id) ?? false}
            />${box.title}</label
          >`,
        )}
      </fieldset>
      <div class="actions">
        <button type="submit">${t("cards_save")}</button>
        <button type="button" class="secondary" @click=${() => (this.editing = undefined)}>
          ${t("cards_cancel")}
        </button>
      </div>
    </form>`;
  }

  private person(entityId: string | null): string {
    return this.info.persons.find((p) => p.entity_id === entityId)?.name ?? "—";
  }

  private knownCards(tags: KnownTag[]) {
    return html`<section class="card table-wrap">
      <div class="actions head">
        <h2>${t("cards_known")}</h2>
        <button class="add" @click=${() => (this.editing = "new")}>${t("cards_add")}</button>
      </div>
      ${tags.length === 0
        ? html`<p class="muted">${t("cards_empty")}</p>`
        : html`<table>
            <thead>
              <tr>
                <th>${t("cards_name")}</th>
                <th>${t("cards_id")}</th>
                <th>${t("filter_person")}</th>
                <th class="num">${t("cards_price")}</th>
                <th>${t("filter_wallbox")}</th>
                <th class="num">${t("cards_priority")}</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${tags.map(
                (tag) => html`<tr data-tag=${tag.tag_id} class=${tag.blocked ? "blocked" : ""}>
                  <td class="name" data-label=${t("cards_name")}>
                    ${tag.name}${tag.blocked ? html` <span class="badge">${t("cards_blocked")}</span>` : nothing}
                  </td>
                  <td data-label=${t("cards_id")}>${tag.tag_id}</td>
                  <td data-label=${t("filter_person")}>${this.person(tag.person)}</td>
                  <td class="num" data-label=${t("cards_price")}>${money(this.hass, tag.price_per_kwh, this.info.currency)}</td>
                  <td data-label=${t("filter_wallbox")}>
                    ${tag.chargers.length
                      ? tag.chargers
                          .map((id) => this.info.wallboxes.find((b) => b.charger_id === id)?.title ?? id)
                          .join(", ")
                      : t("all_wallboxes")}
                  </td>
                  <td class="num priority" data-label=${t("cards_priority")}>${tag.priority}</td>
                  <td class="actions">
                    <button class="secondary edit" @click=${() => (this.editing = tag)}>
                      ${t("cards_edit")}
                    </button>
                    <button
                      class="secondary block"
                      @click=${() => this.setBlocked(tag, !tag.blocked)}
                    >
                      ${tag.blocked ? t("cards_unblock") : t("cards_block")}
                    </button>
                    <button class="danger remove" @click=${() => this.removeTag(tag)}>
                      ${t("cards_remove")}
                    </button>
                  </td>
                </tr>`,
              )}
            </tbody>
          </table>`}
    </section>`;
  }

  private attemptLog(attempts: Attempt[]) {
    return html`<section class="card table-wrap">
      <h2>${t("cards_attempts")}</h2>
      ${attempts.length === 0
        ? html`<p class="muted">${t("cards_attempts_empty")}</p>`
        : html`<table>
            <thead>
              <tr>
                <th>${t("cards_time")}</th>
                <th>${t("col_wallbox")}</th>
                <th>${t("cards_id")}</th>
                <th class="num">${t("cards_attempt_count")}</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${attempts.map(
                (attempt) => html`<tr data-attempt=${attempt.tag_id ?? ""}>
                  <td data-label=${t("cards_time")}>${dateTime(this.hass, attempt.time)}</td>
                  <td data-label=${t("col_wallbox")}>${attempt.charger ?? "—"}</td>
                  <td data-label=${t("cards_id")}>${attempt.tag_id ?? "—"}</td>
                  <td class="num" data-label=${t("cards_attempt_count")}>${attempt.attempts ?? "—"}</td>
                  <td>
                    ${attempt.blocked
                      ? html`<span class="muted">${t("cards_blocked")}</span>`
                      : attempt.known
                      ? html`<span class="muted">${t("cards_admitted")}</span>`
                      : attempt.tag_id?.startsWith("sha256:")
                        ? html`<span class="muted">${t("cards_pseudonym")}</span>`
                        : html`<button
                            class="admit"
                            @click=${() =>
                              this.run({ type: "ev_session_monitor/attempts/admit", tag_id: attempt.tag_id })}
                          >
                            ${t("cards_admit")}
                          </button>`}
                  </td>
                </tr>`,
              )}
            </tbody>
          </table>`}
    </section>`;
  }

  render() {
    if (!this.info.admin) return html`<p class="muted">${t("cards_admin_only")}</p>`;
    return html`
      ${this.error ? html`<p class="error">${this.error}</p>` : nothing}
      ${this.editing !== undefined ? this.form(this.editing === "new" ? undefined : this.editing) : nothing}
      ${this.tags === undefined || this.attempts === undefined
        ? html`<p class="muted">${t("loading")}</p>`
        : html`${this.knownCards(this.tags)} ${this.attemptLog(this.attempts)}`}
    `;
  }

  static styles = [
    shared,
    css`
      section + section,
      form + section {
        margin-top: 16px;
      }
      .head {
        justify-content: space-between;
      }
      tr.blocked td.name {
        color: var(--error-color, #db4437);
      }
      .badge {
        font-size: 0.8em;
        border: 1px solid currentColor;
        border-radius: 4px;
        padding: 0 4px;
      }
      .head h2 {
        margin: 0;
      }
      form.edit {
        display: grid;
        gap: 12px;
        max-width: 480px;
      }
      fieldset {
        border: 1px solid var(--divider-color, #ccc);
        border-radius: 6px;
        display: flex;
        flex-wrap: wrap;
        gap: 8px 16px;
      }
      legend {
        font-size: 0.85em;
        color: var(--secondary-text-color);
      }
      label.check {
        flex-direction: row;
        align-items: center;
        color: var(--primary-text-color);
        font-size: 1em;
      }
      label.check input {
        min-height: 0;
      }
      /* On a phone each row becomes a block of labelled lines, so its buttons stay on screen. */
      @media (max-width: 600px) {
        table,
        tbody,
        tr,
        td {
          display: block;
        }
        thead {
          display: none;
        }
        tr {
          padding: 8px 0;
          border-bottom: 1px solid var(--divider-color, #e0e0e0);
        }
        td,
        td.num {
          border: none;
          padding: 2px 0;
          white-space: normal;
          overflow-wrap: anywhere;
          text-align: left;
        }
        td[data-label]::before {
          content: attr(data-label) ": ";
          color: var(--secondary-text-color);
        }
      }
    `,
  ];
}
customElements.define("ev-cards-view", EvCardsView);
