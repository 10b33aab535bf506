"""The report tables, column by column: one definition for the CSV and the XLSX files.

A column has a name and a typed value (numbers as numbers, times as times, money as cents);
`digits` is how the CSV writes a number. Columns are only ever appended, so a user's
spreadsheet that reads columns by position keeps working.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal

from ..model import SessionRecord
from .reports import ChargerTotalRow, TotalRow, cents

type Value = str | int | float | Decimal | datetime | None


@dataclass(frozen=True, slots=True)
class Column[Row]:
    """One column of a table of `Row`s."""

    name: str
    value: Callable[[Row, tzinfo], Value]
    digits: int | None = None  # decimals the CSV writes (None: as is)


def _kwh(wh: float | None) -> float | None:
    return None if wh is None else wh / 1000


def _kw(watts: float | None) -> float | None:
    return None if watts is None else watts / 1000


def _money(value: float | None) -> Decimal | None:
    return None if value is None else cents(value)


def price_parts_text(record: SessionRecord, tz: tzinfo) -> str | None:
    """Energy per price where it changed: "2026-11-03T14:00+01:00 3.200 kWh @ 0.3100; ..."."""
    if not record.price_parts:
        return None
    return "; ".join(
        f"{part.started_at.astimezone(tz).isoformat(timespec='minutes')} "
        f"{part.energy_wh / 1000:.3f} kWh @ "
        + ("-" if part.price_per_kwh is None else f"{part.price_per_kwh:.4f}")
        for part in record.price_parts
    )


SESSION_COLUMNS: tuple[Column[SessionRecord], ...] = (
    Column("session_id", lambda r, tz: r.session_id),
    Column("charger", lambda r, tz: r.charger_name),
    Column("start", lambda r, tz: r.started_at.astimezone(tz)),
    Column("end", lambda r, tz: r.ended_at.astimezone(tz)),
    Column("duration_min", lambda r, tz: r.duration_s / 60, 1),
    Column("charging_min", lambda r, tz: r.charging_s / 60, 1),
    Column("energy_kwh", lambda r, tz: r.energy_wh / 1000, 3),
    Column("avg_power_kw", lambda r, tz: _kw(r.avg_power_w), 2),
    Column("peak_power_kw", lambda r, tz: _kw(r.peak_power_w), 2),
    Column("cost", lambda r, tz: _money(r.cost)),
    Column("currency", lambda r, tz: r.currency),
    Column("tag_id", lambda r, tz: r.tag_id),
    Column("tag_name", lambda r, tz: r.tag_name),
    Column("energy_source", lambda r, tz: r.energy_source),
    Column("gaps", lambda r, tz: r.gaps),
    Column("price_per_kwh", lambda r, tz: r.price_per_kwh, 4),
    Column("unpriced_kwh", lambda r, tz: r.without_price_wh / 1000, 3),
    Column("meter_start_kwh", lambda r, tz: _kwh(r.meter_start_wh), 3),
    Column("meter_end_kwh", lambda r, tz: _kwh(r.meter_end_wh), 3),
    Column("meter_serial", lambda r, tz: r.meter_serial),
    Column("odometer_start_km", lambda r, tz: r.odometer_start_km, 1),
    Column("odometer_end_km", lambda r, tz: r.odometer_end_km, 1),
    Column("note", lambda r, tz: r.note),
    Column("price_parts", lambda r, tz: price_parts_text(r, tz)),
)
TAG_TOTAL_COLUMNS: tuple[Column[TotalRow], ...] = (
    Column("month", lambda r, tz: r.month),
    Column("tag_id", lambda r, tz: r.tag_id),
    Column("tag_name", lambda r, tz: r.tag_name),
    Column("sessions", lambda r, tz: r.sessions),
    Column("energy_kwh", lambda r, tz: r.energy_wh / 1000, 3),
    Column("cost", lambda r, tz: r.cost, 2),
    Column("currency", lambda r, tz: r.currency),
    Column("unpriced_sessions", lambda r, tz: r.unpriced_sessions),
    Column("charging_h", lambda r, tz: r.charging_s / 3600, 2),
)
CHARGER_TOTAL_COLUMNS: tuple[Column[ChargerTotalRow], ...] = (
    Column("month", lambda r, tz: r.month),
    Column("charger_id", lambda r, tz: r.charger_id),
    Column("charger", lambda r, tz: r.charger_name),
    Column("sessions", lambda r, tz: r.sessions),
    Column("energy_kwh", lambda r, tz: r.energy_wh / 1000, 3),
    Column("charging_h", lambda r, tz: r.charging_s / 3600, 2),
    Column("cost", lambda r, tz: r.cost, 2),
    Column("currency", lambda r, tz: r.currency),
    Column("unpriced_sessions", lambda r, tz: r.unpriced_sessions),
)


def header[Row](columns: Sequence[Column[Row]]) -> tuple[str, ...]:
    """The column names."""
    return tuple(column.name for column in columns)


def rows[Row](
    columns: Sequence[Column[Row]], items: Iterable[Row], tz: tzinfo
) -> Iterable[list[Value]]:
    """Each item's typed values, column by column."""
    for item in items:
        yield [column.value(item, tz) for column in columns]
