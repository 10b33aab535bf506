// The portal's reports in a real browser against the real Home Assistant of portal_stack.py: the
// monthly PDF statement, the utilization heat map, reassigning a session with its audit trail.
// Run through tests/browser/run after portal.test.mjs (it reassigns one seeded session).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { IMAGES, REPO, STATE, callService, eventually, launch, loggedIn as login, ready } from "./helpers.mjs";

const PANEL = `${ready.url}/ev-session-monitor`;

let browser;

before(async () => {
  mkdirSync(IMAGES, { recursive: true });
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

async function openView(user, view) {
  const { context, page } = await login(browser, user);
  await page.goto(`${PANEL}?view=${view}`);
  await page.locator("ev-session-monitor-panel nav").waitFor({ timeout: 60_000 });
  return { context, page };
}

/** The PDF's text as pypdf extracts it (in the project environment, which has pypdf). */
function pdfText(path) {
  // The environment sees the checkout only: the file goes into the stack's state folder first.
  const inside = join(STATE, "statement-under-test.pdf");
  copyFileSync(path, inside);
  const script =
    "import sys, pypdf; print('\\n'.join(p.extract_text() for p in pypdf.PdfReader(sys.argv[1]).pages))";
  return execFileSync(
    "bash",
    ["-c", `source scripts/env.sh && in_env python -c "$0" "$1"`, script, inside],
    { cwd: REPO, encoding: "utf8" },
  );
}

function lastMonth() {
  const day = new Date();
  day.setDate(0);
  return `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, "0")}`;
}

test("admin: Reports downloads a card's PDF statement with the card's total", async () => {
  const { context, page } = await openView(ready.admin, "reports");
  const view = page.locator("ev-reports-view");
  await view.locator("select[name=statement_tag]").selectOption(ready.tags.alice);
  const month = lastMonth();
  assert.equal(await view.locator("input[name=statement_month]").inputValue(), month);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    view.locator("button.pdf").click(),
  ]);
  assert.match(download.suggestedFilename(), new RegExp(`^statement-${ready.tags.alice}-${month}-.*\\.pdf$`));
  const path = await download.path();
  assert.equal(readFileSync(path).subarray(0, 5).toString("latin1"), "%PDF-");
  // The action files the same statement (same figures, same file) and says its totals.
  const filed = await callService("ev_session_monitor", "create_statement", {
    tag_id: ready.tags.alice,
    month,
  });
  assert.ok(filed.sessions > 0, "Alice charged last month");
  assert.ok(filed.path.endsWith(download.suggestedFilename()), filed.path);
  const text = pdfText(path);
  const total = `Total: ${filed.sessions} sessions, ${filed.energy_kwh.toFixed(3)} kWh, ${filed.cost.toFixed(2)} ${filed.currency}`;
  assert.ok(text.includes(total), `${total} in:\n${text.slice(-600)}`);
  assert.ok(text.includes(filed.reference));
  await renderFirstPage(context, path, total);
  await context.close();
});

test("admin: Reports downloads a person's statement over all their cards", async () => {
  const { context, page } = await openView(ready.admin, "reports");
  const view = page.locator("ev-reports-view");
  await view.locator("select[name=statement_of]").selectOption("person");
  await view.locator("select[name=statement_person]").selectOption("person.alice");
  assert.match(await view.locator("form.statement p.muted").innerText(), /all the person's cards/);
  const month = lastMonth();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    view.locator("button.pdf").click(),
  ]);
  assert.match(download.suggestedFilename(), new RegExp(`^statement-person-alice-${month}-.*\\.pdf$`));
  const filed = await callService("ev_session_monitor", "create_statement", {
    person: "person.alice",
    month,
  });
  assert.ok(filed.path.endsWith(download.suggestedFilename()), filed.path);
  const card = await callService("ev_session_monitor", "create_statement", {
    tag_id: ready.tags.alice,
    month,
  });
  const text = pdfText(await download.path()).replace(/\s+/g, " ");
  const figures = (answer) =>
    `${answer.sessions} sessions, ${answer.energy_kwh.toFixed(3)} kWh, ${answer.cost.toFixed(2)} ${answer.currency}`;
  // Alice owns one card: its total is the card statement's, and so is the person's total.
  assert.ok(text.includes(`Total Alice (${ready.tags.alice}): ${figures(card)}`), text.slice(-600));
  assert.ok(text.includes(`Total: ${figures(filed)}`), text.slice(-600));
  assert.equal(figures(filed), figures(card));
  assert.ok(text.includes("Person Alice"));
  await context.close();
});

/**
 * Page 1 of the statement drawn by pdf.js (the PDF reader of Firefox, from frontend/'s pinned
 * devDependencies, served to the page by the test: no CDN) in this browser, saved as
 * statement-page1.png: an A4 page with ink on it; the last page's drawn text holds the total.
 */
async function renderFirstPage(context, pdfPath, total) {
  const origin = "http://statement.invalid";
  const pdfjs = join(REPO, "frontend/node_modules/pdfjs-dist/build");
  const files = {
    "/": ["text/html", "<!doctype html><body style='margin:0;background:#fff'><canvas></canvas></body>"],
    "/pdf.mjs": ["text/javascript", readFileSync(join(pdfjs, "pdf.min.mjs"))],
    "/pdf.worker.mjs": ["text/javascript", readFileSync(join(pdfjs, "pdf.worker.min.mjs"))],
    "/statement.pdf": ["application/pdf", readFileSync(pdfPath)],
  };
  const page = await context.newPage();
  await page.route(`${origin}/**`, (route) => {
    const [contentType, body] = files[new URL(route.request().url()).pathname] ?? [];
    return body === undefined ? route.fulfill({ status: 404 }) : route.fulfill({ contentType, body });
  });
  await page.goto(`${origin}/`);
  const drawn = await page.evaluate(async () => {
    const pdfjsLib = await import("/pdf.mjs");
    pdfjsLib.GlobalWorkerOptions.workerSrc = "/pdf.worker.mjs";
    const pdf = await pdfjsLib.getDocument({ url: "/statement.pdf" }).promise;
    const first = await pdf.getPage(1);
    const viewport = first.getViewport({ scale: 1.5 });
    const canvas = document.querySelector("canvas");
    canvas.width = viewport.width;
    canvas.height = viewport.height;
    const context2d = canvas.getContext("2d");
    await first.render({ canvasContext: context2d, canvas, viewport }).promise;
    const pixels = context2d.getImageData(0, 0, canvas.width, canvas.height).data;
    let ink = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      if (pixels[i] < 128 && pixels[i + 1] < 128 && pixels[i + 2] < 128) ink += 1;
    }
    // The totals close the statement: read from its last page as pdf.js lays the text out.
    const last = await (await pdf.getPage(pdf.numPages)).getTextContent();
    return {
      pages: pdf.numPages,
      width: canvas.width,
      height: canvas.height,
      inkShare: ink / (canvas.width * canvas.height),
      lastText: last.items.map((item) => item.str).join(" "),
    };
  });
  await page.locator("canvas").screenshot({ path: join(IMAGES, "statement-page1.png") });
  await page.close();
  assert.ok(Math.abs(drawn.width / drawn.height - 210 / 297) < 0.01, `A4: ${drawn.width}x${drawn.height}`);
  assert.ok(drawn.inkShare > 0.002 && drawn.inkShare < 0.5, `ink on ${drawn.inkShare} of the page`);
  const lastText = drawn.lastText.replace(/\s+/g, " ");
  assert.ok(lastText.includes(total), `${total} drawn in: ${lastText.slice(-400)}`);
}

test("admin: Utilization shows the site's figures and the occupancy heat map", async () => {
  const { context, page } = await openView(ready.admin, "reports");
  const util = page.locator("ev-reports-view ev-utilization");
  const cells = util.locator("svg rect.cell");
  await cells.first().waitFor({ timeout: 30_000 });
  assert.equal(await cells.count(), 7 * 24);
  const shades = await cells.evaluateAll((rects) => rects.map((r) => Number(r.getAttribute("fill-opacity"))));
  assert.ok(shades.some((shade) => shade > 0.1), "some hours were occupied");
  assert.ok(new Set(shades).size > 1, "hours differ");
  const site = util.locator("table.overview tr[data-charger='']");
  assert.match(await site.innerText(), /All wallboxes/);
  const sessions = Number((await site.locator("td").nth(1).innerText()).replace(/\D/g, ""));
  assert.ok(sessions > 0);
  assert.match(await util.locator("table.months td.peak").first().innerText(), /kW/);
  // The same figures as a CSV download: the site's row has the table's sessions.
  const [csv] = await Promise.all([page.waitForEvent("download"), util.locator("button.util-csv").click()]);
  assert.match(csv.suggestedFilename(), /^ev-utilization-.*\.csv$/);
  const lines = readFileSync(await csv.path(), "utf8").replace(/^\ufeff/, "").split("\r\n");
  assert.equal(lines[0].split(",")[2], "scope");
  const siteRow = lines[1].split(",");
  assert.equal(siteRow[2], "site");
  // Both default to the last 30 days up to their own request: a session may cross the edge.
  assert.ok(Math.abs(Number(siteRow[5]) - sessions) <= 1, `${siteRow[5]} vs ${sessions}`);
  const [xlsx] = await Promise.all([page.waitForEvent("download"), util.locator("button.util-xlsx").click()]);
  assert.match(xlsx.suggestedFilename(), /^ev-utilization-.*\.xlsx$/);
  assert.equal(readFileSync(await xlsx.path()).subarray(0, 2).toString("latin1"), "PK");
  await util.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(IMAGES, "portal-utilization.png"), fullPage: true });
  await context.close();
});

test("admin: reassigning a session's card shows in its audit trail", async () => {
  const { context, page } = await openView(ready.admin, "sessions");
  const view = page.locator("ev-sessions-view");
  await view.locator("select[name=tag]").selectOption(ready.tags.bob);
  const row = view.locator("tr.row").first();
  await view.locator("tr.row td:nth-child(3) >> text=Bob").first().waitFor();
  await row.click();
  const detail = view.locator(".detail");
  await detail.locator(".trail, p.muted >> text=Never changed").first().waitFor();
  await detail.locator("select[name=correct_tag]").selectOption(ready.tags.alice);
  await detail.locator("textarea[name=correct_note]").fill("Alice's car on Bob's card");
  await detail.locator("button.save-correction").click();
  const items = detail.locator(".trail li");
  await items.nth(1).waitFor();
  const trail = await items.allInnerTexts();
  assert.match(trail.at(-2), new RegExp(`Owner: card ${ready.tags.bob} \\(Bob\\) → ${ready.tags.alice} \\(Alice\\)`));
  assert.match(trail.at(-1), /Owner: note — → Alice's car on Bob's card/);
  assert.equal(await detail.locator(".note").innerText(), "Alice's car on Bob's card");
  await page.screenshot({ path: join(IMAGES, "portal-session-correction.png") });
  await context.close();
});

test("admin: a session whose price changed shows its energy per price", async () => {
  const parts = ready.parts_session;
  // The session as the history holds it: three parts, an hour each.
  const answer = await callService("ev_session_monitor", "get_sessions", {
    tag_id: [ready.tags.bob],
    start: `${parts.day}T00:00:00`,
    end: `${parts.day}T23:59:59`,
  });
  const session = answer.sessions.find((row) => row.session_id === parts.session_id);
  assert.deepEqual(
    session.price_parts.map((part) => [part.energy_wh, part.price_per_kwh]),
    [
      [4000, 0.312],
      [3500, 0.279],
      [1250, 0.251],
    ],
  );
  const { context, page } = await openView(ready.admin, "sessions");
  const view = page.locator("ev-sessions-view");
  await view.locator(".range").waitFor();
  await view.locator("input[name=from]").fill(parts.day);
  await view.locator("input[name=to]").fill(parts.day);
  await view.locator("input[name=to]").dispatchEvent("change");
  await view.locator(`tr.row[data-id="${parts.session_id}"]`).click();
  const table = view.locator(".detail table.parts");
  await table.waitFor();
  const rows = (await table.locator("tbody tr").allInnerTexts()).map((row) =>
    row.split("\t").map((cell) => cell.replace(/\s+/g, " ").trim()),
  );
  // In Home Assistant's time zone, the user's (en-US) number and currency format; each part's
  // cost is its kWh times its price (4 x 0.312 = 1.248, 3.5 x 0.279 = 0.9765, 1.25 x 0.251).
  assert.deepEqual(rows, [
    ["6:00 PM–7:00 PM", "4.00", "€0.312", "€1.25"],
    ["7:00 PM–8:00 PM", "3.50", "€0.279", "€0.98"],
    ["8:00 PM–9:00 PM", "1.25", "€0.251", "€0.31"],
  ]);
  // The session's own line: its average price and its cost, rounded once.
  assert.equal(await view.locator(".detail .price").innerText(), "€0.2901");
  assert.equal(session.price_per_kwh, 0.2901);
  await page.screenshot({ path: join(IMAGES, "portal-session-price-parts.png") });
  await context.close();
});

test("non-admin: own statement only, no utilization, and no reassigning", async () => {
  const { context, page } = await openView(ready.reader, "reports");
  const view = page.locator("ev-reports-view");
  await view.locator("button.pdf").waitFor();
  assert.deepEqual(await view.locator("select[name=statement_tag] option").allInnerTexts(), ["Alice"]);
  await view.locator("select[name=statement_of]").selectOption("person");
  assert.deepEqual(await view.locator("select[name=statement_person] option").allInnerTexts(), ["Alice"]);
  assert.equal(await view.locator("ev-utilization").count(), 0);
  const utilizationFile = await page.evaluate(async () => {
    const token = JSON.parse(localStorage.getItem("hassTokens")).access_token;
    const response = await fetch("/api/ev_session_monitor/download/utilization", {
      headers: { Authorization: `Bearer ${token}` },
    });
    return response.status;
  });
  assert.equal(utilizationFile, 403, "no utilization download either");
  const statuses = await page.evaluate(async ({ alice, bob, month }) => {
    const token = JSON.parse(localStorage.getItem("hassTokens")).access_token;
    const status = async (query) =>
      (
        await fetch(`/api/ev_session_monitor/statement?${query}&month=${month}`, {
          headers: { Authorization: `Bearer ${token}` },
        })
      ).status;
    return [
      await status(`tag_id=${alice}`),
      await status(`tag_id=${bob}`),
      await status("person=person.alice"),
      await status("person=person.bob"),
    ];
  }, { alice: ready.tags.alice, bob: ready.tags.bob, month: lastMonth() });
  assert.deepEqual(statuses, [200, 403, 200, 403]);

  await page.goto(`${PANEL}?view=sessions`);
  const sessions = page.locator("ev-sessions-view");
  await sessions.locator("tr.row").first().click();
  const detail = sessions.locator(".detail");
  await detail.locator("h3 >> text=Changes").waitFor();
  assert.equal(await detail.locator("form.correct").count(), 0, "no correction form");
  const sessionId = await sessions.locator("tr.row").first().getAttribute("data-id");
  const refused = await page.evaluate(async (id) => {
    const hass = document.querySelector("home-assistant").hass;
    try {
      await hass.callWS({ type: "ev_session_monitor/sessions/correct", session_id: id, note: "mine now" });
      return "accepted";
    } catch (err) {
      return err.code;
    }
  }, sessionId);
  assert.equal(refused, "unauthorized");
  await context.close();
});

// Last in this file: the recorder compiles a new sensor's first statistics within five minutes,
// and until then the Energy configuration warns "Statistics not defined" about it.
test("admin: the README's Energy setup, each card inside its wallbox, saved and shown by Home Assistant", async () => {
  const { context, page } = await login(browser, ready.admin);
  await page.waitForFunction(() => document.querySelector("home-assistant")?.hass?.states, null, {
    timeout: 60_000,
  });
  const wanted = await page.evaluate(
    async ({ entryId, cardEnergy }) => {
      const hass = document.querySelector("home-assistant").hass;
      const entities = await hass.callWS({ type: "config/entity_registry/list" });
      const ofBox = (key) =>
        entities.find(
          (e) => e.config_entry_id === entryId && e.translation_key === key && e.entity_id.startsWith("sensor."),
        )?.entity_id;
      const card = entities.find((e) => e.platform === "ev_session_monitor" && e.unique_id === cardEnergy);
      const lifetime = ofBox("lifetime_energy");
      const power = ofBox("power");
      // The README's two steps: the wallbox with its power; the card inside it (included_in_stat).
      const prefs = [
        { stat_consumption: lifetime, stat_rate: power },
        { stat_consumption: card?.entity_id, included_in_stat: lifetime, stat_rate: power },
      ];
      const saved = await hass.callWS({ type: "energy/save_prefs", device_consumption: prefs });
      const names = [lifetime, card?.entity_id].map((id) => hass.states[id]?.attributes.friendly_name);
      return { prefs, saved: saved.device_consumption, names };
    },
    { entryId: ready.entry_id, cardEnergy: `tag_${ready.tags.alice}_energy` },
  );
  assert.ok(wanted.prefs.every((item) => item.stat_consumption && item.stat_rate), JSON.stringify(wanted));
  assert.deepEqual(wanted.saved, wanted.prefs);
  // Home Assistant's own check of the setup: no issue once the sensors have statistics.
  await eventually(async () => {
    const issues = await page.evaluate(async () => {
      const hass = document.querySelector("home-assistant").hass;
      return (await hass.callWS({ type: "energy/validate" })).device_consumption;
    });
    assert.deepEqual(issues, [[], []], JSON.stringify(issues));
  }, 330_000);
  await page.goto(`${ready.url}/config/energy`);
  for (const name of wanted.names) await page.getByText(name, { exact: true }).first().waitFor({ timeout: 60_000 });
  assert.equal(await page.getByText("Statistics not defined").count(), 0);
  await page.getByText(wanted.names[1], { exact: true }).first().scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(IMAGES, "energy-setup.png") });
  await context.close();
});
