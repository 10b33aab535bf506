"""Sessions spread over clock hours, for hourly statistics of energy and cost.

A session record has no timeline, only its start, end, charging time and energy. A car starts
charging when it is plugged in unless something holds it back, so the energy is placed from the
start at the session's average power (energy / charging time) for its charging time; a session
without a charging time (nothing measured it) is spread evenly from start to end. Its cost follows
its energy. Hours are UTC hours, as Home Assistant's long-term statistics are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .model import SessionRecord

__all__ = ["HourTotal", "charging_span", "cumulative_hours", "hour_start", "split_by_hour"]

HOUR = timedelta(hours=1)


def hour_start(moment: datetime) -> datetime:
    """The start of the UTC clock hour that holds `moment` (UTC: a few zones are off by 30 min)."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class HourTotal:
    """Energy and cost of one clock hour, and the running totals through its end."""

    start: datetime
    energy_wh: float
    cost: float
    total_energy_wh: float
    total_cost: float


def charging_span(record: SessionRecord) -> tuple[datetime, datetime]:
    """When the session's energy flowed: from the plug-in, for its charging time (see above)."""
    start = record.started_at
    end = max(record.ended_at, start)
    if record.charging_s > 0:
        end = min(start + timedelta(seconds=record.charging_s), end)
    return start, end


def split_by_hour(
    record: SessionRecord, *, count_cost: bool = True
) -> Iterator[tuple[datetime, float, float]]:
    """Yield (hour start, Wh, cost) for each clock hour the session charged in."""
    energy = record.energy_wh
    cost = record.cost if count_cost and record.cost is not None else 0.0
    if energy <= 0:
        return
    start, end = charging_span(record)
    span_s = (end - start).total_seconds()
    if span_s <= 0:
        yield hour_start(start), energy, cost
        return
    moment = start
    while moment < end:
        hour = hour_start(moment)
        until = min(hour + HOUR, end)
        share = (until - moment).total_seconds() / span_s
        yield hour, energy * share, cost * share
        moment = until


def cumulative_hours(
    records: Iterable[SessionRecord], *, before: datetime, costed: set[str] | None = None
) -> list[HourTotal]:
    """The hours before `before` in which the sessions charged, oldest first, with running totals.

    `costed`: ids of the sessions whose cost counts (None: all); the others add energy only.
    """
    energy: dict[datetime, float] = {}
    cost: dict[datetime, float] = {}
    for record in records:
        count_cost = costed is None or record.session_id in costed
        for hour, part_wh, part_cost in split_by_hour(record, count_cost=count_cost):
            if hour + HOUR > before:
                continue
            energy[hour] = energy.get(hour, 0.0) + part_wh
            cost[hour] = cost.get(hour, 0.0) + part_cost
    hours: list[HourTotal] = []
    total_wh = total_cost = 0.0
    for hour in sorted(energy):
        total_wh += energy[hour]
        total_cost += cost[hour]
        hours.append(HourTotal(hour, energy[hour], cost[hour], total_wh, total_cost))
    return hours
