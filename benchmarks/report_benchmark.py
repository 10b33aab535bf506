"""Benchmark the reports at a small business's scale (default: 50,000 sessions in the history).

Not a test: prints figures. Run from the repository root:

    source scripts/env.sh && in_env python benchmarks/report_benchmark.py [--sessions N]

Each figure is the median of a few runs of what the portal or an action does, from the SQLite
query to the finished bytes: a month's PDF statement of the busiest card, a year of utilization
of every wallbox and the site, and the XLSX of every session with the monthly totals. Goals
(issue 24): statement < 1 s, utilization < 1 s, XLSX of everything < 5 s.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from history_benchmark import TZ, make_sessions, timed

from custom_components.ev_session_monitor.core.history import (
    SessionHistory,
    charger_totals,
    render_report_xlsx,
    totals,
)
from custom_components.ev_session_monitor.core.statement import (
    Statement,
    render_statement,
)
from custom_components.ev_session_monitor.core.utilization import utilization

TRANSLATIONS = (
    Path(__file__).resolve().parents[1]
    / "custom_components/ev_session_monitor/translations/en.json"
)


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50_000)
    args = parser.parse_args()
    labels = json.loads(TRANSLATIONS.read_text())["selector"]["statement_label"]["options"]
    records = make_sessions(args.sessions)
    workdir = Path(tempfile.mkdtemp(prefix="evsm-report-bench-"))
    results: dict[str, float] = {}
    with SessionHistory(workdir / "sessions.db") as history:
        history.add_many(records)
        newest = max(record.started_at for record in records).astimezone(TZ)
        month_start = datetime(newest.year, newest.month, 1, tzinfo=TZ).replace(month=1)
        month_end = month_start.replace(month=2)
        tag_id, _ = Counter(
            r.tag_id for r in records if r.tag_id and month_start <= r.started_at < month_end
        ).most_common(1)[0]

        def statement() -> bytes:
            month = history.query(tag_ids=[tag_id], start=month_start, end=month_end)
            return render_statement(
                Statement(
                    month=month_start.strftime("%Y-%m"),
                    records=month,
                    labels=labels,
                    language="en",
                    tz=TZ,
                    issued_at=datetime.now(UTC),
                    cards=[tag_id],
                )
            )

        seconds, pdf = timed(statement, repeat=5)
        results["statement_s"] = seconds
        print(f"{len(records):,} sessions; a month's statement of card {tag_id}:")
        print(
            f"  PDF statement (query + render):      {seconds * 1e3:8.1f} ms  ({len(pdf):,} bytes)"
        )

        year_start = month_start.replace(year=month_start.year - 1)

        def year_of_utilization() -> object:
            year = history.query_overlapping(start=year_start, end=month_start)
            return utilization(year, year_start, month_start, TZ)

        seconds, _ = timed(year_of_utilization, repeat=5)
        results["utilization_year_s"] = seconds
        print(f"  a year of utilization (query + sums): {seconds * 1e3:8.1f} ms")

        def everything_as_xlsx() -> bytes:
            every = history.query()
            return render_report_xlsx(every, totals(every, TZ), charger_totals(every, TZ), TZ)

        seconds, workbook = timed(everything_as_xlsx, repeat=3)
        results["xlsx_all_s"] = seconds
        size_mb = len(workbook) / 1e6
        print(f"  XLSX of every session + totals:       {seconds:8.2f} s  ({size_mb:.1f} MB)")
    goals = {"statement_s": 1.0, "utilization_year_s": 1.0, "xlsx_all_s": 5.0}
    for key, goal in goals.items():
        print(f"  {key}: {'meets' if results[key] < goal else 'MISSES'} the goal of {goal:.0f} s")
    print(json.dumps({key: round(value, 4) for key, value in results.items()}))


if __name__ == "__main__":
    main()
