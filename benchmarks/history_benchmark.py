"""Benchmark the session history at a small business's scale (default: 50,000 sessions).

Not a test: prints figures. Run from the repository root:

    source scripts/env.sh && in_env python benchmarks/history_benchmark.py [--sessions N] [--dir D]

The one-by-one insert commits and syncs every session (that is how Home Assistant records them);
its time depends mostly on the disk's fsync latency, so run it on the kind of disk you care about.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from custom_components.ev_session_monitor.core.history import (
    SessionHistory,
    summarize,
    totals,
    write_csv,
)
from custom_components.ev_session_monitor.core.model import SessionRecord

TZ = ZoneInfo("Europe/Berlin")
CHARGERS = [(f"charger-{n}", f"Wallbox {n}") for n in range(1, 7)]
TAGS = [(f"04A2{n:04X}FF", f"Staff member {n}") for n in range(40)]


def make_sessions(count: int, seed: int = 1) -> list[SessionRecord]:
    """Return `count` plausible sessions spread over the last years, in start order."""
    rng = random.Random(seed)
    start = datetime(2022, 1, 1, tzinfo=UTC)
    step = timedelta(days=4 * 365) / count  # about 34 sessions a day over four years
    records = []
    for index in range(count):
        started = start + step * index + timedelta(seconds=rng.randint(0, 600))
        charging = rng.uniform(600, 6 * 3600)
        power = rng.uniform(3500, 11_000)
        energy = power * charging / 3600
        charger_id, charger_name = rng.choice(CHARGERS)
        tag = rng.choice(TAGS) if rng.random() < 0.85 else (None, None)
        priced = rng.random() < 0.95
        records.append(
            SessionRecord(
                session_id=f"{rng.getrandbits(128):032x}",
                charger_id=charger_id,
                charger_name=charger_name,
                started_at=started,
                ended_at=started + timedelta(seconds=charging + rng.uniform(0, 4 * 3600)),
                charging_s=charging,
                energy_wh=energy,
                cost=energy / 1000 * rng.uniform(0.2, 0.45) if priced else None,
                currency="EUR",
                avg_power_w=power,
                peak_power_w=power * rng.uniform(1.0, 1.1),
                tag_id=tag[0],
                tag_name=tag[1],
                energy_source=rng.choice(("meter", "meter", "meter", "session_counter", "mixed")),
                gaps=rng.choice((0, 0, 0, 0, 1)),
            )
        )
    return records


def timed[T](job: Callable[[], T], repeat: int = 1) -> tuple[float, T]:
    """Return the median wall time of `repeat` runs (seconds) and the last result."""
    times = []
    result: T
    for _ in range(repeat):
        began = time.perf_counter()
        result = job()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


def size(path: Path) -> int:
    """Return the bytes of a database with its WAL files."""
    return sum(
        Path(f"{path}{suffix}").stat().st_size
        for suffix in ("", "-wal", "-shm")
        if Path(f"{path}{suffix}").exists()
    )


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50_000)
    parser.add_argument("--dir", type=Path, default=None, help="where to put the files")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="evsm-bench-", dir=args.dir))
    records = make_sessions(args.sessions)
    count = len(records)
    print(f"Python {sys.version.split()[0]}, SQLite {__import__('sqlite3').sqlite_version}")
    print(f"{count:,} sessions in {workdir}\n")

    one_by_one = workdir / "one_by_one.db"
    with SessionHistory(one_by_one) as history:
        seconds, _ = timed(lambda: sum(history.add(record) for record in records))
        print(
            f"insert one by one (commit + fsync each): {seconds:8.2f} s"
            f"  ({seconds / count * 1e3:.2f} ms per session)"
        )

    path = workdir / "bulk.db"
    with SessionHistory(path) as history:
        seconds, added = timed(lambda: history.add_many(records))
        assert added == count
        print(f"insert with add_many (one transaction): {seconds:8.2f} s")
        seconds, added = timed(lambda: history.add_many(records))
        assert added == 0
        print(f"add_many again, all duplicates ignored: {seconds:8.2f} s")
    print(f"file size: {size(path) / 1e6:.1f} MB ({size(path) / count:.0f} bytes per session)")

    def open_and_close() -> None:
        with SessionHistory(path):
            pass

    seconds, _ = timed(open_and_close, repeat=3)
    print(f"open + close (with integrity check):     {seconds * 1e3:8.1f} ms")

    with SessionHistory(path) as history:
        tag_id = TAGS[7][0]
        month_start = datetime(2024, 3, 1, tzinfo=TZ)
        month_end = datetime(2024, 4, 1, tzinfo=TZ)
        seconds, month = timed(
            lambda: history.query(tag_ids=[tag_id], start=month_start, end=month_end), repeat=20
        )
        print(
            f"query one tag over one month:            {seconds * 1e3:8.2f} ms"
            f"  ({len(month)} sessions)"
        )
        seconds, _ = timed(
            lambda: history.query(charger_ids=[CHARGERS[0][0]], limit=20, newest_first=True),
            repeat=20,
        )
        print(f"query last 20 sessions of one charger:   {seconds * 1e3:8.2f} ms")
        seconds, everything = timed(history.query, repeat=3)
        print(f"query all sessions:                      {seconds * 1e3:8.1f} ms")
        seconds, rows = timed(lambda: totals(everything, TZ), repeat=3)
        print(
            f"totals per tag and month over all:       {seconds * 1e3:8.1f} ms  ({len(rows)} rows)"
        )
        seconds, _ = timed(lambda: summarize(everything), repeat=3)
        print(f"summary over all:                        {seconds * 1e3:8.1f} ms")
        export = workdir / "export.csv"
        seconds, _ = timed(lambda: write_csv(export, everything, rows, TZ), repeat=3)
        print(
            f"CSV export of all (rows + totals):       {seconds * 1e3:8.1f} ms"
            f"  ({export.stat().st_size / 1e6:.1f} MB)"
        )

        tracemalloc.start()
        history.query(tag_ids=[tag_id], start=month_start, end=month_end)
        _, peak_month = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        everything = history.query()
        totals(everything, TZ)
        summarize(everything)
        _, peak_all = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"peak memory, one tag over one month:     {peak_month / 1e6:8.2f} MB")
        print(f"peak memory, query all + totals:         {peak_all / 1e6:8.1f} MB")

    for leftover in sorted(workdir.iterdir()):
        leftover.unlink()
    workdir.rmdir()


if __name__ == "__main__":
    main()
