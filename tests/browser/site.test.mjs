// Site load management as a new user meets it: two wallboxes are added, the site is set up
// through Home Assistant's own config flow dialog in the browser (Settings > Devices & services
// > Add integration), and the portal's Now tab shows the fuse's bar per phase and each box's
// share, which move when a car arrives and when one leaves; a sub-circuit added in the site's
// options (its REST API) is drawn under the main fuse and holds its box to its limit. Run through
// tests/browser/run (last: it adds wallboxes the other files do not expect).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { IMAGES, STATE, eventually, launch, loggedIn, ready } from "./helpers.mjs";

const PANEL = `${ready.url}/ev-session-monitor`;
// Each car would take 32 A on 3 phases (22 kW): the site, not the car, decides its current.
const CAR_W = 22000;

let browser;

before(async () => {
  mkdirSync(IMAGES, { recursive: true });
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

async function rest(path, body) {
  const response = await fetch(`${ready.url}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ready.token}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/** A wallbox added the way the stack adds its own (the site's part is what this file tests). */
async function addWallbox(name, box) {
  const flow = "/api/config/config_entries/flow";
  let result = await rest(flow, { handler: "ev_session_monitor" });
  result = await rest(`${flow}/${result.flow_id}`, { next_step_id: "network" });
  result = await rest(`${flow}/${result.flow_id}`, {
    name,
    profile: "webasto_next",
    host: box.host,
    port: box.port,
  });
  assert.equal(result.type, "create_entry", JSON.stringify(result));
  const entryId = result.result.entry_id;
  const options = "/api/config/config_entries/options/flow";
  result = await rest(options, { handler: entryId });
  result = await rest(`${options}/${result.flow_id}`, { next_step_id: "settings" });
  result = await rest(`${options}/${result.flow_id}`, {
    poll_interval: 2,
    price_source: "none",
    suspicious_attempts: 3,
    suspicious_window_min: 10,
    requires_authorization: false,
    enforce_authorization: false,
    release_current: 16,
    hash_unknown_tags: false,
    controls_admin_only: false,
  });
  assert.equal(result.type, "create_entry", JSON.stringify(result));
  return entryId;
}

/** Tell the stack what the car at site box `number` (1 or 2) does; wait until it is done. */
async function car(number, command) {
  const file = join(STATE, `site-car-${number}`);
  writeFileSync(file, command);
  await eventually(() => assert.ok(!existsSync(file), "the stack took the command"));
}

async function shares(page) {
  return page.locator("ev-site-section").evaluate((element) => {
    const section = element.shadowRoot;
    const bars = (circuit) =>
      [...circuit.querySelectorAll(".phase")].map((phase) => ({
        phase: Number(phase.dataset.phase),
        headroom: Number(phase.dataset.headroom),
        boxes: [...phase.querySelectorAll(".seg.box")].map((seg) => ({
          box: seg.dataset.box,
          amps: Number(seg.dataset.amps),
          text: seg.textContent.trim(),
        })),
      }));
    const circuits = Object.fromEntries(
      [...section.querySelectorAll(".circuit")].map((circuit) => [
        circuit.dataset.circuit,
        { title: circuit.querySelector("h3").textContent.replace(/\s+/g, " ").trim(), phases: bars(circuit) },
      ]),
    );
    const phases = circuits.main.phases;
    const boxes = Object.fromEntries(
      [...section.querySelectorAll(".allocation")].map((row) => [
        row.querySelector(".name").textContent.trim(),
        {
          reason: row.dataset.reason,
          shown: row.querySelector(".reason").textContent.trim(),
          amps: row.querySelector(".amps").textContent.trim(),
        },
      ]),
    );
    return { phases, boxes, circuits };
  });
}

test("a site for two wallboxes set up in the UI; the Now tab shows the shares move", async () => {
  const first = await addWallbox("Carport 1", ready.site_boxes[0]);
  const second = await addWallbox("Carport 2", ready.site_boxes[1]);
  const { context, page } = await loggedIn(browser, ready.admin);

  // Settings > Devices & services > Add integration > EV Session Monitor (the dialog's link).
  await page.goto(`${ready.url}/config/integrations/dashboard/add?domain=ev_session_monitor`);
  await page.getByRole("button", { name: "OK" }).click({ timeout: 60_000 });
  await page.getByText("A site: several wallboxes share one fuse").click({ timeout: 60_000 });
  await page.getByText("Add a site").waitFor();
  await page.getByRole("textbox", { name: /^Name/ }).fill("Carport");
  await page.getByRole("spinbutton", { name: /^Fuse limit per phase/ }).fill("16");
  // Raises wait 5 s instead of a minute, so that the test sees them soon.
  await page.getByRole("spinbutton", { name: /^Wait before raising/ }).fill("5");
  for (const box of ["Carport 1", "Carport 2"]) {
    await page.locator("dialog-data-entry-flow").getByText(box, { exact: true }).click();
    assert.ok(await page.getByRole("checkbox", { name: box }).isChecked(), box);
  }
  await page.getByRole("button", { name: "Submit" }).click();
  // One wiring form per wallbox: both on grid L1 with three phases, priority 0 (the defaults).
  for (const box of ["Carport 1", "Carport 2"]) {
    await page.getByText(`Wiring of ${box}`).waitFor();
    await page.getByRole("button", { name: "Submit" }).click();
  }
  // The entry is made: Home Assistant offers to name the site's device and give it an area.
  await page.getByText("Name and assign").or(page.getByText(/created|success/i)).first().waitFor();
  const finish = page.getByRole("button", { name: /finish/i });
  if (await finish.count()) await finish.first().click();
  await context.close();

  const admin = await loggedIn(browser, ready.admin);
  await admin.page.goto(`${PANEL}?view=now`);
  const site = admin.page.locator("ev-site-section section.site");
  await site.waitFor({ timeout: 60_000 });
  assert.match(await site.locator("h2").innerText(), /Carport/);
  // No car yet: the whole 15 A (16 A less the 1 A margin) is free on every phase.
  await eventually(async () => {
    const now = await shares(admin.page);
    assert.deepEqual(
      now.phases.map((p) => [p.phase, p.headroom, p.boxes.length]),
      [
        [1, 15, 0],
        [2, 15, 0],
        [3, 15, 0],
      ],
    );
    assert.equal(now.boxes["Carport 1"].shown, "No car");
  });

  // One car: it gets the whole 15 A, limited by the fuse.
  await car(1, `charge ${CAR_W}`);
  await eventually(async () => {
    const now = await shares(admin.page);
    assert.deepEqual(now.phases[0].boxes.map((b) => [b.box, b.amps]), [[first, 15]]);
    assert.equal(now.phases[0].headroom, 0);
    assert.match(now.boxes["Carport 1"].amps, /^15 A on L1 L2 L3$/);
    assert.equal(now.boxes["Carport 1"].reason, "limited_by_circuit");
    assert.equal(now.boxes["Carport 1"].shown, "Circuit full: Main fuse");
  }, 60_000);

  // A second car: the two share the fuse, 8 A and 7 A on each phase, both a fair share.
  await car(2, `charge ${CAR_W}`);
  await eventually(async () => {
    const now = await shares(admin.page);
    for (const phase of now.phases) {
      assert.deepEqual(phase.boxes.map((b) => b.amps).sort((a, b) => a - b), [7, 8]);
      assert.equal(phase.headroom, 0);
    }
    assert.equal(now.boxes["Carport 1"].shown, "Fair share");
    assert.equal(now.boxes["Carport 2"].shown, "Fair share");
  }, 90_000);
  await site.screenshot({ path: join(IMAGES, "site-now.png") });

  // The first car leaves: the second rises to the whole 15 A.
  await car(1, "leave");
  await eventually(async () => {
    const now = await shares(admin.page);
    assert.deepEqual(now.phases[0].boxes.map((b) => [b.box, b.amps]), [[second, 15]]);
    assert.equal(now.boxes["Carport 1"].shown, "No car");
  }, 90_000);

  // A sub-circuit, in the site's options: Carport 2 moves to a 10 A carport row under the main
  // fuse, and its share drops to the row's 9 A (10 A less the margin) while the main has 6 A free.
  const entries = await (
    await fetch(`${ready.url}/api/config/config_entries/entry?domain=ev_session_monitor`, {
      headers: { Authorization: `Bearer ${ready.token}` },
    })
  ).json();
  const siteEntry = entries.find((entry) => entry.title === "Carport").entry_id;
  const options = "/api/config/config_entries/options/flow";
  let step = await rest(options, { handler: siteEntry });
  assert.equal(step.step_id, "site");
  step = await rest(`${options}/${step.flow_id}`, {
    limit_a: 16,
    margin_a: 1,
    stable_interval_s: 5,
    wallboxes: [first, second],
    sub_circuits: ["Carport row"],
    controls_admin_only: false,
    grid_source: "none",
  });
  assert.equal(step.step_id, "site_circuit");
  step = await rest(`${options}/${step.flow_id}`, { limit_a: 10, parent: "main" });
  for (const circuit of ["main", "carport_row"]) {
    assert.equal(step.step_id, "site_box");
    step = await rest(`${options}/${step.flow_id}`, { circuit, l1_phase: "0", phases: "3", priority: 0 });
  }
  assert.equal(step.type, "create_entry", JSON.stringify(step));
  await eventually(async () => {
    const now = await shares(admin.page);
    assert.equal(now.circuits.carport_row.title, "Carport row 10 A per phase · under Main fuse");
    assert.deepEqual(now.circuits.carport_row.phases[0].boxes.map((b) => [b.box, b.amps]), [[second, 9]]);
    assert.equal(now.circuits.carport_row.phases[0].headroom, 0);
    assert.equal(now.phases[0].headroom, 6);
    // Its row's breaker caps it, not the main fuse: the row is named.
    assert.equal(now.boxes["Carport 2"].shown, "Circuit full: Carport row");
  }, 60_000);
  await site.screenshot({ path: join(IMAGES, "site-now-circuits.png") });
  await admin.context.close();

  // A user who is not an administrator sees the site too (it names wallboxes, never cards).
  const reader = await loggedIn(browser, ready.reader);
  await reader.page.goto(`${PANEL}?view=now`);
  await reader.page.locator("ev-site-section section.site").waitFor({ timeout: 60_000 });
  await eventually(async () => {
    const now = await shares(reader.page);
    assert.deepEqual(now.phases[2].boxes.map((b) => [b.box, b.amps]), [[second, 9]]);
    assert.equal(now.boxes["Carport 2"].amps, "9 A on L1 L2 L3");
  });
  await reader.context.close();
});
