"""The session history: completed sessions in one SQLite file, plus monthly totals and CSV export.

Synchronous on purpose: Home Assistant calls it through its executor; tests and the benchmark call
it directly. Rules that protect the user's records:

- a session id is recorded at most once (insert-or-ignore on the primary key);
- every commit is synced to disk (WAL with synchronous=FULL): a session reported as recorded
  survives a power cut;
- a damaged file is never repaired, overwritten or deleted: `open()` raises HistoryCorruptError
  and `quarantine()` renames it aside so a fresh history can start while the old one is kept.

Times are stored as integer microseconds since the Unix epoch (UTC), which round-trips every
`datetime` exactly and keeps range queries on a plain integer index.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import os
import sqlite3
import tempfile
import threading
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TextIO

from .model import SessionRecord

__all__ = [
    "CSV_CHARGER_TOTALS_HEADER",
    "CSV_HEADER",
    "CSV_TOTALS_HEADER",
    "SORT_COLUMNS",
    "UNTAGGED",
    "ChargerTotalRow",
    "HistoryCorruptError",
    "SessionHistory",
    "Summary",
    "TotalRow",
    "charger_totals",
    "render_csv",
    "render_totals_csv",
    "summarize",
    "totals",
    "write_csv",
]

# In a `tag_ids` filter, matches sessions without a tag.
UNTAGGED = ""

SCHEMA_VERSION = 2
_COLUMNS = (
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
)
# Columns added after the first release, with their definitions: an older file gains them on
# open, and each one's statement fills it in for the sessions already there.
_ADDED_COLUMNS = {
    "unpriced_wh": "REAL NOT NULL DEFAULT 0",
    "end_latest": "INTEGER",
    "unseen_s": "REAL NOT NULL DEFAULT 0",
    # Version 2.
    "start_uncertain": "INTEGER NOT NULL DEFAULT 0",
    "end_uncertain": "INTEGER NOT NULL DEFAULT 0",
    # The box's meter at the transaction's start and end (OCPP charge points).
    "meter_start_wh": "REAL",
    "meter_end_wh": "REAL",
}
_FILL_ADDED_COLUMN = {
    # Sessions recorded before version 2 whose end was not seen said so with end_latest only.
    "end_uncertain": "UPDATE sessions SET end_uncertain = 1 WHERE end_latest IS NOT NULL",
}
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM sessions"
_INSERT = (
    f"INSERT OR IGNORE INTO sessions ({', '.join(_COLUMNS)})"
    f" VALUES ({', '.join('?' * len(_COLUMNS))})"
)
_SCHEMA = f"""
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
    meter_start_wh REAL, -- the box's meter at the transaction's start (OCPP meterStart)
    meter_end_wh REAL -- and at its end (meterStop)
);
CREATE INDEX IF NOT EXISTS sessions_by_start ON sessions (started_at);
CREATE INDEX IF NOT EXISTS sessions_by_tag ON sessions (tag_id, started_at);
CREATE INDEX IF NOT EXISTS sessions_by_charger ON sessions (charger_id, started_at);
PRAGMA user_version = {SCHEMA_VERSION};
"""
# SQLite result codes that mean "this file is not a healthy database" (as opposed to locked,
# read-only, missing permissions or a full disk, which must never lead to quarantining).
_CORRUPTION_CODES = frozenset({"SQLITE_CORRUPT", "SQLITE_NOTADB"})
_SIDECARS = ("-wal", "-shm", "-journal")
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
)


class HistoryCorruptError(Exception):
    """The history file exists but is damaged or is not a session database."""

    def __init__(self, path: Path, detail: str) -> None:
        """Say which file, what is wrong, and that it was left as it is."""
        super().__init__(
            f"The session history {path} is damaged or is not a session database ({detail});"
            " the file was left untouched"
        )
        self.path = path
        self.detail = detail


def _is_corruption(err: sqlite3.Error) -> bool:
    return getattr(err, "sqlite_errorname", None) in _CORRUPTION_CODES


def _to_us(value: datetime, what: str) -> int:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {value!r}")
    return (value - _EPOCH) // _MICROSECOND


def _from_us(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


def _row(record: SessionRecord) -> tuple[Any, ...]:
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
        _to_us(record.started_at, "started_at"),
        _to_us(record.ended_at, "ended_at"),
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
        None if record.end_latest is None else _to_us(record.end_latest, "end_latest"),
        float(record.unseen_s),
        int(record.start_uncertain),
        int(record.end_uncertain),
        None if record.meter_start_wh is None else float(record.meter_start_wh),
        None if record.meter_end_wh is None else float(record.meter_end_wh),
    )


def _records(rows: Iterable[tuple[Any, ...]]) -> list[SessionRecord]:
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
            started_at=_from_us(row[3]),
            ended_at=_from_us(row[4]),
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
            end_latest=None if row[16] is None else _from_us(row[16]),
            unseen_s=row[17],
            start_uncertain=bool(row[18]),
            end_uncertain=bool(row[19]),
            meter_start_wh=row[20],
            meter_end_wh=row[21],
        )
        for row in rows
    ]


def _placeholders(values: list[str]) -> str:
    return ", ".join("?" * len(values))


class SessionHistory:
    """Completed charging sessions in one SQLite file.

    One connection, serialized by a lock, usable from any thread (Home Assistant runs each call in
    an executor thread of its choice).
    """

    def __init__(self, path: Path) -> None:
        """Remember the file; nothing is touched until `open()`."""
        self.path = Path(path)
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    # --- lifecycle --------------------------------------------------------------------------

    def open(self) -> None:
        """Open the history, creating it if needed.

        Raises HistoryCorruptError when the file is not a database, is damaged, or holds a
        `sessions` table of another shape; the file is then left exactly as it was. Other
        failures (permissions, locked, disk full) raise sqlite3.Error or OSError unchanged.
        """
        if self._db is not None:
            return
        if self.path.exists() and self.path.stat().st_size > 0:
            self._check_existing()
        db = sqlite3.connect(self.path, timeout=10, autocommit=True, check_same_thread=False)
        try:
            # Checked before anything is written: a foreign database must stay as it is.
            create = self._needs_schema(db)
            db.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit reported as done is on disk, even after a power cut.
            db.execute("PRAGMA synchronous=FULL")
            if create:
                db.executescript(f"BEGIN IMMEDIATE; {_SCHEMA} COMMIT;")
            else:
                self._add_new_columns(db)
        except sqlite3.Error as err:
            db.close()
            if _is_corruption(err):
                raise HistoryCorruptError(self.path, str(err)) from err
            raise
        except HistoryCorruptError:
            db.close()
            raise
        self._db = db

    def _check_existing(self) -> None:
        """Run `PRAGMA quick_check` through a read-only connection, which cannot write the file."""
        sidecars_before = {suffix for suffix in _SIDECARS if _sidecar(self.path, suffix).exists()}
        detail: str | None = None
        try:
            uri = f"{self.path.absolute().as_uri()}?mode=ro"
            check = sqlite3.connect(uri, uri=True, timeout=10)
            try:
                problems = [row[0] for row in check.execute("PRAGMA quick_check(5)")]
            finally:
                check.close()
        except sqlite3.Error as err:
            if not _is_corruption(err):
                raise
            detail = str(err)
        else:
            if problems != ["ok"]:
                detail = "; ".join(str(problem) for problem in problems)
        if detail is not None:
            # Opening a WAL-mode file read-only creates empty -wal/-shm files; remove only those
            # we created (an empty -wal holds nothing), so the directory is as we found it.
            for suffix in set(_SIDECARS) - sidecars_before:
                sidecar = _sidecar(self.path, suffix)
                if suffix == "-shm" or (sidecar.exists() and sidecar.stat().st_size == 0):
                    sidecar.unlink(missing_ok=True)
            raise HistoryCorruptError(self.path, detail)

    def _needs_schema(self, db: sqlite3.Connection) -> bool:
        columns = {row[1] for row in db.execute("PRAGMA table_info(sessions)")}
        if not columns:
            return True
        missing = [
            column for column in _COLUMNS if column not in columns and column not in _ADDED_COLUMNS
        ]
        if missing:
            raise HistoryCorruptError(
                self.path, f"its sessions table lacks the columns {', '.join(missing)}"
            )
        return False

    @staticmethod
    def _add_new_columns(db: sqlite3.Connection) -> None:
        """Give a history from an older version the columns added since (nothing is lost).

        One transaction: a file is migrated whole or, after a crash, left as it was.
        """
        columns = {row[1] for row in db.execute("PRAGMA table_info(sessions)")}
        statements = []
        for column, definition in _ADDED_COLUMNS.items():
            if column not in columns:
                statements.append(f"ALTER TABLE sessions ADD COLUMN {column} {definition};")
                if column in _FILL_ADDED_COLUMN:
                    statements.append(f"{_FILL_ADDED_COLUMN[column]};")
        (version,) = db.execute("PRAGMA user_version").fetchone()
        if statements or version < SCHEMA_VERSION:
            db.executescript(
                f"BEGIN IMMEDIATE; {' '.join(statements)}"
                f" PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
            )

    @staticmethod
    def quarantine(path: Path) -> Path:
        """Rename a damaged history (and its -wal/-shm/-journal files) aside; return the new path.

        The new name is `<name>.corrupt-<UTC timestamp>` in the same directory, so the user can
        still recover it while a fresh history starts at `path`. Nothing is deleted.
        """
        path = Path(path)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = path.with_name(f"{path.name}.corrupt-{stamp}")
        counter = 1
        while any(_sidecar(target, suffix).exists() for suffix in ("", *_SIDECARS)):
            target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
            counter += 1
        path.replace(target)  # main file first: FileNotFoundError if there is nothing to keep
        for suffix in _SIDECARS:
            source = _sidecar(path, suffix)
            if source.exists():
                source.replace(_sidecar(target, suffix))
        return target

    def close(self) -> None:
        """Close the file (safe to call twice)."""
        with self._lock:
            if self._db is None:
                return
            db, self._db = self._db, None
            # Keeps query plans good as the table grows; only an optimisation, so never fatal.
            with contextlib.suppress(sqlite3.Error):
                db.execute("PRAGMA optimize")
            db.close()

    def __enter__(self) -> Self:
        """Open on entering a `with` block."""
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close on leaving a `with` block."""
        self.close()

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError(f"session history {self.path} is not open")
        return self._db

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            db = self._connection()
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise

    # --- writing ----------------------------------------------------------------------------

    def add(self, record: SessionRecord) -> bool:
        """Record a completed session; return False if its session id was already recorded.

        Raises ValueError for a record that could not round-trip (naive datetimes, NaN values).
        """
        row = _row(record)
        with self._write() as db:
            return db.execute(_INSERT, row).rowcount == 1

    def add_many(self, records: Iterable[SessionRecord]) -> int:
        """Record sessions in one transaction (all or none); return how many were new."""
        rows = [_row(record) for record in records]  # validate all before writing any
        with self._write() as db:
            before = db.total_changes
            db.executemany(_INSERT, rows)
            return db.total_changes - before

    # --- reading ----------------------------------------------------------------------------

    def count(
        self,
        *,
        charger_ids: Collection[str] | None = None,
        tag_ids: Collection[str] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int:
        """Return how many sessions match the filters (as in `query`); all when none is given."""
        condition = _where(charger_ids, tag_ids, start, end)
        if condition is None:
            return 0
        sql, params = condition
        with self._lock:
            row = self._connection().execute(f"SELECT COUNT(*) FROM sessions{sql}", params)
            return int(row.fetchone()[0])

    def get(self, session_id: str) -> SessionRecord | None:
        """Return one session by id, or None."""
        with self._lock:
            rows = self._connection().execute(f"{_SELECT} WHERE session_id = ?", (session_id,))
            found = _records(rows.fetchall())
        return found[0] if found else None

    def query(
        self,
        *,
        charger_ids: Collection[str] | None = None,
        tag_ids: Collection[str] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int | None = None,
        newest_first: bool = False,
        offset: int = 0,
        sort: str = "started_at",
    ) -> list[SessionRecord]:
        """Return the sessions that started in [start, end), oldest first.

        Filters combine with AND; None means "any". `charger_ids` and `tag_ids` match exactly as
        recorded (callers normalize tag ids with `normalize_tag`); the tag id `UNTAGGED` ("")
        matches sessions without a tag. An empty collection matches nothing. With
        `newest_first`, the order is reversed, so `limit` keeps the most recent sessions.
        `sort` (one of SORT_COLUMNS) orders by another column first, ties by start; `offset`
        skips that many sessions of the ordered result (paging in SQL, not in Python).
        """
        if sort not in SORT_COLUMNS:
            raise ValueError(f"cannot sort by {sort!r}")
        if limit is not None and limit < 0:
            raise ValueError("limit must not be negative")
        if offset < 0:
            raise ValueError("offset must not be negative")
        condition = _where(charger_ids, tag_ids, start, end)
        if condition is None or limit == 0:
            return []
        where, params = condition
        order = "DESC" if newest_first else "ASC"
        keys = dict.fromkeys((sort, "started_at", "session_id"))
        sql = f"{_SELECT}{where} ORDER BY {', '.join(f'{key} {order}' for key in keys)}"
        if limit is not None or offset:
            # SQLite needs a LIMIT before an OFFSET; -1 means no limit.
            sql += " LIMIT ? OFFSET ?"
            params.extend((-1 if limit is None else limit, offset))
        with self._lock:
            return _records(self._connection().execute(sql, params))

    def query_overlapping(
        self, *, start: datetime, end: datetime, charger_ids: Collection[str] | None = None
    ) -> list[SessionRecord]:
        """Return the sessions whose time overlaps [start, end), oldest first (calendar views).

        A session lasts from its start to its end (the last reading that saw it when the end was
        not observed); one without duration counts when it started in the range.
        """
        condition = _where(charger_ids, None, None, end)
        if condition is None:
            return []
        where, params = condition
        start_us = _to_us(start, "start")
        sql = (
            f"{_SELECT}{where} AND (ended_at > ? OR started_at >= ?)"
            " ORDER BY started_at ASC, session_id ASC"
        )
        with self._lock:
            return _records(self._connection().execute(sql, [*params, start_us, start_us]))


# Columns a caller may order by: only these names ever reach the SQL text.
SORT_COLUMNS = frozenset(
    {"started_at", "ended_at", "charger_name", "tag_name", "energy_wh", "cost", "charging_s"}
)


def _where(
    charger_ids: Collection[str] | None,
    tag_ids: Collection[str] | None,
    start: datetime | None,
    end: datetime | None,
) -> tuple[str, list[Any]] | None:
    """The WHERE clause (with its leading space) and parameters; None when nothing can match."""
    where: list[str] = []
    params: list[Any] = []
    if charger_ids is not None:
        chargers = list(dict.fromkeys(charger_ids))
        if not chargers:
            return None
        where.append(f"charger_id IN ({_placeholders(chargers)})")
        params.extend(chargers)
    if tag_ids is not None:
        tags = list(dict.fromkeys(tag_ids))
        if not tags:
            return None
        tag_clause = f"tag_id IN ({_placeholders(tags)})"
        if UNTAGGED in tags:
            tag_clause = f"({tag_clause} OR tag_id IS NULL)"
        where.append(tag_clause)
        params.extend(tags)
    if start is not None:
        where.append("started_at >= ?")
        params.append(_to_us(start, "start"))
    if end is not None:
        where.append("started_at < ?")
        params.append(_to_us(end, "end"))
    return (" WHERE " + " AND ".join(where) if where else ""), params


def _sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


# --- reports ----------------------------------------------------------------------------------

_CENT = Decimal("0.01")


def _cents(value: float) -> Decimal:
    """Round money the way an invoice does: half up, from the value as printed (2.675 -> 2.68)."""
    return Decimal(repr(value)).quantize(_CENT, rounding=ROUND_HALF_UP)


def _month(value: datetime, tz: tzinfo) -> str:
    local = value.astimezone(tz)
    return f"{local.year:04d}-{local.month:02d}"


@dataclass(frozen=True, slots=True)
class TotalRow:
    """The sessions of one tag in one month (in one currency).

    A session counts in the month in which it started, in the report's time zone. `cost` is the
    sum of the priced sessions' costs, each rounded to the cent as in the CSV rows, so the totals
    match the rows; it is None when no session of the group had a price.
    """

    month: str  # YYYY-MM
    tag_id: str | None
    tag_name: str | None
    sessions: int
    energy_wh: float
    cost: float | None
    currency: str | None
    unpriced_sessions: int = 0  # sessions without a known price (not in `cost`)
    charging_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serializable dict."""
        return {
            "month": self.month,
            "tag_id": self.tag_id,
            "tag_name": self.tag_name,
            "sessions": self.sessions,
            "energy_wh": round(self.energy_wh, 3),
            "energy_kwh": round(self.energy_wh / 1000, 3),
            "charging_s": round(self.charging_s, 1),
            "cost": None if self.cost is None else round(self.cost, 2),
            "currency": self.currency,
            "unpriced_sessions": self.unpriced_sessions,
        }


@dataclass(frozen=True, slots=True)
class ChargerTotalRow:
    """The sessions of one wallbox in one month (in one currency); counted as in TotalRow."""

    month: str  # YYYY-MM
    charger_id: str
    charger_name: str  # the most recent name recorded for the wallbox in that month
    sessions: int
    energy_wh: float
    charging_s: float
    cost: float | None
    currency: str | None
    unpriced_sessions: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serializable dict."""
        return {
            "month": self.month,
            "charger_id": self.charger_id,
            "charger_name": self.charger_name,
            "sessions": self.sessions,
            "energy_wh": round(self.energy_wh, 3),
            "energy_kwh": round(self.energy_wh / 1000, 3),
            "charging_s": round(self.charging_s, 1),
            "cost": None if self.cost is None else round(self.cost, 2),
            "currency": self.currency,
            "unpriced_sessions": self.unpriced_sessions,
        }


@dataclass(frozen=True, slots=True)
class Summary:
    """Overall figures of a set of sessions."""

    sessions: int
    energy_wh: float
    charging_s: float
    # Per currency ("" when a cost came without one), each session rounded to the cent.
    cost_by_currency: dict[str, float] = field(default_factory=dict)
    unpriced_sessions: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serializable dict."""
        return {
            "sessions": self.sessions,
            "energy_wh": round(self.energy_wh, 3),
            "energy_kwh": round(self.energy_wh / 1000, 3),
            "charging_s": round(self.charging_s, 1),
            "cost": {currency: round(cost, 2) for currency, cost in self.cost_by_currency.items()},
            "unpriced_sessions": self.unpriced_sessions,
        }


@dataclass(slots=True)
class _Group:
    sessions: int = 0
    energy_wh: float = 0.0
    charging_s: float = 0.0
    cost: Decimal | None = None
    unpriced: int = 0

    def add(self, record: SessionRecord) -> None:
        self.sessions += 1
        self.energy_wh += record.energy_wh
        self.charging_s += record.charging_s
        if record.cost is None:
            self.unpriced += 1
        else:
            self.cost = (self.cost or Decimal(0)) + _cents(record.cost)


def totals(records: Iterable[SessionRecord], tz: tzinfo) -> list[TotalRow]:
    """Group sessions per (month in `tz`, tag, currency); sorted by month, then tag name.

    Untagged sessions come last in each month. The tag name shown is the most recent one
    recorded for that tag in that month (a card renamed mid-month shows its new name).
    """
    groups: dict[tuple[str, str | None, str | None], _Group] = {}
    # Per (month, tag), not per currency: one card has one name in a month's report.
    names: dict[tuple[str, str | None], tuple[datetime, str]] = {}
    for record in records:
        month, tag_id = _month(record.started_at, tz), record.tag_id or None
        if record.tag_name:
            seen = names.get((month, tag_id))
            if seen is None or record.started_at >= seen[0]:
                names[month, tag_id] = (record.started_at, record.tag_name)
        key = (month, tag_id, record.currency)
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group()
        group.add(record)
    rows = [
        TotalRow(
            month=month,
            tag_id=tag_id,
            tag_name=names[month, tag_id][1] if (month, tag_id) in names else None,
            sessions=group.sessions,
            energy_wh=group.energy_wh,
            cost=None if group.cost is None else float(group.cost),
            currency=currency,
            unpriced_sessions=group.unpriced,
            charging_s=group.charging_s,
        )
        for (month, tag_id, currency), group in groups.items()
    ]
    rows.sort(
        key=lambda row: (
            row.month,
            row.tag_id is None,
            (row.tag_name or row.tag_id or "").casefold(),
            row.tag_id or "",
            row.currency or "",
        )
    )
    return rows


def charger_totals(records: Iterable[SessionRecord], tz: tzinfo) -> list[ChargerTotalRow]:
    """Group sessions per (month in `tz`, wallbox, currency); sorted by month, then name."""
    groups: dict[tuple[str, str, str | None], _Group] = {}
    names: dict[tuple[str, str], tuple[datetime, str]] = {}
    for record in records:
        month = _month(record.started_at, tz)
        seen = names.get((month, record.charger_id))
        if seen is None or record.started_at >= seen[0]:
            names[month, record.charger_id] = (record.started_at, record.charger_name)
        key = (month, record.charger_id, record.currency)
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group()
        group.add(record)
    rows = [
        ChargerTotalRow(
            month=month,
            charger_id=charger_id,
            charger_name=names[month, charger_id][1],
            sessions=group.sessions,
            energy_wh=group.energy_wh,
            charging_s=group.charging_s,
            cost=None if group.cost is None else float(group.cost),
            currency=currency,
            unpriced_sessions=group.unpriced,
        )
        for (month, charger_id, currency), group in groups.items()
    ]
    rows.sort(
        key=lambda row: (row.month, row.charger_name.casefold(), row.charger_id, row.currency or "")
    )
    return rows


def summarize(records: Iterable[SessionRecord]) -> Summary:
    """Return the overall figures: sessions, energy, charging time and cost per currency."""
    sessions = unpriced = 0
    energy = charging = 0.0
    costs: dict[str, Decimal] = {}
    for record in records:
        sessions += 1
        energy += record.energy_wh
        charging += record.charging_s
        if record.cost is None:
            unpriced += 1
        else:
            currency = record.currency or ""
            costs[currency] = costs.get(currency, Decimal(0)) + _cents(record.cost)
    return Summary(
        sessions=sessions,
        energy_wh=energy,
        charging_s=charging,
        cost_by_currency={currency: float(cost) for currency, cost in sorted(costs.items())},
        unpriced_sessions=unpriced,
    )


# --- CSV export -------------------------------------------------------------------------------

CSV_HEADER = (
    "session_id",
    "charger",
    "start",
    "end",
    "duration_min",
    "charging_min",
    "energy_kwh",
    "avg_power_kw",
    "peak_power_kw",
    "cost",
    "currency",
    "tag_id",
    "tag_name",
    "energy_source",
    "gaps",
)
CSV_TOTALS_HEADER = (
    "month",
    "tag_id",
    "tag_name",
    "sessions",
    "energy_kwh",
    "cost",
    "currency",
    "unpriced_sessions",
)
# A spreadsheet would run a cell starting with these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str | None) -> str:
    if not value:
        return ""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _fixed(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _kw(watts: float | None) -> str:
    return "" if watts is None else f"{watts / 1000:.2f}"


def _session_row(record: SessionRecord, tz: tzinfo) -> tuple[str | int, ...]:
    return (
        record.session_id,
        _text(record.charger_name),
        record.started_at.astimezone(tz).isoformat(timespec="seconds"),
        record.ended_at.astimezone(tz).isoformat(timespec="seconds"),
        f"{record.duration_s / 60:.1f}",
        f"{record.charging_s / 60:.1f}",
        f"{record.energy_wh / 1000:.3f}",
        _kw(record.avg_power_w),
        _kw(record.peak_power_w),
        "" if record.cost is None else str(_cents(record.cost)),
        record.currency or "",
        record.tag_id or "",
        _text(record.tag_name),
        _text(record.energy_source),
        record.gaps,
    )


def _total_row(row: TotalRow) -> tuple[str | int, ...]:
    return (
        row.month,
        row.tag_id or "",
        _text(row.tag_name),
        row.sessions,
        f"{row.energy_wh / 1000:.3f}",
        _fixed(row.cost, 2),
        row.currency or "",
        row.unpriced_sessions,
    )


def _write_report(
    handle: TextIO, records: Iterable[SessionRecord], month_totals: Iterable[TotalRow], tz: tzinfo
) -> None:
    writer = csv.writer(handle)
    writer.writerow(CSV_HEADER)
    writer.writerows(_session_row(record, tz) for record in records)
    writer.writerow(())
    writer.writerow(CSV_TOTALS_HEADER)
    writer.writerows(_total_row(row) for row in month_totals)


def render_csv(
    records: Iterable[SessionRecord], month_totals: Iterable[TotalRow], tz: tzinfo
) -> str:
    """The same report as `write_csv`, as text (without the byte-order mark)."""
    buffer = io.StringIO(newline="")
    _write_report(buffer, records, month_totals, tz)
    return buffer.getvalue()


CSV_CHARGER_TOTALS_HEADER = (
    "month",
    "charger_id",
    "charger",
    "sessions",
    "energy_kwh",
    "charging_h",
    "cost",
    "currency",
    "unpriced_sessions",
)


def render_totals_csv(tag_rows: Iterable[TotalRow], charger_rows: Iterable[ChargerTotalRow]) -> str:
    """The totals per tag and month, a blank line, then the totals per wallbox and month."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow((*CSV_TOTALS_HEADER, "charging_h"))
    writer.writerows((*_total_row(row), f"{row.charging_s / 3600:.2f}") for row in tag_rows)
    writer.writerow(())
    writer.writerow(CSV_CHARGER_TOTALS_HEADER)
    writer.writerows(
        (
            row.month,
            _text(row.charger_id),
            _text(row.charger_name),
            row.sessions,
            f"{row.energy_wh / 1000:.3f}",
            f"{row.charging_s / 3600:.2f}",
            _fixed(row.cost, 2),
            row.currency or "",
            row.unpriced_sessions,
        )
        for row in charger_rows
    )
    return buffer.getvalue()


def write_csv(
    path: Path, records: Iterable[SessionRecord], month_totals: Iterable[TotalRow], tz: tzinfo
) -> None:
    """Write one row per session, a blank line, then the totals per month and tag.

    Times are local to `tz` in ISO 8601 with their offset. UTF-8 with a byte-order mark so that
    spreadsheet programs show names with accents correctly. The file is written next to `path`
    and moved into place only when complete: a failed export never leaves half a report.
    """
    path = Path(path)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as handle:
            _write_report(handle, records, month_totals, tz)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.chmod(mode)  # mkstemp creates 0600; the user must be able to read it
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
