"""A real Home Assistant with the simulated wallbox, set up for the portal's browser test.

Runs inside the project environment (`in_env`). It starts the simulator (in this process, so it
can present cards) and Home Assistant (a subprocess, its own port, a temporary config dir),
onboards an administrator, creates a non-administrator linked to the person Alice, adds the
wallbox through the config flow, admits Alice's and Bob's cards, records SESSIONS sessions in the
history, presents an unknown card, then writes `ready.json` for the browser test and serves
until `stop` appears in the state directory (or after a time limit). While it serves, a file
`car-charges` holding a power in W makes the plugged-in car draw that power (then the file goes).
Two more simulated wallboxes wait, not yet in Home Assistant, for the site's test (site.test.mjs
adds them and the site): a file `site-car-N` (N = 1, 2) holding `charge W` plugs a car into that
box and makes it draw up to W, holding `leave` unplugs it.
It stops everything it started, whatever way it ends.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from custom_components.ev_session_monitor.core.model import (  # noqa: E402
    PricePart,
    SessionRecord,
)
from tools import ha_stack  # noqa: E402
from tools.wallbox_simulator import WallboxSimulator  # noqa: E402

ADMIN = ("owner", "owner-password-1")
READER = ("alice", "alice-password-1")
ALICE_TAG, BOB_TAG, UNKNOWN_TAG = "04A1B2C3D4", "04B0B0B0B0", "0BADC0DE99"
# The seeded sessions' cards: Alice's, Bob's and none, drawn at random.
SEEDED_CARDS: tuple[ha_stack.Card, ...] = ((ALICE_TAG, "Alice"), (BOB_TAG, "Bob"), (None, None))
SEEDED_DAYS = 730
# One session without a card before all the seeded ones, at 00:30 in Home Assistant's zone (Berlin):
# in a browser west of it that is the evening before, so it shows which zone the portal uses.
NIGHT_DAYS_AGO = 800
# A session of Bob's under a dynamic tariff, alone on its day (before all the seeded ones): 18:00
# to 21:00 Home Assistant time at three prices, one an hour.
PARTS_DAYS_AGO = 780
PARTS = ((4_000.0, 0.312), (3_500.0, 0.279), (1_250.0, 0.251))  # Wh, EUR/kWh
TIME_ZONE = "Europe/Berlin"
# energy: (with the recorder and history it needs) for the README's Energy setup screenshot.
CONFIGURATION = ha_stack.configuration(
    "Portal test", "frontend:", "config:", "person:", "energy:", time_zone=TIME_ZONE
)


class Stack:
    """Home Assistant's HTTP and websocket APIs, as the test's administrator."""

    def __init__(self, url: str, session: aiohttp.ClientSession) -> None:
        """Talk to Home Assistant at `url`."""
        self.url = url
        self.session = session
        self.token = ""
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.next_id = 1

    async def rest(self, method: str, path: str, body: Any = None, form: bool = False) -> Any:
        """One REST call; JSON (or form) in, JSON out."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        kwargs: dict[str, Any] = {"data": body} if form else {"json": body}
        async with self.session.request(
            method, self.url + path, headers=headers, **kwargs
        ) as response:
            text = await response.text()
            if response.status >= 400:
                raise RuntimeError(f"{method} {path}: {response.status} {text}")
            return json.loads(text) if text else None

    async def onboard(self) -> None:
        """Create the owner and finish onboarding through the API; keep an access token."""
        code = await asyncio.to_thread(ha_stack.create_owner, self.url, "Owner", ADMIN[0], ADMIN[1])
        self.token = await asyncio.to_thread(ha_stack.token_for_code, self.url, code)
        await asyncio.to_thread(ha_stack.finish_onboarding, self.url, self.token)
        self.ws = await self.session.ws_connect(self.url + "/api/websocket")
        await self.ws.receive_json()
        await self.ws.send_json({"type": "auth", "access_token": self.token})
        assert (await self.ws.receive_json())["type"] == "auth_ok"

    async def call(self, message_type: str, **data: Any) -> Any:
        """One websocket command; raise on an error answer."""
        assert self.ws is not None
        message_id = self.next_id
        self.next_id += 1
        await self.ws.send_json({"id": message_id, "type": message_type, **data})
        while True:
            answer = await self.ws.receive_json()
            if answer.get("id") == message_id and answer.get("type") == "result":
                if not answer["success"]:
                    raise RuntimeError(f"{message_type}: {answer['error']}")
                return answer["result"]

    async def flow(self, path: str, handler: str, *steps: dict[str, Any]) -> dict[str, Any]:
        """Run a config or options flow through its steps."""
        result: dict[str, Any] = await self.rest("POST", path, {"handler": handler})
        for step in steps:
            result = await self.rest("POST", f"{path}/{result['flow_id']}", step)
        return result


def night_session(charger_id: str) -> SessionRecord:
    """The session at 00:30 Home Assistant time, NIGHT_DAYS_AGO days ago, one hour, 7.2 kWh."""
    zone = ZoneInfo(TIME_ZONE)
    day = datetime.now(zone).date() - timedelta(days=NIGHT_DAYS_AGO)
    started = datetime.combine(day, dt_time(0, 30), zone).astimezone(UTC)
    return SessionRecord(
        session_id="night-session",
        charger_id=charger_id,
        charger_name="Garage",
        started_at=started,
        ended_at=started + timedelta(hours=1),
        charging_s=3600,
        energy_wh=7200,
        cost=2.304,
        currency="EUR",
        avg_power_w=7200.0,
        peak_power_w=7200.0,
        tag_id=None,
        tag_name=None,
        energy_source="meter",
        gaps=0,
    )


def parts_session(charger_id: str) -> SessionRecord:
    """Bob's session PARTS_DAYS_AGO days ago, 18:00-21:00 Home Assistant time, an hour per price."""
    zone = ZoneInfo(TIME_ZONE)
    day = datetime.now(zone).date() - timedelta(days=PARTS_DAYS_AGO)
    started = datetime.combine(day, dt_time(18, 0), zone).astimezone(UTC)
    parts = tuple(
        PricePart(started + timedelta(hours=hour), energy_wh, price)
        for hour, (energy_wh, price) in enumerate(PARTS)
    )
    return SessionRecord(
        session_id="price-parts-session",
        charger_id=charger_id,
        charger_name="Garage",
        started_at=started,
        ended_at=started + timedelta(hours=3),
        charging_s=3 * 3600,
        energy_wh=sum(energy_wh for energy_wh, _ in PARTS),
        cost=sum(energy_wh / 1000 * price for energy_wh, price in PARTS),
        currency="EUR",
        avg_power_w=sum(energy_wh for energy_wh, _ in PARTS) / 3,
        peak_power_w=4000.0,
        tag_id=BOB_TAG,
        tag_name="Bob",
        energy_source="meter",
        gaps=0,
        price_parts=parts,
    )


async def prepare(
    stack: Stack,
    sim: WallboxSimulator,
    sessions: int,
    config: Path,
    site_sims: list[WallboxSimulator],
) -> dict[str, Any]:
    """Users, persons, wallbox, cards, history, an unknown card; return what the test needs."""
    await stack.onboard()
    reader = await stack.call("config/auth/create", name="Alice", group_ids=["system-users"])
    reader_id = reader["user"]["id"]
    await stack.call(
        "config/auth_provider/homeassistant/create",
        user_id=reader_id,
        username=READER[0],
        password=READER[1],
    )
    await stack.call("person/create", name="Alice", user_id=reader_id)
    await stack.call("person/create", name="Bob")
    created = await stack.flow(
        "/api/config/config_entries/flow",
        "ev_session_monitor",
        {"next_step_id": "network"},
        {"name": "Garage", "profile": "webasto_next", "host": sim.host, "port": sim.port},
    )
    assert created["type"] == "create_entry", created
    entry_id = created["result"]["entry_id"]
    settings = await stack.flow(
        "/api/config/config_entries/options/flow",
        entry_id,
        {"next_step_id": "settings"},
        {
            "poll_interval": 2,
            "price_source": "fixed",
            "suspicious_attempts": 3,
            "suspicious_window_min": 10,
            "requires_authorization": False,
            "enforce_authorization": False,
            "release_current": 16,
            "hash_unknown_tags": False,
            # A small business's setting: only administrators switch and set the box.
            "controls_admin_only": True,
        },
    )
    if settings.get("step_id") == "fixed_price":  # the price has a step of its own
        await stack.rest(
            "POST",
            f"/api/config/config_entries/options/flow/{settings['flow_id']}",
            {"fixed_price": 0.32},
        )
    await asyncio.sleep(3)  # the entry reloads with its new options
    await stack.call(
        "ev_session_monitor/tags/add", tag_id=ALICE_TAG, name="Alice", person="person.alice"
    )
    await stack.call("ev_session_monitor/tags/add", tag_id=BOB_TAG, name="Bob", person="person.bob")
    info = await stack.call("ev_session_monitor/info")
    charger_id = info["wallboxes"][0]["charger_id"]
    seeded = ha_stack.past_sessions(
        charger_id,
        "Garage",
        SEEDED_CARDS,
        count=sessions,
        days=SEEDED_DAYS,
        daytime_in=ha_stack.TIME_ZONE,
    )
    night = night_session(charger_id)
    parts = parts_session(charger_id)
    await asyncio.to_thread(ha_stack.seed_history, config, [*seeded, night, parts])
    # A car waits and an unknown card is shown to the box: the Cards view offers to admit it.
    sim.state.plug_in()
    await asyncio.sleep(3)
    sim.state.present_tag(UNKNOWN_TAG)
    for _ in range(30):
        attempts = await stack.call("ev_session_monitor/attempts")
        if attempts["attempts"]:
            break
        await asyncio.sleep(1)
    else:
        raise RuntimeError("the unknown card never reached the attempt log")
    return {
        "url": stack.url,
        "token": stack.token,
        "admin": {"username": ADMIN[0], "password": ADMIN[1]},
        "reader": {"username": READER[0], "password": READER[1]},
        "tags": {"alice": ALICE_TAG, "bob": BOB_TAG, "unknown": UNKNOWN_TAG},
        "sessions": sessions + 2,
        "entry_id": entry_id,
        "time_zone": TIME_ZONE,
        "site_boxes": [{"host": box.host, "port": box.port} for box in site_sims],
        "night_session": {
            "session_id": night.session_id,
            "day": night.started_at.astimezone(ZoneInfo(TIME_ZONE)).date().isoformat(),
        },
        "parts_session": {
            "session_id": parts.session_id,
            "day": parts.started_at.astimezone(ZoneInfo(TIME_ZONE)).date().isoformat(),
        },
    }


def site_car(sim: WallboxSimulator, command: list[str]) -> None:
    """`charge W`: a car plugged in draws up to W; `leave`: it is unplugged."""
    if command[0] == "charge":
        sim.state.start_charging(float(command[1]))
    elif command[0] == "leave":
        sim.state.unplug()
    else:
        raise ValueError(f"unknown site car command: {command}")


async def main() -> int:
    """Start, prepare, serve until told to stop, stop."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state", type=Path, required=True, help="ready.json and stop live here")
    parser.add_argument("--port", type=int, default=18125)
    parser.add_argument("--sessions", type=int, default=50_000)
    parser.add_argument("--limit-s", type=float, default=900, help="stop after this long anyway")
    args = parser.parse_args()
    args.state.mkdir(parents=True, exist_ok=True)
    config = Path(tempfile.mkdtemp(prefix="evsm-portal-"))
    ha_stack.prepare_config(config, CONFIGURATION)
    sim = WallboxSimulator("webasto_next")
    await sim.start()
    site_sims = [WallboxSimulator("webasto_next") for _ in range(2)]
    for site_sim in site_sims:
        await site_sim.start()
    hass = ha_stack.Child(
        ha_stack.home_assistant_command(config),
        log=args.state / "home-assistant.stderr.log",
        env=ha_stack.home_assistant_env(port=args.port),
        append=False,
    )
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    try:
        async with aiohttp.ClientSession() as session:
            stack = Stack(f"http://127.0.0.1:{args.port}", session)
            await asyncio.to_thread(ha_stack.wait_until_answers, stack.url, hass)
            ready = await prepare(stack, sim, args.sessions, config, site_sims)
            (args.state / "ready.json").write_text(json.dumps(ready, indent=2))
            print("portal stack ready", flush=True)
            deadline = time.monotonic() + args.limit_s
            while not stopping.is_set() and time.monotonic() < deadline:
                if (args.state / "stop").exists() or not hass.alive():
                    break
                car = args.state / "car-charges"
                if car.exists():
                    sim.state.start_charging(float(car.read_text()))
                    car.unlink()
                for number, site_sim in enumerate(site_sims, start=1):
                    command = args.state / f"site-car-{number}"
                    if command.exists():
                        site_car(site_sim, command.read_text().split())
                        command.unlink()
                await asyncio.sleep(0.5)
            if stack.ws is not None:
                await stack.ws.close()
    finally:
        await asyncio.to_thread(hass.stop, 60)
        await sim.stop()
        for site_sim in site_sims:
            await site_sim.stop()
        errors = ha_stack.error_lines(config / "home-assistant.log", "ev_session_monitor")
        (args.state / "errors.txt").write_text("\n".join(errors))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
