// Bundle the portal panel and the dashboard card into one ES module each inside the integration.
// Deterministic: the same sources and lockfile give the same bytes, which CI checks
// (scripts/build-frontend --check builds into a temporary directory and compares).
import { build } from "esbuild";

const outdir = process.argv[2] ?? "../custom_components/ev_session_monitor/frontend";

await build({
  entryPoints: {
    "ev-session-monitor-panel": "src/panel.ts",
    "ev-session-card": "src/card/card.ts",
  },
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  legalComments: "eof",
  charset: "utf8",
  outdir,
  logLevel: "warning",
});
