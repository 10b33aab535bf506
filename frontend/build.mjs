// Bundle the panel into one ES module inside the integration. Deterministic: the same sources
// and lockfile give the same bytes, which CI checks (scripts/build-frontend --check).
import { build } from "esbuild";

const outfile = process.argv[2] ?? "../custom_components/ev_session_monitor/frontend/ev-session-monitor-panel.js";

await build({
  entryPoints: ["src/panel.ts"],
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  legalComments: "eof",
  charset: "utf8",
  outfile,
  logLevel: "warning",
});
