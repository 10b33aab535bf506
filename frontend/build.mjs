// Bundle the portal panel and the dashboard card into ES modules inside the integration: the
// panel, the card's element, and the card's loader (the module every page loads; it imports the
// element once Home Assistant's app has started, see src/card/loader.ts).
// Deterministic: the same sources and lockfile give the same bytes, which CI checks
// (scripts/build-frontend --check builds into a temporary directory and compares).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const outdir = process.argv[2] ?? "../custom_components/ev_session_monitor/frontend";
const common = {
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  legalComments: "eof",
  charset: "utf8",
  outdir,
  logLevel: "warning",
};

await build({
  ...common,
  entryPoints: {
    "ev-session-monitor-panel": "src/panel.ts",
    "ev-session-card-element": "src/card/card.ts",
  },
});
// The loader names the element module with its digest, so a browser never runs an older card.
const element = readFileSync(join(outdir, "ev-session-card-element.js"));
const version = createHash("sha256").update(element).digest("hex").slice(0, 12);
await build({
  ...common,
  entryPoints: { "ev-session-card": "src/card/loader.ts" },
  define: { CARD_ELEMENT_MODULE: JSON.stringify(`./ev-session-card-element.js?v=${version}`) },
});
