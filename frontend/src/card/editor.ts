// The card's visual editor: Home Assistant's own form with a device picker limited to wallboxes.
import { LitElement, html, nothing } from "lit";
import { DEFAULT_SESSIONS, DOMAIN } from "./device";
import { t, type CardStringKey } from "./strings";
import type { CardConfig, CardHass } from "./types";

const SCHEMA = [
  {
    name: "device_id",
    required: true,
    // Wallboxes only: the integration's per-card devices have no status (enum) sensor.
    selector: {
      device: {
        filter: { integration: DOMAIN },
        entity: { integration: DOMAIN, domain: "sensor", device_class: "enum" },
      },
    },
  },
  { name: "sessions", selector: { number: { min: 0, max: 10, mode: "box" } } },
];

interface FormHelpers {
  createCardElement(config: { type: string }): Promise<{ constructor: unknown }>;
}

/** ha-form is loaded lazily by Home Assistant; an entity card's editor brings it along. */
async function loadHaForm(): Promise<void> {
  if (customElements.get("ha-form")) return;
  const loader = (window as unknown as { loadCardHelpers?: () => Promise<FormHelpers> }).loadCardHelpers;
  if (!loader) return;
  const card = await (await loader()).createCardElement({ type: "entity" });
  const editor = card.constructor as { getConfigElement?: () => Promise<unknown> };
  await editor.getConfigElement?.();
}

export class EvSessionCardEditor extends LitElement {
  static properties = {
    hass: { attribute: false },
    config: { state: true },
    formReady: { state: true },
  };

  declare hass: CardHass | undefined;
  declare config: CardConfig | undefined;
  declare formReady: boolean;

  constructor() {
    super();
    this.formReady = Boolean(customElements.get("ha-form"));
    if (!this.formReady) {
      void loadHaForm()
        .then(() => customElements.whenDefined("ha-form"))
        .then(() => (this.formReady = true));
    }
  }

  setConfig(config: CardConfig): void {
    this.config = config;
  }

  private changed(event: CustomEvent<{ value: Partial<CardConfig> }>): void {
    event.stopPropagation();
    const config = { ...this.config, ...event.detail.value } as CardConfig;
    this.dispatchEvent(new CustomEvent("config-changed", { detail: { config }, bubbles: true, composed: true }));
  }

  render() {
    if (!this.hass || !this.config || !this.formReady) return nothing;
    return html`<ha-form
      .hass=${this.hass}
      .data=${{ sessions: DEFAULT_SESSIONS, ...this.config }}
      .schema=${SCHEMA}
      .computeLabel=${(field: { name: string }) => t(`editor_${field.name}` as CardStringKey)}
      @value-changed=${this.changed}
    ></ha-form>`;
  }
}

if (!customElements.get("ev-session-card-editor")) {
  customElements.define("ev-session-card-editor", EvSessionCardEditor);
}
