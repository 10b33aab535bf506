"""The session history: completed sessions in SQLite, their totals, and the CSV export.

`store` holds the SQLite file (`SessionHistory`), `schema` its table and the conversion of a
session to a row and back, `reports` the totals and summary, `csv_export` the CSV files.
"""

from .audit import Correction, IssuedStatement
from .csv_export import (
    CSV_CHARGER_TOTALS_HEADER,
    CSV_HEADER,
    CSV_TOTALS_HEADER,
    render_csv,
    render_totals_csv,
    write_csv,
)
from .reports import ChargerTotalRow, Summary, TotalRow, charger_totals, summarize, totals
from .store import SORT_COLUMNS, UNTAGGED, HistoryCorruptError, SessionHistory
from .xlsx_export import render_report_xlsx

__all__ = [
    "CSV_CHARGER_TOTALS_HEADER",
    "CSV_HEADER",
    "CSV_TOTALS_HEADER",
    "SORT_COLUMNS",
    "UNTAGGED",
    "ChargerTotalRow",
    "Correction",
    "HistoryCorruptError",
    "IssuedStatement",
    "SessionHistory",
    "Summary",
    "TotalRow",
    "charger_totals",
    "render_csv",
    "render_report_xlsx",
    "render_totals_csv",
    "summarize",
    "totals",
    "write_csv",
]
