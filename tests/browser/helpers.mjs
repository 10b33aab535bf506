// What the browser tests share: the stack's ready.json, Debian's Chromium, a logged-in page, and
// Home Assistant's REST API as the stack's administrator.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(join(dirname(fileURLToPath(import.meta.url)), "../../frontend/package.json"));
const { chromium } = require("playwright-core");

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const STATE = process.env.PORTAL_STATE ?? join(REPO, ".dev/portal-state");
// Test runs save their screenshots outside the tracked tree; scripts/screenshot points this at
// docs/images to refresh the README's.
export const IMAGES = process.env.SCREENSHOTS ?? join(REPO, ".dev/browser-screenshots");
export const ready = JSON.parse(readFileSync(join(STATE, "ready.json"), "utf8"));

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export async function loggedIn(browser, user, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${ready.url}/`);
  await page.locator("input[name=username]").fill(user.username);
  await page.locator("input[name=password]").fill(user.password);
  await page.keyboard.press("Enter");
  await page.waitForURL((url) => !url.pathname.startsWith("/auth/"), { timeout: 60_000 });
  // The frontend keeps the login ("keep me logged in" is ticked) once it has the tokens.
  await page.waitForFunction(() => localStorage.getItem("hassTokens"), null, { timeout: 60_000 });
  return { context, page };
}

export async function callService(domain, service, data) {
  const response = await fetch(`${ready.url}/api/services/${domain}/${service}?return_response`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ready.token}`, "Content-Type": "application/json" },
    body: JSON.stringify(data),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()).service_response;
}

export async function entityState(entityId) {
  const response = await fetch(`${ready.url}/api/states/${entityId}`, {
    headers: { Authorization: `Bearer ${ready.token}` },
  });
  assert.equal(response.status, 200, entityId);
  return response.json();
}

/** Retry `check` (which throws while not yet true) until it passes or `timeoutMs` ends. */
export async function eventually(check, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
