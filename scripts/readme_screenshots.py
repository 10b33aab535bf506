"""Take the README's feature screenshots from a demo of their own: blueprints, calendar, Energy.

Started by scripts/readme-screenshots inside the project environment, with the host's headless
Chromium on a DevTools port. It runs the demo of scripts/dev_run.py (simulator + Home Assistant,
onboarded, the wallbox and Alice's card added through the real flows) on ports of its own, so the
main-job check (8123, 15020) can run at the same time, from an empty config dir
(.dev/readme-screenshots). Before the start it copies the blueprints into that config. The demo
gives itself its past sessions (scripts/dev_run.py, tools/ha_stack.py), so the calendar has a
past. Once the demo car charges (the running session), it saves, into docs/images/:

  blueprint-charging-progress.png, blueprint-unknown-card.png, blueprint-cheapest-hours.png
      the automation editor for a new automation from each blueprint (the "Create automation"
      dialog, the blueprint chosen), showing the blueprint's form
  calendar.png          the wallbox's "Charging sessions" calendar at /calendar

The Energy configuration (energy-setup.png) is taken by the browser suite
(tests/browser/reports.test.mjs).

Each page is saved only once it shows what it should (the expected text is on the page); an
ERROR line in Home Assistant's log fails the run. Every process started is stopped at the end,
however the run ends.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import shutil
import sys
import time

# Ports of this demo, read by dev_run at import: never the main-job check's 8123 and 15020.
os.environ.setdefault("SETUP_PORT", "18131")
os.environ.setdefault("EVSM_SIM_PORT", "15031")

import dev_run
from dev_run import DOMAIN, REPO, Demo, DemoError, run_until_stopped
from screenshot import Page, logged_in_page

from tools import ha_stack

CONFIG = dev_run.DEV_DIR / "readme-screenshots"
OUT_DIR = REPO / "docs" / "images"
FAILURE_PNG = CONFIG / "failure.png"
BLUEPRINTS = REPO / "blueprints" / "automation" / DOMAIN
# Blueprint file -> screenshot name.
BLUEPRINT_SHOTS = {
    "charging_progress.yaml": "blueprint-charging-progress",
    "notify_unknown_tag.yaml": "blueprint-unknown-card",
    "cheapest_hours_charging.yaml": "blueprint-cheapest-hours",
}
RENDER_TIMEOUT_S = 30.0
TAKE_TIMEOUT_S = 720.0  # all pages; a tab blocked by a dialog would wait forever

# Finds elements through every shadow root: the frontend is made of nested web components.
DEEP_JS = """
const deepAll = (root, pred, out = []) => {
  for (const el of root.querySelectorAll('*')) {
    if (pred(el)) out.push(el);
    if (el.shadowRoot) deepAll(el.shadowRoot, pred, out);
  }
  return out;
};
const deepText = (root) => {
  let text = root === document ? document.documentElement.innerText : root.textContent || '';
  for (const el of root.querySelectorAll('*')) {
    if (el.shadowRoot) text += ' ' + deepText(el.shadowRoot);
  }
  return text;
};
const visible = (el) => {
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0;
};
"""


def prepare_config() -> None:
    """Fresh config dir with the blueprints."""
    shutil.rmtree(CONFIG, ignore_errors=True)
    CONFIG.mkdir(parents=True)
    dev_run.prepare(CONFIG)
    blueprints = CONFIG / "blueprints" / "automation" / DOMAIN
    blueprints.mkdir(parents=True)
    for name in BLUEPRINT_SHOTS:
        shutil.copy(BLUEPRINTS / name, blueprints / name)


async def wait_for(page: Page, path: str, texts: list[str], what: str) -> None:
    """Wait until the tab is at `path`, shows every one of `texts` and no spinner."""
    condition = (
        f"(() => {{ {DEEP_JS} if (location.pathname !== {json.dumps(path)}) return false;"
        " const text = deepText(document);"
        f" return {json.dumps(texts)}.every(t => text.includes(t))"
        " && !deepAll(document, el => el.localName === 'ha-spinner' && visible(el)).length; })()"
    )
    deadline = time.monotonic() + RENDER_TIMEOUT_S
    while not await page.evaluate(condition):
        if time.monotonic() > deadline:
            where = await page.evaluate("location.pathname")
            await save_failure(page)
            raise DemoError(
                f"{what}: {texts} not shown within {RENDER_TIMEOUT_S:.0f} s (on {where})"
            )
        await asyncio.sleep(0.5)


async def click(
    page: Page, predicate: str, what: str | None, timeout_s: float = RENDER_TIMEOUT_S
) -> bool:
    """Click the first visible element for which the JS `predicate` holds.

    With el.click(), not a mouse event: without a user gesture, leaving the unsaved new
    automation afterwards opens no "Leave site?" dialog (which would block the tab).
    False when there is none within `timeout_s`, with `what` None; else raises DemoError.
    """
    find = (
        f"(() => {{ {DEEP_JS} const el = deepAll(document, el => visible(el) && ({predicate}))[0];"
        " if (!el) return false; el.click(); return true; })()"
    )
    deadline = time.monotonic() + timeout_s
    while not await page.evaluate(find):
        if time.monotonic() > deadline:
            if what is None:
                return False
            await save_failure(page)
            raise DemoError(f"{what} not found within {timeout_s:.0f} s")
        await asyncio.sleep(0.5)
    return True


async def save(page: Page, name: str, settle_s: float = 1.5) -> None:
    """Let animations finish, then save the tab as docs/images/<name>.png."""
    await asyncio.sleep(settle_s)
    data = await page.call("Page.captureScreenshot", format="png")
    out = OUT_DIR / f"{name}.png"
    out.write_bytes(base64.b64decode(data["data"]))
    print(f"saved {out.relative_to(REPO)}", flush=True)


async def viewport(page: Page, width: int, height: int) -> None:
    """Set the tab's size in CSS pixels."""
    await page.call(
        "Emulation.setDeviceMetricsOverride",
        width=width,
        height=height,
        deviceScaleFactor=1,
        mobile=False,
    )


async def save_failure(page: Page) -> None:
    """Save what the tab shows when a page does not, for the error message to point to."""
    data = await page.call("Page.captureScreenshot", format="png")
    FAILURE_PNG.write_bytes(base64.b64decode(data["data"]))
    print(f"the tab as it was: {FAILURE_PNG}", file=sys.stderr, flush=True)


async def blueprint_form(page: Page, filename: str, shot: str) -> None:
    """New automation from the blueprint, as the automation list's "Create automation" does."""
    lines = (BLUEPRINTS / filename).read_text().splitlines()
    blueprint_name = next(line for line in lines if line.startswith("  name:"))[8:]
    # The first input's description: on the form, not in the dialog that lists blueprints.
    inputs = lines[lines.index("  input:") :]
    first_input = next(line for line in inputs if line.startswith("      description:"))[19:]
    await page.call("Page.navigate", url=dev_run.URL + "/config/automation/dashboard")
    path = f"{DOMAIN}/{filename}"
    # The button is shown before the page can open its dialog: click until the dialog opens.
    for _ in range(5):
        await click(page, "el.localName === 'ha-button' && el.slot === 'fab'", "Create automation")
        item = f"el.localName === 'ha-list-item' && el.path === {json.dumps(path)}"
        if await click(page, item, None, timeout_s=5):
            break
    else:
        await save_failure(page)
        raise DemoError(f"the Create automation dialog does not offer {path}")
    await wait_for(
        page, "/config/automation/edit/new", [blueprint_name, first_input], f"the form of {path}"
    )
    await save(page, shot)


async def take(token: str, devtools_port: int) -> None:
    """Open each page, wait until it shows its content, save it."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    async with logged_in_page(dev_run.URL, token, devtools_port) as page:
        await viewport(page, 1280, 1300)  # most of each form
        for filename, shot in BLUEPRINT_SHOTS.items():
            await blueprint_form(page, filename, shot)
        await viewport(page, 1680, 900)  # wide enough for the sessions' summaries
        await page.call("Page.navigate", url=dev_run.URL + "/calendar")
        await wait_for(page, "/calendar", ["Charging sessions", "Alice", "No card"], "the calendar")
        await save(page, "calendar")


def run(demo: Demo, devtools_port: int) -> None:
    """Seed, start, configure, photograph."""
    for port in (dev_run.HA_PORT, dev_run.SIM_PORT):
        if port in (8123, 15020):
            raise DemoError(
                f"port {port} belongs to the main-job check: set SETUP_PORT/EVSM_SIM_PORT"
            )
        if not dev_run.port_free(port):
            raise DemoError(f"port {port} is in use: is another screenshot run going on?")
    prepare_config()
    demo.start_simulator()
    print(f"Starting Home Assistant on {dev_run.URL} ...", flush=True)
    demo.start_home_assistant()
    demo.onboard()
    token = dev_run.login()
    dev_run.configure_wallbox(token)
    dev_run.seed_past_sessions(CONFIG, token)
    dev_run.wait_for_live_values(token)  # the demo car charges: the running session
    try:
        asyncio.run(asyncio.wait_for(take(token, devtools_port), TAKE_TIMEOUT_S))
    except TimeoutError:
        raise DemoError(f"the screenshots took longer than {TAKE_TIMEOUT_S:.0f} s") from None
    if errors := ha_stack.error_lines(demo.log_file):
        raise DemoError(
            f"{len(errors)} ERROR line(s) in {demo.log_file}:\n  " + "\n  ".join(errors[:20])
        )


def main() -> None:
    """Parse arguments, run, and always stop the children."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--devtools", type=int, required=True, help="Chromium's DevTools port")
    args = parser.parse_args()
    demo = Demo(CONFIG, speed=1.0)
    # An interrupted run has not refreshed the screenshots: that is a failure here.
    run_until_stopped(demo, lambda: run(demo, args.devtools), interrupted_status=1)


if __name__ == "__main__":
    main()
