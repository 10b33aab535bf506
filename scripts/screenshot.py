"""Drive headless Chromium over the DevTools protocol: log in, open pages, save screenshots.

Used by scripts/dev_run.py --check and scripts/readme_screenshots.py. Chromium itself runs
outside the project environment (Debian's package, started by scripts/develop); this talks to it
over its DevTools port on loopback.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

from tools.ha_stack import DOMAIN, StackError, request

# Pages a new user opens, with how long the frontend needs to render them.
PAGES = (
    ("device", "/config/devices/device/{device_id}", 8.0),
    ("integration", f"/config/integrations/integration/{DOMAIN}", 6.0),
    ("logbook", "/logbook", 6.0),
)


class Page:
    """One browser tab."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse, url: str) -> None:
        """Wrap the tab's DevTools socket; `url` is Home Assistant's."""
        self.socket = socket
        self.url = url
        self.ids = itertools.count(1)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one DevTools command and return its result."""
        message_id = next(self.ids)
        await self.socket.send_json({"id": message_id, "method": method, "params": params})
        while True:
            message = await self.socket.receive_json()
            if message.get("id") == message_id:
                if "error" in message:
                    raise StackError(f"DevTools {method} failed: {message['error']}")
                return dict(message.get("result", {}))

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page."""
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    async def shot(self, path: str, out: Path, wait_s: float) -> None:
        """Open a page, let it render, check it is the page asked for, save a PNG."""
        await self.call("Page.navigate", url=self.url + path)
        await asyncio.sleep(wait_s)
        where = await self.evaluate("location.pathname")
        if where != path:
            raise StackError(f"opening {path} ended on {where} (not logged in?)")
        data = await self.call("Page.captureScreenshot", format="png")
        out.write_bytes(base64.b64decode(data["data"]))
        print(f"saved {out}", flush=True)


@contextlib.asynccontextmanager
async def logged_in_page(url: str, token: str, devtools_port: int) -> AsyncIterator[Page]:
    """The first tab of the Chromium on `devtools_port`, 1280x900, logged in at `url`."""
    devtools = f"http://127.0.0.1:{devtools_port}"
    async with aiohttp.ClientSession() as session:
        targets: list[dict[str, Any]] = []
        for _ in range(30):
            try:
                async with session.get(f"{devtools}/json/list") as response:
                    targets = await response.json()
                break
            except aiohttp.ClientError:
                await asyncio.sleep(1)
        pages = [target for target in targets if target["type"] == "page"]
        if not pages:
            raise StackError(f"no Chromium page on DevTools port {devtools_port}")
        async with session.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0) as socket:
            page = Page(socket, url)
            await page.call("Page.enable")
            await page.call("Emulation.setDeviceMetricsOverride", width=1280, height=900,
                            deviceScaleFactor=1, mobile=False)  # fmt: skip
            # The frontend keeps its login in localStorage: put a fresh one there.
            await page.call("Page.navigate", url=f"{url}/auth/providers")
            await asyncio.sleep(1)
            tokens = {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": 1800,
                "refresh_token": "",
                "hassUrl": url,
                "clientId": f"{url}/",
                "expires": int(time.time() * 1000) + 1800 * 1000,
            }
            await page.evaluate(
                f"localStorage.setItem('hassTokens', {json.dumps(json.dumps(tokens))})"
            )
            yield page


async def _take(url: str, token: str, devtools_port: int, out_dir: Path) -> None:
    template = f"{{{{ device_id(integration_entities('{DOMAIN}') | first) }}}}"
    device_id = request(url, "POST", "/api/template", token=token, body={"template": template})
    if not device_id or device_id == "None":
        raise StackError("the wallbox has no device")
    out_dir.mkdir(parents=True, exist_ok=True)
    async with logged_in_page(url, token, devtools_port) as page:
        for name, path, wait_s in PAGES:
            await page.shot(path.format(device_id=device_id), out_dir / f"{name}.png", wait_s)


def take_screenshots(url: str, token: str, devtools_port: int, out_dir: Path) -> None:
    """Save the pages a new user looks at in the Home Assistant at `url` as PNGs in `out_dir`."""
    asyncio.run(_take(url, token, devtools_port, out_dir))
