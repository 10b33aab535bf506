"""History version 3: a release-2 file migrates whole; corrections keep an audit trail."""

from __future__ import annotations

import sqlite3
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from custom_components.ev_session_monitor.core.history import SessionHistory, totals
from custom_components.ev_session_monitor.core.history.schema import SCHEMA_VERSION
from custom_components.ev_session_monitor.core.model import PricePart

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from history_benchmark import make_sessions

# The sessions table exactly as release 2 (schema version 2) created it.
_RELEASE_2_SCHEMA = """
CREATE TABLE sessions (
    session_id TEXT PRIMARY KEY NOT NULL, charger_id TEXT NOT NULL, charger_name TEXT NOT NULL,
    started_at INTEGER NOT NULL, ended_at INTEGER NOT NULL, charging_s REAL NOT NULL,
    energy_wh REAL NOT NULL, cost REAL, currency TEXT, avg_power_w REAL, peak_power_w REAL,
    tag_id TEXT, tag_name TEXT, energy_source TEXT NOT NULL, gaps INTEGER NOT NULL DEFAULT 0,
    unpriced_wh REAL NOT NULL DEFAULT 0, end_latest INTEGER, unseen_s REAL NOT NULL DEFAULT 0,
    start_uncertain INTEGER NOT NULL DEFAULT 0, end_uncertain INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_by_start ON sessions (started_at);
CREATE INDEX sessions_by_tag ON sessions (tag_id, started_at);
CREATE INDEX sessions_by_charger ON sessions (charger_id, started_at);
PRAGMA user_version = 2;
"""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _us(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _release_2_file(path: Path, count: int) -> list[tuple[object, ...]]:
    records = make_sessions(count)
    rows = [
        (
            r.session_id,
            r.charger_id,
            r.charger_name,
            _us(r.started_at),
            _us(r.ended_at),
            r.charging_s,
            r.energy_wh,
            r.cost,
            r.currency,
            r.avg_power_w,
            r.peak_power_w,
            r.tag_id,
            r.tag_name,
            r.energy_source,
            r.gaps,
            r.unpriced_wh,
            None,
            r.unseen_s,
            0,
            0,
        )
        for r in records
    ]
    db = sqlite3.connect(path)
    db.executescript(_RELEASE_2_SCHEMA)
    db.executemany(f"INSERT INTO sessions VALUES ({', '.join('?' * 20)})", rows)
    db.commit()
    db.close()
    return rows


def test_a_release_2_history_of_50000_sessions_migrates_losing_nothing(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    rows = _release_2_file(path, 50_000)
    expected = make_sessions(50_000)
    with SessionHistory(path) as history:
        migrated = history.query()
        assert len(migrated) == 50_000
        by_id = {record.session_id: record for record in migrated}
        for record in expected:
            assert by_id[record.session_id] == record
        assert totals(migrated, UTC) == totals(expected, UTC)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    assert db.execute("SELECT COUNT(*) FROM sessions").fetchone() == (len(rows),)
    db.close()
    # The copy kept aside during the migration is gone once it succeeded.
    assert not (tmp_path / "sessions.db.v2-backup").exists()


def test_a_failed_migration_keeps_the_file_and_a_copy(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    _release_2_file(path, 20)
    db = sqlite3.connect(path)
    # Something else already owns the name of a table version 3 adds: the migration fails.
    db.execute("CREATE VIEW corrections AS SELECT 1")
    db.commit()
    db.close()
    with pytest.raises(sqlite3.Error):
        SessionHistory(path).open()
    for kept in (path, tmp_path / "sessions.db.v2-backup"):
        check = sqlite3.connect(kept)
        assert check.execute("PRAGMA user_version").fetchone() == (2,)
        assert check.execute("SELECT COUNT(*) FROM sessions").fetchone() == (20,)
        columns = {row[1] for row in check.execute("PRAGMA table_info(sessions)")}
        assert "meter_start_wh" not in columns
        check.close()


def test_billing_fields_round_trip(tmp_path: Path) -> None:
    (record,) = make_sessions(1)
    billed = replace(
        record,
        meter_start_wh=1_000_000.0,
        meter_end_wh=1_000_000.0 + record.energy_wh,
        meter_serial="KEBA-1",
        odometer_start_km=12_345.6,
        odometer_end_km=12_402.1,
    )
    with SessionHistory(tmp_path / "sessions.db") as history:
        history.add(billed)
        assert history.get(record.session_id) == billed


def test_price_parts_round_trip_and_a_version_3_file_gains_them(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    old, dynamic = make_sessions(2)
    hour = old.started_at + timedelta(hours=1)
    dynamic = replace(
        dynamic,
        price_parts=(
            PricePart(dynamic.started_at, 4_000.0, 0.31),
            PricePart(hour, 2_500.5, None),
            PricePart(hour + timedelta(hours=1), 1_200.25, 0.2712),
        ),
    )
    with SessionHistory(path) as history:
        history.add(old)
    # The file as version 3 wrote it: no price_parts column.
    db = sqlite3.connect(path)
    db.executescript("ALTER TABLE sessions DROP COLUMN price_parts; PRAGMA user_version = 3;")
    db.close()
    with SessionHistory(path) as history:
        assert history.get(old.session_id) == old
        history.add(dynamic)
        assert history.get(dynamic.session_id) == dynamic
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,) == (4,)
    db.close()
    assert not (tmp_path / "sessions.db.v3-backup").exists()


def test_a_reassigned_session_keeps_its_audit_trail(tmp_path: Path) -> None:
    (record,) = make_sessions(1)
    record = replace(record, tag_id="04A1", tag_name="Anna")
    first = datetime(2026, 12, 1, 9, tzinfo=UTC)
    with SessionHistory(tmp_path / "sessions.db") as history:
        history.add(record)
        changed = history.correct(
            record.session_id,
            at=first,
            user_id="admin-1",
            user_name="Admin",
            tag=("04B2", "Company car"),
            note="charged the company car on Anna's card",
        )
        assert (changed.tag_id, changed.tag_name) == ("04B2", "Company car")
        assert changed.note == "charged the company car on Anna's card"
        assert changed.energy_wh == record.energy_wh
        assert history.get(record.session_id) == changed
        # The same card again changes nothing and leaves no trail.
        history.correct(
            record.session_id, at=first, user_id=None, user_name=None, tag=("04B2", "x")
        )
        trail = [c.to_dict() for c in history.corrections(record.session_id)]
        assert trail == [
            {
                "changed_at": first.isoformat(),
                "user_id": "admin-1",
                "user_name": "Admin",
                "field": "tag",
                "before": "04A1 (Anna)",
                "after": "04B2 (Company car)",
            },
            {
                "changed_at": first.isoformat(),
                "user_id": "admin-1",
                "user_name": "Admin",
                "field": "note",
                "before": None,
                "after": "charged the company car on Anna's card",
            },
        ]
        assert history.corrected_since(first) == {record.session_id}
        assert history.corrected_since(first + timedelta(seconds=1)) == set()
        assert history.query(tag_ids=["04A1"]) == []
        with pytest.raises(KeyError):
            history.correct("nope", at=first, user_id=None, user_name=None, note="x")
