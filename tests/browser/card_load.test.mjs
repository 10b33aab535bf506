// The dashboard card loads on every page load, not on about half of them: a dashboard holding the
// card, opened LOADS times in a row, each time in a fresh browser context (no cache, no service
// worker), while a busy loop keeps one CPU occupied so the frontend's own bundles load slowly.
// Run through tests/browser/run (same stack as card.test.mjs).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { launch, loggedIn, ready } from "./helpers.mjs";

const DASHBOARD = "ev-card-load";
const LOADS = 20;

let browser;
let busy;

before(async () => {
  browser = await launch();
  busy = spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" });
});

after(async () => {
  busy?.kill();
  await browser?.close();
});

function callWS(page, message) {
  return page.evaluate((msg) => document.querySelector("home-assistant").hass.callWS(msg), message);
}

test(`card: renders on each of ${LOADS} fresh page loads of its dashboard`, async () => {
  const { context, page } = await loggedIn(browser, ready.admin);
  await page.waitForFunction(() => document.querySelector("home-assistant")?.hass?.entities, null, {
    timeout: 60_000,
  });
  const deviceId = await page.evaluate(
    () =>
      Object.values(document.querySelector("home-assistant").hass.entities).find(
        (entry) => entry.platform === "ev_session_monitor" && entry.translation_key === "charger_status",
      ).device_id,
  );
  const dashboards = await callWS(page, { type: "lovelace/dashboards/list" });
  if (!dashboards.some((dashboard) => dashboard.url_path === DASHBOARD)) {
    await callWS(page, {
      type: "lovelace/dashboards/create",
      url_path: DASHBOARD,
      title: "EV card load",
      mode: "storage",
      require_admin: false,
    });
  }
  await callWS(page, {
    type: "lovelace/config/save",
    url_path: DASHBOARD,
    config: { views: [{ path: "home", cards: [{ type: "custom:ev-session-card", device_id: deviceId }] }] },
  });
  // The login (tokens in localStorage) carries over; nothing else does.
  const login = await context.storageState();
  await context.close();

  const failures = [];
  for (let load = 1; load <= LOADS; load++) {
    const fresh = await browser.newContext({ storageState: login, viewport: { width: 1280, height: 900 } });
    const tab = await fresh.newPage();
    const errors = [];
    tab.on("console", (message) => message.type() === "error" && errors.push(message.text()));
    await tab.goto(`${ready.url}/${DASHBOARD}/home`);
    try {
      await tab.locator("ev-session-card .status").waitFor({ timeout: 30_000 });
    } catch {
      const defined = await tab.evaluate(() => Boolean(customElements.get("ev-session-card")));
      failures.push(`load ${load}: not rendered (element defined: ${defined}) ${errors.join(" | ")}`);
    }
    await fresh.close();
  }
  assert.deepEqual(failures, [], `${LOADS - failures.length}/${LOADS} loads rendered the card`);
});
