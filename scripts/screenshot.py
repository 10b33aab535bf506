"""Drive headless Chromium over the DevTools protocol: log in, open pages, take screenshots."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).parent))
from dev_run import CONFIG, ENTRIES_PATH, URL, login, request

DOMAIN = "ev_session_monitor"

OUT = CONFIG.parent / "screenshots"
DEVTOOLS = "http://127.0.0.1:9222"


def request_text(token: str, template: str) -> str:
    """Render a template through the REST API (plain-text answer)."""
    import urllib.request  # noqa: PLC0415

    req = urllib.request.Request(
        f"{URL}/api/template",
        data=json.dumps({"template": template}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=30) as response:
        return str(response.read().decode())


class Page:
    """One browser tab."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        """Wrap the tab's DevTools socket."""
        self.socket = socket
        self.ids = itertools.count(1)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one DevTools command and return its result."""
        message_id = next(self.ids)
        await self.socket.send_json({"id": message_id, "method": method, "params": params})
        while True:
            message = await self.socket.receive_json()
            if message.get("id") == message_id:
                return dict(message.get("result", {}))

    async def shot(self, path: str, name: str, wait_s: float = 6) -> None:
        """Open a page, let it render, save a PNG."""
        await self.call("Page.navigate", url=URL + path)
        await asyncio.sleep(wait_s)
        data = await self.call("Page.captureScreenshot", format="png")
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / f"{name}.png").write_bytes(base64.b64decode(data["data"]))
        print(f"saved {OUT / name}.png")


async def main() -> None:
    """Log in and take the screenshots."""
    token = login()
    entries = request("GET", ENTRIES_PATH, token=token)
    async with aiohttp.ClientSession() as session:
        for _ in range(30):
            try:
                async with session.get(f"{DEVTOOLS}/json/list") as response:
                    targets = await response.json()
                break
            except aiohttp.ClientError:
                await asyncio.sleep(1)
        target = next(t for t in targets if t["type"] == "page")
        async with session.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as socket:
            page = Page(socket)
            await page.call("Page.enable")
            # The frontend keeps its login in localStorage; put a fresh one there.
            await page.call("Page.navigate", url=f"{URL}/auth/providers")
            await asyncio.sleep(1)
            tokens = {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": 1800,
                "refresh_token": "",
                "hassUrl": URL,
                "clientId": f"{URL}/",
                "expires": int(time.time() * 1000) + 1800 * 1000,
            }
            await page.call(
                "Runtime.evaluate",
                expression=f"localStorage.setItem('hassTokens', {json.dumps(json.dumps(tokens))})",
            )
            if entries:
                await page.shot(f"/config/integrations/integration/{DOMAIN}", "integration")
            device_id = request_text(token, "{{ device_id('sensor.demo_wallbox_power') }}")
            await page.shot(f"/config/devices/device/{device_id}", "device", wait_s=8)
            await page.shot("/history", "history")
            await page.shot("/logbook", "logbook")


if __name__ == "__main__":
    asyncio.run(main())
