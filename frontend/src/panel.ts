// The Charging portal: Home Assistant loads this element for the sidebar entry "Charging".
import { LitElement, css, html, nothing } from "lit";
import { errorText } from "./format";
import { shared } from "./styles";
import { t, type StringKey } from "./strings";
import type { HomeAssistant, PortalInfo } from "./types";
import "./views/now";
import "./views/sessions";
import "./views/reports";
import "./views/cards";

type Tab = "now" | "sessions" | "reports" | "cards";
const TABS: Tab[] = ["now", "sessions", "reports", "cards"];

export class EvSessionMonitorPanel extends LitElement {
  static properties = {
    hass: { attribute: false },
    narrow: { type: Boolean },
    tab: { state: true },
    info: { state: true },
    error: { state: true },
  };

  declare hass: HomeAssistant;
  declare narrow: boolean;
  declare tab: Tab;
  declare info: PortalInfo | undefined;
  declare error: string | undefined;
  private loading = false;

  constructor() {
    super();
    this.narrow = false;
    const fromUrl = new URLSearchParams(location.search).get("view") as Tab | null;
    this.tab = fromUrl && TABS.includes(fromUrl) ? fromUrl : "now";
  }

  protected willUpdate(): void {
    if (this.hass && !this.info && !this.loading) void this.loadInfo();
  }

  private async loadInfo() {
    this.loading = true;
    try {
      this.info = await this.hass.callWS<PortalInfo>({ type: "ev_session_monitor/info" });
      this.error = undefined;
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.loading = false;
    }
  }

  private select(tab: Tab) {
    this.tab = tab;
    const url = new URL(location.href);
    url.searchParams.set("view", tab);
    history.replaceState(null, "", url);
  }

  private toggleMenu() {
    this.dispatchEvent(new CustomEvent("hass-toggle-menu", { bubbles: true, composed: true }));
  }

  private view() {
    const info = this.info;
    if (!info) return nothing;
    switch (this.tab) {
      case "sessions":
        return html`<ev-sessions-view .hass=${this.hass} .info=${info}></ev-sessions-view>`;
      case "reports":
        return html`<ev-reports-view .hass=${this.hass} .info=${info}></ev-reports-view>`;
      case "cards":
        return html`<ev-cards-view
          .hass=${this.hass}
          .info=${info}
          @tags-changed=${() => this.loadInfo()}
        ></ev-cards-view>`;
      default:
        return html`<ev-now-view .hass=${this.hass} ?admin=${info.admin}></ev-now-view>`;
    }
  }

  render() {
    return html`
      <header class="toolbar">
        ${this.narrow
          ? html`<button class="menu" aria-label=${t("menu")} @click=${this.toggleMenu}>☰</button>`
          : nothing}
        <h1>${t("title")}</h1>
      </header>
      <nav role="tablist">
        ${TABS.map(
          (tab) => html`<button
            role="tab"
            class="tab ${tab === this.tab ? "active" : ""}"
            data-tab=${tab}
            aria-selected=${tab === this.tab}
            @click=${() => this.select(tab)}
          >
            ${t(`tab_${tab}` as StringKey)}
          </button>`,
        )}
      </nav>
      <main>
        ${this.error ? html`<p class="error">${t("error", { message: this.error })}</p>` : nothing}
        ${this.info ? this.view() : html`<p class="muted">${t("loading")}</p>`}
      </main>
    `;
  }

  static styles = [
    shared,
    css`
      :host {
        background: var(--primary-background-color);
        min-height: 100vh;
      }
      .toolbar {
        display: flex;
        align-items: center;
        gap: 8px;
        height: var(--header-height, 56px);
        padding: 0 16px;
        background: var(--app-header-background-color, var(--primary-color));
        color: var(--app-header-text-color, var(--text-primary-color, #fff));
        box-sizing: border-box;
      }
      h1 {
        font-size: 20px;
        font-weight: 400;
        margin: 0;
      }
      .menu {
        background: none;
        color: inherit;
        font-size: 22px;
        padding: 4px 8px;
      }
      nav {
        display: flex;
        overflow-x: auto;
        background: var(--app-header-background-color, var(--primary-color));
        padding: 0 8px;
      }
      .tab {
        background: none;
        border-radius: 0;
        color: var(--app-header-text-color, var(--text-primary-color, #fff));
        opacity: 0.75;
        border-bottom: 2px solid transparent;
        padding: 10px 16px;
      }
      .tab.active {
        opacity: 1;
        border-bottom-color: currentColor;
      }
      main {
        padding: 16px;
        max-width: 1200px;
        margin: 0 auto;
        box-sizing: border-box;
      }
      @media (max-width: 600px) {
        main {
          padding: 8px;
        }
        .tab {
          padding: 10px;
          flex: 1;
        }
      }
    `,
  ];
}
customElements.define("ev-session-monitor-panel", EvSessionMonitorPanel);
