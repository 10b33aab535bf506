"""What durable session state costs at 50 wallboxes, and the alternative we did not take.

Replays one charging hour of 50 boxes polled every 2 s through the session engine and the save
policy the coordinator uses (every transition at once, running figures every 30 s), counts the
writes, and times each kind of write on this machine's disk:

- the coordinator's saved state as Home Assistant writes it (atomic: temporary file, fsync,
  rename), which is what we use;
- the same state as one row of an SQLite database in WAL mode with synchronous=FULL (a
  transaction per change), the alternative the durability issue suggested;
- both once per poll, for comparison.

Run inside the project environment: python benchmarks/persistence_benchmark.py
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from homeassistant.util.file import write_utf8_file_atomic

from custom_components.ev_session_monitor.core.model import ChargerStatus, Reading
from custom_components.ev_session_monitor.core.session import (
    MeterSpec,
    SavePolicy,
    SessionTracker,
    to_record,
    transition_signature,
)

BOXES = 50
POLL_S = 2.0
HOUR_S = 3600
WRITES_TIMED = 300


def replay_one_box() -> tuple[int, int, dict[str, object]]:
    """One box, one hour: plug-in, charge with a pause, leave. Returns (policy writes, polls,
    a typical saved state)."""
    tracker = SessionTracker("box", "Box", MeterSpec(max_power_w=11500), gap_s=POLL_S * 3)
    policy = SavePolicy()
    start = datetime(2026, 11, 24, 18, tzinfo=UTC)
    meter = 10_000.0
    writes = polls = 0
    state: dict[str, object] = {}
    for tick in range(int(HOUR_S / POLL_S)):
        second = tick * POLL_S
        if second < 60:
            status, power = ChargerStatus.IDLE, 0.0
        elif second < 1800 or 2100 <= second < 3300:
            status, power = ChargerStatus.CHARGING, 11000.0
        elif second < 2100:
            status, power = ChargerStatus.SUSPENDED_EV, 0.0
        else:
            status, power = ChargerStatus.IDLE, 0.0
        meter += power * POLL_S / 3600
        now = start + timedelta(seconds=second)
        tracker.update(
            Reading(status=status, power_w=power, lifetime_energy_wh=meter, tag="04A1B2C3D4"),
            now,
            price_per_kwh=0.32,
            currency="EUR",
        )
        polls += 1
        signature = transition_signature(tracker.open)
        if policy.due(signature, now, running=tracker.open is not None):
            writes += 1
            policy.written(signature, now)
            if tracker.open is not None:
                state = {
                    "open_session": tracker.open.to_dict(),
                    "delivered_wh": meter,
                    "total_cost": 123.45,
                    "last_session": to_record(tracker.open, now, "box", "Box").to_dict(),
                    "unarchived": [],
                }
    return writes, polls, state


def time_json_writes(directory: Path, text: str) -> list[float]:
    """Milliseconds per atomic write, as Home Assistant's Store does with atomic_writes=True."""
    path = directory / "ev_session_monitor.entry"
    times = []
    for _ in range(WRITES_TIMED):
        began = time.perf_counter()
        write_utf8_file_atomic(str(path), text)
        times.append((time.perf_counter() - began) * 1000)
    return times


def time_sqlite_writes(directory: Path, text: str) -> list[float]:
    """Milliseconds per transaction replacing one row, WAL with synchronous=FULL."""
    db = sqlite3.connect(directory / "state.db", autocommit=True)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE state (box TEXT PRIMARY KEY, data TEXT NOT NULL)")
    times = []
    for _ in range(WRITES_TIMED):
        began = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT OR REPLACE INTO state VALUES ('box', ?)", (text,))
        db.execute("COMMIT")
        times.append((time.perf_counter() - began) * 1000)
    db.close()
    return times


def main() -> None:
    """Print the figures."""
    writes, polls, state = replay_one_box()
    text = json.dumps({"version": 1, "key": "ev_session_monitor.entry", "data": state}, indent=4)
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as tmp:
        json_ms = time_json_writes(Path(tmp), text)
        sqlite_ms = time_sqlite_writes(Path(tmp), text)
    rows = [
        ("JSON, atomic (ours): transitions + every 30 s", writes, json_ms),
        ("JSON, atomic: every poll", polls, json_ms),
        ("SQLite WAL FULL: transitions + every 30 s", writes, sqlite_ms),
        ("SQLite WAL FULL: every poll", polls, sqlite_ms),
    ]
    print(f"{BOXES} wallboxes charging, polled every {POLL_S:.0f} s, one hour; state {len(text)} B")
    print(f"(disk: the filesystem of {Path.cwd()})\n")
    header = f"{'policy':48} {'writes/h':>9} {'ms p50':>7} {'ms p99':>7} {'disk s/h':>9}"
    print(header)
    print("-" * len(header))
    for name, per_box, times in rows:
        p50 = statistics.median(times)
        p99 = statistics.quantiles(times, n=100)[98]
        total = per_box * BOXES
        print(f"{name:48} {total:9d} {p50:7.2f} {p99:7.2f} {total * p50 / 1000:9.1f}")


if __name__ == "__main__":
    main()
