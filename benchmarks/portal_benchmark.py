"""Benchmark what the Charging portal asks of the session history (default: 50,000 sessions).

Not a test: prints figures (median of several runs, milliseconds). Run from the repository root:

    source scripts/env.sh && in_env python benchmarks/portal_benchmark.py [--sessions N]

"open Sessions" is what the Sessions view asks when it opens: the first page of 50 sessions,
newest first, and the count of all matching sessions, both in SQL, plus the JSON the websocket
sends. Reports and the CSV download read every matching session, so their figures grow with
the history; they are printed for the whole history too.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.history_benchmark import TAGS, make_sessions
from custom_components.ev_session_monitor.core.history import (
    SessionHistory,
    charger_totals,
    render_csv,
    summarize,
    totals,
)

TZ = ZoneInfo("Europe/Berlin")
PAGE = 50


def median_ms(job: Callable[[], object], repeat: int) -> float:
    """The median wall time of `repeat` runs, in milliseconds."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        job()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def main() -> None:
    """Fill a history in a temporary directory and time the portal's questions."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        history = SessionHistory(Path(directory) / "history.sqlite")
        history.open()
        history.add_many(make_sessions(args.sessions))
        tag = TAGS[3][0]

        def page(**kwargs: object) -> Callable[[], object]:
            def job() -> object:
                records = history.query(limit=PAGE, newest_first=True, **kwargs)  # type: ignore[arg-type]
                filters = {k: v for k, v in kwargs.items() if k in ("tag_ids", "charger_ids")}
                count = history.count(**filters)  # type: ignore[arg-type]
                return json.dumps({"sessions": [r.to_dict() for r in records], "total": count})

            return job

        def reports() -> object:
            records = history.query()
            return (totals(records, TZ), charger_totals(records, TZ), summarize(records))

        def download() -> object:
            records = history.query(newest_first=True)
            return render_csv(records, totals(records, TZ), TZ)

        figures = [
            ("open Sessions: first page, newest first, + count", page()),
            ("first page of one tag's sessions, + count", page(tag_ids=[tag])),
            ("first page sorted by energy, + count", page(sort="energy_wh")),
            ("last page (offset n - 50), + count", page(offset=max(args.sessions - PAGE, 0))),
            ("Reports: totals per tag-month and wallbox-month", reports),
            ("CSV download of every session", download),
        ]
        print(f"{args.sessions} sessions, median of {args.repeat} runs")
        for label, job in figures:
            repeat = args.repeat if "Reports" not in label and "CSV" not in label else 3
            print(f"  {label:<52} {median_ms(job, repeat):8.1f} ms")
        history.close()


if __name__ == "__main__":
    main()
