"""Cheapest-hours planning: price forecasts in the shapes real sources give, and the plan.

The price shapes are written by hand from each source's code or documentation:
- Home Assistant core Nord Pool, `homeassistant/components/nordpool/services.py` (2026.10):
  `{area: [{"start": iso, "end": iso, "price": float}]}`, price per MWh.
- Nord Pool custom integration, `custom_components/nordpool/sensor.py` (custom-components/nordpool):
  attributes `raw_today`/`raw_tomorrow` = `[{"start": datetime, "end": datetime, "value": float}]`,
  `today`/`tomorrow` = plain floats from local midnight, `tomorrow_valid`.
- Tibber's GraphQL `priceInfo { today { total startsAt } tomorrow { ... } }`, kept by REST
  sensors.
- ENTSO-e (JaccoR/hass-entso-e): `prices_today` = `[{"time": str, "price": float}]`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.ev_session_monitor.core.planner import (
    PlannedSlot,
    PriceFormatError,
    PriceSlot,
    next_departure,
    parse_price_list,
    plan_cheapest,
    prices_from_attributes,
)

OSLO = ZoneInfo("Europe/Oslo")


def at(hour: int, minute: int = 0, day: int = 20) -> datetime:
    """A time on 2026-11-<day> in Oslo (UTC+1 in November)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=OSLO)


def hourly(day: int, first_hour: int, prices: list[float]) -> list[PriceSlot]:
    return [
        PriceSlot(at(first_hour + i, day=day), at(first_hour + i, day=day) + timedelta(hours=1), p)
        for i, p in enumerate(prices)
    ]


# --- reading sources -------------------------------------------------------------------------


def test_core_nord_pool_action_response() -> None:
    response_area = [
        {"start": "2026-11-19T23:00:00+00:00", "end": "2026-11-19T23:15:00+00:00", "price": 41.2},
        {"start": "2026-11-19T23:15:00+00:00", "end": "2026-11-19T23:30:00+00:00", "price": 39.9},
    ]
    slots = parse_price_list(response_area, OSLO)
    assert slots == [
        PriceSlot(at(0), at(0, 15), 41.2),
        PriceSlot(at(0, 15), at(0, 30), 39.9),
    ]


def test_nord_pool_custom_raw_lists_with_datetimes() -> None:
    attributes = {
        "raw_today": [
            {"start": at(0), "end": at(1), "value": 1.10},
            {"start": at(1), "end": at(2), "value": 0.90},
        ],
        "raw_tomorrow": [{"start": at(0, day=21), "end": at(1, day=21), "value": 0.50}],
        "tomorrow_valid": True,
        "today": [1.10, 0.90],
    }
    slots = prices_from_attributes(attributes, OSLO, date(2026, 11, 20))
    assert [(s.start, s.price) for s in slots] == [
        (at(0), 1.10),
        (at(1), 0.90),
        (at(0, day=21), 0.50),
    ]


def test_plain_lists_count_from_local_midnight() -> None:
    """Nord Pool custom `today`/`tomorrow` as plain numbers; 96 a day are quarter hours."""
    attributes = {"today": [float(i) for i in range(24)], "tomorrow": [7.0] * 96}
    slots = prices_from_attributes(attributes, OSLO, date(2026, 11, 20))
    assert slots[5] == PriceSlot(at(5), at(6), 5.0)
    assert slots[24] == PriceSlot(at(0, day=21), at(0, 15, day=21), 7.0)
    assert slots[-1].end == at(0, day=22)


def test_plain_list_on_a_23_hour_day() -> None:
    """29 March 2026 in Oslo has 23 hours: the last price ends at the next midnight."""
    slots = parse_price_list([1.0] * 23, OSLO, date(2026, 3, 29))
    assert slots[0].start == datetime(2026, 3, 29, 0, tzinfo=OSLO)
    assert slots[2].start == datetime(2026, 3, 29, 3, tzinfo=OSLO)  # 02:00 does not exist
    assert slots[-1].end == datetime(2026, 3, 30, 0, tzinfo=OSLO)


def test_tibber_and_entsoe_shapes() -> None:
    tibber = {
        "today": [
            {
                "total": 0.2745,
                "energy": 0.21,
                "tax": 0.0645,
                "startsAt": "2026-11-20T00:00:00.000+01:00",
            },
            {
                "total": 0.2514,
                "energy": 0.19,
                "tax": 0.0614,
                "startsAt": "2026-11-20T01:00:00.000+01:00",
            },
        ],
        "tomorrow": [],
    }
    assert prices_from_attributes(tibber, OSLO, date(2026, 11, 20)) == [
        PriceSlot(at(0), at(1), 0.2745),
        PriceSlot(at(1), at(2), 0.2514),  # no end given: as long as the step between starts
    ]
    entsoe = {"prices_today": [{"time": "2026-11-20 13:00:00+01:00", "price": 0.11}]}
    assert prices_from_attributes(entsoe, OSLO, date(2026, 11, 20)) == [
        PriceSlot(at(13), at(14), 0.11)
    ]


def test_gaps_and_unpublished_tomorrow_are_skipped() -> None:
    attributes = {
        "today": [1.0, None, float("inf"), "unknown", 2.0],
        "tomorrow": [3.0] * 24,
        "tomorrow_valid": False,
    }
    slots = prices_from_attributes(attributes, OSLO, date(2026, 11, 20))
    assert [s.price for s in slots] == [1.0, 2.0]


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"unit": "EUR/kWh"}, "no price list"),
        ({"today": [{"value": 1.0}]}, "without a start"),
        ({"today": [{"start": "tomorrow-ish", "value": 1.0}]}, "not a time"),
        ({"today": [{"start": 5, "value": 1.0}]}, "not a time"),
        ({"today": [1.0, {"start": "2026-11-20T00:00:00+01:00", "value": 1.0}]}, "mixed"),
    ],
)
def test_unreadable_sources(attributes: dict, message: str) -> None:
    with pytest.raises(PriceFormatError, match=message):
        prices_from_attributes(attributes, OSLO, date(2026, 11, 20))


def test_plain_numbers_need_a_day() -> None:
    with pytest.raises(PriceFormatError, match="day"):
        parse_price_list([1.0, 2.0], OSLO)


# --- planning ------------------------------------------------------------------------------

# 18:00 to 22:00 on 20 November: expensive evening, cheaper later.
EVENING = hourly(20, 18, [3.0, 2.0, 1.0, 1.5])


def test_plan_takes_cheapest_slots_and_part_of_the_last() -> None:
    """16.5 kWh at 11 kW is 1.5 h: 20-21 (1.0) whole and 21-21:30 (1.5).

    Cost by hand: 11 * 1.0 + 5.5 * 1.5 = 19.25. Straight away: 18-19 at 3.0 (33) and
    19-19:30 at 2.0 (11) = 44.
    """
    plan = plan_cheapest(EVENING, now=at(18), departure=at(22), energy_wh=16_500, power_w=11_000)
    assert [(s.start, s.end, s.price) for s in plan.slots] == [
        (at(20), at(21), 1.0),
        (at(21), at(21, 30), 1.5),
    ]
    assert plan.planned_wh == pytest.approx(16_500)
    assert plan.shortfall_wh == 0
    assert plan.cost == pytest.approx(19.25)
    assert plan.cost_straight_away == pytest.approx(44.0)
    assert not plan.charging_at(at(18))
    assert plan.charging_at(at(20, 59))
    assert not plan.charging_at(at(21, 30))
    assert plan.next_change(at(18)) == at(20)
    assert plan.next_change(at(20, 10)) == at(21, 30)
    assert plan.next_change(at(21, 30)) is None


def test_plan_from_the_middle_of_a_slot() -> None:
    """At 20:30 only half of the cheapest hour is left; the rest goes to the next cheapest."""
    plan = plan_cheapest(
        EVENING, now=at(20, 30), departure=at(22), energy_wh=11_000, power_w=11_000
    )
    assert [(s.start, s.end) for s in plan.slots] == [(at(20, 30), at(21)), (at(21), at(21, 30))]
    assert plan.charging_at(at(20, 30))


def test_late_plug_in_charges_all_the_time_left() -> None:
    plan = plan_cheapest(EVENING, now=at(21), departure=at(22), energy_wh=30_000, power_w=11_000)
    assert [(s.start, s.end) for s in plan.slots] == [(at(21), at(22))]
    assert plan.planned_wh == pytest.approx(11_000)
    assert plan.shortfall_wh == pytest.approx(19_000)


def test_short_plan_is_compared_with_the_same_energy_at_once() -> None:
    """30 kWh wanted, 1 h left at 11 kW: 11 kWh at 1.5 = 16.5, and at once it is the same.

    The 19 kWh that do not fit are charged neither way: counting them (at 4.0 after 22:00) in
    "at once" alone would show a saving of 76 that does not exist.
    """
    prices = hourly(20, 18, [3.0, 2.0, 1.0, 1.5, 4.0, 4.0])
    plan = plan_cheapest(prices, now=at(21), departure=at(22), energy_wh=30_000, power_w=11_000)
    assert plan.planned_wh == pytest.approx(11_000)
    assert plan.shortfall_wh == pytest.approx(19_000)
    assert plan.cost == pytest.approx(16.5)
    assert plan.cost_straight_away == pytest.approx(16.5)


def test_unpriced_time_is_used_only_when_needed_and_earliest_first() -> None:
    """Prices known until 22:00, departure 01:00 (tomorrow's prices not published yet)."""
    small = plan_cheapest(
        EVENING, now=at(18), departure=at(1, day=21), energy_wh=5_500, power_w=11_000
    )
    assert [(s.start, s.end) for s in small.slots] == [(at(20), at(20, 30))]
    big = plan_cheapest(
        EVENING, now=at(18), departure=at(1, day=21), energy_wh=55_000, power_w=11_000
    )
    # 4 priced hours (44 kWh), then 1 unpriced hour from 22:00.
    assert big.slots[-1] == PlannedSlot(at(22), at(23), None, pytest.approx(11_000))
    assert big.cost is None
    assert big.shortfall_wh == pytest.approx(0, abs=1)


def test_nothing_to_do() -> None:
    done = plan_cheapest(EVENING, now=at(18), departure=at(22), energy_wh=-200, power_w=11_000)
    assert done.slots == ()
    assert done.cost == 0
    assert not done.charging_at(at(18))
    assert done.next_change(at(18)) is None
    gone = plan_cheapest(EVENING, now=at(23), departure=at(22), energy_wh=5000, power_w=11_000)
    assert gone.slots == ()
    with pytest.raises(ValueError, match="power"):
        plan_cheapest(EVENING, now=at(18), departure=at(22), energy_wh=5000, power_w=0)
    for not_a_number in (float("nan"), float("inf")):
        with pytest.raises(ValueError, match="number"):
            plan_cheapest(
                EVENING, now=at(18), departure=at(22), energy_wh=not_a_number, power_w=11_000
            )
        with pytest.raises(ValueError, match="power"):
            plan_cheapest(
                EVENING, now=at(18), departure=at(22), energy_wh=5000, power_w=not_a_number
            )


def test_ties_go_to_the_earlier_slot() -> None:
    flat = hourly(20, 0, [1.0, 1.0, 1.0])
    plan = plan_cheapest(flat, now=at(0), departure=at(3), energy_wh=11_000, power_w=11_000)
    assert [(s.start, s.end) for s in plan.slots] == [(at(0), at(1))]


def test_next_departure() -> None:
    assert next_departure(at(18), time(7), OSLO) == at(7, day=21).astimezone(UTC)
    assert next_departure(at(6), time(7), OSLO) == at(7).astimezone(UTC)
    assert next_departure(at(7), time(7), OSLO) == at(7, day=21).astimezone(UTC)


def test_times_without_zone_are_local_and_duplicates_are_dropped() -> None:
    naive = [{"start": "2026-11-20T05:00:00", "value": 0.4}, {"start": at(6), "value": None}]
    assert parse_price_list(naive, OSLO) == [PriceSlot(at(5), at(6), 0.4)]
    # The same hour from two sources (an action's list and a sensor): counted once.
    plan = plan_cheapest(
        [*EVENING, *EVENING], now=at(18), departure=at(22), energy_wh=44_000, power_w=11_000
    )
    assert plan.planned_wh == pytest.approx(44_000)
    assert len(plan.slots) == 4


def test_gap_between_priced_slots_is_unpriced_time() -> None:
    """Prices for 18-19 and 21-22 only: 19-21 is used after both priced hours, earliest first."""
    prices = [EVENING[0], EVENING[3]]
    plan = plan_cheapest(prices, now=at(18), departure=at(22), energy_wh=27_500, power_w=11_000)
    assert [(s.start, s.end, s.price) for s in plan.slots] == [
        (at(18), at(19), 3.0),
        (at(19), at(19, 30), None),
        (at(21), at(22), 1.5),
    ]
