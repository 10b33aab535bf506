"""Run the demo: wallbox simulator + Home Assistant, onboarded and configured over HA's APIs.

Started by scripts/develop inside the project environment. The config dir is .dev/config
(ignored by git) and is reused by later runs.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / ".dev" / "config"
URL = "http://127.0.0.1:8123"
CLIENT_ID = f"{URL}/"
USERNAME = PASSWORD = "demo"
SIM_PORT = 15020
ENTRIES_PATH = "/api/config/config_entries/entry?domain=ev_session_monitor"

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


def prepare() -> None:
    """Write the config dir and link the integration from the checkout."""
    (CONFIG / "custom_components").mkdir(parents=True, exist_ok=True)
    link = CONFIG / "custom_components" / "ev_session_monitor"
    if not link.is_symlink():
        link.symlink_to(Path("../../../custom_components/ev_session_monitor"))
    (CONFIG / "configuration.yaml").write_text(CONFIGURATION)
    automations = CONFIG / "automations.yaml"
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
    with urllib.request.urlopen(req, timeout=30) as response:
        text = response.read().decode()
    return json.loads(text) if text else None


def wait_for_home_assistant(process: subprocess.Popen[bytes], timeout_s: float = 300) -> None:
    """Wait until the HTTP API answers."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"Home Assistant exited early; see {CONFIG / 'home-assistant.log'}")
        try:
            request("GET", "/auth/providers")  # answers without a login once HTTP is up
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(1)
            continue
        return
    sys.exit("Home Assistant did not start within 5 minutes")


def token_from_code(code: str) -> str:
    """Exchange an authorization code for an access token."""
    tokens = request(
        "POST",
        "/auth/token",
        body={"grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID},
        form=True,
    )
    return str(tokens["access_token"])


ONBOARDING_FILE = CONFIG / ".storage" / "onboarding"


def onboarded() -> bool:
    """Return True once the owner exists and onboarding is marked done."""
    if not ONBOARDING_FILE.exists():
        return False
    return "integration" in json.loads(ONBOARDING_FILE.read_text())["data"]["done"]


def create_owner() -> None:
    """Create the owner through HA's onboarding API (HA must be running)."""
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


def mark_onboarding_done() -> None:
    """Finish onboarding in storage (HA must be stopped).

    Finishing it through the API would also set up HA's onboarding defaults (weather,
    radio, text-to-speech ...), which the demo does not need and which log errors offline.
    """
    ONBOARDING_FILE.write_text(
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


def login() -> str:
    """Log in as the demo user through the login flow; return an access token."""
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
    return token_from_code(result["result"])


def configure_wallbox(token: str) -> None:
    """Add the simulated wallbox through the real config flow, price and one known card."""
    entries = request("GET", ENTRIES_PATH, token=token)
    if entries:
        return
    flow = request(
        "POST",
        "/api/config/config_entries/flow",
        token=token,
        body={"handler": "ev_session_monitor", "show_advanced_options": False},
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
        sys.exit(f"Adding the simulated wallbox failed: {result}")
    entry_id = result["result"]["entry_id"]

    def options(step: str, data: dict[str, Any]) -> None:
        flow = request(
            "POST",
            "/api/config/config_entries/options/flow",
            token=token,
            body={"handler": entry_id},
        )
        path = f"/api/config/config_entries/options/flow/{flow['flow_id']}"
        request("POST", path, token=token, body={"next_step_id": step})
        request("POST", path, token=token, body=data)

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


def error_lines() -> list[str]:
    """ERROR lines of the Home Assistant log so far."""
    log = CONFIG / "home-assistant.log"
    if not log.exists():
        return []
    return [line for line in log.read_text(errors="replace").splitlines() if " ERROR " in line]


def main() -> None:
    """Start, configure, report, and wait for Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--speed", type=float, default=1.0, help="demo scenario time factor")
    args = parser.parse_args()
    prepare()
    # Home Assistant installs a few runtime packages on first start with uv, which needs to be
    # told to use the system CA bundle.
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt",
        "UV_NATIVE_TLS": "true",
    }
    simulator = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tools.wallbox_simulator",
            "--profile",
            "webasto_next",
            "--port",
            str(SIM_PORT),
            "--scenario",
            "demo",
            "--speed",
            str(args.speed),
        ],
        cwd=REPO,
        env=env,
        stdout=(CONFIG / "simulator.log").open("w"),
        stderr=subprocess.STDOUT,
    )

    def start_home_assistant() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "homeassistant", "--config", str(CONFIG)],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(CONFIG / "hass.stderr.log").open("w"),
        )

    hass = start_home_assistant()
    children = [hass, simulator]

    def stop(*_: object) -> None:
        print("\nStopping Home Assistant and the simulator ...", flush=True)
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=60)
            except subprocess.TimeoutExpired:
                child.kill()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print("Starting Home Assistant (the first start takes a minute) ...", flush=True)
    wait_for_home_assistant(hass)
    if not onboarded():
        print("First run: creating the owner and finishing onboarding ...", flush=True)
        create_owner()
        hass.send_signal(signal.SIGTERM)
        hass.wait(timeout=120)
        mark_onboarding_done()
        (CONFIG / "home-assistant.log").unlink(missing_ok=True)
        hass = children[0] = start_home_assistant()
        wait_for_home_assistant(hass)
    configure_wallbox(login())
    time.sleep(5)  # let the first polls land before reading the log
    errors = error_lines()
    print(
        f"\nHome Assistant is running at {URL}\n"
        f"  login: {USERNAME} / password: {PASSWORD}\n"
        f"  simulated wallbox: Webasto NEXT profile on 127.0.0.1:{SIM_PORT} (Modbus TCP),"
        " playing tools/wallbox_simulator/scenarios/demo.yaml\n"
        f"  logs: {CONFIG / 'home-assistant.log'}, {CONFIG / 'simulator.log'}\n"
        "Press Ctrl-C to stop.",
        flush=True,
    )
    if errors:
        print(f"WARNING: {len(errors)} ERROR line(s) in the log:", *errors[:10], sep="\n  ")
    while all(child.poll() is None for child in children):
        time.sleep(1)
    stop()


if __name__ == "__main__":
    main()
