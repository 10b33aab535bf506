"""The history as CSV: one row per session and the totals, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable
from datetime import tzinfo
from pathlib import Path
from typing import TextIO

from ..model import SessionRecord
from .reports import ChargerTotalRow, TotalRow, cents

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
        "" if record.cost is None else str(cents(record.cost)),
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
