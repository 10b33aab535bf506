"""How much each wallbox and the whole site is used: the figures behind an expansion decision.

Computed from the session history alone (no timeline is stored), for a period [start, end):

- plugged-in hours: the time a car was connected (started_at → ended_at), clipped to the period;
- charging hours: the time energy flowed (`charging_s`), placed from the plug-in as the hourly
  statistics place it (core/hourly.py): a car charges as soon as it is plugged in;
- blocking hours: plugged in but not charging (a car that stays after it is full);
- sessions per day, and energy and revenue per month (by the month the session started, in the
  user's time zone, as the per-card totals count them);
- occupancy by hour of the week: the share of that hour (Monday 00-01 ... Sunday 23-24, local
  time) in which the wallbox had a car plugged in, over the period's weeks;
- the peak concurrent power of the site per month: the highest sum of the sessions' average
  charging powers at any moment, with the moment it began, under the same placement.

A session whose end was not seen (`end_uncertain`) counts up to its last observed end: the
figures never claim more occupancy than was seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from .hourly import charging_span
from .model import SessionRecord

__all__ = [
    "MonthFigures",
    "PeakPower",
    "Utilization",
    "WallboxUtilization",
    "utilization",
]

HOURS_PER_WEEK = 7 * 24
_HOUR = timedelta(hours=1)
_SECONDS_PER_HOUR = 3600.0


@dataclass(slots=True)
class MonthFigures:
    """One calendar month (local time) of one wallbox or the site."""

    month: str  # YYYY-MM
    sessions: int = 0
    energy_wh: float = 0.0
    revenue: float = 0.0  # the sessions' cost; energy without a price adds nothing
    plugged_h: float = 0.0
    charging_h: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures, rounded as the portal shows them."""
        return {
            "month": self.month,
            "sessions": self.sessions,
            "energy_kwh": round(self.energy_wh / 1000, 3),
            "revenue": round(self.revenue, 2),
            "plugged_h": round(self.plugged_h, 2),
            "charging_h": round(self.charging_h, 2),
        }


@dataclass(slots=True)
class WallboxUtilization:
    """The figures of one wallbox (or, with charger_id "", the whole site) for the period."""

    charger_id: str
    charger_name: str
    days: float
    boxes: int = 1
    sessions: int = 0
    plugged_h: float = 0.0
    charging_h: float = 0.0
    energy_wh: float = 0.0
    revenue: float = 0.0
    # Plugged-in seconds per local hour of the week (0 = Monday 00:00-01:00).
    plugged_s_by_hour: list[float] = field(default_factory=lambda: [0.0] * HOURS_PER_WEEK)
    months: dict[str, MonthFigures] = field(default_factory=dict)

    @property
    def blocking_h(self) -> float:
        """Hours a car was plugged in without charging."""
        return max(self.plugged_h - self.charging_h, 0.0)

    @property
    def sessions_per_day(self) -> float:
        """Sessions per day of the period."""
        return self.sessions / self.days if self.days > 0 else 0.0

    def occupancy(self, hours_in_period: list[int]) -> list[float]:
        """Share (0-1) of each hour of the week with a car plugged in, per wallbox."""
        return [
            min(seconds / (count * self.boxes * _SECONDS_PER_HOUR), 1.0) if count else 0.0
            for seconds, count in zip(self.plugged_s_by_hour, hours_in_period, strict=True)
        ]

    def month(self, key: str) -> MonthFigures:
        """The figures of month `key`, created empty on first use."""
        figures = self.months.get(key)
        if figures is None:
            figures = self.months[key] = MonthFigures(key)
        return figures


@dataclass(frozen=True, slots=True)
class PeakPower:
    """The highest concurrent charging power of the site in one month."""

    month: str
    power_w: float
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"month": self.month, "power_w": round(self.power_w, 1), "at": self.at.isoformat()}


@dataclass(frozen=True, slots=True)
class Utilization:
    """Per wallbox and for the site, over [start, end)."""

    start: datetime
    end: datetime
    wallboxes: list[WallboxUtilization]
    site: WallboxUtilization
    peaks: list[PeakPower]
    hours_in_period: list[int]  # how often each hour of the week occurs in the period

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures for the portal, the action and the exports."""

        def figures(item: WallboxUtilization) -> dict[str, Any]:
            return {
                "charger_id": item.charger_id,
                "charger_name": item.charger_name,
                "sessions": item.sessions,
                "sessions_per_day": round(item.sessions_per_day, 3),
                "plugged_h": round(item.plugged_h, 2),
                "charging_h": round(item.charging_h, 2),
                "blocking_h": round(item.blocking_h, 2),
                "energy_kwh": round(item.energy_wh / 1000, 3),
                "revenue": round(item.revenue, 2),
                "occupancy": [round(v, 4) for v in item.occupancy(self.hours_in_period)],
                "months": [item.months[key].to_dict() for key in sorted(item.months)],
            }

        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "wallboxes": [figures(item) for item in self.wallboxes],
            "site": figures(self.site),
            "peaks": [peak.to_dict() for peak in self.peaks],
        }


def _month_key(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m")


def _hour_of_week(moment: datetime, tz: tzinfo) -> int:
    local = moment.astimezone(tz)
    return local.weekday() * 24 + local.hour


def _hour_starts(start: datetime, end: datetime) -> list[datetime]:
    """UTC hour boundaries cutting [start, end), starting with `start` itself."""
    cuts = [start]
    moment = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0) + _HOUR
    while moment < end:
        cuts.append(moment)
        moment += _HOUR
    return cuts


def _hours_in_period(start: datetime, end: datetime, tz: tzinfo) -> list[int]:
    counts = [0] * HOURS_PER_WEEK
    for moment in _hour_starts(start, end):
        counts[_hour_of_week(moment, tz)] += 1
    return counts


def _add_plugged(
    target: list[float], plugged_from: datetime, plugged_to: datetime, tz: tzinfo
) -> None:
    cuts = _hour_starts(plugged_from, plugged_to)
    for index, moment in enumerate(cuts):
        until = cuts[index + 1] if index + 1 < len(cuts) else plugged_to
        target[_hour_of_week(moment, tz)] += (until - moment).total_seconds()


def _overlap_s(a_from: datetime, a_to: datetime, b_from: datetime, b_to: datetime) -> float:
    return max((min(a_to, b_to) - max(a_from, b_from)).total_seconds(), 0.0)


def _peaks(
    records: list[SessionRecord], start: datetime, end: datetime, tz: tzinfo
) -> list[PeakPower]:
    """Sweep the sessions' charging spans: the highest sum of average powers, per month."""
    changes: list[tuple[datetime, float]] = []
    for record in records:
        if not record.avg_power_w or record.avg_power_w <= 0:
            continue
        span_from, span_to = charging_span(record)
        span_from, span_to = max(span_from, start), min(span_to, end)
        if span_to <= span_from:
            continue
        changes.append((span_from, record.avg_power_w))
        changes.append((span_to, -record.avg_power_w))
    # Ends before starts at the same moment: a car leaving as another arrives is no overlap.
    changes.sort(key=lambda change: (change[0], change[1]))
    best: dict[str, PeakPower] = {}
    level = 0.0
    for moment, delta in changes:
        level += delta
        if delta <= 0:
            continue
        key = _month_key(moment, tz)
        current = best.get(key)
        if current is None or level > current.power_w + 1e-9:
            best[key] = PeakPower(key, level, moment)
    return [best[key] for key in sorted(best)]


def utilization(
    records: Iterable[SessionRecord], start: datetime, end: datetime, tz: tzinfo
) -> Utilization:
    """The utilization figures of the sessions that overlap [start, end).

    A session counts as a session (with its energy and revenue) when it started in the period;
    its plugged-in and charging hours count as far as they fall inside it. Per month, a session's
    figures all count in the month it started (or the period's first month).
    """
    if end <= start:
        raise ValueError("the period must end after it starts")
    days = (end - start).total_seconds() / 86400
    boxes: dict[str, WallboxUtilization] = {}
    site = WallboxUtilization("", "", days, boxes=0)
    kept: list[SessionRecord] = []
    for record in records:
        plugged_from = max(record.started_at, start)
        plugged_to = min(max(record.ended_at, record.started_at), end)
        starts_inside = start <= record.started_at < end
        if plugged_to <= plugged_from and not starts_inside:
            continue
        kept.append(record)
        box = boxes.get(record.charger_id)
        if box is None:
            box = boxes[record.charger_id] = WallboxUtilization(
                record.charger_id, record.charger_name, days
            )
        span_from, span_to = charging_span(record)
        plugged_s = max((plugged_to - plugged_from).total_seconds(), 0.0)
        charging_s = _overlap_s(span_from, span_to, start, end)
        month_of_start = _month_key(max(record.started_at, start), tz)
        for target in (box, site):
            target.plugged_h += plugged_s / _SECONDS_PER_HOUR
            target.charging_h += charging_s / _SECONDS_PER_HOUR
            if plugged_s > 0:
                _add_plugged(target.plugged_s_by_hour, plugged_from, plugged_to, tz)
            month = target.month(month_of_start)
            month.plugged_h += plugged_s / _SECONDS_PER_HOUR
            month.charging_h += charging_s / _SECONDS_PER_HOUR
            if starts_inside:
                target.sessions += 1
                target.energy_wh += record.energy_wh
                target.revenue += record.cost or 0.0
                month.sessions += 1
                month.energy_wh += record.energy_wh
                month.revenue += record.cost or 0.0
    site.boxes = max(len(boxes), 1)
    ordered = sorted(boxes.values(), key=lambda item: (item.charger_name, item.charger_id))
    return Utilization(
        start=start,
        end=end,
        wallboxes=ordered,
        site=site,
        peaks=_peaks(kept, start, end, tz),
        hours_in_period=_hours_in_period(start, end, tz),
    )
