"""Session engine: energy from meters, counters and power; gaps, resets, restarts, prices."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from custom_components.ev_session_monitor.core.model import ChargerStatus, Reading
from custom_components.ev_session_monitor.core.session import (
    LimitExceeded,
    MeterSpec,
    OpenSession,
    SessionCompleted,
    SessionStarted,
    SessionTracker,
    TagPresented,
    time_to_full_s,
)

T0 = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
CHARGING = ChargerStatus.CHARGING


def tracker(**meter: float | bool | None) -> SessionTracker:
    return SessionTracker(
        "box1",
        "Garage",
        MeterSpec(**{"max_power_w": 22080, **meter}),
        gap_s=30,  # type: ignore[arg-type]
    )


def feed(
    t: SessionTracker,
    seconds: float,
    price: float | None = 0.30,
    first_sight: bool = False,
    **reading: object,
):
    """Feed a reading `seconds` after T0."""
    return t.update(
        Reading(**reading),  # type: ignore[arg-type]
        T0 + timedelta(seconds=seconds),
        price_per_kwh=price,
        currency="EUR",
        first_sight=first_sight,
    )


def completed(events: list[object]) -> SessionCompleted:
    (done,) = [e for e in events if isinstance(e, SessionCompleted)]
    return done


def test_meter_session_with_pause_and_tag() -> None:
    t = tracker()
    events = feed(t, 0, status=ChargerStatus.CONNECTED, lifetime_energy_wh=5000)
    assert isinstance(events[0], SessionStarted)
    feed(t, 10, status=CHARGING, power_w=11000, lifetime_energy_wh=5000, tag="ABCD1234")
    feed(t, 20, status=CHARGING, power_w=11000, lifetime_energy_wh=5030.5)
    feed(t, 30, status=ChargerStatus.SUSPENDED_EV, power_w=0, lifetime_energy_wh=5061)
    assert t.open is not None  # a pause stays inside the session
    feed(t, 40, status=CHARGING, power_w=7400, lifetime_energy_wh=5061)
    record = completed(feed(t, 50, status=ChargerStatus.IDLE, lifetime_energy_wh=5081.5)).record
    assert record.energy_wh == pytest.approx(81.5)
    assert record.cost == pytest.approx(0.08150 * 0.30)
    assert record.tag_id == "ABCD1234"
    assert record.duration_s == 50
    assert record.charging_s == 30  # energy flowed 10-30 and 40-50
    assert record.peak_power_w == 11000
    assert record.energy_source == "meter"
    assert t.open is None


def test_tag_presented_event_once() -> None:
    t = tracker()
    feed(t, 0, status=ChargerStatus.CONNECTED, lifetime_energy_wh=0)
    events = feed(t, 10, status=CHARGING, lifetime_energy_wh=0, tag="ABCD1234")
    assert [type(e) for e in events] == [TagPresented]
    assert feed(t, 20, status=CHARGING, lifetime_energy_wh=10, tag="ABCD1234") == []


def test_session_counter_reset_mid_session_loses_nothing() -> None:
    t = tracker()
    feed(t, 0, status=CHARGING, power_w=7000, session_energy_wh=0)
    feed(t, 10, status=CHARGING, power_w=7000, session_energy_wh=19)
    # Phase switch: the box restarts its counter and has counted 5 Wh since.
    feed(t, 20, status=CHARGING, power_w=7000, session_energy_wh=5)
    record = completed(feed(t, 30, status=ChargerStatus.IDLE, session_energy_wh=24)).record
    assert record.energy_wh == pytest.approx(19 + 5 + 19)
    assert record.energy_source == "session_counter"


def test_meter_wrap_around() -> None:
    wrap = float(1 << 32)
    t = tracker(lifetime_wrap_wh=wrap)
    feed(t, 0, status=CHARGING, power_w=11000, lifetime_energy_wh=wrap - 20)
    record = completed(feed(t, 10, status=ChargerStatus.IDLE, lifetime_energy_wh=10)).record
    assert record.energy_wh == pytest.approx(30)


def test_impossible_jump_rejected_then_recovered() -> None:
    t = tracker()
    feed(t, 0, status=CHARGING, power_w=11000, lifetime_energy_wh=1000)
    # A garbled register: 5 MWh in 10 s is impossible for a 22 kW box.
    feed(t, 10, status=CHARGING, power_w=11000, lifetime_energy_wh=5_001_000)
    assert t.rejected
    record = completed(feed(t, 20, status=ChargerStatus.IDLE, lifetime_energy_wh=1061)).record
    assert record.energy_wh == pytest.approx(61)


def test_meter_moved_for_good_rebases_after_three_rejections() -> None:
    t = tracker()
    feed(t, 0, status=CHARGING, power_w=11000, lifetime_energy_wh=1000)
    for second in (10, 20, 30):
        feed(t, second, status=CHARGING, power_w=11000, lifetime_energy_wh=9_000_000)
    feed(t, 40, status=CHARGING, power_w=11000, lifetime_energy_wh=9_000_030)
    record = completed(feed(t, 50, status=ChargerStatus.IDLE, lifetime_energy_wh=9_000_060)).record
    assert record.energy_wh == pytest.approx(60)
    assert record.gaps == 1


def test_gap_with_meter_counts_energy() -> None:
    t = tracker()
    feed(t, 0, status=CHARGING, power_w=11000, lifetime_energy_wh=0)
    # Ten minutes without a reading: the meter still tells what was delivered.
    record = completed(feed(t, 600, status=ChargerStatus.IDLE, lifetime_energy_wh=1833)).record
    assert record.energy_wh == pytest.approx(1833)
    assert record.gaps == 0


def test_gap_without_meter_is_marked_not_invented() -> None:
    t = tracker()
    feed(t, 0, status=CHARGING, power_w=7200)
    feed(t, 10, status=CHARGING, power_w=7200)  # 20 Wh
    feed(t, 610, status=CHARGING, power_w=7200)  # gap: unknown, not counted
    record = completed(feed(t, 620, status=ChargerStatus.IDLE, power_w=0)).record
    assert record.energy_wh == pytest.approx(40)
    assert record.gaps == 1
    assert record.energy_source == "power"


def test_unavailable_meter_value_waits_for_next_reading() -> None:
    t = tracker()
    feed(t, 0, status=CHARGING, power_w=11000, lifetime_energy_wh=100)
    feed(t, 10, status=CHARGING, power_w=11000, lifetime_energy_wh=None)
    record = completed(feed(t, 20, status=ChargerStatus.IDLE, lifetime_energy_wh=161)).record
    assert record.energy_wh == pytest.approx(61)


def test_price_change_is_priced_piecewise() -> None:
    t = tracker()
    feed(t, 0, price=0.20, status=CHARGING, power_w=11000, lifetime_energy_wh=0)
    feed(t, 600, price=0.50, status=CHARGING, power_w=11000, lifetime_energy_wh=1000)
    record = completed(
        feed(t, 1200, price=0.50, status=ChargerStatus.IDLE, lifetime_energy_wh=3000)
    ).record
    assert record.cost == pytest.approx(1 * 0.20 + 2 * 0.50)


def test_a_dynamic_tariff_session_keeps_its_energy_and_price_per_hour() -> None:
    # Hourly prices 0.31, 0.27, 0.27, 0.35 EUR/kWh; 11 kW for 3.5 h, polled every 30 min; a
    # restart in the third hour (the parts survive it).
    t = tracker()
    prices = [0.31, 0.31, 0.27, 0.27, 0.27, 0.27, 0.35, 0.35]
    for poll, price in enumerate(prices[:5]):
        feed(
            t,
            poll * 1800,
            price=price,
            status=CHARGING,
            power_w=11000,
            lifetime_energy_wh=poll * 5500.0,
        )
    t = _restored(t)
    feed(t, 5 * 1800, price=prices[5], status=CHARGING, power_w=11000, lifetime_energy_wh=27500)
    feed(t, 6 * 1800, price=prices[6], status=CHARGING, power_w=11000, lifetime_energy_wh=33000)
    record = completed(
        feed(t, 7 * 1800, price=prices[7], status=ChargerStatus.IDLE, lifetime_energy_wh=38500)
    ).record
    parts = [(p.started_at - T0, p.energy_wh, p.price_per_kwh) for p in record.price_parts]
    assert parts == [
        (timedelta(0), 11_000.0, 0.31),
        (timedelta(hours=1), 22_000.0, 0.27),
        (timedelta(hours=3), 5_500.0, 0.35),
    ]
    assert record.cost == pytest.approx(11 * 0.31 + 22 * 0.27 + 5.5 * 0.35)
    assert record.price_per_kwh == pytest.approx(record.cost / 38.5)  # the average stays
    saved = record.to_dict()
    assert saved["price_parts"][1] == {
        "started_at": (T0 + timedelta(hours=1)).isoformat(),
        "energy_wh": 22_000.0,
        "price_per_kwh": 0.27,
    }
    assert type(record).from_dict(saved).price_parts == record.price_parts


def test_one_price_for_the_whole_session_gives_no_parts() -> None:
    t = tracker()
    feed(t, 0, price=0.30, status=CHARGING, power_w=11000, lifetime_energy_wh=0)
    feed(t, 600, price=0.30, status=CHARGING, power_w=11000, lifetime_energy_wh=1000)
    record = completed(
        feed(t, 1200, price=0.30, status=ChargerStatus.IDLE, lifetime_energy_wh=3000)
    ).record
    assert record.price_parts == ()
    assert record.to_dict()["price_parts"] == []
    assert record.price_per_kwh == pytest.approx(0.30)


def test_unknown_price_gives_no_cost() -> None:
    t = tracker()
    feed(t, 0, price=None, status=CHARGING, lifetime_energy_wh=0)
    record = completed(
        feed(t, 10, price=None, status=ChargerStatus.IDLE, lifetime_energy_wh=10)
    ).record
    assert record.cost is None


def test_restart_resumes_same_session() -> None:
    t = tracker()
    feed(t, 0, status=CHARGING, power_w=11000, lifetime_energy_wh=0, tag="ABCD1234")
    feed(t, 10, status=CHARGING, power_w=11000, lifetime_energy_wh=30)
    assert t.open is not None
    saved = t.open.to_dict()
    after = tracker()
    after.restore(OpenSession.from_dict(saved))
    assert feed(after, 100, status=CHARGING, lifetime_energy_wh=300, tag="ABCD1234") == []
    record = completed(feed(after, 110, status=ChargerStatus.IDLE, lifetime_energy_wh=330)).record
    assert record.energy_wh == pytest.approx(330)
    assert record.session_id == saved["session_id"]


def test_restart_after_unplug_counts_the_meter_and_estimates_the_end() -> None:
    t = tracker()
    feed(t, 0, status=CHARGING, power_w=11000, lifetime_energy_wh=0)
    feed(t, 10, status=CHARGING, power_w=11000, lifetime_energy_wh=30)
    assert t.open is not None
    saved = t.open.to_dict()
    after = tracker()
    after.restore(OpenSession.from_dict(saved))
    record = completed(feed(after, 500, status=ChargerStatus.IDLE, lifetime_energy_wh=900)).record
    # The car left while Home Assistant was down: the meter says what it got, the end is a range.
    assert record.energy_wh == pytest.approx(900)
    assert record.ended_at == T0 + timedelta(seconds=10)
    assert record.end_latest == T0 + timedelta(seconds=500)
    assert record.gaps == 0
    assert record.unseen_s == 0
    assert record.session_id == saved["session_id"]


def test_restart_with_new_vehicle_closes_old_and_starts_new() -> None:
    t = tracker()
    feed(t, 0, status=CHARGING, power_w=11000, lifetime_energy_wh=0, tag="AAAA1111")
    assert t.open is not None
    saved = t.open.to_dict()
    after = tracker()
    after.restore(OpenSession.from_dict(saved))
    events = feed(
        after,
        900,
        status=CHARGING,
        lifetime_energy_wh=500,
        session_energy_wh=120,
        tag="BBBB2222",
    )
    assert [type(e) for e in events] == [SessionCompleted, SessionStarted, TagPresented]
    # The new car's own counter (120 Wh) is its part of the meter delta; the rest was the old's.
    assert completed(events).record.energy_wh == pytest.approx(380)
    assert t.open is not None and after.open is not None
    assert after.open.energy_wh == pytest.approx(120)


def test_box_without_plug_report_starts_on_power() -> None:
    t = tracker()
    assert feed(t, 0, power_w=20) == []
    assert isinstance(feed(t, 10, power_w=3000)[0], SessionStarted)


def test_finished_ends_session_only_when_profile_says_so() -> None:
    t = tracker(finished_ends_session=True)
    feed(t, 0, status=CHARGING, lifetime_energy_wh=0)
    assert completed(feed(t, 10, status=ChargerStatus.FINISHED, lifetime_energy_wh=5))
    assert feed(t, 20, status=ChargerStatus.FINISHED, lifetime_energy_wh=5) == []
    keep = tracker()
    feed(keep, 0, status=CHARGING, lifetime_energy_wh=0)
    assert feed(keep, 10, status=ChargerStatus.FINISHED, lifetime_energy_wh=5) == []


def test_time_to_full() -> None:
    assert time_to_full_s(11000, 11000) == 3600
    assert time_to_full_s(None, 11000) is None
    assert time_to_full_s(1000, 0) is None
    assert time_to_full_s(-5, 7000) == 0


# --- durability: what the box's counters say wins over what Home Assistant missed -------------


def test_restart_after_unplug_session_counter_box() -> None:
    t = tracker()
    feed(t, 0, status=CHARGING, power_w=11000, session_energy_wh=0)
    feed(t, 10, status=CHARGING, power_w=11000, session_energy_wh=30)
    assert t.open is not None
    after = tracker()
    after.restore(OpenSession.from_dict(t.open.to_dict()))
    # The box keeps showing the finished session's counter after the car left.
    record = completed(feed(after, 400, status=ChargerStatus.IDLE, session_energy_wh=1039)).record
    assert record.energy_wh == pytest.approx(1039)
    assert record.end_latest == T0 + timedelta(seconds=400)


def test_restart_after_unplug_without_counters_says_what_it_could_not_see() -> None:
    t = tracker()
    feed(t, 0, status=CHARGING, power_w=11000)
    feed(t, 10, status=CHARGING, power_w=11000)
    assert t.open is not None
    after = tracker()
    after.restore(OpenSession.from_dict(t.open.to_dict()))
    record = completed(feed(after, 310, status=ChargerStatus.IDLE)).record
    assert record.energy_wh == pytest.approx(11000 * 10 / 3600)
    assert record.unseen_s == pytest.approx(300)


def test_first_sight_takes_the_box_session_counter() -> None:
    t = tracker()
    events = feed(
        t,
        0,
        status=CHARGING,
        power_w=11000,
        lifetime_energy_wh=90_000,
        session_energy_wh=22_128,
        first_sight=True,
    )
    assert isinstance(events[0], SessionStarted)
    record = completed(
        feed(t, 10, status=ChargerStatus.IDLE, lifetime_energy_wh=90_030, session_energy_wh=22_158)
    ).record
    assert record.energy_wh == pytest.approx(22_158)


def test_plug_in_seeds_what_the_box_counted_before_the_poll() -> None:
    t = tracker()
    feed(t, 0, status=ChargerStatus.IDLE, lifetime_energy_wh=1000)
    feed(t, 10, status=CHARGING, power_w=11000, lifetime_energy_wh=1025, session_energy_wh=25)
    record = completed(
        feed(t, 20, status=ChargerStatus.IDLE, lifetime_energy_wh=1055, session_energy_wh=55)
    ).record
    assert record.energy_wh == pytest.approx(55)


def test_plug_in_ignores_the_previous_sessions_counter() -> None:
    t = tracker()
    # The box still shows last night's 18 kWh until this car starts drawing.
    feed(t, 0, status=ChargerStatus.CONNECTED, lifetime_energy_wh=1000, session_energy_wh=18_000)
    record = completed(
        feed(t, 10, status=ChargerStatus.IDLE, lifetime_energy_wh=1000, session_energy_wh=0)
    ).record
    assert record.energy_wh == 0


def _charging_with_garbage(bad_polls: int) -> tuple[float, SessionTracker]:
    """11 kW for 200 s in 10 s polls, `bad_polls` of them garbage; returns (recorded, tracker)."""
    t = tracker(max_power_w=11500)
    meter = 50_000.0
    feed(t, 0, status=CHARGING, power_w=11000, lifetime_energy_wh=meter)
    # What the simulator's garbage fault serves: random register words.
    rng = random.Random(bad_polls)
    for second in range(10, 200, 10):
        meter += 11000 * 10 / 3600
        bad = 50 <= second < 50 + 10 * bad_polls
        feed(
            t,
            second,
            status=CHARGING,
            power_w=rng.randrange(0x10000) if bad else 11000,
            lifetime_energy_wh=rng.randrange(0x100000000) / 10 if bad else meter,
        )
    record = completed(feed(t, 200, status=ChargerStatus.IDLE, lifetime_energy_wh=meter)).record
    return record.energy_wh, t


@pytest.mark.parametrize("bad_polls", [1, 6])
def test_garbage_readings_never_become_the_baseline(bad_polls: int) -> None:
    recorded, t = _charging_with_garbage(bad_polls)
    assert recorded == pytest.approx(11000 * 190 / 3600)
    assert len(t.rejected) >= bad_polls


def test_a_box_above_its_limit_keeps_its_energy_and_reports_the_power() -> None:
    t = tracker(max_power_w=11500)
    meter = 0.0
    feed(t, 0, status=CHARGING, power_w=46000, lifetime_energy_wh=meter)
    exceeded = []
    for second in range(10, 130, 10):
        meter += 46000 * 10 / 3600
        exceeded += [
            e
            for e in feed(t, second, status=CHARGING, power_w=46000, lifetime_energy_wh=meter)
            if isinstance(e, LimitExceeded)
        ]
    record = completed(feed(t, 130, status=ChargerStatus.IDLE, lifetime_energy_wh=meter)).record
    assert record.energy_wh == pytest.approx(meter)
    assert len(exceeded) == 1
    assert exceeded[0].measured_power_w == pytest.approx(46000, rel=0.01)
    assert t.meter.max_power_w >= 46000
    assert record.gaps == 0


def test_session_counter_restart_counts_from_zero() -> None:
    t = tracker()
    feed(t, 0, status=CHARGING, power_w=11000, session_energy_wh=500)
    feed(t, 10, status=CHARGING, power_w=11000, session_energy_wh=530)
    feed(t, 20, status=CHARGING, power_w=11000, session_energy_wh=20)  # box rebooted
    record = completed(feed(t, 30, status=ChargerStatus.IDLE, session_energy_wh=50)).record
    assert record.energy_wh == pytest.approx(30 + 20 + 30)


def test_price_set_mid_session_prices_what_it_can() -> None:
    t = tracker()
    feed(t, 0, price=None, status=CHARGING, power_w=11000, lifetime_energy_wh=0)
    feed(t, 10, price=None, status=CHARGING, power_w=11000, lifetime_energy_wh=30)
    feed(t, 20, price=0.40, status=CHARGING, power_w=11000, lifetime_energy_wh=60)
    record = completed(
        feed(t, 30, price=0.40, status=ChargerStatus.IDLE, lifetime_energy_wh=90)
    ).record
    assert record.unpriced_wh == pytest.approx(30)
    assert record.cost == pytest.approx(0.060 * 0.40)
    # The part without a price is one of the parts.
    assert [(p.energy_wh, p.price_per_kwh) for p in record.price_parts] == [
        (pytest.approx(30), None),
        (pytest.approx(60), 0.40),
    ]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("energy_wh", "abc"),
        ("started_at", 5),
        ("gaps", None),
        ("last_charging", "yes"),
        ("price_parts", [["2026-11-24T18:00:00+00:00", "a lot", 0.3]]),
        ("price_parts", [[1, 2]]),
    ],
)
def test_damaged_open_session_is_refused(key: str, value: object) -> None:
    t = tracker()
    feed(t, 0, status=CHARGING, power_w=11000, lifetime_energy_wh=0)
    assert t.open is not None
    saved = t.open.to_dict() | {key: value}
    with pytest.raises((TypeError, ValueError)):
        OpenSession.from_dict(saved)


# --- readings that agree with each other but are false (issue 26) -----------------------------

IDLE = ChargerStatus.IDLE
SUSPENDED = ChargerStatus.SUSPENDED_EV


def _restored(t: SessionTracker) -> SessionTracker:
    """A new tracker that adopted `t`'s open session from its saved form (a restart)."""
    assert t.open is not None
    after = tracker()
    after.restore(OpenSession.from_dict(t.open.to_dict()))
    return after


def test_a_burst_of_zeros_while_charging_is_not_a_meter_reset() -> None:
    # Lifetime meter + session counter, 60 s polls, 6.6 kW (110 Wh a poll); polls 4-6 read
    # 0 / 0 / 0 for every register while the status still says charging.
    t = tracker()
    lifetime = 40_000.0
    for poll in range(12):
        true_session = poll * 110.0
        if 4 <= poll <= 6:
            feed(
                t, poll * 60, status=CHARGING, power_w=0, lifetime_energy_wh=0, session_energy_wh=0
            )
        else:
            feed(
                t,
                poll * 60,
                status=CHARGING,
                power_w=6600,
                lifetime_energy_wh=lifetime + true_session,
                session_energy_wh=true_session,
            )
    record = completed(
        feed(t, 720, status=IDLE, lifetime_energy_wh=lifetime + 1320, session_energy_wh=1320)
    ).record
    assert record.energy_wh == pytest.approx(1320)
    assert record.gaps == 0
    assert record.charging_s == 720


def test_constant_garbage_in_a_pause_is_not_a_session_counter_restart() -> None:
    t = tracker()  # session counter only
    for poll in range(31):  # 7.2 kW for 30 min: 3600 Wh
        feed(t, poll * 60, status=CHARGING, power_w=7200, session_energy_wh=poll * 120.0)
    for poll in range(31, 41):  # a pause in which the counter reads a constant garbage value
        feed(t, poll * 60, status=SUSPENDED, power_w=0, session_energy_wh=4_294_967_295.0)
    for poll in range(41, 46):
        feed(t, poll * 60, status=SUSPENDED, power_w=0, session_energy_wh=3600)
    record = completed(feed(t, 46 * 60, status=IDLE, session_energy_wh=3600)).record
    assert record.energy_wh == pytest.approx(3600)


def test_the_previous_sessions_counter_is_not_seeded_when_the_meter_shows_nothing_flowed() -> None:
    t = tracker()
    feed(t, 0, status=IDLE, lifetime_energy_wh=90_000, session_energy_wh=40)
    # Plugged in; the box still shows the last session's 40 Wh and the meter has not moved.
    feed(t, 60, status=ChargerStatus.CONNECTED, lifetime_energy_wh=90_000, session_energy_wh=40)
    record = completed(
        feed(t, 120, status=IDLE, lifetime_energy_wh=90_000, session_energy_wh=40)
    ).record
    assert record.energy_wh == 0


def test_the_previous_sessions_counter_is_not_seeded_on_a_box_without_meter() -> None:
    t = tracker()
    feed(t, 0, status=IDLE, session_energy_wh=40)  # shown since the last session ended
    feed(t, 60, status=ChargerStatus.CONNECTED, session_energy_wh=40)
    feed(t, 120, status=CHARGING, power_w=7200, session_energy_wh=0)  # the box starts counting
    feed(t, 180, status=CHARGING, power_w=7200, session_energy_wh=120)
    record = completed(feed(t, 240, status=IDLE, session_energy_wh=240)).record
    assert record.energy_wh == pytest.approx(240)


def test_seeded_energy_is_priced_when_it_could_have_flowed() -> None:
    t = tracker()
    # Idle polls every 15 minutes; the hourly price changes from 0.20 to 0.50 at 18:30.
    feed(t, 0, price=0.20, status=IDLE, lifetime_energy_wh=90_000)
    feed(t, 900, price=0.20, status=IDLE, lifetime_energy_wh=90_000)
    # Plugged in and charging before this poll: 1 kWh flowed between 18:15 and 18:30.
    feed(
        t,
        1800,
        price=0.50,
        status=CHARGING,
        power_w=7200,
        lifetime_energy_wh=91_000,
        session_energy_wh=1000,
    )
    record = completed(
        feed(t, 1860, price=0.50, status=IDLE, lifetime_energy_wh=91_120, session_energy_wh=1120)
    ).record
    assert record.energy_wh == pytest.approx(1120)
    assert record.cost == pytest.approx(1.0 * 0.20 + 0.12 * 0.50)


def test_a_session_first_seen_mid_charge_has_an_average_power_below_its_peak() -> None:
    t = tracker()
    for poll in range(11):
        feed(
            t,
            poll * 60,
            first_sight=poll == 0,
            status=CHARGING,
            power_w=7400,
            lifetime_energy_wh=120_000 + poll * 123.3,
            session_energy_wh=20_000 + poll * 123.3,
        )
    record = completed(
        feed(t, 660, status=IDLE, lifetime_energy_wh=121_356.3, session_energy_wh=21_356.3)
    ).record
    assert record.energy_wh == pytest.approx(21_356.3)
    assert record.peak_power_w == 7400
    assert record.avg_power_w is not None
    assert record.avg_power_w <= record.peak_power_w
    assert record.start_uncertain


@pytest.mark.parametrize("tag_b", [None, "AAAA1111"])
@pytest.mark.parametrize("counter_b", [1200.0, 3400.0])
def test_two_plug_ins_during_a_downtime_are_two_sessions(
    tag_b: str | None, counter_b: float
) -> None:
    t = tracker()
    feed(t, 0, status=CHARGING, power_w=11000, lifetime_energy_wh=10_000, session_energy_wh=0)
    feed(t, 10, status=CHARGING, power_w=11000, lifetime_energy_wh=10_030, session_energy_wh=30)
    t.update(
        Reading(
            status=CHARGING,
            power_w=11000,
            lifetime_energy_wh=13_000,
            session_energy_wh=3000,
            tag="AAAA1111",
        ),
        T0 + timedelta(seconds=1000),
        price_per_kwh=0.30,
        currency="EUR",
    )
    after = _restored(t)
    # Home Assistant was down: car A (3000 Wh) left, car B arrived and the box's session counter
    # restarted for it: it shows car B's energy only.
    events = after.update(
        Reading(
            status=CHARGING,
            power_w=11000,
            lifetime_energy_wh=13_000 + 1000 + counter_b,
            session_energy_wh=counter_b,
            tag=tag_b,
        ),
        T0 + timedelta(seconds=5000),
        price_per_kwh=0.30,
        currency="EUR",
        first_sight=True,
    )
    record_a = completed(events).record
    assert record_a.tag_id == "AAAA1111"
    assert record_a.energy_wh == pytest.approx(4000)
    assert record_a.end_uncertain
    assert after.open is not None
    assert after.open.energy_wh == pytest.approx(counter_b)
    record_b = completed(
        feed(
            after,
            5060,
            status=IDLE,
            lifetime_energy_wh=14_000 + counter_b + 100,
            session_energy_wh=counter_b + 100,
        )
    ).record
    assert record_b.energy_wh == pytest.approx(counter_b + 100)
    assert record_b.start_uncertain


def test_a_meter_reset_while_home_assistant_is_down_keeps_what_the_meter_shows() -> None:
    t = tracker()
    feed(t, 0, status=CHARGING, power_w=3000, lifetime_energy_wh=500_000)
    feed(t, 100, status=CHARGING, power_w=3000, lifetime_energy_wh=500_085)
    after = _restored(t)
    # The box rebooted while Home Assistant was down: its meter restarted from 0 and shows
    # the 74 Wh it counted since; what flowed before the reboot nobody saw.
    assert feed(after, 400, status=CHARGING, power_w=3000, lifetime_energy_wh=74) == []
    record = completed(feed(after, 460, status=IDLE, lifetime_energy_wh=124)).record
    assert record.energy_wh == pytest.approx(85 + 124)
    assert record.gaps == 1


def test_a_meter_reset_while_down_is_covered_by_the_session_counter() -> None:
    t = tracker()
    feed(t, 0, status=CHARGING, power_w=3000, lifetime_energy_wh=500_000, session_energy_wh=0)
    feed(t, 100, status=CHARGING, power_w=3000, lifetime_energy_wh=500_085, session_energy_wh=85)
    after = _restored(t)
    feed(after, 400, status=CHARGING, power_w=3000, lifetime_energy_wh=74, session_energy_wh=257)
    record = completed(
        feed(after, 460, status=IDLE, lifetime_energy_wh=124, session_energy_wh=307)
    ).record
    assert record.energy_wh == pytest.approx(307)
    assert record.gaps == 0


def test_a_missed_end_has_a_charging_time_and_is_marked() -> None:
    t = tracker()
    feed(t, 0, status=CHARGING, power_w=11000, lifetime_energy_wh=0)
    after = _restored(t)
    record = completed(feed(after, 900, status=IDLE, lifetime_energy_wh=994)).record
    assert record.energy_wh == pytest.approx(994)
    assert record.end_uncertain and not record.start_uncertain
    # 994 Wh at the 11 kW seen take 325 s.
    assert record.charging_s == pytest.approx(994 / 11000 * 3600)
    assert record.avg_power_w == pytest.approx(11000)


def test_a_missed_start_is_marked() -> None:
    t = tracker()
    feed(t, 0, first_sight=True, status=CHARGING, power_w=11000, lifetime_energy_wh=0)
    record = completed(feed(t, 60, status=IDLE, lifetime_energy_wh=183)).record
    assert record.start_uncertain and not record.end_uncertain
    seen = tracker()
    feed(seen, 0, status=IDLE, lifetime_energy_wh=0)
    feed(seen, 60, status=CHARGING, power_w=11000, lifetime_energy_wh=0)
    record = completed(feed(seen, 120, status=IDLE, lifetime_energy_wh=183)).record
    assert not record.start_uncertain and not record.end_uncertain


def test_uncertain_flags_survive_a_restart() -> None:
    t = tracker()
    feed(t, 0, first_sight=True, status=CHARGING, power_w=11000, lifetime_energy_wh=0)
    after = _restored(t)
    feed(after, 60, status=CHARGING, power_w=11000, lifetime_energy_wh=183)
    record = completed(feed(after, 120, status=IDLE, lifetime_energy_wh=366)).record
    assert record.start_uncertain


def test_a_low_garbage_value_in_a_pause_is_not_a_session_counter_restart() -> None:
    t = tracker()  # session counter only
    for poll in range(31):
        feed(t, poll * 60, status=CHARGING, power_w=7200, session_energy_wh=poll * 120.0)
    for poll in (31, 32):  # the box reads 5 Wh while nothing flows, then the true value again
        feed(t, poll * 60, status=SUSPENDED, power_w=0, session_energy_wh=5)
    feed(t, 33 * 60, status=SUSPENDED, power_w=0, session_energy_wh=3600)
    record = completed(feed(t, 34 * 60, status=IDLE, session_energy_wh=3600)).record
    assert record.energy_wh == pytest.approx(3600)


def test_a_meter_that_restarts_mid_session_counts_what_it_shows_since() -> None:
    t = tracker()
    feed(t, 0, status=CHARGING, power_w=11000, lifetime_energy_wh=500_000)
    feed(t, 60, status=CHARGING, power_w=11000, lifetime_energy_wh=500_183)
    # The box rebooted: its meter restarted from 0 and counts on from there.
    for poll, meter in enumerate((20, 203, 386, 569), start=2):
        feed(t, poll * 60, status=CHARGING, power_w=11000, lifetime_energy_wh=meter)
    record = completed(feed(t, 360, status=IDLE, lifetime_energy_wh=752)).record
    assert record.energy_wh == pytest.approx(183 + 752)
    assert record.gaps == 1  # what flowed between the last reading and the reboot


def _vestel_like() -> SessionTracker:
    """Lifetime meter in 0.1 kWh steps, session counter in Wh (Vestel EVC04 registers)."""
    return tracker(lifetime_resolution_wh=100.0, session_resolution_wh=1.0)


def test_the_finer_counter_counts_and_the_coarser_one_covers_for_it() -> None:
    t = _vestel_like()
    feed(t, 0, status=CHARGING, power_w=11040, lifetime_energy_wh=123_400, session_energy_wh=0)
    feed(t, 60, status=CHARGING, power_w=11040, lifetime_energy_wh=123_500, session_energy_wh=184)
    assert t.open is not None and t.open.source == "session_counter"
    # The session counter alone reads garbage; the meter shows the energy flowing on.
    feed(t, 120, status=CHARGING, power_w=11040, lifetime_energy_wh=123_700, session_energy_wh=9e9)
    feed(t, 180, status=CHARGING, power_w=11040, lifetime_energy_wh=123_900, session_energy_wh=552)
    record = completed(
        feed(t, 240, status=IDLE, lifetime_energy_wh=124_100, session_energy_wh=736)
    ).record
    assert record.energy_wh == pytest.approx(736, abs=100)  # within the meter's step
    assert record.gaps == 0


def test_a_session_counter_restart_is_proven_by_the_meter() -> None:
    t = _vestel_like()
    feed(t, 0, status=CHARGING, power_w=11040, lifetime_energy_wh=123_400, session_energy_wh=0)
    feed(t, 60, status=CHARGING, power_w=11040, lifetime_energy_wh=123_500, session_energy_wh=184)
    # Phase switch: the box restarts its session counter, the meter counts on.
    feed(t, 120, status=CHARGING, power_w=11040, lifetime_energy_wh=123_700, session_energy_wh=90)
    record = completed(
        feed(t, 180, status=IDLE, lifetime_energy_wh=123_900, session_energy_wh=274)
    ).record
    assert record.energy_wh == pytest.approx(184 + 200 + 184)


def test_a_saved_session_from_before_the_flags_is_restored() -> None:
    t = tracker()
    feed(t, 0, status=CHARGING, power_w=11000, lifetime_energy_wh=0)
    assert t.open is not None
    saved = t.open.to_dict()
    for key in ("start_uncertain", "seeded_wh", "session_counter_stale", "baseline_since"):
        del saved[key]
    after = tracker()
    after.restore(OpenSession.from_dict(saved))
    record = completed(feed(after, 60, status=IDLE, lifetime_energy_wh=183)).record
    assert record.energy_wh == pytest.approx(183)
    assert not record.start_uncertain
