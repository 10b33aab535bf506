"""Figures of a set of sessions: totals per tag and month, per wallbox and month, a summary.

Money is added up as an invoice does: each session's cost rounded to the cent first, so the
totals match the rows of the CSV export.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..model import SessionRecord

_CENT = Decimal("0.01")


def cents(value: float) -> Decimal:
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
            **_figures(self),
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
            **_figures(self),
        }


def _figures(row: TotalRow | ChargerTotalRow) -> dict[str, Any]:
    """The figures of a month's group of sessions, as both total rows give them."""
    return {
        "sessions": row.sessions,
        "energy_wh": round(row.energy_wh, 3),
        "energy_kwh": round(row.energy_wh / 1000, 3),
        "charging_s": round(row.charging_s, 1),
        "cost": None if row.cost is None else round(row.cost, 2),
        "currency": row.currency,
        "unpriced_sessions": row.unpriced_sessions,
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
            self.cost = (self.cost or Decimal(0)) + cents(record.cost)


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
            costs[currency] = costs.get(currency, Decimal(0)) + cents(record.cost)
    return Summary(
        sessions=sessions,
        energy_wh=energy,
        charging_s=charging,
        cost_by_currency={currency: float(cost) for currency, cost in sorted(costs.items())},
        unpriced_sessions=unpriced,
    )
