"""OCPP 1.6J central system under load: N simulated charge points in client processes.

Three targets, the same load:

- core (default): core/ocpp's `CentralSystem` alone in its own process, with a counting sink
  and the JSON transaction file; records are the meter samples handed to the sink.
- `--ha`: a whole Home Assistant (tools/ha_stack.py) with this integration, one entry per charge
  point added through the config flow's REST API (its generated password is what the box
  uses), the benchmark card in the card registry, the recorder on SQLite.
- `--peer DIR`: a Home Assistant with lbbrhzn/ocpp from the checkout DIR (its
  custom_components/ocpp linked into the config dir), one central system entry holding every
  charge point as its discovery flow leaves them (written to storage before the start: its flow
  would reload the entry, and with it its websocket server, once per charge point).
  `--peer-pythonpath DIR` puts requirements the environment lacks (websockets) on its path;
  it starts with --skip-pip, so nothing is installed. With `--ha` too, both run one after the
  other per size and the ratios (ours / peer) are printed.

The charge points (tools/ocpp_charge_point, the `ocpp` library's client, strict validation)
are spread over `--clients` processes (default: one per 64 charge points, at most 8), so the
latencies measure the central system, not a saturated client loop. Their boots are spread
evenly over `--boot-spread` seconds (a site's boxes coming online, not one instant). Each
boots, reports Preparing, starts a transaction, reports Charging, sends MeterValues every
`--interval` seconds (energy register, power with +-0.5 % noise, current per phase; 10 s, and
1 s as the stress case) until the common end, then (2 s later, outside the window, spread
over the same seconds as the boots) stops its transaction.

Measured in the steady window (every box booted and charging, from one interval after the last
boot to the end): the central system's CPU % of one core (/proc/<pid>/stat, all its threads)
and records per charge-point-hour (core: meter samples; Home Assistant: recorder `states`
rows). Over the whole run: peak RSS, response latency p50/p99/max seen by the charge points
(and p99 of the messages before the window, while boxes boot: "boot", of the MeterValues in
the window: "steady", and of the stops), lost
calls (no answer or a failed charge point; must be 0) and charge points that received frames
failing strict OCPP 1.6 validation ("strict").

    python benchmarks/ocpp_benchmark.py [--sizes 1,10,100,500] [--interval 1] [--duration 60]
    python benchmarks/ocpp_benchmark.py --ha --peer ../lbbrhzn-ocpp --peer-pythonpath DEPS

The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tools import ha_stack  # noqa: E402
from tools.ports import free_port  # noqa: E402

PASSWORD = "benchmark-password"  # the core target's one password
CARD = "BENCHCARD"
CHARGING_W = 11000.0
PER_CLIENT = 64
# Seconds after the window's end at which every box stops its transaction and leaves.
STOP_AFTER_S = 2.0
MAX_CLIENTS = 8
# Home Assistant counts as idle (setup done, recorder caught up) below this share of a core.
SETTLED_CPU = 0.05
SETTLE_S = 3.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

_CORE_SERVER = r"""
import asyncio, json, signal, sys
from pathlib import Path
from custom_components.ev_session_monitor.core.ocpp.events import CardDecision
from custom_components.ev_session_monitor.core.ocpp.handler import ChargePointSettings
from custom_components.ev_session_monitor.core.ocpp.server import CentralSystem
from custom_components.ev_session_monitor.core.ocpp.transaction_ids import JsonFileTransactionIds

class Sink:
    samples = 0
    def __getattr__(self, name):
        async def record(*args):
            if name == "meter_sample":
                Sink.samples += 1
        return record

async def accept(charge_point_id, id_tag):
    return CardDecision.ACCEPTED

async def main():
    settings = ChargePointSettings(Sink(), accept, JsonFileTransactionIds(Path(sys.argv[1])))
    system = CentralSystem(settings, lambda cp: sys.argv[2], host="127.0.0.1", port=0)
    await system.start()
    print(system.port, flush=True)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGUSR1, lambda: print(Sink.samples, flush=True))
    await stop.wait()
    await system.stop()

asyncio.run(main())
"""


# --- the client processes ------------------------------------------------------------------


def _now_rfc3339() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class _Tally:
    """What one client process saw."""

    def __init__(self) -> None:
        self.boot_ms: list[float] = []
        self.steady_ms: list[float] = []
        self.stop_ms: list[float] = []
        self.lost = 0
        self.failed: list[str] = []
        self.strict: list[str] = []

    async def timed(self, box: Any, payload: Any, into: list[float]) -> Any:
        started = time.perf_counter()
        try:
            result = await box.call(payload, suppress=False)
        except Exception:  # noqa: BLE001  # no answer or an error answer: the call is lost
            self.lost += 1
            return None
        into.append((time.perf_counter() - started) * 1000)
        return result


async def _charge_point(
    url: str,
    charge_point_id: str,
    password: str,
    number: int,
    boot_at: float,
    window_begin: float,
    end_at: float,
    stop_at: float,
    interval: float,
    tally: _Tally,
) -> None:
    from ocpp.v16 import call  # the parent process needs no ocpp import

    from tools.ocpp_charge_point import connect

    rng = random.Random(number)
    await asyncio.sleep(max(0.0, boot_at - time.time()))
    async with connect(f"{url}/{charge_point_id}", charge_point_id, password) as box:
        await tally.timed(box, call.BootNotification("Bench", "Sim"), tally.boot_ms)

        def status(state: str) -> Any:
            return call.StatusNotification(1, "NoError", state, timestamp=_now_rfc3339())

        await tally.timed(box, status("Preparing"), tally.boot_ms)
        meter_start = 1_000_000 + 10_000 * number
        started = await tally.timed(
            box, call.StartTransaction(1, CARD, meter_start, _now_rfc3339()), tally.boot_ms
        )
        transaction_id = started.transaction_id if started else 0
        await tally.timed(box, status("Charging"), tally.boot_ms)
        charging_since = time.monotonic()
        energy = meter_start
        # Drift-free schedule; the first sample a fraction of an interval in, varied per box.
        next_at = time.time() + interval * rng.random()
        while next_at < end_at:
            await asyncio.sleep(max(0.0, next_at - time.time()))
            power = CHARGING_W * rng.uniform(0.995, 1.005)
            energy = meter_start + round(CHARGING_W * (time.monotonic() - charging_since) / 3600)
            amps = f"{power / 3 / 230:.1f}"
            element = {
                "timestamp": _now_rfc3339(),
                "sampledValue": [
                    {
                        "value": str(energy),
                        "context": "Sample.Periodic",
                        "measurand": "Energy.Active.Import.Register",
                        "unit": "Wh",
                    },
                    {"value": f"{power:.0f}", "measurand": "Power.Active.Import", "unit": "W"},
                    *(
                        {"value": amps, "measurand": "Current.Import", "phase": p, "unit": "A"}
                        for p in ("L1", "L2", "L3")
                    ),
                ],
            }
            meter = call.MeterValues(1, [element], transaction_id=transaction_id)
            # Before the window other boxes still boot: those samples wait with the boots.
            into = tally.steady_ms if time.time() >= window_begin else tally.boot_ms
            await tally.timed(box, meter, into)
            next_at += interval
        # The stop and the disconnect (a row for nearly every entity of the box, once) come
        # after the window: in a window of a few intervals they outweighed the steady rows.
        # They are spread as the boots are: 500 cars leaving in one second is a storm of its
        # own (each stop is written to disk before its answer), measured apart.
        await asyncio.sleep(max(0.0, stop_at - time.time()))
        stop = call.StopTransaction(energy, _now_rfc3339(), transaction_id)
        await tally.timed(box, stop, tally.stop_ms)
        await tally.timed(box, status("Finishing"), tally.stop_ms)


async def _client(spec: dict[str, Any]) -> dict[str, Any]:
    from tools.ocpp_charge_point.charge_point import StrictViolationError

    tally = _Tally()
    points = spec["points"]

    async def cpu_at(moment: float) -> float:
        await asyncio.sleep(max(0.0, moment - time.time()))
        return time.process_time()

    # This process's own CPU in the window: is the machine itself saturated?
    cpu = asyncio.gather(cpu_at(spec["window_begin"]), cpu_at(spec["end_at"]))
    results = await asyncio.gather(
        *(
            _charge_point(
                spec["url"],
                point["id"],
                point["password"],
                point["number"],
                point["boot_at"],
                spec["window_begin"],
                spec["end_at"],
                point["stop_at"],
                spec["interval"],
                tally,
            )
            for point in points
        ),
        return_exceptions=True,
    )
    for point, result in zip(points, results, strict=True):
        if isinstance(result, StrictViolationError):
            tally.strict.append(f"{point['id']}: {str(result)[:300]}")
        elif isinstance(result, BaseException):
            tally.lost += 1
            tally.failed.append(f"{point['id']}: {type(result).__name__}: {str(result)[:300]}")
    cpu_begin, cpu_end = await cpu
    return {
        "cpu_s": cpu_end - cpu_begin,
        "boot_ms": tally.boot_ms,
        "steady_ms": tally.steady_ms,
        "stop_ms": tally.stop_ms,
        "lost": tally.lost,
        "failed": tally.failed,
        "strict": tally.strict,
    }


def client_main(spec_file: Path) -> None:
    """One client process: run its charge points, print what they saw as one JSON line."""
    spec = json.loads(spec_file.read_text())
    print(json.dumps(asyncio.run(_client(spec))), flush=True)


# --- measuring a process -------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _state_rows(database: Path, start: float, end: float) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        (rows,) = db.execute(
            "SELECT COUNT(*) FROM states WHERE last_updated_ts >= ? AND last_updated_ts < ?",
            (start, end),
        ).fetchone()
    return int(rows)


def _wait(
    check: Callable[[], bool], timeout_s: float, what: str, alive: Callable[[], bool]
) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if not alive():
            sys.exit(f"the central system exited while waiting for {what}")
        if time.monotonic() > deadline:
            sys.exit(f"timed out waiting for {what}")
        time.sleep(1)


def _ids(size: int) -> list[str]:
    return [f"BENCH-{number:04d}" for number in range(size)]


# --- targets -------------------------------------------------------------------------------


class CoreTarget:
    """core/ocpp's CentralSystem alone, in a process of its own."""

    name = "core"

    def __init__(self, work: Path, size: int, interval: float) -> None:
        """Start the central system."""
        self.process = subprocess.Popen(
            [sys.executable, "-c", _CORE_SERVER, str(work / "ids.json"), PASSWORD],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        assert self.process.stdout is not None
        self.url = f"ws://127.0.0.1:{int(self.process.stdout.readline())}"
        self.passwords = dict.fromkeys(_ids(size), PASSWORD)
        self.pid = self.process.pid
        self._samples: list[int] = []

    def mark(self, _: float) -> None:
        """Note the samples so far (at the window's begin and end)."""
        assert self.process.stdout is not None
        self.process.send_signal(signal.SIGUSR1)
        self._samples.append(int(self.process.stdout.readline()))

    def records(self, _begin: float, _end: float) -> int:
        """Meter samples the sink got in the window; stops the central system."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(30)
        return self._samples[1] - self._samples[0]

    def stop(self) -> None:
        """End the process if it still runs."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class HomeAssistantTarget:
    """A Home Assistant process with one OCPP integration and the recorder."""

    name = "ha"

    def __init__(self, work: Path, size: int, interval: float) -> None:
        """Prepare the config dir, start Home Assistant, add the charge points."""
        self.config = work / self.name
        self.config.mkdir()
        self.http = f"http://127.0.0.1:{free_port()}"
        self.ocpp_port = free_port()
        self.url = f"ws://127.0.0.1:{self.ocpp_port}"
        self.passwords: dict[str, str] = {}
        self.prepare(size, interval)
        self.child = ha_stack.Child(
            self.command(),
            log=self.config / "home-assistant.stderr",
            env=self.env(),
            cwd=self.config,
            append=False,
        )
        self.pid = self.child.pid
        ha_stack.wait_until_answers(self.http, self.child)
        code = ha_stack.create_owner(self.http, "Owner", "owner", "owner-password")
        self.token = ha_stack.token_for_code(self.http, code)
        self.add_charge_points(size)
        _wait(self.listening, 120, "the OCPP port", self.child.alive)
        # Adding hundreds of entries leaves the recorder minutes of registry events to write;
        # a user's boxes connect to a Home Assistant that is done with that.
        _wait(self.settled, 900, "Home Assistant to settle", self.child.alive)

    def settled(self) -> bool:
        """True once Home Assistant used under SETTLED_CPU of a core for SETTLE_S."""
        before = _cpu_seconds(self.pid)
        time.sleep(SETTLE_S)
        return (_cpu_seconds(self.pid) - before) / SETTLE_S < SETTLED_CPU

    def configuration(self) -> str:
        """configuration.yaml: what the flow API and the recorder need, nothing else."""
        return ha_stack.configuration(
            f"OCPP benchmark ({self.name})",
            "onboarding:",
            "config:",
            "recorder:\n  purge_keep_days: 1",
            time_zone="UTC",
        )

    def prepare(self, size: int, interval: float) -> None:
        """This integration linked in, the benchmark card known."""
        del size, interval
        ha_stack.prepare_config(self.config, self.configuration())
        storage = self.config / ".storage"
        storage.mkdir(exist_ok=True)
        (storage / f"{ha_stack.DOMAIN}.tags").write_text(
            json.dumps(
                {
                    "version": 1,
                    "minor_version": 1,
                    "key": f"{ha_stack.DOMAIN}.tags",
                    "data": {"tags": [{"tag_id": CARD, "name": "Benchmark"}]},
                }
            )
        )

    def command(self) -> list[str]:
        """How Home Assistant is started."""
        return ha_stack.home_assistant_command(self.config)

    def env(self) -> dict[str, str]:
        """Its environment: the integration from the config dir, as a user has it."""
        return ha_stack.home_assistant_env(port=None, checkout_on_path=False) | {
            "SETUP_PORT": self.http.rsplit(":", 1)[1]
        }

    def _add(self, charge_point_id: str) -> str:
        flow = ha_stack.request(
            self.http,
            "POST",
            "/api/config/config_entries/flow",
            token=self.token,
            body={"handler": ha_stack.DOMAIN},
        )
        path = f"/api/config/config_entries/flow/{flow['flow_id']}"
        ha_stack.request(self.http, "POST", path, token=self.token, body={"next_step_id": "ocpp"})
        shown = ha_stack.request(
            self.http,
            "POST",
            path,
            token=self.token,
            body={
                "name": charge_point_id,
                "charge_point_id": charge_point_id,
                "ocpp_port": self.ocpp_port,
            },
        )
        if shown.get("step_id") != "ocpp_password":
            raise ha_stack.StackError(f"adding {charge_point_id} failed: {shown}")
        result = ha_stack.request(self.http, "POST", path, token=self.token, body={})
        if result.get("type") != "create_entry":
            raise ha_stack.StackError(f"adding {charge_point_id} failed: {result}")
        return str(shown["description_placeholders"]["password"])

    def add_charge_points(self, size: int) -> None:
        """Every charge point through the config flow, a few at a time; wait until loaded."""
        ids = _ids(size)
        with ThreadPoolExecutor(4) as pool:
            self.passwords = dict(zip(ids, pool.map(self._add, ids), strict=True))

        def loaded() -> bool:
            entries = ha_stack.request(
                self.http,
                "GET",
                f"/api/config/config_entries/entry?domain={ha_stack.DOMAIN}",
                token=self.token,
            )
            return sum(entry["state"] == "loaded" for entry in entries) == size

        _wait(loaded, 600, f"{size} loaded entries", self.child.alive)

    def listening(self) -> bool:
        """True once the OCPP port takes connections."""
        import socket

        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.ocpp_port)):
            return True
        return False

    def mark(self, _: float) -> None:
        """Nothing to note: the recorder's rows carry their times."""

    def records(self, begin: float, end: float) -> int:
        """Recorder `states` rows written in the window; stops Home Assistant first."""
        self.child.stop(timeout_s=120)  # a clean stop commits the recorder's last rows
        return _state_rows(self.config / "home-assistant_v2.db", begin, end)

    def stop(self) -> None:
        """End Home Assistant if it still runs."""
        self.child.stop(timeout_s=60)


class PeerTarget(HomeAssistantTarget):
    """A Home Assistant process with lbbrhzn/ocpp (one central system, N charge points)."""

    name = "peer"
    checkout: Path
    pythonpath: str = ""

    def prepare(self, size: int, interval: float) -> None:
        """lbbrhzn/ocpp linked in; its entry with every charge point, as its flow writes it."""
        ha_stack.prepare_config(
            self.config,
            self.configuration(),
            integration=None,
            more_components={"ocpp": self.checkout / "custom_components" / "ocpp"},
        )
        # Its central system form (config_flow.py STEP_USER_CS_DATA_SCHEMA) with the defaults,
        # and per charge point its cp_user form with the defaults (measurands detected at boot,
        # notifications on) and the meter interval set to the one the boxes use.
        charge_point = {
            "max_current": 32,
            "monitored_variables_autoconfig": True,
            "meter_interval": max(1, round(interval)),
            "idle_interval": 900,
            "skip_schema_validation": False,
            "force_smart_charging": False,
            "enable_ha_notifications": True,
            "num_connectors": 1,
            "monitored_variables": _peer_measurands(self.checkout),
        }
        ha_stack.write_config_entries(
            self.config,
            [
                {
                    "domain": "ocpp",
                    "title": "central",
                    "version": 2,
                    "minor_version": 2,
                    "data": {
                        "host": "127.0.0.1",
                        "port": self.ocpp_port,
                        "ssl": False,
                        "ssl_certfile_path": str(self.config / "fullchain.pem"),
                        "ssl_keyfile_path": str(self.config / "privkey.pem"),
                        "csid": "central",
                        "ocpp_version": "auto",
                        "websocket_close_timeout": 10,
                        "websocket_ping_tries": 2,
                        "websocket_ping_interval": 20,
                        "websocket_ping_timeout": 20,
                        "cpids": [
                            {cp_id: {**charge_point, "cpid": cp_id.lower().replace("-", "_")}}
                            for cp_id in _ids(size)
                        ],
                    },
                    "options": {},
                }
            ],
        )

    def command(self) -> list[str]:
        """Home Assistant without installing anything (its requirements are on the path)."""
        return ha_stack.home_assistant_command(self.config, skip_pip=True)

    def env(self) -> dict[str, str]:
        """The peer's extra requirements on the path."""
        env = super().env()
        if self.pythonpath:
            env["PYTHONPATH"] = self.pythonpath
        return env

    def add_charge_points(self, size: int) -> None:
        """They are in the entry already; the password is not checked by the peer."""
        self.passwords = dict.fromkeys(_ids(size), PASSWORD)

        def loaded() -> bool:
            entries = ha_stack.request(
                self.http, "GET", "/api/config/config_entries/entry?domain=ocpp", token=self.token
            )
            states = [entry["state"] for entry in entries]
            if states and states[0] not in ("loaded", "not_loaded", "setup_in_progress"):
                raise ha_stack.StackError(f"lbbrhzn/ocpp did not load: {states}; see its log")
            return states == ["loaded"]

        _wait(loaded, 300, "lbbrhzn/ocpp's entry", self.child.alive)


def _peer_measurands(checkout: Path) -> str:
    """Its DEFAULT_MONITORED_VARIABLES: every measurand it knows (const.py MEASURANDS)."""
    source = (checkout / "custom_components" / "ocpp" / "const.py").read_text()
    block = source.split("MEASURANDS = [", 1)[1].split("]", 1)[0]
    names = [
        part.strip().removeprefix("Measurand.").removesuffix(".value") for part in block.split(",")
    ]
    from ocpp.v16.enums import Measurand

    return ",".join(getattr(Measurand, name).value for name in names if name)


# --- one run -------------------------------------------------------------------------------


def _percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def run(
    target_type: type[HomeAssistantTarget] | type[CoreTarget], size: int, args: Any
) -> dict[str, Any]:
    """One size against one target; the figures as a dict."""
    clients = args.clients or min(MAX_CLIENTS, math.ceil(size / PER_CLIENT))
    work = Path(tempfile.mkdtemp(prefix=f"evsm-ocpp-{target_type.name}-{size}-"))
    target: Any = None
    processes: list[subprocess.Popen[str]] = []
    try:
        target = target_type(work, size, args.interval)
        t0 = time.time() + 5  # the client processes import the ocpp library meanwhile
        end_at = t0 + args.boot_spread + args.duration
        # Whole intervals, so that every box sends the same number of samples in the window.
        intervals = math.floor((args.duration - args.interval - 2) / args.interval)
        if intervals < 1:
            sys.exit("--duration must exceed two intervals")
        window_begin = end_at - intervals * args.interval
        points = [
            {
                "id": cp_id,
                "password": target.passwords[cp_id],
                "number": number,
                "boot_at": t0 + args.boot_spread * number / size,
                "stop_at": end_at + STOP_AFTER_S + args.boot_spread * number / size,
            }
            for number, cp_id in enumerate(_ids(size))
        ]
        for index in range(clients):
            spec = work / f"client{index}.json"
            spec.write_text(
                json.dumps(
                    {
                        "url": target.url,
                        "points": points[index::clients],
                        "window_begin": window_begin,
                        "end_at": end_at,
                        "interval": args.interval,
                    }
                )
            )
            processes.append(
                subprocess.Popen(
                    [sys.executable, __file__, "--client", str(spec)],
                    stdout=subprocess.PIPE,
                    text=True,
                    cwd=REPO,
                )
            )
        rss = 0.0
        cpu: list[float] = []
        for moment in (window_begin, end_at):
            while time.time() < moment:
                rss = max(rss, _rss_mib(target.pid))
                time.sleep(min(0.5, max(0.0, moment - time.time())))
            cpu.append(_cpu_seconds(target.pid))
            target.mark(moment)
        reports = []
        for process in processes:
            out, _ = process.communicate(timeout=120 + size)
            reports.append(json.loads(out.strip().splitlines()[-1]))
        window_s = end_at - window_begin
        records = target.records(window_begin, end_at)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
        if target is not None:
            target.stop()
        if args.keep:
            print(f"  kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    boot = sorted(ms for report in reports for ms in report["boot_ms"])
    steady = sorted(ms for report in reports for ms in report["steady_ms"])
    stop = sorted(ms for report in reports for ms in report["stop_ms"])
    every = sorted(boot + steady + stop)
    failed = [line for report in reports for line in report["failed"]]
    strict = [line for report in reports for line in report["strict"]]
    for line in (failed + strict)[:5]:
        print(f"  {target_type.name} {size}: {line}", file=sys.stderr)
    return {
        "target": target_type.name,
        "charge_points": size,
        "clients": clients,
        "interval_s": args.interval,
        "cpu_percent": round((cpu[1] - cpu[0]) / window_s * 100, 1),
        "client_cpu_percent": round(
            sum(report.get("cpu_s", 0.0) for report in reports) / window_s * 100, 1
        ),
        "rss_mib": round(rss, 1),
        "p50_ms": round(statistics.median(every), 2) if every else 0.0,
        "p99_ms": round(_percentile(every, 0.99), 2),
        "max_ms": round(every[-1], 2) if every else 0.0,
        "boot_p99_ms": round(_percentile(boot, 0.99), 2),
        "steady_p99_ms": round(_percentile(steady, 0.99), 2),
        "stop_p99_ms": round(_percentile(stop, 0.99), 2),
        "lost": sum(report["lost"] for report in reports),
        "strict": len(strict),
        "records_per_cp_hour": round(records / size / (window_s / 3600)),
        "messages": len(every),
    }


# --- the report ----------------------------------------------------------------------------

_COLUMNS = (
    ("target", "target", 6),
    ("charge_points", "CPs", 5),
    ("interval_s", "every s", 7),
    ("cpu_percent", "CPU %", 6),
    ("client_cpu_percent", "clients %", 9),
    ("rss_mib", "RSS MiB", 8),
    ("p50_ms", "p50 ms", 7),
    ("p99_ms", "p99 ms", 7),
    ("max_ms", "max ms", 8),
    ("boot_p99_ms", "boot p99", 8),
    ("steady_p99_ms", "steady p99", 10),
    ("stop_p99_ms", "stop p99", 8),
    ("lost", "lost", 5),
    ("strict", "strict", 6),
    ("records_per_cp_hour", "rec/CP-h", 8),
)


def _table(rows: list[dict[str, Any]]) -> None:
    print(" ".join(f"{title:>{width}}" for _, title, width in _COLUMNS))
    for row in rows:
        print(" ".join(f"{row[key]!s:>{width}}" for key, _, width in _COLUMNS))


def _ratios(rows: list[dict[str, Any]]) -> None:
    """Ours in Home Assistant / the peer, per size."""
    ours = {row["charge_points"]: row for row in rows if row["target"] == "ha"}
    peer = {row["charge_points"]: row for row in rows if row["target"] == "peer"}
    keys = ("cpu_percent", "rss_mib", "p99_ms", "max_ms", "records_per_cp_hour")
    print("\nours in Home Assistant / lbbrhzn/ocpp in Home Assistant")
    print(f"{'CPs':>5} " + " ".join(f"{key:>20}" for key in keys))
    for size in sorted(ours.keys() & peer.keys()):
        cells = [
            f"{ours[size][key] / peer[size][key]:.2f}" if peer[size][key] else "-" for key in keys
        ]
        print(f"{size:>5} " + " ".join(f"{cell:>20}" for cell in cells))


def main() -> None:
    """Run the sizes against the chosen targets; print a table, ratios and a JSON line."""
    if len(sys.argv) == 3 and sys.argv[1] == "--client":
        client_main(Path(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1,10,100,500")
    parser.add_argument("--interval", type=float, default=10.0, help="MeterValues every s")
    parser.add_argument(
        "--duration", type=float, default=60.0, help="s of charging after the last boot"
    )
    parser.add_argument("--boot-spread", type=float, default=10.0, help="boots spread over s")
    parser.add_argument("--clients", type=int, default=0, help="client processes (0: auto)")
    parser.add_argument("--quick", action="store_true", help="1 and 10 charge points, 30 s")
    parser.add_argument("--ha", action="store_true", help="a Home Assistant with this integration")
    parser.add_argument("--peer", type=Path, help="a checkout of lbbrhzn/ocpp")
    parser.add_argument("--peer-pythonpath", default="", help="the peer's extra requirements")
    parser.add_argument("--keep", action="store_true", help="keep config dirs and logs")
    args = parser.parse_args()
    sizes = [1, 10] if args.quick else [int(size) for size in args.sizes.split(",")]
    if args.quick:
        args.duration, args.boot_spread = 30.0, 2.0
    targets: list[Any] = []
    if args.ha:
        targets.append(HomeAssistantTarget)
    if args.peer:
        PeerTarget.checkout = args.peer.resolve()
        PeerTarget.pythonpath = args.peer_pythonpath
        targets.append(PeerTarget)
    targets = targets or [CoreTarget]
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d')}, "
        f"MeterValues every {args.interval:g} s, {args.duration:g} s per run",
        flush=True,
    )
    rows = []
    for size in sizes:
        for target in targets:
            rows.append(run(target, size, args))
            print(f"  {json.dumps(rows[-1])}", file=sys.stderr, flush=True)
    _table(rows)
    if args.ha and args.peer:
        _ratios(rows)
    print(json.dumps({"duration_s": args.duration, "rows": rows}))
    # Ours must lose nothing and send nothing that fails strict OCPP 1.6 validation.
    if any(row["lost"] or row["strict"] for row in rows if row["target"] != "peer"):
        sys.exit(1)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
