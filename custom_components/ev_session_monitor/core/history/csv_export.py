"""The history as CSV: one row per session and the totals, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, TextIO

from ..model import SessionRecord
from .reports import ChargerTotalRow, TotalRow
from .tables import (
    CHARGER_TOTAL_COLUMNS,
    SESSION_COLUMNS,
    TAG_TOTAL_COLUMNS,
    Column,
    Value,
    header,
    rows,
)

CSV_HEADER = header(SESSION_COLUMNS)
CSV_TOTALS_HEADER = header(TAG_TOTAL_COLUMNS)
CSV_CHARGER_TOTALS_HEADER = header(CHARGER_TOTAL_COLUMNS)
# A spreadsheet would run a cell starting with these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Value, digits: int | None) -> str | int:
    """A typed value as the CSV writes it: times in ISO 8601 with their offset."""
    match value:
        case None:
            return ""
        case str():
            return "'" + value if value.startswith(_FORMULA_START) else value
        case datetime():
            return value.isoformat(timespec="seconds")
        case float() if digits is not None:
            return f"{value:.{digits}f}"
        case int():
            return value
        case _:
            return str(value)


def write_table[Row](
    writer: Any, columns: Sequence[Column[Row]], items: Iterable[Row], tz: tzinfo
) -> None:
    """One table, its header first, on a `csv.writer`."""
    writer.writerow(header(columns))
    digits = [column.digits for column in columns]
    writer.writerows(
        [_cell(value, places) for value, places in zip(values, digits, strict=True)]
        for values in rows(columns, items, tz)
    )


def _write_report(
    handle: TextIO, records: Iterable[SessionRecord], month_totals: Iterable[TotalRow], tz: tzinfo
) -> None:
    writer = csv.writer(handle)
    write_table(writer, SESSION_COLUMNS, records, tz)
    writer.writerow(())
    write_table(writer, TAG_TOTAL_COLUMNS, month_totals, tz)


def render_csv(
    records: Iterable[SessionRecord], month_totals: Iterable[TotalRow], tz: tzinfo
) -> str:
    """The same report as `write_csv`, as text (without the byte-order mark)."""
    buffer = io.StringIO(newline="")
    _write_report(buffer, records, month_totals, tz)
    return buffer.getvalue()


def render_totals_csv(tag_rows: Iterable[TotalRow], charger_rows: Iterable[ChargerTotalRow]) -> str:
    """The totals per tag and month, a blank line, then the totals per wallbox and month."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    write_table(writer, TAG_TOTAL_COLUMNS, tag_rows, UTC)  # no times in the totals
    writer.writerow(())
    write_table(writer, CHARGER_TOTAL_COLUMNS, charger_rows, UTC)
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
