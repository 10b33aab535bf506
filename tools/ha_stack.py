"""A real Home Assistant with this integration, as the demo, the tests and the benchmarks run it.

One place for what scripts/dev_run.py (the demo), tests/browser/portal_stack.py (the browser
tests), tests/durability/harness.py (the kill suite) and benchmarks/scale_benchmark.py share:
the config dir (configuration.yaml, the integration linked from the checkout, config entries
written before the first start), Home Assistant as a child process in its own process group,
onboarding and a login token over Home Assistant's HTTP API, and past sessions seeded into the
session history.

Plain standard library at import (the benchmarks' simulator process and the kill suite import
it); the session history is imported only by the seeding.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from custom_components.ev_session_monitor.core.model import SessionRecord

REPO = Path(__file__).resolve().parent.parent
DOMAIN = "ev_session_monitor"
INTEGRATION = REPO / "custom_components" / DOMAIN
HISTORY_FILE = Path(DOMAIN) / "history.sqlite"  # in the config dir, as const.HISTORY_FILE
START_TIMEOUT_S = 300.0


class StackError(Exception):
    """A step of starting or preparing Home Assistant failed; the message says which and why."""


# --- the config dir ------------------------------------------------------------------------------

TIME_ZONE = "Europe/Berlin"  # the stack's, unless a caller chooses another


def configuration(
    name: str,
    *components: str,
    time_zone: str = TIME_ZONE,
    integration_log: str | None = None,
) -> str:
    """configuration.yaml: the place (Berlin, EUR, metric), the components, warnings logged.

    `components` are YAML blocks, such as "frontend:" or a "recorder:" with its options;
    `integration_log` a log level for the integration's own logger.
    """
    lines = [
        "homeassistant:",
        f"  name: {name}",
        "  unit_system: metric",
        "  currency: EUR",
        "  country: DE",
        f"  time_zone: {time_zone}",
        "  latitude: 52.52",
        "  longitude: 13.40",
        "  elevation: 34",
        *components,
        "logger:",
        "  default: warning",
    ]
    if integration_log:
        lines += ["  logs:", f"    custom_components.{DOMAIN}: {integration_log}"]
    return "\n".join(lines) + "\n"


def prepare_config(
    config: Path,
    configuration_yaml: str,
    *,
    integration: Path | None = INTEGRATION,
    more_components: Mapping[str, Path] | None = None,
) -> None:
    """Write configuration.yaml and link the integration (and `more_components`) into `config`.

    integration None: none (the benchmark's core `modbus` side). A link already there stays (a
    demo's config dir is reused between runs).
    """
    components = config / "custom_components"
    components.mkdir(parents=True, exist_ok=True)
    linked = {DOMAIN: integration} if integration is not None else {}
    for name, target in {**linked, **(more_components or {})}.items():
        link = components / name
        if not link.is_symlink():
            link.symlink_to(target)
    (config / "configuration.yaml").write_text(configuration_yaml)


def write_config_entries(config: Path, entries: Sequence[Mapping[str, Any]]) -> None:
    """Write config entries before the first start, as a config flow leaves them in storage.

    Each entry needs domain, title, data and options; the rest defaults as a flow sets it.
    """
    now = datetime.now(UTC).isoformat()
    defaults = {
        "created_at": now,
        "disabled_by": None,
        "discovery_keys": {},
        "minor_version": 1,
        "modified_at": now,
        "pref_disable_new_entities": False,
        "pref_disable_polling": False,
        "source": "user",
        "subentries": [],
        "unique_id": None,
        "version": 1,
    }
    full = [{**defaults, "entry_id": uuid.uuid4().hex, **entry} for entry in entries]
    storage = config / ".storage"
    storage.mkdir(parents=True, exist_ok=True)
    (storage / "core.config_entries").write_text(
        json.dumps(
            {
                "version": 1,
                "minor_version": 5,
                "key": "core.config_entries",
                "data": {"entries": full},
            },
            indent=2,
        )
    )


# --- child processes -----------------------------------------------------------------------------

# `python -m MODULE ARGS` that gets a signal when the thread that started it ends
# (PR_SET_PDEATHSIG), even when that program is killed: no Home Assistant is left running. Set in
# the child itself, not in a preexec_fn, which is unsafe in a program with threads (the kill suite
# plays its runs in threads).
_WITH_PARENT_DEATH_SIGNAL = (
    "import ctypes, runpy, sys;"
    "ctypes.CDLL(None).prctl(1, int(sys.argv[1]));"
    "sys.argv = sys.argv[2:];"
    "runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)"
)


def python_module(
    module: str, *args: str, parent_death: signal.Signals = signal.SIGTERM
) -> list[str]:
    """Command line running a module like `python -m`, sent `parent_death` when we end."""
    return [sys.executable, "-c", _WITH_PARENT_DEATH_SIGNAL, str(int(parent_death)), module, *args]


def home_assistant_command(
    config: Path, *, skip_pip: bool = False, parent_death: signal.Signals = signal.SIGTERM
) -> list[str]:
    """`python -m homeassistant --config CONFIG`, bound to this program's life."""
    args = ["--config", str(config)] + (["--skip-pip"] if skip_pip else [])
    return python_module("homeassistant", *args, parent_death=parent_death)


def home_assistant_env(*, port: int | None = None, checkout_on_path: bool = True) -> dict[str, str]:
    """The environment of a Home Assistant child.

    port: its HTTP port, through SETUP_PORT (an `http:` YAML section would become a pending
    setting that Home Assistant reverts, restarting itself, after five minutes).
    checkout_on_path False: the integration is imported from the config dir's custom_components,
    as in a user's installation (a package of the same name on the path would win).
    Home Assistant installs runtime packages with uv, which is told to use the system CA bundle.
    """
    env = dict(os.environ)
    if checkout_on_path:
        env["PYTHONPATH"] = str(REPO)
    else:
        env.pop("PYTHONPATH", None)
    env |= {"SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt", "UV_NATIVE_TLS": "true"}
    if port is not None:
        env["SETUP_PORT"] = str(port)
    return env


def signal_group(pgid: int, sig: signal.Signals) -> None:
    """Send `sig` to a process group that may be gone already."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


class Child:
    """A child process in a process group of its own, its output in a log file."""

    def __init__(
        self,
        command: list[str],
        *,
        log: Path,
        env: Mapping[str, str],
        cwd: Path = REPO,
        append: bool = True,
    ) -> None:
        """Start it."""
        with log.open("ab" if append else "wb") as output:
            self.process = subprocess.Popen(
                command,
                cwd=cwd,
                env=dict(env),
                stdout=output,
                stderr=subprocess.STDOUT,
                process_group=0,
            )
        self.log = log

    @property
    def pid(self) -> int:
        """The child's pid, which is also its process group's id."""
        return self.process.pid

    def alive(self) -> bool:
        """True while the child runs."""
        return self.process.poll() is None

    def stop(self, timeout_s: float = 60, sig: signal.Signals = signal.SIGTERM) -> None:
        """`sig` to the child's group (a clean stop); SIGKILL if it does not end in time.

        Helpers the child left running in its group (ffmpeg, pip) are killed afterwards.
        """
        if self.alive():
            signal_group(self.pid, sig)
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                signal_group(self.pid, signal.SIGKILL)
                self.process.wait()
        signal_group(self.pid, signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL the child's group (a crash, a power cut) and reap the child."""
        signal_group(self.pid, signal.SIGKILL)
        self.process.wait()


class Children:
    """The children one program started; stop() ends them all, newest first."""

    def __init__(self) -> None:
        """Start with none."""
        self.started: list[Child] = []

    def start(
        self, command: list[str], *, log: Path, env: Mapping[str, str], cwd: Path = REPO
    ) -> Child:
        """Start a child and keep it."""
        child = Child(command, log=log, env=env, cwd=cwd)
        self.started.append(child)
        return child

    def stop(self) -> None:
        """Stop every child, newest first."""
        for child in reversed(self.started):
            child.stop()

    def forget(self, child: Child) -> None:
        """Stop a child and drop it (Home Assistant restarted with another process)."""
        child.stop(timeout_s=120)
        self.started.remove(child)

    def survivors(self, grace_s: float = 10) -> list[int]:
        """Pids still running in any of the children's process groups after `grace_s`."""
        groups = {child.pid for child in self.started}
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


# --- Home Assistant's HTTP API -------------------------------------------------------------------


def request(
    url: str,
    method: str,
    path: str,
    *,
    token: str | None = None,
    body: Any = None,
    form: bool = False,
) -> Any:
    """One HTTP call to the Home Assistant at `url`; JSON (or a form) in, JSON out."""
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
    req = urllib.request.Request(url + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            text = response.read().decode()
    except urllib.error.HTTPError as err:
        raise StackError(
            f"{method} {path} answered {err.code}: {err.read().decode()[:500]}"
        ) from None
    if not text:
        return None
    return json.loads(text) if text[0] in "[{" else text


def wait_until_answers(url: str, hass: Child, timeout_s: float = START_TIMEOUT_S) -> None:
    """Wait until Home Assistant's HTTP server answers (any answer: before onboarding, a 400)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not hass.alive():
            raise StackError(
                f"Home Assistant exited early (code {hass.process.returncode}); see {hass.log}"
            )
        try:
            urllib.request.urlopen(url + "/auth/providers", timeout=10).close()
        except urllib.error.HTTPError:
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(1)
            continue
        return
    raise StackError(f"Home Assistant did not answer within {timeout_s / 60:.0f} minutes")


def create_owner(url: str, name: str, username: str, password: str) -> str:
    """Onboarding's first step: the owner (an administrator); return an authorization code."""
    owner = request(
        url,
        "POST",
        "/api/onboarding/users",
        body={
            "client_id": f"{url}/",
            "name": name,
            "username": username,
            "password": password,
            "language": "en",
        },
    )
    return str(owner["auth_code"])


def token_for_code(url: str, code: str) -> str:
    """An access token for an authorization code (of the onboarding or a login flow)."""
    tokens = request(
        url,
        "POST",
        "/auth/token",
        body={"grant_type": "authorization_code", "code": code, "client_id": f"{url}/"},
        form=True,
    )
    return str(tokens["access_token"])


def finish_onboarding(url: str, token: str) -> None:
    """The remaining onboarding steps through the API (with Home Assistant's defaults)."""
    request(url, "POST", "/api/onboarding/core_config", token=token, body={})
    request(url, "POST", "/api/onboarding/analytics", token=token, body={})
    request(
        url,
        "POST",
        "/api/onboarding/integration",
        token=token,
        body={"client_id": f"{url}/", "redirect_uri": f"{url}/?auth_callback=1"},
    )


def onboarding_file(config: Path) -> Path:
    """Where Home Assistant keeps the onboarding progress."""
    return config / ".storage" / "onboarding"


def onboarded(config: Path) -> bool:
    """True once onboarding is marked done."""
    path = onboarding_file(config)
    return path.exists() and "integration" in json.loads(path.read_text())["data"]["done"]


def mark_onboarded(config: Path) -> None:
    """Mark onboarding done in storage, while Home Assistant is stopped.

    Finishing it through the API would also set up Home Assistant's onboarding defaults
    (weather, radio, text-to-speech ...), which log errors offline.
    """
    onboarding_file(config).write_text(
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


def login(url: str, username: str, password: str, timeout_s: float = 60) -> str:
    """Log in through the login flow; return an access token.

    Right after start the HTTP server answers before the auth providers are loaded; retry.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        flow = request(
            url,
            "POST",
            "/auth/login_flow",
            body={
                "client_id": f"{url}/",
                "handler": ["homeassistant", None],
                "redirect_uri": f"{url}/?auth_callback=1",
            },
        )
        result = request(
            url,
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            body={"client_id": f"{url}/", "username": username, "password": password},
        )
        if "result" in result:
            return token_for_code(url, result["result"])
        if time.monotonic() > deadline:
            raise StackError(f"logging in as {username} failed: {result}")
        time.sleep(2)


def error_lines(log: Path, containing: str = "") -> list[str]:
    """ERROR lines of a Home Assistant log so far (only those naming `containing`, if given)."""
    if not log.exists():
        return []
    return [
        line
        for line in log.read_text(errors="replace").splitlines()
        if " ERROR " in line and containing in line
    ]


# --- past sessions -------------------------------------------------------------------------------

type Card = tuple[str | None, str | None]  # tag id and name; (None, None): charged without a card


def past_sessions(
    charger_id: str,
    charger_name: str,
    cards: Sequence[Card],
    *,
    count: int,
    days: float,
    price_eur_kwh: float = 0.32,
    evenings_in: str | None = None,
    daytime_in: str | None = None,
    seed: int = 13,
    id_prefix: str = "seed",
) -> list[SessionRecord]:
    """`count` finished sessions spread evenly over the last `days` days, up to yesterday.

    Each charges 30 minutes to 4 hours at 7.2 kW on one of `cards` (chosen at random). With
    `evenings_in` (a time zone) each starts in that zone's evening, between 17:00 and 20:00, as
    a household's car comes home, on days of its own (`count` at most `days`); else at the even
    spacing's time. With `daytime_in` (a time zone) the even spacing is kept day by day but
    squeezed into 06:00-20:00 there, as cars arrive at a shared site: the small hours stay empty
    (the occupancy by hour of the week differs). Seeded: the same every run.
    """
    if evenings_in is not None and count > days:
        raise ValueError(f"{count} evening sessions do not fit into {days} days")
    from custom_components.ev_session_monitor.core.model import SessionRecord  # noqa: PLC0415

    rng = random.Random(seed)
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    step = timedelta(days=days) / count
    records = []
    for index in range(count):
        started = end - step * (count - index)
        charging = rng.uniform(1800, 4 * 3600)
        energy = 7200 * charging / 3600
        tag = rng.choice(cards)
        source = rng.choice(("meter", "meter", "session_counter"))
        gaps = rng.choice((0, 0, 0, 1))
        if evenings_in is not None:
            # Whole days back from yesterday, never two on one evening (count <= days).
            zone = ZoneInfo(evenings_in)
            day = end.astimezone(zone).date() - timedelta(days=int(days * (count - index) // count))
            evening = datetime.combine(day, dt_time(17), zone)
            started = (evening + timedelta(minutes=rng.randrange(180))).astimezone(UTC)
        elif daytime_in is not None:
            local = started.astimezone(ZoneInfo(daytime_in))
            midnight = datetime.combine(local.date(), dt_time(0), local.tzinfo)
            share_of_day = (local - midnight) / timedelta(days=1)
            started = (midnight + timedelta(hours=6 + 14 * share_of_day)).astimezone(UTC)
        records.append(
            SessionRecord(
                session_id=f"{id_prefix}{index:06d}",
                charger_id=charger_id,
                charger_name=charger_name,
                started_at=started,
                ended_at=started + timedelta(seconds=charging + 600),
                charging_s=charging,
                energy_wh=energy,
                cost=round(energy / 1000 * price_eur_kwh, 4),
                currency="EUR",
                avg_power_w=7200.0,
                peak_power_w=7400.0,
                tag_id=tag[0],
                tag_name=tag[1],
                energy_source=source,
                gaps=gaps,
            )
        )
    return records


def seed_history(config: Path, records: Sequence[SessionRecord]) -> int:
    """Add finished sessions to the integration's session history; return how many were new.

    The history (SQLite, WAL) may be open in the running integration meanwhile; a session
    already there (same id) stays as it is.
    """
    from custom_components.ev_session_monitor.core.history import SessionHistory  # noqa: PLC0415

    with SessionHistory(config / HISTORY_FILE) as history:
        return history.add_many(records)
