"""Cheapest-hours charging: read a price forecast and pick the slots to charge in.

Price sources give their forecast in different shapes:

- Home Assistant core's Nord Pool action (`nordpool.get_prices_for_date`): per area a list of
  ``{"start", "end", "price"}`` with ISO times.
- Sensors with today/tomorrow lists in their attributes: the Nord Pool custom integration
  (``raw_today``/``raw_tomorrow`` with ``start``/``end``/``value``, and ``today``/``tomorrow`` as
  plain numbers from local midnight), Tibber REST sensors (``today``/``tomorrow`` with
  ``startsAt``/``total``), ENTSO-e (``prices_today`` with ``time``/``price``), Energi Data
  Service (``raw_today`` with ``hour``/``price``).

All of them become `PriceSlot`s; `plan_cheapest` then charges in the cheapest slots before
departure. Plain Python; no Home Assistant imports.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import pairwise
from typing import Any

START_KEYS = ("start", "startsAt", "start_time", "time", "hour", "from")
END_KEYS = ("end", "endsAt", "end_time", "till", "to")
PRICE_KEYS = ("price", "value", "total", "price_per_kwh")
# Attribute pairs (today, tomorrow) that price sensors carry, most specific first.
ATTRIBUTE_PAIRS = (
    ("raw_today", "raw_tomorrow"),
    ("prices_today", "prices_tomorrow"),
    ("today", "tomorrow"),
)
# Below this the charge plan has nothing left to do (rounding of meters).
MIN_ENERGY_WH = 1.0


class PriceFormatError(ValueError):
    """A price list has a shape this module cannot read."""


@dataclass(frozen=True, slots=True)
class PriceSlot:
    """One interval at one price (the price in the source's unit, per kWh or per MWh)."""

    start: datetime
    end: datetime
    price: float


@dataclass(frozen=True, slots=True)
class PlannedSlot:
    """An interval to charge in; `price` is None when the source had no price for it."""

    start: datetime
    end: datetime
    price: float | None
    energy_wh: float


@dataclass(frozen=True, slots=True)
class ChargePlan:
    """Where to charge before departure, and the cost against the same energy at once."""

    slots: tuple[PlannedSlot, ...]  # chronological
    needed_wh: float
    planned_wh: float
    cost: float | None  # None when part of the plan has no price
    cost_straight_away: float | None

    @property
    def shortfall_wh(self) -> float:
        """Energy that does not fit before departure."""
        return max(self.needed_wh - self.planned_wh, 0.0)

    def charging_at(self, when: datetime) -> bool:
        """Return True when the plan charges at `when`."""
        return any(slot.start <= when < slot.end for slot in self.slots)

    def next_change(self, when: datetime) -> datetime | None:
        """The first moment after `when` at which charging switches on or off."""
        edges = sorted({edge for slot in self.slots for edge in (slot.start, slot.end)})
        now_on = self.charging_at(when)
        for edge in edges:
            if edge > when and self.charging_at(edge) != now_on:
                return edge
        return None


# --- reading price sources ---------------------------------------------------------------


def _as_datetime(value: Any, tz: tzinfo) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as err:
            raise PriceFormatError(f"not a time: {value!r}") from err
    else:
        raise PriceFormatError(f"not a time: {value!r}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)


def _price(value: Any) -> float | None:
    """A number, or None for the gaps sources mark with null, "unknown" or infinity."""
    if value is None or isinstance(value, bool):
        return None
    try:
        price = float(value)
    except (TypeError, ValueError):
        return None
    return price if math.isfinite(price) else None


def _first(item: Mapping[str, Any], keys: Sequence[str]) -> Any:
    for key in keys:
        if key in item:
            return item[key]
    return None


def _slot_length(count: int) -> timedelta:
    """Slot length of a day of `count` positional prices (23/24/25 hourly, 92-100 quarters)."""
    minutes = 24 * 60 / count
    return timedelta(minutes=max(15, round(minutes / 15) * 15))


def parse_price_list(items: Iterable[Any], tz: tzinfo, day: date | None = None) -> list[PriceSlot]:
    """Read one list of prices.

    Items are mappings with a start time (and usually an end time and a price), or plain numbers
    counted from local midnight of `day`. A missing end is the next item's start.
    """
    items = list(items)
    if not items:
        return []
    if all(not isinstance(item, Mapping) for item in items):
        if day is None:
            raise PriceFormatError("plain price numbers need the day they belong to")
        midnight = datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)
        length = _slot_length(len(items))
        slots = []
        for index, item in enumerate(items):
            price = _price(item)
            if price is not None:
                start = midnight + index * length
                slots.append(PriceSlot(start, start + length, price))
        return slots
    starts: list[tuple[datetime, Any, Mapping[str, Any]]] = []
    for item in items:
        if not isinstance(item, Mapping):
            raise PriceFormatError(f"mixed price list item: {item!r}")
        start_value = _first(item, START_KEYS)
        if start_value is None:
            raise PriceFormatError(f"price without a start time: {dict(item)!r}")
        starts.append((_as_datetime(start_value, tz), _first(item, PRICE_KEYS), item))
    starts.sort(key=lambda entry: entry[0])
    steps = [b[0] - a[0] for a, b in pairwise(starts) if b[0] > a[0]]
    default_length = min(steps) if steps else timedelta(hours=1)
    slots = []
    for index, (start, raw_price, item) in enumerate(starts):
        end_value = _first(item, END_KEYS)
        if end_value is not None:
            end = _as_datetime(end_value, tz)
        elif index + 1 < len(starts) and starts[index + 1][0] > start:
            end = min(starts[index + 1][0], start + default_length)
        else:
            end = start + default_length
        price = _price(raw_price)
        if price is not None and end > start:
            slots.append(PriceSlot(start, end, price))
    return slots


def prices_from_attributes(
    attributes: Mapping[str, Any], tz: tzinfo, today: date
) -> list[PriceSlot]:
    """Read the today/tomorrow price lists a price sensor carries."""
    for today_key, tomorrow_key in ATTRIBUTE_PAIRS:
        today_list = attributes.get(today_key)
        if not isinstance(today_list, list):
            continue
        slots = parse_price_list(today_list, tz, today)
        tomorrow_list = attributes.get(tomorrow_key)
        if isinstance(tomorrow_list, list) and attributes.get("tomorrow_valid") is not False:
            slots += parse_price_list(tomorrow_list, tz, today + timedelta(days=1))
        return merge_prices(slots)
    raise PriceFormatError(
        "no price list in the attributes (expected one of "
        + ", ".join(pair[0] for pair in ATTRIBUTE_PAIRS)
        + ")"
    )


def merge_prices(slots: Iterable[PriceSlot]) -> list[PriceSlot]:
    """Sort, and drop slots that overlap an earlier-starting one (the same day read twice)."""
    merged: list[PriceSlot] = []
    for slot in sorted(slots, key=lambda slot: (slot.start, slot.end)):
        if merged and slot.start < merged[-1].end:
            continue
        merged.append(slot)
    return merged


# --- planning -----------------------------------------------------------------------------


def next_departure(now: datetime, departure: time, tz: tzinfo) -> datetime:
    """The next time the clock in `tz` shows `departure`, after `now`."""
    local_now = now.astimezone(tz)
    candidate = datetime.combine(local_now.date(), departure, tzinfo=tz)
    if candidate <= local_now:
        candidate = datetime.combine(local_now.date() + timedelta(days=1), departure, tzinfo=tz)
    return candidate.astimezone(UTC)


def _windows(prices: Sequence[PriceSlot], now: datetime, departure: datetime) -> list[PlannedSlot]:
    """The time from now to departure as priced intervals, with unpriced gaps as price None."""
    windows: list[PlannedSlot] = []
    cursor = now
    for slot in merge_prices(prices):
        start, end = max(slot.start, now), min(slot.end, departure)
        if end <= start:
            continue
        if start > cursor:
            windows.append(PlannedSlot(cursor, start, None, 0.0))
        windows.append(PlannedSlot(start, end, slot.price, 0.0))
        cursor = end
    if cursor < departure:
        windows.append(PlannedSlot(cursor, departure, None, 0.0))
    return windows


def _take(window: PlannedSlot, wanted_wh: float, power_w: float) -> PlannedSlot:
    """Charge from the start of `window` until `wanted_wh` is in or the window ends."""
    hours = (window.end - window.start).total_seconds() / 3600
    energy = min(power_w * hours, wanted_wh)
    end = window.start + timedelta(hours=energy / power_w)
    return PlannedSlot(window.start, min(end, window.end), window.price, energy)


def _fill(windows: Iterable[PlannedSlot], energy_wh: float, power_w: float) -> list[PlannedSlot]:
    """Charge in `windows`, in their order, until `energy_wh` is in."""
    taken: list[PlannedSlot] = []
    remaining = energy_wh
    for window in windows:
        if remaining < MIN_ENERGY_WH:
            break
        taken.append(_take(window, remaining, power_w))
        remaining -= taken[-1].energy_wh
    return taken


def _cost(slots: Iterable[PlannedSlot]) -> float | None:
    total = 0.0
    for slot in slots:
        if slot.price is None:
            return None
        total += slot.price * slot.energy_wh / 1000
    return total


def plan_cheapest(
    prices: Sequence[PriceSlot],
    *,
    now: datetime,
    departure: datetime,
    energy_wh: float,
    power_w: float,
) -> ChargePlan:
    """Charge `energy_wh` at `power_w` in the cheapest time before `departure`.

    Time without a price is used only when the priced time is not enough, earliest first, so a
    car plugged in late still leaves with as much as fits. A slot needed only in part is charged
    from its start. Ties go to the earlier slot.
    """
    if not math.isfinite(power_w) or power_w <= 0:
        raise ValueError("charging power must be positive")
    if not math.isfinite(energy_wh):
        raise ValueError("the energy to charge must be a number")
    needed = max(energy_wh, 0.0)
    windows = _windows(prices, now, departure) if departure > now else []
    ranked = sorted(
        windows,
        key=lambda window: (window.price is None, window.price or 0.0, window.start),
    )
    chosen = sorted(_fill(ranked, needed, power_w), key=lambda slot: slot.start)
    planned = sum(slot.energy_wh for slot in chosen)
    # Compared with the energy the plan delivers, not the whole need: when the time before
    # departure is short, the rest is charged by neither.
    straight = _fill(
        _windows(prices, now, now + timedelta(hours=planned / power_w)), planned, power_w
    )
    return ChargePlan(
        slots=tuple(chosen),
        needed_wh=needed,
        planned_wh=planned,
        cost=_cost(chosen),
        cost_straight_away=_cost(straight),
    )
