"""OCPP central system under load: N simulated charge points in another process.

The central system (core/ocpp's `CentralSystem`, a counting sink, the JSON transaction file)
runs in its own process; this process runs N charge points (tools/ocpp_charge_point, the
`ocpp` library's client with strict validation). Each boots, starts a transaction, sends
MeterValues every `--interval` seconds (10 s; 1 s as the stress case) and stops. Measured:
the central system process's CPU % of one core and RSS (from /proc), response latency
p50/p99/max seen by the charge points, calls without an answer (lost, must be 0), and
meter samples handed to the sink per charge-point-hour.

    python benchmarks/ocpp_benchmark.py [--quick] [--interval 1] [--duration 60] [--sizes 1,10]

`--ha` (against a Home Assistant started with tools/ha_stack.py) is pending: the Home
Assistant side of OCPP is not in main yet, so the option exits with a message. `--peer DIR`
(a checkout of lbbrhzn/ocpp in a second Home Assistant) needs that too and was not run.
The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ocpp.v16 import call

from tools.ocpp_charge_point import connect

PASSWORD = "benchmark-password"
_SERVER = r"""
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
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    print(json.dumps({"samples": Sink.samples}), flush=True)
    await system.stop()

asyncio.run(main())
"""


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _timed(box: Any, payload: Any, latencies: list[float], lost: list[int]) -> Any:
    started = time.perf_counter()
    try:
        result = await box.call(payload, suppress=False)
    except (TimeoutError, Exception):  # noqa: BLE001  # any failure is a lost message
        lost.append(1)
        return None
    latencies.append((time.perf_counter() - started) * 1000)
    return result


async def _charge_point(
    url: str, number: int, interval: float, duration: float, latencies: list[float], lost: list[int]
) -> None:
    charge_point_id = f"BENCH-{number}"
    async with connect(f"{url}/{charge_point_id}", charge_point_id, PASSWORD) as box:
        await _timed(box, call.BootNotification("Bench", "Sim"), latencies, lost)
        started = await _timed(
            box,
            call.StartTransaction(1, "BENCHCARD", 0, "2026-12-07T08:00:00Z"),
            latencies,
            lost,
        )
        transaction_id = started.transaction_id if started else 0
        end = time.monotonic() + duration
        energy = 0
        await asyncio.sleep(interval * (number % 100) / 100)  # spread the charge points
        while time.monotonic() < end:
            energy += 30
            element = {
                "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "sampledValue": [
                    {"value": str(energy), "context": "Sample.Periodic"},
                    {"value": "11000", "measurand": "Power.Active.Import", "unit": "W"},
                ],
            }
            meter = call.MeterValues(1, [element], transaction_id=transaction_id)
            await _timed(box, meter, latencies, lost)
            await asyncio.sleep(interval)
        stop = call.StopTransaction(energy, "2026-12-07T09:00:00Z", transaction_id)
        await _timed(box, stop, latencies, lost)


async def _run(size: int, interval: float, duration: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as state:
        server = subprocess.Popen(  # noqa: ASYNC220  # started before any load runs
            [sys.executable, "-c", _SERVER, str(Path(state) / "ids.json"), PASSWORD],
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
        )
        assert server.stdout is not None
        port = int(server.stdout.readline())
        url = f"ws://127.0.0.1:{port}"
        latencies: list[float] = []
        lost: list[int] = []
        cpu_before, wall_before = _cpu_seconds(server.pid), time.monotonic()
        rss = 0.0
        tasks = [
            asyncio.create_task(_charge_point(url, n, interval, duration, latencies, lost))
            for n in range(size)
        ]
        while not all(task.done() for task in tasks):
            rss = max(rss, _rss_mib(server.pid))
            await asyncio.sleep(0.5)
        errors = [task.exception() for task in tasks if task.exception() is not None]
        cpu = (_cpu_seconds(server.pid) - cpu_before) / (time.monotonic() - wall_before) * 100
        server.send_signal(signal.SIGTERM)
        samples = json.loads(server.stdout.readline())["samples"]
        server.wait(10)
    ordered = sorted(latencies) or [0.0]
    return {
        "charge_points": size,
        "interval_s": interval,
        "cpu_percent": round(cpu, 1),
        "rss_mib": round(rss, 1),
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
        "max_ms": round(ordered[-1], 2),
        "lost": len(lost) + len(errors),
        "records_per_cp_hour": round(samples / size / (duration / 3600)),
    }


def main() -> None:
    """Run the sizes and print a table and a JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1,10,100,500")
    parser.add_argument("--interval", type=float, default=10.0)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--quick", action="store_true", help="1 and 10 charge points, 10 s")
    parser.add_argument("--ha", action="store_true", help="pending: needs the HA side in main")
    parser.add_argument("--peer", type=Path, help="a checkout of lbbrhzn/ocpp (pending)")
    args = parser.parse_args()
    if args.ha or args.peer:
        sys.exit("--ha and --peer need the Home Assistant side of OCPP, which is not in main yet")
    sizes = [1, 10] if args.quick else [int(size) for size in args.sizes.split(",")]
    duration = 10.0 if args.quick else args.duration
    rows = [asyncio.run(_run(size, args.interval, duration)) for size in sizes]
    header = f"{'CPs':>5} {'every':>6} {'CPU %':>6} {'RSS MiB':>8} {'p50 ms':>7} {'p99 ms':>7}"
    print(header + f" {'max ms':>7} {'lost':>5} {'rows/CP-h':>10}")
    for row in rows:
        print(
            f"{row['charge_points']:>5} {row['interval_s']:>5}s {row['cpu_percent']:>6} "
            f"{row['rss_mib']:>8} {row['p50_ms']:>7} {row['p99_ms']:>7} {row['max_ms']:>7} "
            f"{row['lost']:>5} {row['records_per_cp_hour']:>10}"
        )
    print(json.dumps({"duration_s": duration, "rows": rows}))
    if any(row["lost"] for row in rows):
        sys.exit(1)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
