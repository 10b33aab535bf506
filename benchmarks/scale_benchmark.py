"""This integration against Home Assistant core's `modbus`, side by side, with N wallboxes.

Starts one simulator process with 2 x N simulated ABB Terra AC boxes (each car charging at
11 kW with +-0.5 % meter noise; N boxes for each side, so requests are counted per side) and
two real Home Assistant processes at the same time:

- "ours": this integration, one config entry per box (written to .storage before the start),
- "core": core's `modbus`, one YAML hub per box with one sensor per value (the 12 values the
  profile reads), as owners of such boxes configure it; precisions as this integration shows.

Both poll every --scan-interval seconds, have the recorder (SQLite) and nothing else but a
probe (benchmarks/probe) that measures event-loop lag and full garbage collections inside the
process. After a warm-up, it measures for --minutes and prints per side: CPU % of one core
(/proc/<pid>/stat), RSS, recorder `states` rows per box-hour, Modbus requests per box per
poll (counted at the simulator), loop lag p50/p99/max and gen-2 collections per hour.

Run inside the project environment, e.g.:
    python benchmarks/scale_benchmark.py --boxes 1 10 --minutes 2
The first run installs core modbus' requirements into the environment (Home Assistant does).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tools import ha_stack  # noqa: E402
from tools.ports import free_port  # noqa: E402
from tools.wallbox_simulator import WallboxSimulator, servers  # noqa: E402

PROBE = REPO / "benchmarks" / "probe"
PROFILE_ID = "abb_terra_ac"
CHARGING_POWER_W = 11000.0
JITTER = 0.005
SIDES = ("ours", "core")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def base_configuration(side: str) -> str:
    """What both sides have: the recorder and the probe."""
    return ha_stack.configuration(
        f"scale benchmark ({side})",
        "recorder:\n  purge_keep_days: 1",
        "probe:",
        time_zone="UTC",
    )


# The ABB Terra AC registers the profile reads (ABB Terra AC Modbus communication v1.11, as in
# the profile), as core `modbus` sensors: (name, address, data type, scale, precision, unit,
# device class, state class). Precisions are what this integration shows for the same value.
CORE_SENSORS: tuple[tuple[str, int, str, float, int, str | None, str | None, str | None], ...] = (
    ("error_code", 0x4008, "uint32", 1, 0, None, None, None),
    ("socket", 0x400A, "uint32", 1, 0, None, None, None),
    ("state", 0x400C, "uint32", 1, 0, None, None, None),
    ("current_limit", 0x400E, "uint32", 0.001, 1, "A", "current", "measurement"),
    ("current_l1", 0x4010, "uint32", 0.001, 1, "A", "current", "measurement"),
    ("current_l2", 0x4012, "uint32", 0.001, 1, "A", "current", "measurement"),
    ("current_l3", 0x4014, "uint32", 0.001, 1, "A", "current", "measurement"),
    ("voltage_l1", 0x4016, "uint32", 0.1, 0, "V", "voltage", "measurement"),
    ("voltage_l2", 0x4018, "uint32", 0.1, 0, "V", "voltage", "measurement"),
    ("voltage_l3", 0x401A, "uint32", 0.1, 0, "V", "voltage", "measurement"),
    ("power", 0x401C, "uint32", 1, 0, "W", "power", "measurement"),
    ("session_energy", 0x401E, "uint32", 0.001, 2, "kWh", "energy", "total_increasing"),
)


# --- the simulator process ----------------------------------------------------------------


async def serve_boxes(boxes: int, ports_file: Path, counts_file: Path) -> None:
    """Serve 2 x boxes simulated wallboxes until SIGTERM; publish request counts every second."""
    # The register image only changes when time advances (no writes here): compute it once per
    # tick, not per request, so the simulator does not steal the CPU being measured.
    image_of = servers.register_image
    cache: dict[int, tuple[int, Any]] = {}
    tick = 0

    def cached_image(profile: Any, state: Any, rng: Any) -> Any:
        hit = cache.get(id(state))
        if hit is None or hit[0] != tick:
            hit = cache[id(state)] = (tick, image_of(profile, state, rng))
        return hit[1]

    servers.register_image = cached_image  # type: ignore[assignment]
    sides: dict[str, list[Any]] = {side: [] for side in SIDES}
    for side in SIDES:
        for index in range(boxes):
            sim = WallboxSimulator(PROFILE_ID)
            sim.state.power_jitter = JITTER
            sim.state.rng.seed(index)
            sim.state.plug_in()
            sim.state.start_charging(CHARGING_POWER_W)
            await sim.start()
            sides[side].append(sim)
    ports = {side: [sim.port for sim in sims] for side, sims in sides.items()}
    _write_json(ports_file, ports)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    last = time.monotonic()
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)
        now = time.monotonic()
        tick += 1
        for sims in sides.values():
            for sim in sims:
                sim.state.advance(now - last)
        last = now
        counts = {side: sum(sim.requests for sim in sims) for side, sims in sides.items()}
        _write_json(counts_file, {"time": time.time(), **counts})
    for sims in sides.values():
        for sim in sims:
            await sim.stop()


def _write_json(path: Path, data: Any) -> None:
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(data))
    partial.replace(path)


# --- Home Assistant configurations --------------------------------------------------------


def write_ours(config: Path, ports: list[int], scan_s: int) -> None:
    """A config dir with this integration: one config entry per box."""
    ha_stack.prepare_config(
        config, base_configuration("this integration"), more_components={"probe": PROBE}
    )
    ha_stack.write_config_entries(
        config,
        [
            {
                "entry_id": f"box{index:03d}",
                "domain": "ev_session_monitor",
                "title": f"Box {index}",
                "data": {
                    "name": f"Box {index}",
                    "profile": PROFILE_ID,
                    "host": "127.0.0.1",
                    "port": port,
                    "unit_id": 1,
                },
                "options": {"poll_interval": scan_s},
                "disabled_by": "user",  # the probe enables them one by one
                "unique_id": f"{PROFILE_ID}_{port}",
            }
            for index, port in enumerate(ports)
        ],
    )


def write_core(config: Path, ports: list[int], scan_s: int) -> None:
    """A config dir with core `modbus`: one hub per box, one sensor per value."""
    lines = [base_configuration("core modbus"), "modbus:"]
    for index, port in enumerate(ports):
        lines += [
            f"  - name: box{index}",
            "    type: tcp",
            "    host: 127.0.0.1",
            f"    port: {port}",
            "    sensors:",
        ]
        for (
            name,
            address,
            data_type,
            scale,
            precision,
            unit,
            device_class,
            state_class,
        ) in CORE_SENSORS:
            lines += [
                f"      - name: box{index} {name}",
                f"        unique_id: box{index}_{name}",
                "        slave: 1",
                f"        address: {address}",
                "        input_type: holding",
                f"        data_type: {data_type}",
                f"        scale: {scale}",
                f"        precision: {precision}",
                f"        scan_interval: {scan_s}",
            ]
            if unit:
                lines.append(f"        unit_of_measurement: {unit}")
            if device_class:
                lines.append(f"        device_class: {device_class}")
            if state_class:
                lines.append(f"        state_class: {state_class}")
    ha_stack.prepare_config(
        config, "\n".join(lines) + "\n", integration=None, more_components={"probe": PROBE}
    )


# --- measuring ------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system time of a process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mb(pid: int) -> float:
    """Resident memory of a process."""
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KB / 1024


def state_rows(database: Path, start: float, end: float) -> int:
    """Rows the recorder wrote to `states` between two times."""
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        (rows,) = db.execute(
            "SELECT COUNT(*) FROM states WHERE last_updated_ts >= ? AND last_updated_ts < ?",
            (start, end),
        ).fetchone()
    return int(rows)


def wait_for(path: Path, timeout_s: float, processes: list[subprocess.Popen[bytes]]) -> None:
    """Wait until a file exists; fail if a process died."""
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        for process in processes:
            if process.poll() is not None:
                sys.exit(f"{process.args} exited with {process.returncode}; logs in {path.parent}")
        if time.monotonic() > deadline:
            sys.exit(f"timed out waiting for {path}")
        time.sleep(0.5)


@dataclass
class SideResult:
    """What one Home Assistant did during the measurement."""

    cpu_percent: float
    rss_mb: float
    rows_per_box_hour: float
    requests_per_box_poll: float
    lag_p50_ms: float
    lag_p99_ms: float
    lag_max_ms: float
    full_gc_per_hour: float
    full_gc_max_ms: float


def run(
    boxes: int, minutes: float, warmup_s: float, scan_s: int, keep: bool, profile: bool = False
) -> dict[str, SideResult]:
    """One measurement with `boxes` boxes per side."""
    work = Path(tempfile.mkdtemp(prefix=f"evsm-scale-{boxes}-"))
    ports_file, counts_file = work / "ports.json", work / "counts.json"
    http_ports = [free_port() for _ in SIDES]
    children: list[subprocess.Popen[bytes]] = []

    try:
        with (work / "simulator.log").open("w") as simulator_log:
            children.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        __file__,
                        "--serve",
                        str(boxes),
                        *map(str, (ports_file, counts_file)),
                    ],
                    cwd=work,
                    stdout=subprocess.DEVNULL,
                    stderr=simulator_log,
                )
            )
        wait_for(ports_file, 120, children)
        ports = json.loads(ports_file.read_text())
        configs = {side: work / side for side in SIDES}
        for config in configs.values():
            config.mkdir()
        write_ours(configs["ours"], ports["ours"], scan_s)
        write_core(configs["core"], ports["core"], scan_s)
        if profile:
            for config in configs.values():
                (config / "probe.profile").touch()
        # In the config dir, without the checkout on the path: its custom_components must be
        # the ones imported.
        hass = {
            side: ha_stack.Child(
                ha_stack.home_assistant_command(config),
                log=config / "stderr.log",
                env=ha_stack.home_assistant_env(port=port, checkout_on_path=False),
                cwd=config,
                append=False,
            )
            for (side, config), port in zip(configs.items(), http_ports, strict=True)
        }
        children += [child.process for child in hass.values()]
        for config in configs.values():
            wait_for(config / "probe.ready", 600, children)
        print(f"  {boxes} boxes: both started; warming up {warmup_s:.0f} s", flush=True)
        time.sleep(warmup_s)
        counts_before = json.loads(counts_file.read_text())
        cpu_before = {side: cpu_seconds(child.pid) for side, child in hass.items()}
        started = time.time()
        for config in configs.values():
            (config / "probe.start").touch()
        time.sleep(minutes * 60)
        ended = time.time()
        cpu_after = {side: cpu_seconds(child.pid) for side, child in hass.items()}
        counts_after = json.loads(counts_file.read_text())
        rss = {side: rss_mb(child.pid) for side, child in hass.items()}
        for config in configs.values():
            (config / "probe.stop").touch()
        for config in configs.values():
            wait_for(config / "probe.json", 60, children)
        for child in hass.values():  # stopping commits the recorder's last rows
            child.process.send_signal(signal.SIGTERM)
        for child in hass.values():
            child.process.wait(timeout=120)
        seconds = ended - started
        polls = seconds / scan_s
        results = {}
        for side, config in configs.items():
            probe = json.loads((config / "probe.json").read_text())
            rows = state_rows(config / "home-assistant_v2.db", started, ended)
            requests = counts_after[side] - counts_before[side]
            results[side] = SideResult(
                cpu_percent=(cpu_after[side] - cpu_before[side]) / seconds * 100,
                rss_mb=rss[side],
                rows_per_box_hour=rows / boxes / (seconds / 3600),
                requests_per_box_poll=requests / boxes / polls,
                lag_p50_ms=probe["lag_p50_ms"],
                lag_p99_ms=probe["lag_p99_ms"],
                lag_max_ms=probe["lag_max_ms"],
                full_gc_per_hour=probe["full_collections"] / probe["seconds"] * 3600,
                full_gc_max_ms=max(probe["full_collection_ms"], default=0.0),
            )
        return results
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=60)
            except subprocess.TimeoutExpired:
                child.kill()
        if keep or profile:
            print(f"  kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def report(boxes: int, minutes: float, scan_s: int, results: dict[str, SideResult]) -> None:
    """Print one table: figures per side and their ratio."""
    ours, core = results["ours"], results["core"]

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.2f}" if b else "-"

    rows = [
        (
            "Modbus requests per box per poll",
            f"{ours.requests_per_box_poll:.2f}",
            f"{core.requests_per_box_poll:.2f}",
            ratio(ours.requests_per_box_poll, core.requests_per_box_poll),
        ),
        (
            "CPU, % of one core",
            f"{ours.cpu_percent:.2f}",
            f"{core.cpu_percent:.2f}",
            ratio(ours.cpu_percent, core.cpu_percent),
        ),
        ("RSS, MB", f"{ours.rss_mb:.0f}", f"{core.rss_mb:.0f}", ratio(ours.rss_mb, core.rss_mb)),
        (
            "recorder states rows per box-hour",
            f"{ours.rows_per_box_hour:,.0f}",
            f"{core.rows_per_box_hour:,.0f}",
            ratio(ours.rows_per_box_hour, core.rows_per_box_hour),
        ),
        (
            "event-loop lag p50 / p99 / max, ms",
            f"{ours.lag_p50_ms:.1f} / {ours.lag_p99_ms:.1f} / {ours.lag_max_ms:.0f}",
            f"{core.lag_p50_ms:.1f} / {core.lag_p99_ms:.1f} / {core.lag_max_ms:.0f}",
            ratio(ours.lag_max_ms, core.lag_max_ms),
        ),
        (
            "full (gen-2) GC per hour (longest, ms)",
            f"{ours.full_gc_per_hour:.0f} ({ours.full_gc_max_ms:.0f})",
            f"{core.full_gc_per_hour:.0f} ({core.full_gc_max_ms:.0f})",
            ratio(ours.full_gc_per_hour, core.full_gc_per_hour),
        ),
    ]
    print(f"\nN = {boxes} boxes per side, {minutes:g} min measured, poll/scan interval {scan_s} s")
    print("| figure | this integration | core `modbus` | ratio |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(flush=True)


def main() -> None:
    """Parse arguments; run each N in turn."""
    if len(sys.argv) == 5 and sys.argv[1] == "--serve":
        asyncio.run(serve_boxes(int(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--boxes", type=int, nargs="+", default=[1, 10, 50, 100])
    parser.add_argument("--minutes", type=float, default=3.0, help="measurement per N")
    parser.add_argument("--warmup", type=float, default=45.0, help="seconds before measuring")
    parser.add_argument("--scan-interval", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep config dirs and logs")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile each event loop while measuring (cProfile, <side>/probe.cprof; kept)",
    )
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d')}")
    for boxes in args.boxes:
        results = run(boxes, args.minutes, args.warmup, args.scan_interval, args.keep, args.profile)
        report(boxes, args.minutes, args.scan_interval, results)


if __name__ == "__main__":
    main()
