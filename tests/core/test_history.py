"""Session history: exact storage, no duplicates, filters, monthly totals, CSV, damaged files."""

from __future__ import annotations

import csv
import os
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from custom_components.ev_session_monitor.core.history import (
    CSV_HEADER,
    CSV_TOTALS_HEADER,
    UNTAGGED,
    HistoryCorruptError,
    SessionHistory,
    summarize,
    totals,
    write_csv,
)
from custom_components.ev_session_monitor.core.history.schema import SCHEMA_VERSION
from custom_components.ev_session_monitor.core.model import PricePart, SessionRecord

BERLIN = ZoneInfo("Europe/Berlin")
T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def make_record(session_id: str = "s1", **changes: object) -> SessionRecord:
    """Build a complete session; tests change only what they care about."""
    record = SessionRecord(
        session_id=session_id,
        charger_id="box-1",
        charger_name="Garage",
        started_at=T0,
        ended_at=T0 + timedelta(hours=2),
        charging_s=5400.0,
        energy_wh=10_000.0,
        cost=3.0,
        currency="EUR",
        avg_power_w=6666.7,
        peak_power_w=11_000.0,
        tag_id="04A21BFF",
        tag_name="Anna",
        energy_source="meter",
        gaps=0,
    )
    return replace(record, **changes)  # type: ignore[arg-type]


@pytest.fixture
def history(tmp_path: Path) -> Iterator[SessionHistory]:
    """Provide an open, empty history."""
    with SessionHistory(tmp_path / "sessions.db") as opened:
        yield opened


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file in a directory with its exact content."""
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


# --- storage ------------------------------------------------------------------------------


def test_every_field_round_trips_exactly_across_reopen(tmp_path: Path) -> None:
    """What goes in comes out identical, including microseconds and awkward floats."""
    records = [
        make_record(
            "full",
            started_at=datetime(2026, 1, 31, 23, 30, 0, 123456, tzinfo=BERLIN),
            ended_at=datetime(2026, 2, 1, 6, 59, 59, 999999, tzinfo=UTC),
            charging_s=0.1 + 0.2,
            energy_wh=12_345.678901234567,
            cost=1 / 3,
            avg_power_w=7_123.456789,
            peak_power_w=11_040.0000001,
            tag_name="Jürgen's Firmenwagen 🚗",
            charger_name="Carport, links",
            energy_source="mixed",
            gaps=2,
        ),
        make_record(
            "bare",
            cost=None,
            currency=None,
            avg_power_w=None,
            peak_power_w=None,
            tag_id=None,
            tag_name=None,
            energy_source="power",
        ),
    ]
    path = tmp_path / "sessions.db"
    with SessionHistory(path) as history:
        assert history.add_many(records) == 2
    with SessionHistory(path) as history:
        loaded = history.query()
        assert loaded == sorted(records, key=lambda record: record.started_at)
        for got, expected in zip(loaded, sorted(records, key=lambda r: r.started_at), strict=True):
            for name in SessionRecord.__slots__:
                assert getattr(got, name) == getattr(expected, name), name
            assert got.started_at.tzinfo is UTC
        assert history.get("full") == records[0]
        assert history.get("missing") is None


def test_a_session_is_never_recorded_twice(history: SessionHistory) -> None:
    """The first recording wins; repeating it (e.g. after an HA restart) changes nothing."""
    first = make_record("dup", energy_wh=1000.0)
    assert history.add(first) is True
    assert history.add(replace(first, energy_wh=9999.0)) is False
    assert history.add_many([first, make_record("new"), make_record("new")]) == 1
    assert history.count() == 2
    assert history.get("dup") == first


def test_records_that_cannot_round_trip_are_refused(history: SessionHistory) -> None:
    """Naive times and NaN values raise instead of being stored wrongly; nothing is written."""
    with pytest.raises(ValueError, match="timezone-aware"):
        history.add(make_record(started_at=datetime(2026, 3, 1, 8, 0)))
    with pytest.raises(ValueError, match="energy_wh"):
        history.add(make_record(energy_wh=float("nan")))
    with pytest.raises(ValueError, match="session_id"):
        history.add(make_record(""))
    with pytest.raises(ValueError, match="cost"):
        history.add_many([make_record("ok"), make_record("bad", cost=float("inf"))])
    assert history.count() == 0


def test_closed_history_says_so(tmp_path: Path) -> None:
    """Using a history that is not open is a programming error with a clear message."""
    history = SessionHistory(tmp_path / "sessions.db")
    with pytest.raises(RuntimeError, match="not open"):
        history.count()
    history.open()
    history.close()
    history.close()
    with pytest.raises(RuntimeError, match="not open"):
        history.add(make_record())


# --- queries ------------------------------------------------------------------------------


@pytest.fixture
def filled(history: SessionHistory) -> SessionHistory:
    """Provide sessions on two boxes, two cards and no card, one per day from March 1st."""
    records = []
    for day in range(20):
        start = datetime(2026, 3, 1, 7, tzinfo=UTC) + timedelta(days=day)
        records.append(
            make_record(
                f"s{day:02d}",
                charger_id="box-1" if day % 2 else "box-2",
                started_at=start,
                ended_at=start + timedelta(hours=1),
                tag_id=[None, "AAAA", "BBBB"][day % 3],
                tag_name=[None, "Anna", "Bert"][day % 3],
            )
        )
    random.Random(1).shuffle(records)  # insertion order must not matter
    history.add_many(records)
    return history


def ids(records: list[SessionRecord]) -> list[str]:
    """Session ids, in the order returned."""
    return [record.session_id for record in records]


def test_query_returns_all_sessions_by_start(filled: SessionHistory) -> None:
    """Without filters, every session, oldest first."""
    assert ids(filled.query()) == [f"s{day:02d}" for day in range(20)]


def test_query_by_time_range_includes_start_excludes_end(filled: SessionHistory) -> None:
    """[start, end): a session starting exactly at `end` belongs to the next period."""
    found = filled.query(
        start=datetime(2026, 3, 3, 7, tzinfo=UTC), end=datetime(2026, 3, 6, 7, tzinfo=UTC)
    )
    assert ids(found) == ["s02", "s03", "s04"]
    # Bounds in another time zone mean the same instants.
    found = filled.query(start=datetime(2026, 3, 3, 8, tzinfo=BERLIN))
    assert ids(found)[0] == "s02"


def test_query_filters_combine(filled: SessionHistory) -> None:
    """Charger, tag and time filters all apply at once."""
    found = filled.query(
        charger_ids=["box-1"], tag_ids=["AAAA"], end=datetime(2026, 3, 15, tzinfo=UTC)
    )
    assert ids(found) == ["s01", "s07", "s13"]
    assert all(r.charger_id == "box-1" and r.tag_id == "AAAA" for r in found)


def test_query_untagged_sessions(filled: SessionHistory) -> None:
    """UNTAGGED selects sessions without a card, alone or with card ids."""
    assert ids(filled.query(tag_ids=[UNTAGGED])) == [f"s{d:02d}" for d in range(0, 20, 3)]
    both = filled.query(tag_ids=[UNTAGGED, "BBBB"])
    assert {r.tag_id for r in both} == {None, "BBBB"}
    assert len(both) == 7 + 6


def test_query_empty_filters_match_nothing_and_limits(filled: SessionHistory) -> None:
    """An empty list means no charger/tag at all; limit keeps the oldest or newest."""
    assert filled.query(charger_ids=[]) == []
    assert filled.query(tag_ids=[]) == []
    assert ids(filled.query(limit=2)) == ["s00", "s01"]
    assert ids(filled.query(limit=2, newest_first=True)) == ["s19", "s18"]
    assert filled.query(limit=0) == []
    with pytest.raises(ValueError, match="limit"):
        filled.query(limit=-1)
    with pytest.raises(ValueError, match="timezone-aware"):
        filled.query(start=datetime(2026, 3, 1))


def test_tag_and_time_query_uses_an_index(filled: SessionHistory) -> None:
    """The monthly report per tag must not scan the whole table at 50,000 sessions."""
    with sqlite3.connect(filled.path) as db:
        plan = " ".join(
            str(row[3])
            for row in db.execute(
                "EXPLAIN QUERY PLAN SELECT * FROM sessions"
                " WHERE tag_id IN (?) AND started_at >= ? AND started_at < ? ORDER BY started_at",
                ("AAAA", 0, 1),
            )
        )
    assert "USING INDEX sessions_by_tag" in plan


# --- totals -------------------------------------------------------------------------------


def test_totals_per_tag_and_month_in_local_time() -> None:
    """A session at 23:30 Berlin time on the last day of a month belongs to that month."""
    records = [
        # 2026-01-31 23:30 in Berlin (22:30 UTC): January, although it ends in February.
        make_record(
            "jan-late",
            started_at=datetime(2026, 1, 31, 23, 30, tzinfo=BERLIN),
            ended_at=datetime(2026, 2, 1, 1, 30, tzinfo=BERLIN),
            energy_wh=5000.0,
            cost=1.5,
        ),
        # 23:30 UTC on January 31st is already February 1st, 00:30 in Berlin.
        make_record(
            "feb-early",
            started_at=datetime(2026, 1, 31, 23, 30, tzinfo=UTC),
            ended_at=datetime(2026, 2, 1, 2, 0, tzinfo=UTC),
            energy_wh=7000.0,
            cost=2.1,
        ),
        # Summer time: 2026-05-31 23:30 CEST is 21:30 UTC, still May.
        make_record(
            "may-late",
            started_at=datetime(2026, 5, 31, 23, 30, tzinfo=BERLIN),
            ended_at=datetime(2026, 6, 1, 0, 30, tzinfo=BERLIN),
            energy_wh=1000.0,
            cost=0.3,
        ),
        make_record(
            "jan-bert",
            started_at=datetime(2026, 1, 10, 12, tzinfo=BERLIN),
            ended_at=datetime(2026, 1, 10, 13, tzinfo=BERLIN),
            tag_id="BBBB",
            tag_name="Bert",
            energy_wh=2000.0,
            cost=0.6,
        ),
        make_record(
            "jan-untagged",
            started_at=datetime(2026, 1, 12, 12, tzinfo=BERLIN),
            ended_at=datetime(2026, 1, 12, 13, tzinfo=BERLIN),
            tag_id=None,
            tag_name=None,
            energy_wh=500.0,
            cost=None,
        ),
    ]
    rows = totals(records, BERLIN)
    assert [(r.month, r.tag_name, r.sessions, r.energy_wh, r.cost) for r in rows] == [
        ("2026-01", "Anna", 1, 5000.0, 1.5),
        ("2026-01", "Bert", 1, 2000.0, 0.6),
        ("2026-01", None, 1, 500.0, None),
        ("2026-02", "Anna", 1, 7000.0, 2.1),
        ("2026-05", "Anna", 1, 1000.0, 0.3),
    ]
    assert rows[2].unpriced_sessions == 1
    # In UTC the late January session moves nowhere, the early February one moves to January.
    utc_months = {(r.month, r.tag_id): r.sessions for r in totals(records, UTC)}
    assert utc_months[("2026-01", "04A21BFF")] == 2


def test_totals_match_the_rounded_rows_of_the_report() -> None:
    """Each session is rounded to the cent (half up) before summing, as on an invoice."""
    records = [make_record(f"s{i}", cost=0.125) for i in range(3)]
    (row,) = totals(records, BERLIN)
    assert row.cost == 0.39  # 3 x 0.13, not round(0.375, 2)
    assert row.to_dict()["cost"] == 0.39
    assert summarize(records).cost_by_currency == {"EUR": 0.39}


def test_totals_use_latest_tag_name_and_keep_currencies_apart() -> None:
    """A renamed card shows its latest name; different currencies are never added up."""
    records = [
        make_record("a", tag_name="Old name", started_at=T0),
        make_record("b", tag_name="New name", started_at=T0 + timedelta(days=1)),
        make_record("c", started_at=T0 + timedelta(days=2), tag_name=None, currency="CHF"),
    ]
    rows = totals(list(reversed(records)), UTC)
    assert [(r.tag_name, r.currency, r.sessions) for r in rows] == [
        ("New name", "CHF", 1),
        ("New name", "EUR", 2),
    ]


def test_summary() -> None:
    """Overall sessions, energy, charging time and cost per currency."""
    records = [
        make_record("a", energy_wh=1000.0, cost=1.0, charging_s=60.0),
        make_record("b", energy_wh=2000.0, cost=None, charging_s=30.0),
        make_record("c", energy_wh=500.0, cost=0.5, currency="CHF", charging_s=10.0),
    ]
    summary = summarize(records)
    assert summary.to_dict() == {
        "sessions": 3,
        "energy_wh": 3500.0,
        "energy_kwh": 3.5,
        "charging_s": 100.0,
        "cost": {"CHF": 0.5, "EUR": 1.0},
        "unpriced_sessions": 1,
    }
    assert summarize([]).sessions == 0


# --- CSV ------------------------------------------------------------------------------------


def read_csv(path: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Parse an export back into session rows and total rows."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    blank = lines.index([])
    assert tuple(lines[0]) == CSV_HEADER
    assert tuple(lines[blank + 1]) == CSV_TOTALS_HEADER
    sessions = [dict(zip(lines[0], line, strict=True)) for line in lines[1:blank]]
    month_totals = [dict(zip(lines[blank + 1], line, strict=True)) for line in lines[blank + 2 :]]
    return sessions, month_totals


def test_csv_export_reads_back(tmp_path: Path) -> None:
    """One row per session in local time, then totals per month and tag."""
    records = [
        make_record(
            "jan",
            started_at=datetime(2026, 1, 31, 23, 30, tzinfo=BERLIN),
            ended_at=datetime(2026, 2, 1, 1, 15, tzinfo=BERLIN),
            charging_s=3600.0,
            energy_wh=12_345.6,
            cost=3.7034,
            avg_power_w=12_345.6,
            peak_power_w=11_000.0,
            tag_name="Jürgen",
            gaps=1,
        ),
        make_record(
            "feb",
            started_at=datetime(2026, 2, 2, 8, tzinfo=UTC),
            ended_at=datetime(2026, 2, 2, 9, tzinfo=UTC),
            tag_id=None,
            tag_name=None,
            cost=None,
            avg_power_w=None,
            peak_power_w=None,
        ),
    ]
    path = tmp_path / "export.csv"
    write_csv(path, records, totals(records, BERLIN), BERLIN)
    sessions, month_totals = read_csv(path)

    assert sessions[0] == {
        "session_id": "jan",
        "charger": "Garage",
        "start": "2026-01-31T23:30:00+01:00",
        "end": "2026-02-01T01:15:00+01:00",
        "duration_min": "105.0",
        "charging_min": "60.0",
        "energy_kwh": "12.346",
        "avg_power_kw": "12.35",
        "peak_power_kw": "11.00",
        "cost": "3.70",
        "currency": "EUR",
        "tag_id": "04A21BFF",
        "tag_name": "Jürgen",
        "energy_source": "meter",
        "gaps": "1",
        # Appended in version 3, for billing: the price applied and the meter readings.
        "price_per_kwh": "0.3000",
        "unpriced_kwh": "0.000",
        "meter_start_kwh": "",
        "meter_end_kwh": "",
        "meter_serial": "",
        "odometer_start_km": "",
        "odometer_end_km": "",
        "note": "",
        "price_parts": "",  # one price applied to all of it
    }
    assert sessions[1]["unpriced_kwh"] == "10.000"
    assert sessions[1]["start"] == "2026-02-02T09:00:00+01:00"
    assert sessions[1]["cost"] == sessions[1]["tag_id"] == sessions[1]["avg_power_kw"] == ""
    assert month_totals == [
        {
            "month": "2026-01",
            "tag_id": "04A21BFF",
            "tag_name": "Jürgen",
            "sessions": "1",
            "energy_kwh": "12.346",
            "cost": "3.70",
            "currency": "EUR",
            "unpriced_sessions": "0",
            "charging_h": "1.00",
        },
        {
            "month": "2026-02",
            "tag_id": "",
            "tag_name": "",
            "sessions": "1",
            "energy_kwh": "10.000",
            "cost": "",
            "currency": "EUR",
            "unpriced_sessions": "1",
            "charging_h": "1.50",
        },
    ]
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read UTF-8
    assert [p.name for p in tmp_path.iterdir()] == ["export.csv"]


def test_csv_gives_the_energy_and_price_of_each_part_where_the_price_changed(
    tmp_path: Path,
) -> None:
    start = datetime(2026, 11, 3, 22, 30, tzinfo=BERLIN)
    record = make_record(
        "dynamic",
        started_at=start,
        ended_at=start + timedelta(hours=2),
        energy_wh=9_000.0,
        cost=4_000 / 1000 * 0.31 + 2_000 / 1000 * 0.2712,
        unpriced_wh=3_000.0,
        price_parts=(
            PricePart(start.astimezone(UTC), 4_000.0, 0.31),
            PricePart((start + timedelta(minutes=30)).astimezone(UTC), 3_000.0, None),
            PricePart((start + timedelta(minutes=90)).astimezone(UTC), 2_000.0, 0.2712),
        ),
    )
    path = tmp_path / "export.csv"
    write_csv(path, [record], totals([record], BERLIN), BERLIN)
    (row,), _ = read_csv(path)
    assert row["price_parts"] == (
        "2026-11-03T22:30+01:00 4.000 kWh @ 0.3100; "
        "2026-11-03T23:00+01:00 3.000 kWh @ -; "
        "2026-11-04T00:00+01:00 2.000 kWh @ 0.2712"
    )
    assert row["price_per_kwh"] == f"{record.cost / 6:.4f}"  # the average of the priced energy
    assert row["unpriced_kwh"] == "3.000"


def test_csv_cells_cannot_become_formulas(tmp_path: Path) -> None:
    """A name like '=HYPERLINK(...)' is exported as text, not run by a spreadsheet."""
    record = make_record(tag_name='=HYPERLINK("http://x")', charger_name="@box")
    path = tmp_path / "export.csv"
    write_csv(path, [record], totals([record], UTC), UTC)
    sessions, month_totals = read_csv(path)
    assert sessions[0]["tag_name"] == '\'=HYPERLINK("http://x")'
    assert sessions[0]["charger"] == "'@box"
    assert month_totals[0]["tag_name"] == '\'=HYPERLINK("http://x")'


def test_failed_export_leaves_previous_file(tmp_path: Path) -> None:
    """An export that fails half-way leaves the old report intact and no temporary file."""
    path = tmp_path / "export.csv"
    path.write_text("previous report\n", encoding="utf-8")

    def broken() -> Iterator[SessionRecord]:
        yield make_record("a")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_csv(path, broken(), [], UTC)
    assert path.read_text(encoding="utf-8") == "previous report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["export.csv"]


# --- damaged files --------------------------------------------------------------------------


def test_random_bytes_are_reported_and_left_intact(tmp_path: Path) -> None:
    """A file that is not a database raises HistoryCorruptError and is not modified."""
    path = tmp_path / "sessions.db"
    path.write_bytes(random.Random(3).randbytes(64 * 1024))
    before = snapshot(tmp_path)
    with pytest.raises(HistoryCorruptError) as caught:
        SessionHistory(path).open()
    assert caught.value.path == path
    assert str(path) in str(caught.value)
    assert "left untouched" in str(caught.value)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncated_history_is_reported_and_left_intact(tmp_path: Path, keep: float) -> None:
    """A history cut short (e.g. a full SD card) is detected, not overwritten."""
    path = tmp_path / "sessions.db"
    with SessionHistory(path) as history:
        history.add_many(
            make_record(f"s{i:05d}", started_at=T0 + timedelta(hours=i), tag_name="x" * 200)
            for i in range(3000)
        )
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep) // 4096 * 4096])
    before = snapshot(tmp_path)
    with pytest.raises(HistoryCorruptError):
        SessionHistory(path).open()
    assert snapshot(tmp_path) == before


def test_foreign_database_is_reported(tmp_path: Path) -> None:
    """A SQLite file whose sessions table has another shape is not written into."""
    path = tmp_path / "sessions.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE sessions (id INTEGER PRIMARY KEY, note TEXT)")
    db.close()
    before = snapshot(tmp_path)
    with pytest.raises(HistoryCorruptError, match="lacks the columns"):
        SessionHistory(path).open()
    assert snapshot(tmp_path) == before


def test_unopenable_file_is_not_called_corrupt(tmp_path: Path) -> None:
    """Errors that are not damage (here: a directory in the way) must not lead to quarantine."""
    path = tmp_path / "sessions.db"
    path.mkdir()
    with pytest.raises(sqlite3.Error) as caught:
        SessionHistory(path).open()
    assert not isinstance(caught.value, HistoryCorruptError)


def test_empty_file_becomes_a_new_history(tmp_path: Path) -> None:
    """A zero-byte file holds nothing to protect; it is initialised."""
    path = tmp_path / "sessions.db"
    path.touch()
    with SessionHistory(path) as history:
        assert history.add(make_record())


def test_quarantine_keeps_the_damaged_file_and_a_fresh_history_starts(tmp_path: Path) -> None:
    """The old file (and its WAL) is renamed aside byte for byte; a new history opens."""
    path = tmp_path / "sessions.db"
    garbage = os.urandom(8192)
    path.write_bytes(garbage)
    Path(f"{path}-wal").write_bytes(b"wal content")
    with pytest.raises(HistoryCorruptError):
        SessionHistory(path).open()

    kept = SessionHistory.quarantine(path)
    assert kept.parent == tmp_path
    assert kept.name.startswith("sessions.db.corrupt-")
    assert kept.read_bytes() == garbage
    assert Path(f"{kept}-wal").read_bytes() == b"wal content"
    assert not path.exists()
    assert not Path(f"{path}-wal").exists()

    with SessionHistory(path) as history:
        assert history.add(make_record())
        assert history.count() == 1

    # A second damaged file in the same second gets its own name.
    history.close()
    path.write_bytes(garbage)
    Path(f"{path}-wal").unlink(missing_ok=True)
    Path(f"{path}-shm").unlink(missing_ok=True)
    second = SessionHistory.quarantine(path)
    assert second != kept
    assert kept.read_bytes() == second.read_bytes() == garbage


def test_healthy_history_opens_after_unclean_shutdown(tmp_path: Path) -> None:
    """Sessions committed before a crash (WAL not checkpointed) are all there after reopening."""
    path = tmp_path / "sessions.db"
    history = SessionHistory(path)
    history.open()
    history.add_many(make_record(f"s{i}") for i in range(50))
    # Simulate a crash: copy the files while the connection is still open.
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    for name in ("sessions.db", "sessions.db-wal"):
        (crashed / name).write_bytes((tmp_path / name).read_bytes())
    history.close()
    with SessionHistory(crashed / "sessions.db") as reopened:
        assert reopened.count() == 50


# The sessions table as version 1 (the first release) wrote it, copied from that release.
_VERSION_1_SCHEMA = """
CREATE TABLE sessions (
    session_id TEXT PRIMARY KEY NOT NULL,
    charger_id TEXT NOT NULL,
    charger_name TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER NOT NULL,
    charging_s REAL NOT NULL,
    energy_wh REAL NOT NULL,
    cost REAL,
    currency TEXT,
    avg_power_w REAL,
    peak_power_w REAL,
    tag_id TEXT,
    tag_name TEXT,
    energy_source TEXT NOT NULL,
    gaps INTEGER NOT NULL DEFAULT 0,
    unpriced_wh REAL NOT NULL DEFAULT 0,
    end_latest INTEGER,
    unseen_s REAL NOT NULL DEFAULT 0
);
CREATE INDEX sessions_by_start ON sessions (started_at);
PRAGMA user_version = 1;
"""


def test_a_version_1_history_gains_the_uncertainty_flags_and_keeps_every_session(
    tmp_path: Path,
) -> None:
    path = tmp_path / "sessions.db"
    start_us = int((T0 - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() * 1_000_000)
    hour_us = 3_600_000_000
    old = sqlite3.connect(path)
    old.executescript(_VERSION_1_SCHEMA)
    old.executemany(
        "INSERT INTO sessions VALUES (?, 'box-1', 'Garage', ?, ?, 5400, ?, 3.0, 'EUR', 6666.7,"
        " 11000, '04A21BFF', 'Anna', 'meter', 0, 0, ?, 0)",
        [
            ("seen", start_us, start_us + 2 * hour_us, 10_000.0, None),
            (
                "missed_end",
                start_us + 3 * hour_us,
                start_us + 4 * hour_us,
                994.0,
                start_us + 5 * hour_us,
            ),
        ],
    )
    old.commit()
    old.close()
    with SessionHistory(path) as history:
        seen, missed = history.query()
        assert (seen.session_id, seen.energy_wh, seen.cost) == ("seen", 10_000.0, 3.0)
        assert not seen.end_uncertain and not seen.start_uncertain
        assert missed.session_id == "missed_end" and missed.energy_wh == 994.0
        assert missed.end_latest == T0 + timedelta(hours=5)
        assert missed.end_uncertain and not missed.start_uncertain
        history.add(
            make_record(
                "new",
                start_uncertain=True,
                started_at=T0 + timedelta(days=1),
                ended_at=T0 + timedelta(days=1, hours=1),
            )
        )
    with SessionHistory(path) as history:  # opening again changes nothing
        assert [r.session_id for r in history.query()] == ["seen", "missed_end", "new"]
        assert history.get("new") == make_record(
            "new",
            start_uncertain=True,
            started_at=T0 + timedelta(days=1),
            ended_at=T0 + timedelta(days=1, hours=1),
        )
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    check.close()
