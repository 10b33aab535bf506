// The dashboard card `custom:ev-session-card` in a real Home Assistant and Debian's Chromium:
// on a dashboard of its own, live with the simulated wallbox, and added through the card picker
// with its visual editor. Run through tests/browser/run (after portal.test.mjs, same stack).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  IMAGES,
  REPO,
  STATE,
  callService,
  entityState,
  eventually,
  launch,
  loggedIn,
  ready,
} from "./helpers.mjs";

const DASHBOARD = "ev-card-test";
const CAR_POWER_W = 7200;
// The status texts users see: the integration's own translations of the status sensor.
const STATUS_TEXT = JSON.parse(
  readFileSync(join(REPO, "custom_components/ev_session_monitor/translations/en.json"), "utf8"),
).entity.sensor.charger_status.state;

let browser;

before(async () => {
  mkdirSync(IMAGES, { recursive: true });
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

function callWS(page, message) {
  return page.evaluate((msg) => document.querySelector("home-assistant").hass.callWS(msg), message);
}

/** The wallbox's device and entities, as the entity registry lists them. */
async function wallbox(page) {
  // The frontend fills hass.entities and hass.devices from two subscriptions: wait for both.
  await page.waitForFunction(
    () => {
      const hass = document.querySelector("home-assistant")?.hass;
      return hass?.entities && hass?.devices;
    },
    null,
    { timeout: 60_000 },
  );
  return page.evaluate(() => {
    const hass = document.querySelector("home-assistant").hass;
    const ours = Object.values(hass.entities).filter((entry) => entry.platform === "ev_session_monitor");
    const status = ours.find((entry) => entry.translation_key === "charger_status");
    const entity = (key) =>
      ours.find((entry) => entry.device_id === status.device_id && entry.translation_key === key)?.entity_id;
    const tagDevices = Object.values(hass.devices)
      .filter((device) => device.id !== status.device_id && device.identifiers.some(([domain]) => domain === "ev_session_monitor"))
      .map((device) => device.name);
    return {
      deviceId: status.device_id,
      tagDevices,
      status: status.entity_id,
      power: entity("power"),
      enable: entity("charging_enabled"),
      current: entity("charging_current"),
      lastTag: entity("last_tag"),
    };
  });
}

async function saveDashboard(page, cards) {
  await callWS(page, {
    type: "lovelace/config/save",
    url_path: DASHBOARD,
    config: { views: [{ path: "home", title: "Charging", cards }] },
  });
}

/** The card's text in one of its parts (text inside its shadow root). */
function part(card, selector) {
  return card.locator(selector).first().innerText();
}

function kwText(watts) {
  return `${new Intl.NumberFormat("en", { maximumFractionDigits: 1 }).format(watts / 1000)} kW`;
}

test("card: on a phone, live with the wallbox, its switch and current control the box", async () => {
  const { context, page } = await loggedIn(browser, ready.admin, { width: 390, height: 844 });
  const box = await wallbox(page);
  assert.ok(box.enable && box.current, "the simulated Webasto has an enable switch and a current control");
  const dashboards = await callWS(page, { type: "lovelace/dashboards/list" });
  if (!dashboards.some((dashboard) => dashboard.url_path === DASHBOARD)) {
    await callWS(page, {
      type: "lovelace/dashboards/create",
      url_path: DASHBOARD,
      title: "EV card",
      mode: "storage",
      show_in_sidebar: true,
      require_admin: false,
    });
  }
  await saveDashboard(page, [{ type: "custom:ev-session-card", device_id: box.deviceId }]);
  // No resource was added to the dashboard: the integration loads the card's module itself.
  assert.deepEqual(await callWS(page, { type: "lovelace/resources" }), []);
  await page.goto(`${ready.url}/${DASHBOARD}/home`);
  const card = page.locator("ev-session-card");
  await card.locator(".status").waitFor({ timeout: 60_000 });
  assert.equal(await part(card, "h2"), "Garage");

  // The current control writes the box's current limit.
  await card.locator("input[type=range]").fill("16");
  await eventually(async () => assert.equal(Number((await entityState(box.current)).state), 16));
  await card.locator(".current output >> text=16 A").waitFor();

  // Allow charging (the switch may still be unknown: nothing written yet), then the car draws power.
  const toggle = card.locator("input[role=switch]");
  if ((await entityState(box.enable)).state !== "on") await toggle.click();
  await eventually(async () => assert.equal((await entityState(box.enable)).state, "on"));
  assert.equal(await toggle.isChecked(), true);
  writeFileSync(join(STATE, "car-charges"), String(CAR_POWER_W));
  await eventually(async () => {
    const power = Number((await entityState(box.power)).state);
    assert.ok(power > 1000, `charging: ${power} W`);
    assert.equal(await part(card, ".power"), kwText(power));
    assert.equal(await part(card, ".status"), STATUS_TEXT.charging);
  }, 30_000);
  assert.equal(await part(card, ".who"), (await entityState(box.lastTag)).state);
  assert.match(await part(card, ".energy"), /^\d+\.\d\d kWh$/);
  assert.match(await part(card, ".duration"), /^\d+:\d\d h$/);

  // This month's figures are those of the sessions get_sessions lists for this month, in Home
  // Assistant's time zone (a time without an offset is read in it).
  const haMonth = new Intl.DateTimeFormat("en-CA", {
    timeZone: ready.time_zone,
    year: "numeric",
    month: "2-digit",
  }).format(new Date());
  const month = await callService("ev_session_monitor", "get_sessions", {
    config_entry_id: [ready.entry_id],
    start: `${haMonth}-01T00:00:00`,
  });
  const monthKwh = month.sessions.reduce((sum, s) => sum + s.energy_wh, 0) / 1000;
  assert.ok(month.sessions.length > 0, "the seeded history has sessions this month");
  assert.equal(await part(card, ".month-sessions"), `${month.sessions.length} sessions`);
  const shownKwh = Number((await part(card, ".month-energy")).replace(/[^\d.]/g, ""));
  assert.ok(Math.abs(shownKwh - monthKwh) < 0.006, `${shownKwh} kWh shown, ${monthKwh} kWh listed`);
  // The last sessions, newest first.
  const newest = month.sessions.sort((a, b) => b.started_at.localeCompare(a.started_at))[0];
  assert.equal(await card.locator(".session").count(), 3);
  assert.equal(await part(card, ".session .num"), `${(newest.energy_wh / 1000).toFixed(2)} kWh`);

  // It fits a phone: no sideways scrolling.
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scrolling (${width}px)`);
  assert.ok((await card.boundingBox()).width <= 390);
  await card.screenshot({ path: join(IMAGES, "card.png") });

  // The dark theme: the card takes its colours from the theme.
  const colours = () =>
    card.evaluate((element) => {
      const style = getComputedStyle(element.shadowRoot.querySelector("ha-card"));
      return { background: style.backgroundColor, text: style.color };
    });
  const light = await colours();
  // The theme choice is kept for the user (in the browser and on the server): set dark on, then
  // give back the choice made before (undefined: follow the system).
  const setDark = (dark) =>
    page.evaluate((value) => {
      const root = document.querySelector("home-assistant");
      const before = root.hass.selectedTheme?.dark ?? null;
      const detail = { dark: value ?? undefined };
      root.dispatchEvent(new CustomEvent("settheme", { detail, bubbles: true, composed: true }));
      return before;
    }, dark);
  const darkBefore = await setDark(true);
  await eventually(async () => assert.notDeepEqual(await colours(), light));
  await card.screenshot({ path: join(IMAGES, "card-dark.png") });
  await setDark(darkBefore);
  await eventually(async () => assert.deepEqual(await colours(), light));

  // Switching charging off stops the car; the card follows the box.
  await toggle.click();
  await eventually(async () => assert.equal((await entityState(box.enable)).state, "off"));
  await eventually(async () => {
    const status = (await entityState(box.status)).state;
    assert.notEqual(status, "charging");
    assert.equal(await part(card, ".status"), STATUS_TEXT[status]);
    assert.equal(await part(card, ".power"), kwText(Number((await entityState(box.power)).state)));
  }, 30_000);
  assert.equal(await toggle.isChecked(), false);
  await context.close();
});

test("card: added from the card picker with its visual editor, no YAML", async () => {
  const { context, page } = await loggedIn(browser, ready.admin);
  const box = await wallbox(page);
  await saveDashboard(page, []);
  await page.goto(`${ready.url}/${DASHBOARD}/home?edit=1`);
  await page.getByRole("button", { name: "Add card" }).click();
  await page.getByText("By card", { exact: true }).click();
  await page.locator("hui-card-picker input").first().fill("EV charging");
  await page.locator("hui-card-picker .card").filter({ hasText: "EV charging session" }).first().click();

  // The editor picks the first wallbox; its device picker offers wallboxes, not the per-card devices.
  const editor = page.locator("ev-session-card-editor");
  const picker = editor.locator("ha-selector-device");
  await picker.getByText("Garage", { exact: true }).waitFor({ timeout: 30_000 });
  await page.locator("hui-dialog-edit-card ev-session-card .status").waitFor();
  await page.screenshot({ path: join(IMAGES, "card-editor.png") });
  await picker.locator("ha-picker-field").click();
  const options = page.locator("ha-picker-combo-box ha-combo-box-item");
  await options.filter({ hasText: "Garage" }).first().waitFor();
  const offered = await options.allInnerTexts();
  assert.ok(box.tagDevices.length > 0, "the known cards have devices of their own");
  for (const name of box.tagDevices) {
    assert.ok(!offered.some((text) => text.includes(name)), `${name} is not offered: ${offered}`);
  }
  await options.filter({ hasText: "Garage" }).first().click();

  await page.getByRole("button", { name: "Save" }).click();
  await page.locator("hui-dialog-edit-card ha-dialog").waitFor({ state: "hidden" });
  const saved = await callWS(page, { type: "lovelace/config", url_path: DASHBOARD });
  assert.equal(saved.views[0].cards.length, 1);
  assert.equal(saved.views[0].cards[0].type, "custom:ev-session-card");
  assert.equal(saved.views[0].cards[0].device_id, box.deviceId);
  await context.close();
});

// Unit level (the permissions command lands with the backend separately): the card, given a
// stubbed answer of ev_session_monitor/permissions, hides the controls it names; without the
// command (an error answer) the controls stay.
test("card: hides the controls ev_session_monitor/permissions denies", async () => {
  const { context, page } = await loggedIn(browser, ready.admin);
  const box = await wallbox(page);
  await page.waitForFunction(() => customElements.get("ev-session-card"), null, { timeout: 60_000 });
  const controls = (denied) =>
    page.evaluate(
      async ({ deviceId, denied }) => {
        const real = document.querySelector("home-assistant").hass;
        const hass = {
          ...real,
          callWS: (msg) =>
            msg.type !== "ev_session_monitor/permissions"
              ? real.callWS(msg)
              : denied === null
                ? Promise.reject({ code: "unknown_command", message: "Unknown command." })
                : Promise.resolve({ can_see_card_names: true, controls_denied_entities: denied }),
        };
        const card = document.createElement("ev-session-card");
        card.setConfig({ type: "custom:ev-session-card", device_id: deviceId });
        card.hass = hass;
        document.body.appendChild(card);
        await card.updateComplete;
        await new Promise((resolve) => setTimeout(resolve, 500));
        await card.updateComplete;
        const root = card.shadowRoot;
        const shown = {
          switch: Boolean(root.querySelector("input[role=switch]")),
          slider: Boolean(root.querySelector("input[type=range]")),
        };
        card.remove();
        return shown;
      },
      { deviceId: box.deviceId, denied },
    );
  assert.deepEqual(await controls(null), { switch: true, slider: true });
  assert.deepEqual(await controls([]), { switch: true, slider: true });
  assert.deepEqual(await controls([box.enable]), { switch: false, slider: true });
  assert.deepEqual(await controls([box.enable, box.current]), { switch: false, slider: false });
  await context.close();
});

// The same without stubs: the stack's wallbox has "controls for administrators only" on, so
// Alice (not an administrator) gets a card without the switch and the slider, and Home
// Assistant refuses her call to the switch; the administrator's card has both.
test("card: controls for administrators only, for a real non-administrator", async () => {
  const admin = await loggedIn(browser, ready.admin);
  const box = await wallbox(admin.page);
  const shownTo = async (page) => {
    await page.waitForFunction(() => customElements.get("ev-session-card"), null, { timeout: 60_000 });
    return page.evaluate(async (deviceId) => {
      const card = document.createElement("ev-session-card");
      card.setConfig({ type: "custom:ev-session-card", device_id: deviceId });
      card.hass = document.querySelector("home-assistant").hass;
      document.body.appendChild(card);
      await card.updateComplete;
      const root = () => card.shadowRoot;
      // The answer of ev_session_monitor/permissions arrives after the first render.
      for (let i = 0; i < 50 && !root().querySelector(".status"); i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await card.updateComplete;
      const shown = {
        status: Boolean(root().querySelector(".status")),
        switch: Boolean(root().querySelector("input[role=switch]")),
        slider: Boolean(root().querySelector("input[type=range]")),
      };
      card.remove();
      return shown;
    }, box.deviceId);
  };
  assert.deepEqual(await shownTo(admin.page), { status: true, switch: true, slider: true });
  await admin.context.close();

  const { context, page } = await loggedIn(browser, ready.reader);
  await page.waitForFunction(() => document.querySelector("home-assistant")?.hass?.states, null, {
    timeout: 60_000,
  });
  assert.deepEqual(await shownTo(page), { status: true, switch: false, slider: false });
  const before = (await entityState(box.enable)).state;
  const refused = await page.evaluate(
    (entityId) =>
      document
        .querySelector("home-assistant")
        .hass.callService("switch", "turn_off", { entity_id: entityId })
        .then(
          () => null,
          (err) => err.message ?? String(err),
        ),
    box.enable,
  );
  assert.ok(refused, "Home Assistant refuses the non-administrator's switch call");
  await new Promise((resolve) => setTimeout(resolve, 2500)); // a poll (2 s) would show a change
  assert.equal((await entityState(box.enable)).state, before, "the switch did not move");
  await context.close();
});
