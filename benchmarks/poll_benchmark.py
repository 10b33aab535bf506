"""Requests and time per poll for every built-in profile, against the simulator on loopback.

Compares our planned reads (neighbouring registers merged within each profile's limits) with
one request per value, which is how Home Assistant core's `modbus` sensors read.
Run inside the project environment: python benchmarks/poll_benchmark.py [--polls 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from custom_components.ev_session_monitor.core.client import WallboxClient
from custom_components.ev_session_monitor.core.http import HttpWallboxClient
from custom_components.ev_session_monitor.core.modbus import ModbusWallboxClient
from custom_components.ev_session_monitor.core.modbus_link import ModbusLinkPool
from custom_components.ev_session_monitor.core.profile import (
    BUILTIN_PROFILE_DIR,
    WallboxProfile,
    load_profiles,
)
from tools.wallbox_simulator import WallboxSimulator


async def measure(
    profile: WallboxProfile, polls: int, session: aiohttp.ClientSession
) -> tuple[int, float, float]:
    """Return (requests per poll, mean ms, median ms)."""
    async with WallboxSimulator(profile) as sim:
        sim.state.plug_in()
        sim.state.start_charging(7200)
        client: WallboxClient
        if profile.transport == "modbus":
            client = ModbusWallboxClient(profile, ModbusLinkPool(), sim.host, sim.port, sim.unit_id)
        else:
            client = HttpWallboxClient(profile, session, sim.host, sim.port)
        await client.read()  # connect outside the measurement
        sent_before = client.requests_sent
        times = []
        for _ in range(polls):
            start = time.perf_counter()
            await client.read()
            times.append((time.perf_counter() - start) * 1000)
        requests = (client.requests_sent - sent_before) // polls
        await client.close()
    return requests, statistics.mean(times), statistics.median(times)


async def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--polls", type=int, default=200)
    args = parser.parse_args()
    catalog = load_profiles(BUILTIN_PROFILE_DIR)
    print(f"{args.polls} polls per row, loopback, Python {sys.version.split()[0]}")
    header = (
        f"{'profile':28} {'transport':9} {'values':>6} {'req/poll':>8} {'ms/poll':>8}"
        f" {'1/value req':>11} {'1/value ms':>10} {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    async with aiohttp.ClientSession() as session:
        for profile_id, profile in sorted(catalog.profiles.items()):
            requests, mean_ms, _median = await measure(profile, args.polls, session)
            values = len(profile.values)
            if profile.transport == "modbus":
                baseline = replace(profile, one_value_per_read=True)
                base_requests, base_ms, _ = await measure(baseline, args.polls, session)
                ratio = f"{base_ms / mean_ms:5.1f}x"
            else:
                base_requests, base_ms, ratio = requests, mean_ms, "  n/a"
            print(
                f"{profile_id:28} {profile.transport:9} {values:6d} {requests:8d} {mean_ms:8.2f}"
                f" {base_requests:11d} {base_ms:10.2f} {ratio:>6}"
            )


if __name__ == "__main__":
    asyncio.run(main())
