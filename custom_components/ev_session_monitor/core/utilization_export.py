"""The utilization figures as CSV and XLSX: the tables the portal's Utilization section shows.

Three tables, in this order: the period's figures per wallbox and for the site (`scope` "site",
no charger), the same per month with the site's peak concurrent power, and the occupancy by hour
of the week (one row per hour, Monday 00-01 first; a column for the site and one per wallbox).
The figures are `core/utilization.py`'s unrounded ones; the CSV writes them with the digits of
each column, the XLSX as numbers.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, tzinfo

from .history.csv_export import write_table
from .history.tables import Column
from .history.xlsx_export import table_sheet
from .utilization import HOURS_PER_WEEK, MonthFigures, PeakPower, Utilization, WallboxUtilization
from .xlsx import render_xlsx

__all__ = ["render_utilization_csv", "render_utilization_xlsx"]

SITE = "site"
WALLBOX = "wallbox"


@dataclass(frozen=True, slots=True)
class _Overview:
    scope: str
    figures: WallboxUtilization
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class _Month:
    scope: str
    figures: WallboxUtilization
    month: MonthFigures
    peak: PeakPower | None  # the site's rows only


def _charger_id(scope: str, figures: WallboxUtilization) -> str | None:
    return None if scope == SITE else figures.charger_id


def _charger(scope: str, figures: WallboxUtilization) -> str | None:
    return None if scope == SITE else figures.charger_name


OVERVIEW_COLUMNS: tuple[Column[_Overview], ...] = (
    Column("start", lambda r, tz: r.start.astimezone(tz)),
    Column("end", lambda r, tz: r.end.astimezone(tz)),
    Column("scope", lambda r, tz: r.scope),
    Column("charger_id", lambda r, tz: _charger_id(r.scope, r.figures)),
    Column("charger", lambda r, tz: _charger(r.scope, r.figures)),
    Column("sessions", lambda r, tz: r.figures.sessions),
    Column("sessions_per_day", lambda r, tz: r.figures.sessions_per_day, 3),
    Column("plugged_h", lambda r, tz: r.figures.plugged_h, 2),
    Column("charging_h", lambda r, tz: r.figures.charging_h, 2),
    Column("blocking_h", lambda r, tz: r.figures.blocking_h, 2),
    Column("energy_kwh", lambda r, tz: r.figures.energy_wh / 1000, 3),
    Column("revenue", lambda r, tz: r.figures.revenue, 2),
)
MONTH_COLUMNS: tuple[Column[_Month], ...] = (
    Column("month", lambda r, tz: r.month.month),
    Column("scope", lambda r, tz: r.scope),
    Column("charger_id", lambda r, tz: _charger_id(r.scope, r.figures)),
    Column("charger", lambda r, tz: _charger(r.scope, r.figures)),
    Column("sessions", lambda r, tz: r.month.sessions),
    Column("energy_kwh", lambda r, tz: r.month.energy_wh / 1000, 3),
    Column("revenue", lambda r, tz: r.month.revenue, 2),
    Column("plugged_h", lambda r, tz: r.month.plugged_h, 2),
    Column("charging_h", lambda r, tz: r.month.charging_h, 2),
    Column("peak_power_kw", lambda r, tz: None if r.peak is None else r.peak.power_w / 1000, 2),
    Column("peak_at", lambda r, tz: None if r.peak is None else r.peak.at.astimezone(tz)),
)


def _scopes(figures: Utilization) -> list[tuple[str, WallboxUtilization]]:
    return [(SITE, figures.site), *((WALLBOX, box) for box in figures.wallboxes)]


def _overview_rows(figures: Utilization) -> list[_Overview]:
    return [_Overview(scope, item, figures.start, figures.end) for scope, item in _scopes(figures)]


def _month_rows(figures: Utilization) -> list[_Month]:
    peaks = {peak.month: peak for peak in figures.peaks}
    return [
        _Month(scope, item, item.months[key], peaks.get(key) if scope == SITE else None)
        for scope, item in _scopes(figures)
        for key in sorted(item.months)
    ]


def _occupancy_columns(figures: Utilization) -> tuple[Column[int], ...]:
    """Weekday (1 = Monday) and hour, then the share of each hour per scope (0-1)."""
    shares = [item.occupancy(figures.hours_in_period) for _, item in _scopes(figures)]
    names = ["site", *(box.charger_name for box in figures.wallboxes)]
    return (
        Column("weekday", lambda hour, tz: hour // 24 + 1),
        Column("hour", lambda hour, tz: hour % 24),
        *(_share_column(name, share) for name, share in zip(names, shares, strict=True)),
    )


def _share_column(name: str, shares: list[float]) -> Column[int]:
    def share(hour: int, tz: tzinfo) -> float:
        return shares[hour]

    return Column(f"occupancy {name}", share, 4)


def render_utilization_csv(figures: Utilization, tz: tzinfo) -> str:
    """The three tables, each after a blank line but the first (without a byte-order mark)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    write_table(writer, OVERVIEW_COLUMNS, _overview_rows(figures), tz)
    writer.writerow(())
    write_table(writer, MONTH_COLUMNS, _month_rows(figures), tz)
    writer.writerow(())
    write_table(writer, _occupancy_columns(figures), range(HOURS_PER_WEEK), tz)
    return buffer.getvalue()


def render_utilization_xlsx(figures: Utilization, tz: tzinfo) -> bytes:
    """The three tables, one worksheet each."""
    return render_xlsx(
        [
            table_sheet("Utilization", OVERVIEW_COLUMNS, _overview_rows(figures), tz),
            table_sheet("By month", MONTH_COLUMNS, _month_rows(figures), tz),
            table_sheet("Occupancy", _occupancy_columns(figures), range(HOURS_PER_WEEK), tz),
        ],
        tz,
    )
