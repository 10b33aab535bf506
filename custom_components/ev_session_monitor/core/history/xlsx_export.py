"""The history as an XLSX workbook: the same tables as the CSV, with typed cells."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import tzinfo

from ..model import SessionRecord
from ..xlsx import Sheet, render_xlsx
from .reports import ChargerTotalRow, TotalRow
from .tables import (
    CHARGER_TOTAL_COLUMNS,
    SESSION_COLUMNS,
    TAG_TOTAL_COLUMNS,
    Column,
    header,
    rows,
)


def table_sheet[Row](
    title: str, columns: Sequence[Column[Row]], items: Iterable[Row], tz: tzinfo
) -> Sheet:
    """One table as a worksheet with typed cells."""
    # Made row by row as the worksheet is written; floats rounded as the CSV writes them.
    return Sheet(
        title,
        header(columns),
        rows(columns, items, tz),
        digits=[column.digits for column in columns],
    )


def render_report_xlsx(
    records: Iterable[SessionRecord],
    tag_rows: Iterable[TotalRow],
    charger_rows: Iterable[ChargerTotalRow],
    tz: tzinfo,
) -> bytes:
    """Sessions, totals per card and month, and totals per wallbox and month, one sheet each."""
    return render_xlsx(
        [
            table_sheet("Sessions", SESSION_COLUMNS, records, tz),
            table_sheet("Cards by month", TAG_TOTAL_COLUMNS, tag_rows, tz),
            table_sheet("Wallboxes by month", CHARGER_TOTAL_COLUMNS, charger_rows, tz),
        ],
        tz,
    )
