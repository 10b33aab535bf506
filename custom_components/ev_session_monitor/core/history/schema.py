"""The sessions table: its columns, schema and migrations, and a SessionRecord as a row and back.

Times are stored as integer microseconds since the Unix epoch (UTC), which round-trips every
`datetime` exactly and keeps range queries on a plain integer index.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from ..model import PricePart, SessionRecord

SCHEMA_VERSION = 4
COLUMNS = (
    "session_id",
    "charger_id",
    "charger_name",
    "started_at",
    "ended_at",
    "charging_s",
    "energy_wh",
    "cost",
    "currency",
    "avg_power_w",
    "peak_power_w",
    "tag_id",
    "tag_name",
    "energy_source",
    "gaps",
    "unpriced_wh",
    "end_latest",
    "unseen_s",
    "start_uncertain",
    "end_uncertain",
    "meter_start_wh",
    "meter_end_wh",
    "meter_serial",
    "odometer_start_km",
    "odometer_end_km",
    "note",
    "price_parts",
)
# Columns added after the first release, with their definitions: an older file gains them on
# open, and each one's statement fills it in for the sessions already there.
ADDED_COLUMNS = {
    "unpriced_wh": "REAL NOT NULL DEFAULT 0",
    "end_latest": "INTEGER",
    "unseen_s": "REAL NOT NULL DEFAULT 0",
    # Version 2.
    "start_uncertain": "INTEGER NOT NULL DEFAULT 0",
    "end_uncertain": "INTEGER NOT NULL DEFAULT 0",
    # Version 3: billing readings and the note of a correction.
    "meter_start_wh": "REAL",
    "meter_end_wh": "REAL",
    "meter_serial": "TEXT",
    "odometer_start_km": "REAL",
    "odometer_end_km": "REAL",
    "note": "TEXT",
    # Version 4: the energy per price of a session whose price changed.
    "price_parts": "TEXT",
}
# Tables added after the first release (created on open when missing).
ADDED_TABLES = """
CREATE TABLE IF NOT EXISTS corrections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    changed_at INTEGER NOT NULL, -- microseconds since 1970-01-01 UTC
    user_id TEXT,
    user_name TEXT,
    field TEXT NOT NULL, -- "tag" or "note"
    before TEXT,
    after TEXT
);
CREATE INDEX IF NOT EXISTS corrections_by_session ON corrections (session_id, id);
CREATE TABLE IF NOT EXISTS statements (
    scope TEXT NOT NULL, -- "tag:<id>" or "person:<entity id>"
    month TEXT NOT NULL, -- YYYY-MM
    issued_at INTEGER NOT NULL,
    reference TEXT NOT NULL, -- the fingerprint of the figures it showed
    path TEXT NOT NULL, -- relative to the configuration folder
    PRIMARY KEY (scope, month, issued_at)
);
"""
FILL_ADDED_COLUMN = {
    # Sessions recorded before version 2 whose end was not seen said so with end_latest only.
    "end_uncertain": "UPDATE sessions SET end_uncertain = 1 WHERE end_latest IS NOT NULL",
}
SELECT = f"SELECT {', '.join(COLUMNS)} FROM sessions"
INSERT = (
    f"INSERT OR IGNORE INTO sessions ({', '.join(COLUMNS)})"
    f" VALUES ({', '.join('?' * len(COLUMNS))})"
)
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS sessions (
    session_id TEXT PRIMARY KEY NOT NULL,
    charger_id TEXT NOT NULL,
    charger_name TEXT NOT NULL,
    started_at INTEGER NOT NULL, -- microseconds since 1970-01-01 UTC
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
    unpriced_wh REAL NOT NULL DEFAULT 0, -- energy with no known price (not in cost)
    end_latest INTEGER, -- the end was not seen: it lies between ended_at and this
    unseen_s REAL NOT NULL DEFAULT 0, -- time nothing could measure the energy
    start_uncertain INTEGER NOT NULL DEFAULT 0, -- the plug-in was not seen: it lies before
    end_uncertain INTEGER NOT NULL DEFAULT 0, -- the end was not seen (see end_latest)
    meter_start_wh REAL, -- the box's lifetime meter at the start (billing)
    meter_end_wh REAL,
    meter_serial TEXT,
    odometer_start_km REAL,
    odometer_end_km REAL,
    note TEXT, -- an administrator's note (see corrections)
    price_parts TEXT -- JSON [[start us, Wh, price or null], ...] where the price changed
);
CREATE INDEX IF NOT EXISTS sessions_by_start ON sessions (started_at);
CREATE INDEX IF NOT EXISTS sessions_by_tag ON sessions (tag_id, started_at);
CREATE INDEX IF NOT EXISTS sessions_by_charger ON sessions (charger_id, started_at);
{ADDED_TABLES}
PRAGMA user_version = {SCHEMA_VERSION};
"""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_FLOAT_FIELDS = (
    "charging_s",
    "energy_wh",
    "cost",
    "avg_power_w",
    "peak_power_w",
    "unpriced_wh",
    "unseen_s",
    "meter_start_wh",
    "meter_end_wh",
    "odometer_start_km",
    "odometer_end_km",
)


def to_us(value: datetime, what: str) -> int:
    """Microseconds since the epoch of an aware time (`what` names it in the error)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {value!r}")
    return (value - _EPOCH) // _MICROSECOND


def from_us(value: int) -> datetime:
    """The UTC time of a stored value."""
    return _EPOCH + timedelta(microseconds=value)


def to_row(record: SessionRecord) -> tuple[Any, ...]:
    """The row of a session in COLUMNS order; ValueError for one that could not round-trip."""
    if not record.session_id:
        raise ValueError("session_id must not be empty")
    for name in _FLOAT_FIELDS:
        number = getattr(record, name)
        # SQLite stores NaN as NULL: refuse rather than record a value that comes back different.
        if number is not None and not math.isfinite(number):
            raise ValueError(f"session {record.session_id}: {name} is {number}")
    return (
        record.session_id,
        record.charger_id,
        record.charger_name,
        to_us(record.started_at, "started_at"),
        to_us(record.ended_at, "ended_at"),
        float(record.charging_s),
        float(record.energy_wh),
        None if record.cost is None else float(record.cost),
        record.currency,
        None if record.avg_power_w is None else float(record.avg_power_w),
        None if record.peak_power_w is None else float(record.peak_power_w),
        record.tag_id,
        record.tag_name,
        record.energy_source,
        int(record.gaps),
        float(record.unpriced_wh),
        None if record.end_latest is None else to_us(record.end_latest, "end_latest"),
        float(record.unseen_s),
        int(record.start_uncertain),
        int(record.end_uncertain),
        _optional(record.meter_start_wh),
        _optional(record.meter_end_wh),
        record.meter_serial,
        _optional(record.odometer_start_km),
        _optional(record.odometer_end_km),
        record.note,
        _parts_text(record),
    )


def _parts_text(record: SessionRecord) -> str | None:
    parts = record.price_parts
    for part in parts:
        if not math.isfinite(part.energy_wh) or (
            part.price_per_kwh is not None and not math.isfinite(part.price_per_kwh)
        ):
            raise ValueError(f"session {record.session_id}: a price part is {part}")
    if not parts:
        return None
    return json.dumps(
        [
            [to_us(part.started_at, "a price part's start"), part.energy_wh, part.price_per_kwh]
            for part in parts
        ],
        separators=(",", ":"),
    )


def _parts(text: str | None) -> tuple[PricePart, ...]:
    if text is None:
        return ()
    return tuple(
        PricePart(from_us(started), energy_wh, price)
        for started, energy_wh, price in json.loads(text)
    )


def _optional(value: float | None) -> float | None:
    return None if value is None else float(value)


def to_records(rows: Iterable[tuple[Any, ...]]) -> list[SessionRecord]:
    """The sessions of rows read with SELECT."""
    # Charger, tag and currency strings repeat on every row; sharing one object per distinct value
    # cuts the memory of a 50,000-session result by about a third.
    shared: dict[str, str] = {}

    def share(value: str | None) -> str | None:
        return None if value is None else shared.setdefault(value, value)

    return [
        SessionRecord(
            session_id=row[0],
            charger_id=shared.setdefault(row[1], row[1]),
            charger_name=shared.setdefault(row[2], row[2]),
            started_at=from_us(row[3]),
            ended_at=from_us(row[4]),
            charging_s=row[5],
            energy_wh=row[6],
            cost=row[7],
            currency=share(row[8]),
            avg_power_w=row[9],
            peak_power_w=row[10],
            tag_id=share(row[11]),
            tag_name=share(row[12]),
            energy_source=shared.setdefault(row[13], row[13]),
            gaps=row[14],
            unpriced_wh=row[15],
            end_latest=None if row[16] is None else from_us(row[16]),
            unseen_s=row[17],
            start_uncertain=bool(row[18]),
            end_uncertain=bool(row[19]),
            meter_start_wh=row[20],
            meter_end_wh=row[21],
            meter_serial=share(row[22]),
            odometer_start_km=row[23],
            odometer_end_km=row[24],
            note=row[25],
            price_parts=_parts(row[26]),
        )
        for row in rows
    ]
