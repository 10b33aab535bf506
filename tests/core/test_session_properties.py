"""Property: whatever false readings a box serves, the session's energy stays true.

For any sequence of true readings and any injected fault at any place (bursts of readings that
all say 0, registers frozen at their last value, a constant garbage value, word-swapped
counters, polling gaps, Home Assistant restarts from the saved state), the energy recorded
stays within the counters' resolution of the truth on boxes with a lifetime meter, and never
above the truth plus that resolution on any box with a counter.

Boxes that only report power are left out: a false power reading within what the box can
deliver cannot be told from a true one, and nothing else measures the energy.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custom_components.ev_session_monitor.core.model import ChargerStatus, Reading
from custom_components.ev_session_monitor.core.session import (
    MeterSpec,
    OpenSession,
    SessionCompleted,
    SessionTracker,
)

T0 = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
POLL_S = 60
MAX_POWER_W = 22_080.0

# (lifetime meter step, session counter step) in Wh; None = the box lacks that counter.
BOXES = {
    "lifetime_wh": (1.0, None),
    "lifetime_0.1kwh": (100.0, None),
    "session_counter_only": (None, 1.0),
    "both_wh": (1.0, 1.0),
    "vestel": (100.0, 1.0),  # lifetime in 0.1 kWh, session counter in Wh
    "finer_lifetime": (1.0, 10.0),
}
FAULTS = ("zeros", "frozen", "garbage", "word_swap", "gap", "restart")


@dataclass(frozen=True)
class Fault:
    kind: str
    at: int  # first poll it affects
    polls: int
    garbage_words: int  # for "garbage": the raw value both counters read


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[str, list[float], int, float, list[Fault]]:
    box = draw(st.sampled_from(sorted(BOXES)))
    # Power of each poll interval; the first poll sees the car plugged in, not yet charging.
    powers = [
        0.0,
        *draw(
            st.lists(
                st.sampled_from([0.0, 1380.0, 3680.0, 7400.0, 11_040.0, 22_080.0]),
                min_size=3,
                max_size=40,
            )
        ),
    ]
    # An installed box's meter has counted more than one session can deliver (100 kWh here).
    lifetime_base = draw(st.integers(100_000, 40_000_000))
    previous_session = draw(st.sampled_from([0.0, 3.0, 40.0, 500.0, 18_000.0]))
    faults = draw(
        st.lists(
            st.builds(
                Fault,
                kind=st.sampled_from(FAULTS),
                at=st.integers(1, len(powers) - 1),
                polls=st.integers(1, 6),
                # Far from any true count: a wrong value within what the box could have
                # delivered cannot be told from a right one when it is read.
                garbage_words=st.integers(1 << 24, (1 << 32) - 1),
            ),
            max_size=3,
        )
    )
    return box, powers, lifetime_base, previous_session, faults


def _swap(value: float, step: float) -> float:
    raw = int(value / step) & 0xFFFFFFFF
    return ((raw & 0xFFFF) << 16 | raw >> 16) * step


def _register(value: float, step: float) -> float:
    return math.floor(value / step) * step


def play(
    box: str, powers: list[float], lifetime_base: int, previous_session: float, faults: list[Fault]
) -> tuple[float, float]:
    """Play the session; return (energy recorded, true energy)."""
    lifetime_step, session_step = BOXES[box]
    spec = {
        "max_power_w": MAX_POWER_W,
        "lifetime_resolution_wh": lifetime_step or 0.0,
        "session_resolution_wh": session_step or 0.0,
    }
    tracker = SessionTracker("box", "Box", MeterSpec(**spec), gap_s=1.5 * POLL_S)  # type: ignore[arg-type]
    recorded = 0.0

    def served(status: ChargerStatus, power: float, energy: float, session_wh: float) -> Reading:
        return Reading(
            status=status,
            power_w=power,
            lifetime_energy_wh=None
            if lifetime_step is None
            else _register(lifetime_base + energy, lifetime_step),
            session_energy_wh=None if session_step is None else _register(session_wh, session_step),
        )

    def feed(reading: Reading, poll: int, first_sight: bool = False) -> None:
        nonlocal recorded
        events = tracker.update(
            reading,
            T0 + timedelta(seconds=poll * POLL_S),
            price_per_kwh=0.30,
            currency="EUR",
            first_sight=first_sight,
        )
        recorded += sum(e.record.energy_wh for e in events if isinstance(e, SessionCompleted))

    # The box shows the previous session's counter until this one starts counting.
    feed(served(ChargerStatus.IDLE, 0.0, 0.0, previous_session), -1, first_sight=True)
    energy = 0.0
    last_served: Reading | None = None
    restore_next = False
    for poll, power in enumerate(powers):
        fault = next((f for f in faults if f.at <= poll < f.at + f.polls), None)
        status = (
            ChargerStatus.CONNECTED
            if poll == 0
            else (ChargerStatus.CHARGING if power > 0 else ChargerStatus.SUSPENDED_EV)
        )
        true = served(status, power, energy, previous_session if poll == 0 else energy)
        energy += power * POLL_S / 3600
        if fault is not None and fault.kind in ("gap", "restart"):
            if fault.kind == "restart" and fault.at == poll and tracker.open is not None:
                saved = json.loads(json.dumps(tracker.open.to_dict()))
                tracker = SessionTracker("box", "Box", MeterSpec(**spec), gap_s=1.5 * POLL_S)  # type: ignore[arg-type]
                tracker.restore(OpenSession.from_dict(saved))
                restore_next = True
            continue
        reading = true
        if fault is not None and fault.kind == "zeros":
            reading = Reading(
                status=status,
                power_w=0.0,
                lifetime_energy_wh=None if lifetime_step is None else 0.0,
                session_energy_wh=None if session_step is None else 0.0,
            )
        elif fault is not None and fault.kind == "frozen" and last_served is not None:
            reading = last_served
        elif fault is not None and fault.kind == "garbage":
            reading = Reading(
                status=status,
                power_w=0.0,
                lifetime_energy_wh=None
                if lifetime_step is None
                else fault.garbage_words * lifetime_step,
                session_energy_wh=None
                if session_step is None
                else fault.garbage_words * session_step,
            )
        elif fault is not None and fault.kind == "word_swap":
            reading = Reading(
                status=status,
                power_w=power,
                lifetime_energy_wh=None
                if true.lifetime_energy_wh is None or lifetime_step is None
                else _swap(true.lifetime_energy_wh, lifetime_step),
                session_energy_wh=None
                if true.session_energy_wh is None or session_step is None
                else _swap(true.session_energy_wh, session_step),
            )
        last_served = reading
        feed(reading, poll, first_sight=restore_next)
        restore_next = False
    # Unplugged: the box keeps showing the session's counter.
    feed(served(ChargerStatus.IDLE, 0.0, energy, energy), len(powers), first_sight=restore_next)
    assert tracker.open is None
    return recorded, energy


@settings(
    max_examples=400,
    derandomize=True,  # the same examples on every run: CI stays deterministic
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(scenarios())
def test_recorded_energy_stays_true_under_false_readings(
    scenario: tuple[str, list[float], int, float, list[Fault]],
) -> None:
    box, powers, lifetime_base, previous_session, faults = scenario
    recorded, truth = play(box, powers, lifetime_base, previous_session, faults)
    lifetime_step, session_step = BOXES[box]
    resolution = max(lifetime_step or 0.0, session_step or 0.0)
    assert recorded <= truth + resolution + 1e-6
    if lifetime_step is not None:
        assert recorded >= truth - resolution - 1e-6


def test_a_burst_of_zeros_on_the_property_harness() -> None:
    # The minimal case through the same harness: 60 s polls, 6.6 kW is not offered,
    # 7.4 kW for 12 polls, polls 4-6 read 0 / 0 / 0.
    recorded, truth = play(
        "both_wh", [0.0] + [7400.0] * 12, 500_000, 0.0, [Fault("zeros", 4, 3, 0)]
    )
    assert abs(recorded - truth) <= 1.0  # one Wh step
