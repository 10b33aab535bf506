"""Run the demo: wallbox simulator + Home Assistant, onboarded and configured over HA's APIs.

Started by scripts/develop inside the project environment. The config dir is .dev/config
(ignored by git) and is reused by later runs.

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
import contextlib
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

REPO = Path(__file__).resolve().parent.parent
DEV_DIR = REPO / ".dev"
# Another demo next to this one (scripts/readme_screenshots.py) sets other ports: Home Assistant
# reads SETUP_PORT itself (a YAML `http: server_port` would revert after 5 minutes).
HA_PORT = int(os.environ.get("SETUP_PORT", "8123"))
URL = f"http://127.0.0.1:{HA_PORT}"
CLIENT_ID = f"{URL}/"
USERNAME = PASSWORD = "demo"
SIM_PORT = int(os.environ.get("EVSM_SIM_PORT", "15020"))
DOMAIN = "ev_session_monitor"
ENTRIES_PATH = f"/api/config/config_entries/entry?domain={DOMAIN}"
START_TIMEOUT_S = 300
# Live readings the simulated Webasto NEXT reports on every poll: --check wants a value for each.
LIVE_ENTITIES = ("power", "status", "current_l1", "lifetime_energy", "authorization")

CONFIGURATION = """\
# Demo configuration written by scripts/develop: only what the demo needs.
homeassistant:
  name: EV Session Monitor demo
  unit_system: metric
  currency: EUR
  country: DE
  time_zone: Europe/Berlin
  latitude: 52.52
  longitude: 13.40
  elevation: 34
frontend:
config:
history:
logbook:
recorder:
  purge_keep_days: 30
energy:
automation: !include automations.yaml
script:
scene:
person:
system_health:
logger:
  default: warning
  logs:
    custom_components.ev_session_monitor: info
"""


class DemoError(Exception):
    """A step of the demo failed; the message says which and why."""


def prepare(config: Path) -> None:
    """Write the config dir and link the integration from the checkout."""
    (config / "custom_components").mkdir(parents=True, exist_ok=True)
    link = config / "custom_components" / DOMAIN
    if not link.is_symlink():
        link.symlink_to(REPO / "custom_components" / DOMAIN)
    (config / "configuration.yaml").write_text(CONFIGURATION)
    automations = config / "automations.yaml"
    if not automations.exists():
        automations.write_text("[]\n")


def request(
    method: str, path: str, *, token: str | None = None, body: Any = None, form: bool = False
) -> Any:
    """One HTTP call to Home Assistant; JSON in and out."""
    headers = {}
    data = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        if form:
            data = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
    req = urllib.request.Request(URL + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            text = response.read().decode()
    except urllib.error.HTTPError as err:
        raise DemoError(
            f"{method} {path} answered {err.code}: {err.read().decode()[:500]}"
        ) from None
    if not text:
        return None
    return json.loads(text) if text[0] in "[{" else text


def port_free(port: int) -> bool:
    """True when nothing listens on 127.0.0.1:port."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


# --- child processes ------------------------------------------------------------------------

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def _child_setup() -> None:
    """In the child: own process group, and SIGTERM when this program dies (even by SIGKILL)."""
    os.setpgid(0, 0)
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class Children:
    """The processes this program started; stop() ends them and their own children."""

    def __init__(self) -> None:
        """Start with none."""
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
        """Start a child writing stdout and stderr to `log`."""
        with log.open("ab") as output:
            process = subprocess.Popen(
                args, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT,
                preexec_fn=_child_setup,  # noqa: PLW1509 - runs before any thread is started
            )  # fmt: skip
        self.processes.append(process)
        return process

    def stop_one(self, process: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
        """SIGTERM the child's process group; SIGKILL it if it does not end in time."""
        if process.poll() is None:
            _signal_group(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                _signal_group(process.pid, signal.SIGKILL)
                process.wait()
        # Helpers the child left running in its group (ffmpeg, pip) go too.
        _signal_group(process.pid, signal.SIGKILL)

    def stop(self) -> None:
        """Stop every child, newest first."""
        for process in reversed(self.processes):
            self.stop_one(process)

    def survivors(self, grace_s: float = 10) -> list[int]:
        """Pids still running in any of the children's process groups after `grace_s`."""
        groups = {process.pid for process in self.processes}
        deadline = time.monotonic() + grace_s
        while True:
            alive = [pid for pid in _running_pids() if _pgid(pid) in groups]
            if not alive or time.monotonic() > deadline:
                return alive
            time.sleep(0.2)


def _running_pids() -> list[int]:
    """Pids of processes that are not zombies (ended, only not yet reaped by their parent)."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
        except OSError:
            continue
        if stat and stat.rsplit(")", 1)[1].split()[0] != "Z":
            pids.append(int(entry.name))
    return pids


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


# --- Home Assistant ---------------------------------------------------------------------------


class Demo:
    """Simulator + Home Assistant for one config dir."""

    def __init__(self, config: Path, speed: float) -> None:
        """Prepare, start nothing yet."""
        self.config = config
        self.speed = speed
        self.children = Children()
        self.hass: subprocess.Popen[bytes] | None = None
        # Home Assistant installs a few runtime packages on its first start with uv, which needs
        # to be told to use the system CA bundle.
        self.env = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt",
            "UV_NATIVE_TLS": "true",
        }

    @property
    def log_file(self) -> Path:
        """Home Assistant's own log."""
        return self.config / "home-assistant.log"

    def start_simulator(self) -> None:
        """Serve the Webasto NEXT profile playing the demo scenario."""
        self.children.start(
            [
                sys.executable, "-m", "tools.wallbox_simulator",
                "--profile", "webasto_next", "--port", str(SIM_PORT),
                "--scenario", "demo", "--speed", str(self.speed),
            ],
            self.config / "simulator.log",
            self.env,
        )  # fmt: skip

    def start_home_assistant(self) -> None:
        """Start Home Assistant and wait until its HTTP server answers."""
        self.hass = self.children.start(
            [sys.executable, "-m", "homeassistant", "--config", str(self.config)],
            self.config / "hass.stderr.log",
            self.env,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.hass.poll() is not None:
                raise DemoError(
                    f"Home Assistant exited early (code {self.hass.returncode}); see "
                    f"{self.log_file} and {self.config / 'hass.stderr.log'}"
                )
            try:
                urllib.request.urlopen(URL + "/auth/providers", timeout=10).close()
            except urllib.error.HTTPError:
                # Any HTTP answer means the server is up; before onboarding this one is
                # 400 {"code": "onboarding_required"}.
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(1)
                continue
            return
        raise DemoError(f"Home Assistant did not answer within {START_TIMEOUT_S // 60} minutes")

    def stop_home_assistant(self) -> None:
        """Stop Home Assistant cleanly (it saves its storage on the way out)."""
        if self.hass is not None:
            self.children.stop_one(self.hass, timeout_s=120)
            self.children.processes.remove(self.hass)
            self.hass = None

    # --- onboarding and configuration -------------------------------------------------------

    @property
    def onboarding_file(self) -> Path:
        """Where Home Assistant keeps the onboarding progress."""
        return self.config / ".storage" / "onboarding"

    def onboarded(self) -> bool:
        """True once the owner exists and onboarding is marked done."""
        if not self.onboarding_file.exists():
            return False
        return "integration" in json.loads(self.onboarding_file.read_text())["data"]["done"]

    def onboard(self) -> None:
        """Create the owner through the onboarding API, then mark onboarding done in storage.

        Finishing onboarding through the API would also set up HA's onboarding defaults (weather,
        radio, text-to-speech ...), which the demo does not need and which log errors offline.
        The storage file is written while Home Assistant is stopped, so it restarts here.
        """
        request(
            "POST",
            "/api/onboarding/users",
            body={
                "client_id": CLIENT_ID,
                "name": "Demo",
                "username": USERNAME,
                "password": PASSWORD,
                "language": "en",
            },
        )
        self.stop_home_assistant()
        self.onboarding_file.write_text(
            json.dumps(
                {
                    "version": 4,
                    "minor_version": 1,
                    "key": "onboarding",
                    "data": {"done": ["user", "core_config", "analytics", "integration"]},
                },
                indent=2,
            )
        )
        self.log_file.unlink(missing_ok=True)
        self.start_home_assistant()


def login(timeout_s: float = 60) -> str:
    """Log in as the demo user through the login flow; return an access token.

    Right after start the HTTP server answers before the auth providers are loaded; retry.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        flow = request(
            "POST",
            "/auth/login_flow",
            body={
                "client_id": CLIENT_ID,
                "handler": ["homeassistant", None],
                "redirect_uri": f"{URL}/?auth_callback=1",
            },
        )
        result = request(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            body={"client_id": CLIENT_ID, "username": USERNAME, "password": PASSWORD},
        )
        if "result" in result:
            break
        if time.monotonic() > deadline:
            raise DemoError(f"logging in as {USERNAME} failed: {result}")
        time.sleep(2)
    tokens = request(
        "POST",
        "/auth/token",
        body={"grant_type": "authorization_code", "code": result["result"], "client_id": CLIENT_ID},
        form=True,
    )
    return str(tokens["access_token"])


def configure_wallbox(token: str) -> None:
    """Add the simulated wallbox through the real config flow, a price and one known card."""
    if request("GET", ENTRIES_PATH, token=token):
        return
    flow = request(
        "POST",
        "/api/config/config_entries/flow",
        token=token,
        body={"handler": DOMAIN, "show_advanced_options": False},
    )
    result = request(
        "POST",
        f"/api/config/config_entries/flow/{flow['flow_id']}",
        token=token,
        body={
            "name": "Demo wallbox",
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
            "fixed_price": 0.32,
            "suspicious_attempts": 3,
            "suspicious_window_min": 10,
            "requires_authorization": False,
            "enforce_authorization": False,
            "release_current": 16,
            "hash_unknown_tags": False,
        },
    )
    options("add_tag", {"tag_id": "04A1B2C3D4", "name": "Alice", "owner": "Alice"})


def error_lines(log: Path) -> list[str]:
    """ERROR lines of a Home Assistant log so far."""
    if not log.exists():
        return []
    return [line for line in log.read_text(errors="replace").splitlines() if " ERROR " in line]


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
    for port in (HA_PORT, SIM_PORT):
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
    configure_wallbox(token)
    if args.check:
        check(args, demo, token, started)
        return
    time.sleep(5)  # let the first polls land before reading the log
    print(
        f"\nHome Assistant is running at {URL} (ready after {time.monotonic() - started:.0f} s)\n"
        f"  login: {USERNAME} / password: {PASSWORD}\n"
        f"  simulated wallbox: Webasto NEXT profile on 127.0.0.1:{SIM_PORT} (Modbus TCP),"
        " playing tools/wallbox_simulator/scenarios/demo.yaml\n"
        f"  logs: {demo.log_file}, {demo.config / 'simulator.log'}\n"
        "Press Ctrl-C to stop.",
        flush=True,
    )
    if errors := error_lines(demo.log_file):
        print(f"WARNING: {len(errors)} ERROR line(s) in the log:", *errors[:10], sep="\n  ")
    while all(child.poll() is None for child in demo.children.processes):
        time.sleep(1)
    raise DemoError("a demo process exited on its own; see the logs above")


def check(args: argparse.Namespace, demo: Demo, token: str, started: float) -> None:
    """Verify the running demo as a user would see it; raise DemoError on any problem."""
    from screenshot import take_screenshots  # noqa: PLC0415 - needs aiohttp, only here

    states = wait_for_live_values(token)
    ready_s = time.monotonic() - started
    print(f"Live values after {ready_s:.0f} s:", flush=True)
    for entity_id, state in sorted(states.items()):
        print(f"  {entity_id}: {state}")
    unavailable = [entity_id for entity_id, state in states.items() if state == "unavailable"]
    if unavailable:
        raise DemoError(f"unavailable entities: {', '.join(unavailable)}")
    take_screenshots(token, args.devtools, Path(args.screenshots))
    if errors := error_lines(demo.log_file):
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
