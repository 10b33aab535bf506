"""Run the demo: wallbox simulator + Home Assistant, onboarded and configured over HA's APIs.

Started by scripts/develop inside the project environment. The config dir is .dev/config
(ignored by git) and is reused by later runs. The first run adds two users besides the
administrator (Alice, linked to the person who owns Alice's card; Carol, linked to no person), the
wallbox and the cards of Alice and Bob through the real flows, and gives the demo four weeks of
past sessions (in the session history) on both cards and without a card, so the calendar, the
portal's Sessions and Reports show each kind of user what they may see at once. Home Assistant
itself is started, onboarded and logged in to by tools/ha_stack.py, as the tests and benchmarks
do.

With --check it proves the demo instead, as CI does: it starts from an empty config dir
(.dev/check), waits until the wallbox's entities show live values, takes screenshots through the
headless Chromium that scripts/develop started, stops everything and exits non-zero on a timeout,
an ERROR line in the log, an entity without a value, or a process that would not stop.

Whatever way this program ends (success, Ctrl-C, SIGTERM, a failed step, Home Assistant exiting
early), it stops every process it started: each child runs in its own process group, which is
terminated on exit, and the kernel terminates the children should this program itself be killed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import aiohttp

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from screenshot import take_screenshots  # noqa: E402

from tools import ha_stack  # noqa: E402
from tools.ha_stack import DOMAIN, StackError  # noqa: E402

DEV_DIR = REPO / ".dev"
# Another demo next to this one (scripts/readme_screenshots.py) sets other ports: Home Assistant
# reads SETUP_PORT itself (a YAML `http: server_port` would revert after 5 minutes).
HA_PORT = int(os.environ.get("SETUP_PORT", "8123"))
URL = f"http://127.0.0.1:{HA_PORT}"
USERNAME = PASSWORD = "demo"
SIM_PORT = int(os.environ.get("EVSM_SIM_PORT", "15020"))
ENTRIES_PATH = f"/api/config/config_entries/entry?domain={DOMAIN}"
# Live readings the simulated Webasto NEXT reports on every poll: --check wants a value for each.
LIVE_ENTITIES = ("power", "status", "current_l1", "lifetime_energy", "authorization")
WALLBOX_NAME = "Demo wallbox"
PRICE_EUR_KWH = 0.32
TIME_ZONE = "Europe/Berlin"
ALICE_TAG = "04A1B2C3D4"  # the known card; the demo scenario presents it
BOB_TAG = "04B0B0B0B0"  # Bob's card: seen only in the past sessions
# Besides the administrator (demo / demo), one user of each other kind, so that logging in as
# each shows at once what they may see: Alice (not an administrator) is linked to the person who
# owns Alice's card; Carol (not an administrator) is linked to no person. Bob is a person without
# a login. (username, password, the person's name or None)
OTHER_USERS: tuple[tuple[str, str, str | None], ...] = (
    ("alice", "alice", "Alice"),
    ("carol", "carol", None),
)
# The simulated OCPP charge point: it presents a card nobody admitted, then Alice's.
OCPP_PORT = int(os.environ.get("EVSM_OCPP_PORT", "19000"))
CHARGE_POINT_ID = "DEMO-CP"
CHARGE_POINT_NAME = "Demo charge point"
STRANGER_TAG = "0BADC0DE"
# The demo's past: two months of evening sessions on Alice's card, Bob's card and without a card,
# so the calendar, the portal's Sessions and Reports and the per-card sensors show a history at
# once (everything to the administrator, Alice's card's sessions to Alice, none to Carol), and the
# last complete month (whatever today's date) has sessions for Alice's filed statement.
PAST_DAYS = 62
PAST_SESSIONS = 40
PAST_CARDS: tuple[ha_stack.Card, ...] = ((ALICE_TAG, "Alice"), (BOB_TAG, "Bob"), (None, None))

CONFIGURATION = ha_stack.configuration(
    "EV Session Monitor demo",
    "frontend:",
    "config:",
    "history:",
    "logbook:",
    "recorder:\n  purge_keep_days: 30",
    "energy:",
    "automation: !include automations.yaml",
    "script:",
    "scene:",
    "person:",
    "system_health:",
    time_zone=TIME_ZONE,
    integration_log="info",
)

# A step of the demo failed; the message says which and why.
DemoError = StackError


def prepare(config: Path) -> None:
    """Write the config dir and link the integration from the checkout."""
    ha_stack.prepare_config(config, CONFIGURATION)
    automations = config / "automations.yaml"
    if not automations.exists():
        automations.write_text("[]\n")


def request(
    method: str, path: str, *, token: str | None = None, body: Any = None, form: bool = False
) -> Any:
    """One HTTP call to the demo's Home Assistant; JSON in and out."""
    return ha_stack.request(URL, method, path, token=token, body=body, form=form)


def port_free(port: int) -> bool:
    """True when nothing listens on 127.0.0.1:port."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


# --- Home Assistant ---------------------------------------------------------------------------


class Demo:
    """Simulator + Home Assistant for one config dir."""

    def __init__(self, config: Path, speed: float) -> None:
        """Prepare, start nothing yet."""
        self.config = config
        self.speed = speed
        self.children = ha_stack.Children()
        self.hass: ha_stack.Child | None = None
        self.env = ha_stack.home_assistant_env()

    @property
    def log_file(self) -> Path:
        """Home Assistant's own log."""
        return self.config / "home-assistant.log"

    def start_simulator(self) -> None:
        """Serve the Webasto NEXT profile playing the demo scenario."""
        self.children.start(
            ha_stack.python_module(
                "tools.wallbox_simulator",
                "--profile", "webasto_next", "--port", str(SIM_PORT),
                "--scenario", "demo", "--speed", str(self.speed),
            ),
            log=self.config / "simulator.log",
            env=self.env,
        )  # fmt: skip

    def start_charge_point(self, password: str) -> None:
        """Connect the simulated OCPP charge point to the demo's central system."""
        self.children.start(
            ha_stack.python_module(
                "tools.ocpp_charge_point",
                "--url", f"ws://127.0.0.1:{OCPP_PORT}/{CHARGE_POINT_ID}",
                "--id", CHARGE_POINT_ID, "--password", password,
                "--known", ALICE_TAG, "--unknown", STRANGER_TAG,
            ),
            log=self.config / "charge_point.log",
            env=self.env,
        )  # fmt: skip

    def start_home_assistant(self) -> None:
        """Start Home Assistant and wait until its HTTP server answers."""
        self.hass = self.children.start(
            ha_stack.home_assistant_command(self.config),
            log=self.config / "hass.stderr.log",
            env=self.env,
        )
        ha_stack.wait_until_answers(URL, self.hass)

    def stop_home_assistant(self) -> None:
        """Stop Home Assistant cleanly (it saves its storage on the way out)."""
        if self.hass is not None:
            self.children.forget(self.hass)
            self.hass = None

    def onboarded(self) -> bool:
        """True once the owner exists and onboarding is marked done."""
        return ha_stack.onboarded(self.config)

    def onboard(self) -> None:
        """Create the owner, then mark onboarding done in storage (Home Assistant restarts)."""
        ha_stack.create_owner(URL, "Demo", USERNAME, PASSWORD)
        self.stop_home_assistant()
        ha_stack.mark_onboarded(self.config)
        self.log_file.unlink(missing_ok=True)
        self.start_home_assistant()


def login() -> str:
    """Log in as the demo user; return an access token."""
    return ha_stack.login(URL, USERNAME, PASSWORD)


async def _websocket_calls(token: str, calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    """Send websocket commands one after the other as the demo user; their results."""
    url = URL.replace("http", "ws") + "/api/websocket"
    results = []
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as socket:
        await socket.receive_json()
        await socket.send_json({"type": "auth", "access_token": token})
        if (await socket.receive_json())["type"] != "auth_ok":
            raise DemoError("the websocket refused the demo user's token")
        for message_id, (command, data) in enumerate(calls, start=1):
            await socket.send_json({"id": message_id, "type": command, **data})
            answer = await socket.receive_json()
            while answer.get("id") != message_id:
                answer = await socket.receive_json()
            if not answer["success"]:
                raise DemoError(f"{command} failed: {answer['error']}")
            results.append(answer["result"])
    return results


async def _add_people(token: str) -> None:
    """The other users (OTHER_USERS) with their logins, the persons Alice and Bob."""
    for username, password, person in OTHER_USERS:
        (created,) = await _websocket_calls(
            token,
            [("config/auth/create", {"name": username.title(), "group_ids": ["system-users"]})],
        )
        user_id = created["user"]["id"]
        login_and_person: list[tuple[str, dict[str, Any]]] = [
            (
                "config/auth_provider/homeassistant/create",
                {"user_id": user_id, "username": username, "password": password},
            )
        ]
        if person is not None:
            login_and_person.append(("person/create", {"name": person, "user_id": user_id}))
        await _websocket_calls(token, login_and_person)
    await _websocket_calls(token, [("person/create", {"name": "Bob"})])


def configure_wallbox(token: str) -> bool:
    """Add the simulated wallbox through the real config flow, a price, the people and cards.

    False when the config dir has it already (a later run of the demo).
    """
    if request("GET", ENTRIES_PATH, token=token):
        return False
    asyncio.run(_add_people(token))
    flow = request(
        "POST",
        "/api/config/config_entries/flow",
        token=token,
        body={"handler": DOMAIN, "show_advanced_options": False},
    )
    path = f"/api/config/config_entries/flow/{flow['flow_id']}"
    request("POST", path, token=token, body={"next_step_id": "network"})
    result = request(
        "POST",
        path,
        token=token,
        body={
            "name": WALLBOX_NAME,
            "profile": "webasto_next",
            "host": "127.0.0.1",
            "port": SIM_PORT,
        },
    )
    if result.get("type") != "create_entry":
        raise DemoError(f"adding the simulated wallbox failed: {result}")
    entry_id = result["result"]["entry_id"]

    def options(step: str, data: dict[str, Any]) -> None:
        """Walk an options menu step, answering each form with the fields it asks for."""
        flow = request(
            "POST",
            "/api/config/config_entries/options/flow",
            token=token,
            body={"handler": entry_id},
        )
        path = f"/api/config/config_entries/options/flow/{flow['flow_id']}"
        answer = request("POST", path, token=token, body={"next_step_id": step})
        for _ in range(5):
            if answer.get("type") != "form":
                return
            if answer.get("errors"):
                raise DemoError(f"options step {answer['step_id']} refused: {answer['errors']}")
            asked = {field["name"] for field in answer.get("data_schema", [])}
            answer = request(
                "POST", path, token=token, body={k: v for k, v in data.items() if k in asked}
            )
        raise DemoError(f"options step {step} did not finish: {answer}")

    options(
        "settings",
        {
            "poll_interval": 10,
            "price_source": "fixed",
            "fixed_price": PRICE_EUR_KWH,
            "suspicious_attempts": 3,
            "suspicious_window_min": 10,
            "requires_authorization": False,
            "enforce_authorization": False,
            "release_current": 16,
            "hash_unknown_tags": False,
        },
    )
    # Each card's person is picked as in the options form: the link visibility follows.
    options("add_tag", {"tag_id": ALICE_TAG, "name": "Alice", "person": "person.alice"})
    options("add_tag", {"tag_id": BOB_TAG, "name": "Bob", "person": "person.bob"})
    return True


def configure_charge_point(token: str, config: Path) -> str:
    """Add the simulated OCPP charge point through the config flow; return its password.

    A later run of the demo reads the password the first run stored.
    """
    for entry in request("GET", ENTRIES_PATH, token=token):
        if entry["title"] == CHARGE_POINT_NAME:
            return stored_charge_point_password(config, entry["entry_id"])
    flow = request("POST", "/api/config/config_entries/flow", token=token, body={"handler": DOMAIN})
    path = f"/api/config/config_entries/flow/{flow['flow_id']}"
    request("POST", path, token=token, body={"next_step_id": "ocpp"})
    shown = request(
        "POST",
        path,
        token=token,
        body={
            "name": CHARGE_POINT_NAME,
            "charge_point_id": CHARGE_POINT_ID,
            "ocpp_port": OCPP_PORT,
        },
    )
    if shown.get("step_id") != "ocpp_password":
        raise DemoError(f"adding the OCPP charge point failed: {shown}")
    result = request("POST", path, token=token, body={})
    if result.get("type") != "create_entry":
        raise DemoError(f"adding the OCPP charge point failed: {result}")
    return str(shown["description_placeholders"]["password"])


def stored_charge_point_password(config: Path, entry_id: str) -> str:
    """The password of the demo's OCPP entry, from Home Assistant's storage."""
    stored = json.loads((config / ".storage" / "core.config_entries").read_text())
    for entry in stored["data"]["entries"]:
        if entry["entry_id"] == entry_id:
            return str(entry["data"]["password"])
    raise DemoError("the demo's OCPP charge point has no stored password")


async def _charger_id(token: str, timeout_s: float = 60) -> str:
    """The demo wallbox's charger id, once the integration runs it (the portal's info)."""
    url = URL.replace("http", "ws") + "/api/websocket"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as socket:
        await socket.receive_json()
        await socket.send_json({"type": "auth", "access_token": token})
        if (await socket.receive_json())["type"] != "auth_ok":
            raise DemoError("the websocket refused the demo user's token")
        deadline = time.monotonic() + timeout_s
        for message_id in range(1, 10_000):
            await socket.send_json({"id": message_id, "type": f"{DOMAIN}/info"})
            answer = await socket.receive_json()
            while answer.get("id") != message_id:
                answer = await socket.receive_json()
            wallboxes = answer.get("result", {}).get("wallboxes") if answer["success"] else None
            if wallboxes:
                return str(wallboxes[0]["charger_id"])
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(1)
    raise DemoError(f"the demo wallbox was not running within {timeout_s:.0f} s")


def seed_past_sessions(config: Path, token: str) -> int:
    """Give the new demo its past (PAST_DAYS of sessions); return how many were added."""
    charger_id = asyncio.run(_charger_id(token))
    records = ha_stack.past_sessions(
        charger_id,
        WALLBOX_NAME,
        PAST_CARDS,
        count=PAST_SESSIONS,
        days=PAST_DAYS,
        price_eur_kwh=PRICE_EUR_KWH,
        evenings_in=TIME_ZONE,
        id_prefix="demo",
    )
    return ha_stack.seed_history(config, records)


def file_statement(token: str) -> dict[str, Any]:
    """File Alice's statement of the last complete month, as create_statement does; its answer."""
    answer = request(
        "POST",
        f"/api/services/{DOMAIN}/create_statement?return_response",
        token=token,
        body={"tag_id": ALICE_TAG},
    )
    statement: dict[str, Any] = answer["service_response"]
    if not statement.get("sessions"):
        raise DemoError(f"the demo's statement of {statement.get('month')} has no sessions")
    return statement


def wallbox_states(token: str) -> dict[str, str]:
    """Entity id -> state of every entity of the integration."""
    template = f"{{{{ integration_entities('{DOMAIN}') | join(',') }}}}"
    ids = request("POST", "/api/template", token=token, body={"template": template})
    states = {}
    # None: an empty answer, as while the entry reloads after its options are set.
    for entity_id in filter(None, str(ids or "").split(",")):
        states[entity_id] = request("GET", f"/api/states/{entity_id}", token=token)["state"]
    return states


def wait_for_live_values(token: str, timeout_s: float = 150) -> dict[str, str]:
    """Wait until the live readings have values and the demo car charges; return all states."""
    deadline = time.monotonic() + timeout_s
    missing: list[str] = []
    while time.monotonic() < deadline:
        states = wallbox_states(token)
        missing = [
            key
            for key in LIVE_ENTITIES
            if states.get(f"sensor.demo_wallbox_{key}", "unknown") in ("unknown", "unavailable")
        ]
        if states and not missing and states.get("sensor.demo_wallbox_status") == "charging":
            return states
        time.sleep(2)
    raise DemoError(
        f"within {timeout_s:.0f} s: no value for {', '.join(missing) or '-'}; "
        f"status {states.get('sensor.demo_wallbox_status')} (expected charging)"
    )


# --- main ------------------------------------------------------------------------------------


def run(args: argparse.Namespace, demo: Demo) -> None:
    """Start, onboard on the first run, configure; then wait (demo) or verify (check)."""
    for port in (HA_PORT, SIM_PORT, OCPP_PORT):
        if not port_free(port):
            raise DemoError(f"port {port} is in use: is another demo running? stop it first")
    prepare(demo.config)
    demo.start_simulator()
    print("Starting Home Assistant (the first start takes a minute or two) ...", flush=True)
    started = time.monotonic()
    demo.start_home_assistant()
    if not demo.onboarded():
        print("First run: creating the owner and finishing onboarding ...", flush=True)
        demo.onboard()
    token = login()
    if configure_wallbox(token):
        added = seed_past_sessions(demo.config, token)
        print(f"Added {added} past sessions of the last {PAST_DAYS} days.", flush=True)
        statement = file_statement(token)
        print(
            f"Filed Alice's statement of {statement['month']}: {statement['path']}"
            f" ({statement['sessions']} sessions, {statement['energy_kwh']} kWh).",
            flush=True,
        )
    demo.start_charge_point(configure_charge_point(token, demo.config))
    if args.check:
        check(args, demo, token, started)
        return
    time.sleep(5)  # let the first polls land before reading the log
    print(
        f"\nHome Assistant is running at {URL} (ready after {time.monotonic() - started:.0f} s)\n"
        f"  login: {USERNAME} / password: {PASSWORD} (administrator: every card);"
        " alice / alice (Alice's card only); carol / carol (no person: no sessions)\n"
        f"  simulated wallbox: Webasto NEXT profile on 127.0.0.1:{SIM_PORT} (Modbus TCP),"
        " playing tools/wallbox_simulator/scenarios/demo.yaml\n"
        f"  simulated OCPP charge point {CHARGE_POINT_ID} on ws://127.0.0.1:{OCPP_PORT}:"
        f" card {STRANGER_TAG} refused, then Alice's charges\n"
        f"  logs: {demo.log_file}, {demo.config / 'simulator.log'}\n"
        "Press Ctrl-C to stop.",
        flush=True,
    )
    if errors := ha_stack.error_lines(demo.log_file):
        print(f"WARNING: {len(errors)} ERROR line(s) in the log:", *errors[:10], sep="\n  ")
    while all(child.alive() for child in demo.children.started):
        time.sleep(1)
    raise DemoError("a demo process exited on its own; see the logs above")


def sessions_seen_by_each_user(token: str) -> dict[str, dict[str, int]]:
    """Per user, the sessions get_sessions gives them by card; raise if one sees what it may not.

    The administrator sees every card's; Alice only her card's; Carol (no person) none.
    """
    seen: dict[str, dict[str, int]] = {}
    allowed = {USERNAME: None, "alice": {ALICE_TAG}, "carol": set()}
    for username, password in ((USERNAME, PASSWORD), *((u, p) for u, p, _ in OTHER_USERS)):
        user_token = token if username == USERNAME else ha_stack.login(URL, username, password)
        answer = request(
            "POST",
            f"/api/services/{DOMAIN}/get_sessions?return_response",
            token=user_token,
            body={},
        )
        cards: dict[str, int] = {}
        for session in answer["service_response"]["sessions"]:
            card = session["tag_id"] or "no card"
            cards[card] = cards.get(card, 0) + 1
        may_see = allowed[username]
        if may_see is not None and not set(cards) <= may_see:
            raise DemoError(f"{username} sees sessions of {sorted(set(cards) - may_see)}")
        seen[username] = cards
    if len(seen[USERNAME]) < 3 or not seen["alice"]:
        raise DemoError(f"the demo's past does not show each kind of user something: {seen}")
    return seen


def check(args: argparse.Namespace, demo: Demo, token: str, started: float) -> None:
    """Verify the running demo as a user would see it; raise DemoError on any problem."""
    states = wait_for_live_values(token)
    ready_s = time.monotonic() - started
    print(f"Live values after {ready_s:.0f} s:", flush=True)
    for entity_id, state in sorted(states.items()):
        print(f"  {entity_id}: {state}")
    unavailable = [entity_id for entity_id, state in states.items() if state == "unavailable"]
    if unavailable:
        raise DemoError(f"unavailable entities: {', '.join(unavailable)}")
    # The statement filed at the first start stands (the same figures give the same file).
    statement = file_statement(token)
    if not (demo.config / statement["path"]).is_file():
        raise DemoError(f"the filed statement {statement['path']} is missing")
    print(f"Statement of {statement['month']}: {statement['path']}", flush=True)
    print("Sessions each kind of user gets from get_sessions:", flush=True)
    for username, cards in sessions_seen_by_each_user(token).items():
        by_card = ", ".join(f"{card}: {count}" for card, count in sorted(cards.items()))
        print(f"  {username}: {sum(cards.values())} ({by_card or 'none'})")
    take_screenshots(URL, token, args.devtools, Path(args.screenshots))
    if errors := ha_stack.error_lines(demo.log_file):
        raise DemoError(
            f"{len(errors)} ERROR line(s) in {demo.log_file}:\n  " + "\n  ".join(errors[:20])
        )
    print(f"Check passed: ready after {ready_s:.0f} s, {len(states)} entities, 0 ERROR lines.")


def run_until_stopped(demo: Demo, body: Callable[[], None], *, interrupted_status: int) -> NoReturn:
    """Run `body`; however it ends, stop every child, check none is left, and exit.

    SIGTERM and Ctrl-C interrupt `body` and exit with `interrupted_status`; a DemoError or a
    process that would not stop exits with 1.
    """

    def interrupted(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, interrupted)
    # scripts/develop starts this in the background, where SIGINT arrives ignored: take it back.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    status = 0
    try:
        body()
    except KeyboardInterrupt:
        print("\nStopping Home Assistant and the simulator ...", flush=True)
        status = interrupted_status
    except DemoError as err:
        print(f"error: {err}", file=sys.stderr, flush=True)
        status = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not skip the cleanup
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        demo.children.stop()
    if survivors := demo.children.survivors():
        print(f"error: processes still running after stop: {survivors}", file=sys.stderr)
        status = 1
    sys.exit(status)


def main() -> None:
    """Parse arguments, run, and always stop the children."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--speed", type=float, default=1.0, help="demo scenario time factor")
    parser.add_argument("--check", action="store_true", help="prove the demo from an empty config")
    parser.add_argument(
        "--devtools", type=int, default=9222, help="Chromium DevTools port (--check)"
    )
    parser.add_argument(
        "--screenshots", default=str(DEV_DIR / "screenshots"), help="where --check saves PNGs"
    )
    args = parser.parse_args()
    config = DEV_DIR / ("check" if args.check else "config")
    if args.check:
        shutil.rmtree(config, ignore_errors=True)
    config.mkdir(parents=True, exist_ok=True)
    demo = Demo(config, args.speed)
    run_until_stopped(demo, lambda: run(args, demo), interrupted_status=0)


if __name__ == "__main__":
    main()
