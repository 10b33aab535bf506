"""The session history: completed sessions in one SQLite file.

Synchronous on purpose: Home Assistant calls it through its executor; tests and the benchmark call
it directly. Rules that protect the user's records:

- a session id is recorded at most once (insert-or-ignore on the primary key);
- every commit is synced to disk (WAL with synchronous=FULL): a session reported as recorded
  survives a power cut;
- a damaged file is never repaired, overwritten or deleted: `open()` raises HistoryCorruptError
  and `quarantine()` renames it aside so a fresh history can start while the old one is kept.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Collection, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from ..model import SessionRecord
from .audit import Correction, IssuedStatement, tag_text
from .schema import (
    ADDED_COLUMNS,
    ADDED_TABLES,
    COLUMNS,
    FILL_ADDED_COLUMN,
    INSERT,
    SCHEMA,
    SCHEMA_VERSION,
    SELECT,
    from_us,
    to_records,
    to_row,
    to_us,
)

# In a `tag_ids` filter, matches sessions without a tag.
UNTAGGED = ""

# SQLite result codes that mean "this file is not a healthy database" (as opposed to locked,
# read-only, missing permissions or a full disk, which must never lead to quarantining).
_CORRUPTION_CODES = frozenset({"SQLITE_CORRUPT", "SQLITE_NOTADB"})
_SIDECARS = ("-wal", "-shm", "-journal")


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
                db.executescript(f"BEGIN IMMEDIATE; {SCHEMA} COMMIT;")
            else:
                self._migrate(db)
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
            column for column in COLUMNS if column not in columns and column not in ADDED_COLUMNS
        ]
        if missing:
            raise HistoryCorruptError(
                self.path, f"its sessions table lacks the columns {', '.join(missing)}"
            )
        return False

    def _migrate(self, db: sqlite3.Connection) -> None:
        """Bring a history of an older version to this one (nothing is lost).

        A copy of the file is made first (`<name>.v<old version>-backup`, with SQLite's backup,
        so it is consistent) and kept until the migration has committed: if anything fails, the
        copy stays beside the untouched original for the user. The migration itself is one
        transaction: a crash leaves the file as it was.
        """
        (version,) = db.execute("PRAGMA user_version").fetchone()
        statements = self._migration(db)
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        if not statements and version >= SCHEMA_VERSION and {"corrections", "statements"} <= tables:
            return
        backup = self.path.with_name(f"{self.path.name}.v{version}-backup")
        target = sqlite3.connect(backup)
        try:
            db.backup(target)
        finally:
            target.close()
        db.executescript(
            f"BEGIN IMMEDIATE; {' '.join(statements)} {ADDED_TABLES}"
            f" PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
        )
        backup.unlink()

    @staticmethod
    def _migration(db: sqlite3.Connection) -> list[str]:
        """The statements that add the columns missing from an older file, and fill them in."""
        columns = {row[1] for row in db.execute("PRAGMA table_info(sessions)")}
        statements = []
        for column, definition in ADDED_COLUMNS.items():
            if column not in columns:
                statements.append(f"ALTER TABLE sessions ADD COLUMN {column} {definition};")
                if column in FILL_ADDED_COLUMN:
                    statements.append(f"{FILL_ADDED_COLUMN[column]};")
        return statements

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
        row = to_row(record)
        with self._write() as db:
            return db.execute(INSERT, row).rowcount == 1

    def add_many(self, records: Iterable[SessionRecord]) -> int:
        """Record sessions in one transaction (all or none); return how many were new."""
        rows = [to_row(record) for record in records]  # validate all before writing any
        with self._write() as db:
            before = db.total_changes
            db.executemany(INSERT, rows)
            return db.total_changes - before

    def correct(
        self,
        session_id: str,
        *,
        at: datetime,
        user_id: str | None,
        user_name: str | None,
        tag: tuple[str | None, str | None] | None = None,
        note: str | None = None,
    ) -> SessionRecord:
        """Reassign a session's card (`tag` = (id, name)) and/or set its note; return it changed.

        Every change is kept in the audit trail (who, when, before and after) in the same
        transaction as the change. KeyError for an unknown session; a change to the same value
        is no change and leaves no trail.
        """
        with self._write() as db:
            rows = db.execute(f"{SELECT} WHERE session_id = ?", (session_id,)).fetchall()
            if not rows:
                raise KeyError(session_id)
            (record,) = to_records(rows)
            changes: list[tuple[str, str | None, str | None]] = []
            if tag is not None and tag[0] != record.tag_id:
                changes.append(("tag", tag_text(record.tag_id, record.tag_name), tag_text(*tag)))
                db.execute(
                    "UPDATE sessions SET tag_id = ?, tag_name = ? WHERE session_id = ?",
                    (tag[0], tag[1], session_id),
                )
            if note is not None and (note or None) != record.note:
                changes.append(("note", record.note, note or None))
                db.execute(
                    "UPDATE sessions SET note = ? WHERE session_id = ?", (note or None, session_id)
                )
            db.executemany(
                "INSERT INTO corrections (session_id, changed_at, user_id, user_name, field,"
                " before, after) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (session_id, to_us(at, "at"), user_id, user_name, field, before, after)
                    for field, before, after in changes
                ],
            )
            (changed,) = to_records(
                db.execute(f"{SELECT} WHERE session_id = ?", (session_id,)).fetchall()
            )
        return changed

    def corrections(self, session_id: str) -> list[Correction]:
        """The audit trail of one session, oldest first."""
        with self._lock:
            rows = self._connection().execute(
                "SELECT changed_at, user_id, user_name, field, before, after FROM corrections"
                " WHERE session_id = ? ORDER BY id",
                (session_id,),
            )
            return [Correction(from_us(row[0]), *row[1:]) for row in rows]

    def corrected_since(self, since: datetime) -> set[str]:
        """The ids of the sessions corrected at or after `since`."""
        with self._lock:
            rows = self._connection().execute(
                "SELECT DISTINCT session_id FROM corrections WHERE changed_at >= ?",
                (to_us(since, "since"),),
            )
            return {row[0] for row in rows}

    def add_statement(self, issued: IssuedStatement) -> None:
        """Remember a statement that was written (to tell later ones what they replace)."""
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO statements (scope, month, issued_at, reference, path)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    issued.scope,
                    issued.month,
                    to_us(issued.issued_at, "issued_at"),
                    issued.reference,
                    issued.path,
                ),
            )

    def statements(self, scope: str, month: str) -> list[IssuedStatement]:
        """The statements written for a card or person and month, oldest first."""
        with self._lock:
            rows = self._connection().execute(
                "SELECT scope, month, issued_at, reference, path FROM statements"
                " WHERE scope = ? AND month = ? ORDER BY issued_at",
                (scope, month),
            )
            return [
                IssuedStatement(row[0], row[1], from_us(row[2]), row[3], row[4]) for row in rows
            ]

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
            rows = self._connection().execute(f"{SELECT} WHERE session_id = ?", (session_id,))
            found = to_records(rows.fetchall())
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
        sql = f"{SELECT}{where} ORDER BY {', '.join(f'{key} {order}' for key in keys)}"
        if limit is not None or offset:
            # SQLite needs a LIMIT before an OFFSET; -1 means no limit.
            sql += " LIMIT ? OFFSET ?"
            params.extend((-1 if limit is None else limit, offset))
        with self._lock:
            return to_records(self._connection().execute(sql, params))

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
        start_us = to_us(start, "start")
        sql = (
            f"{SELECT}{where} AND (ended_at > ? OR started_at >= ?)"
            " ORDER BY started_at ASC, session_id ASC"
        )
        with self._lock:
            return to_records(self._connection().execute(sql, [*params, start_us, start_us]))


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
        params.append(to_us(start, "start"))
    if end is not None:
        where.append("started_at < ?")
        params.append(to_us(end, "end"))
    return (" WHERE " + " AND ".join(where) if where else ""), params


def _sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)
