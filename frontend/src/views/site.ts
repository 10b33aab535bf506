// A site on the Now tab: per circuit and grid phase a bar of the fuse (house load, each
// wallbox's share, headroom, the margin kept free), then each wallbox's share and why.
import { LitElement, css, html, nothing } from "lit";
import { language } from "../format";
import { shared } from "../styles";
import { t, tMaybe } from "../strings";
import type { HomeAssistant, SiteBox, SiteCircuit, SitePhase, SiteState } from "../types";

// One colour per wallbox, from the theme (the same box keeps its colour on every bar).
const BOX_COLOURS = [
  "var(--primary-color)",
  "var(--accent-color, #ff9800)",
  "var(--info-color, #039be5)",
  "var(--success-color, #43a047)",
  "var(--warning-color, #ffa600)",
  "var(--error-color, #db4437)",
];

export class EvSiteSection extends LitElement {
  static properties = {
    hass: { attribute: false },
    site: { attribute: false },
  };

  declare hass: HomeAssistant;
  declare site: SiteState;

  private amps(value: number | null): string {
    if (value === null) return "—";
    const number = new Intl.NumberFormat(language(this.hass), { maximumFractionDigits: 1 });
    return `${number.format(value)} A`;
  }

  private colour(entryId: string): string {
    const index = this.site.wallboxes.findIndex((box) => box.entry_id === entryId);
    return BOX_COLOURS[Math.max(0, index) % BOX_COLOURS.length];
  }

  private boxTitle(entryId: string): string {
    return this.site.wallboxes.find((box) => box.entry_id === entryId)?.title ?? entryId;
  }

  private circuitName(circuit: SiteCircuit): string {
    return circuit.name ?? t("site_main_circuit");
  }

  private bar(circuit: SiteCircuit, phase: SitePhase) {
    const width = (amps: number) => `${Math.max(0, (amps / circuit.limit_a) * 100)}%`;
    const free = Math.max(0, phase.headroom_a);
    const over = phase.headroom_a < 0;
    const summary = t("site_phase_summary", {
      phase: phase.phase,
      house: this.amps(phase.house_a),
      wallboxes: this.amps(phase.wallboxes_a),
      headroom: this.amps(phase.headroom_a),
      limit: this.amps(circuit.limit_a),
    });
    return html`<div class="phase" data-phase=${phase.phase} data-headroom=${phase.headroom_a}>
      <span class="label">L${phase.phase}</span>
      <div class="bar ${over ? "over" : ""}" role="img" aria-label=${summary} title=${summary}>
        ${phase.house_a > 0
          ? html`<span
              class="seg house"
              data-amps=${phase.house_a}
              style="width:${width(phase.house_a)}"
              title=${`${t("site_house")}: ${this.amps(phase.house_a)}`}
              >${this.amps(phase.house_a)}</span
            >`
          : nothing}
        ${phase.shares.map(
          (share) =>
            html`<span
              class="seg box"
              data-box=${share.entry_id}
              data-amps=${share.current_a}
              style="width:${width(share.current_a)};background:${this.colour(share.entry_id)}"
              title=${`${this.boxTitle(share.entry_id)}: ${this.amps(share.current_a)}`}
              >${this.amps(share.current_a)}</span
            >`,
        )}
        ${free > 0
          ? html`<span
              class="seg free"
              data-amps=${free}
              style="width:${width(free)}"
              title=${`${t("site_headroom")}: ${this.amps(free)}`}
              >${this.amps(free)}</span
            >`
          : nothing}
        ${circuit.margin_a > 0
          ? html`<span
              class="seg margin"
              style="width:${width(circuit.margin_a)}"
              title=${`${t("site_margin")}: ${this.amps(circuit.margin_a)}`}
            ></span>`
          : nothing}
      </div>
      <span class="headroom ${over ? "negative" : ""}"
        >${t("site_headroom_short", { amps: this.amps(phase.headroom_a) })}</span
      >
    </div>`;
  }

  /** How many circuits a circuit hangs under (0: the main fuse). */
  private depth(circuit: SiteCircuit): number {
    let depth = 0;
    let parent = circuit.parent;
    while (parent !== null && depth < this.site.circuits.length) {
      depth += 1;
      parent = this.site.circuits.find((c) => c.circuit_id === parent)?.parent ?? null;
    }
    return depth;
  }

  private circuit(circuit: SiteCircuit) {
    const parent = this.site.circuits.find((c) => c.circuit_id === circuit.parent);
    // A sub-circuit is drawn indented under the circuit it hangs on.
    return html`<div
      class="circuit"
      data-circuit=${circuit.circuit_id}
      style="margin-left:${this.depth(circuit) * 16}px"
    >
      <h3>
        ${this.circuitName(circuit)}
        <span class="muted"
          >${t("site_limit", { limit: this.amps(circuit.limit_a) })}${parent
            ? ` · ${t("site_under", { parent: this.circuitName(parent) })}`
            : ""}</span
        >
      </h3>
      ${circuit.stale ? html`<p class="warning">${t("site_meter_silent")}</p>` : nothing}
      ${circuit.phases.map((phase) => this.bar(circuit, phase))}
    </div>`;
  }

  /** Why the box has its share; a circuit that caps it is named (the main fuse or a sub-circuit). */
  private reasonText(box: SiteBox, reason: string): string {
    if (reason === "limited_by_circuit") {
      const circuit = this.site.circuits.find((c) => c.circuit_id === box.limited_by);
      return t("site_reason_limited_by_circuit", {
        circuit: circuit ? this.circuitName(circuit) : (box.limited_by ?? "—"),
      });
    }
    return tMaybe(`site_reason_${reason}`, reason);
  }

  private allocation(box: SiteBox) {
    const reason = box.reason ?? "unknown";
    const share =
      box.current_a === null
        ? "—"
        : box.current_a > 0
          ? t("site_share", {
              amps: this.amps(box.current_a),
              phases: box.grid_phases.map((p) => `L${p}`).join(" "),
            })
          : t("site_no_current");
    return html`<li class="allocation" data-box=${box.entry_id} data-reason=${reason}>
      <span class="swatch" style="background:${this.colour(box.entry_id)}"></span>
      <span class="name">${box.title}</span>
      <span class="amps">${share}</span>
      <span class="reason reason-${reason}">${this.reasonText(box, reason)}</span>
    </li>`;
  }

  render() {
    const site = this.site;
    return html`<section class="card site" data-site=${site.entry_id}>
      <h2>${t("site_title", { site: site.title })}</h2>
      ${site.circuits.map((circuit) => this.circuit(circuit))}
      <div class="legend">
        <span><i class="seg house"></i>${t("site_house")}</span>
        <span><i class="seg free"></i>${t("site_headroom")}</span>
        <span><i class="seg margin"></i>${t("site_margin")}</span>
      </div>
      <ul class="allocations">
        ${site.wallboxes.map((box) => this.allocation(box))}
      </ul>
    </section>`;
  }

  static styles = [
    shared,
    css`
      .site {
        margin-bottom: 16px;
      }
      h3 {
        font-size: 1em;
        font-weight: 500;
        margin: 12px 0 6px;
        display: flex;
        gap: 8px;
        align-items: baseline;
        flex-wrap: wrap;
      }
      .muted {
        color: var(--secondary-text-color);
        font-size: 0.85em;
        font-weight: normal;
      }
      .warning {
        color: var(--warning-color, #ffa600);
        margin: 4px 0;
      }
      .phase {
        display: grid;
        grid-template-columns: 2em 1fr 7em;
        gap: 8px;
        align-items: center;
        margin: 4px 0;
      }
      .label,
      .headroom {
        font-variant-numeric: tabular-nums;
        color: var(--secondary-text-color);
        font-size: 0.9em;
      }
      .headroom {
        text-align: right;
      }
      .headroom.negative {
        color: var(--error-color, #db4437);
      }
      .bar {
        display: flex;
        height: 24px;
        border-radius: 6px;
        overflow: hidden;
        border: 1px solid var(--divider-color, #e0e0e0);
        background: var(--secondary-background-color, #f5f5f5);
      }
      .bar.over {
        border-color: var(--error-color, #db4437);
      }
      .seg {
        display: inline-flex;
        align-items: center;
        justify-content: center;
        overflow: hidden;
        white-space: nowrap;
        font-size: 0.75em;
        color: var(--text-primary-color, #fff);
        box-sizing: border-box;
        border-right: 1px solid var(--card-background-color, #fff);
        transition: width 0.4s ease;
      }
      .seg.house {
        background: var(--secondary-text-color, #727272);
      }
      .seg.free {
        background: transparent;
        color: var(--secondary-text-color);
      }
      .seg.margin {
        background: repeating-linear-gradient(
          45deg,
          var(--divider-color, #ccc) 0 4px,
          transparent 4px 8px
        );
        border-right: none;
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 12px;
        font-size: 0.8em;
        color: var(--secondary-text-color);
        margin: 8px 0;
      }
      .legend i {
        display: inline-block;
        width: 12px;
        height: 12px;
        margin-right: 4px;
        vertical-align: middle;
        border: 1px solid var(--divider-color, #e0e0e0);
      }
      .legend i.free {
        background: var(--secondary-background-color, #f5f5f5);
      }
      .allocations {
        list-style: none;
        padding: 0;
        margin: 8px 0 0;
        display: grid;
        gap: 6px;
      }
      .allocation {
        display: grid;
        grid-template-columns: 12px minmax(6em, 1fr) auto auto;
        gap: 8px;
        align-items: center;
      }
      .swatch {
        width: 12px;
        height: 12px;
        border-radius: 3px;
      }
      .amps {
        font-variant-numeric: tabular-nums;
        text-align: right;
      }
      .reason {
        font-size: 0.85em;
        padding: 2px 8px;
        border-radius: 10px;
        background: var(--secondary-background-color, #eee);
        text-align: center;
      }
      .reason-paused_for_priority,
      .reason-paused_no_headroom,
      .reason-not_responding {
        background: var(--warning-color, #ffa600);
        color: var(--text-primary-color, #fff);
      }
    `,
  ];
}
customElements.define("ev-site-section", EvSiteSection);
