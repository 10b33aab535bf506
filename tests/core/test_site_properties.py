"""Site load management: properties of the allocator over random sites and random days.

A small physical model stands beside the allocator, written here and not taken from it: each car
has its own phases and its own largest current; it draws the smaller of that and what its box
allows, on the grid phases its wiring gives; the house load sits on the measured main fuse; the
grid reading is house plus cars. The properties are what a site owner relies on.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custom_components.ev_session_monitor.core.site.allocator import (
    SETTLE_S,
    BoxState,
    SiteAllocator,
)
from custom_components.ev_session_monitor.core.site.model import Circuit, Site, WallboxWiring

TOLERANCE = 1e-6


@dataclass
class Car:
    phases: int
    max_a: float
    min_a: float


@st.composite
def sites(draw: st.DrawFn) -> Site:
    main = draw(st.sampled_from([16, 20, 25, 32, 40, 63]))
    circuits = [Circuit("main", main, measured=draw(st.booleans()))]
    for index in range(draw(st.integers(0, 2))):
        limit = draw(st.integers(10, main))
        circuits.append(
            Circuit(f"sub{index}", limit, parent=draw(st.sampled_from(circuits)).circuit_id)
        )
    boxes = [
        WallboxWiring(
            f"box{index}",
            draw(st.sampled_from(circuits)).circuit_id,
            phases=draw(st.sampled_from([1, 3])),
            l1_phase=draw(st.integers(0, 2)),
            can_switch_phases=draw(st.booleans()),
            priority=draw(st.integers(0, 2)),
        )
        for index in range(draw(st.integers(1, 6)))
    ]
    return Site(tuple(circuits), tuple(boxes), margin_a=1.0, stable_interval_s=30.0)


def car_grid_phases(wiring: WallboxWiring, car: Car, box_phases: int) -> tuple[int, ...]:
    used = min(wiring.phases, car.phases, box_phases)
    return tuple((wiring.l1_phase + k) % 3 for k in range(used))


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(site=sites(), data=st.data())
def test_no_circuit_is_ever_above_its_limit_and_cars_get_their_minimum_or_pause(
    site: Site, data: st.DataObject
) -> None:
    allocator = SiteAllocator(site)
    cars = {
        w.box_id: Car(
            data.draw(st.sampled_from([1, 3])),
            data.draw(st.sampled_from([10.0, 16.0, 32.0])),
            data.draw(st.sampled_from([6.0, 6.0, 8.0])),
        )
        for w in site.wallboxes
    }
    draws: dict[str, tuple[float, float, float]] = {
        w.box_id: (0.0, 0.0, 0.0) for w in site.wallboxes
    }
    box_draws: dict[str, tuple[float, float, float]] = dict(draws)
    answered: dict[str, bool] = {}
    for tick in range(data.draw(st.integers(1, 12))):
        now = tick * 10.0
        house = tuple(data.draw(st.floats(0, site.circuits[0].limit_a / 2)) for _ in range(3))
        present = {w.box_id: data.draw(st.booleans()) for w in site.wallboxes}
        responding = {
            w.box_id: data.draw(st.booleans()) if answered.get(w.box_id) else True
            for w in site.wallboxes
        }
        grid = tuple(house[p] + sum(d[p] for d in draws.values()) for p in range(3))
        stale = data.draw(st.booleans())
        readings = {"main": None if stale else grid} if site.circuits[0].measured else {}
        states = {
            w.box_id: BoxState(
                w.box_id,
                active=present[w.box_id],
                min_a=cars[w.box_id].min_a,
                max_a=32.0,
                measured_a=box_draws[w.box_id],
                responding=responding[w.box_id],
            )
            for w in site.wallboxes
        }
        result = allocator.tick(now, states, readings)
        # The cars follow: a box that does not answer keeps drawing what it had.
        for wiring in site.wallboxes:
            box_id = wiring.box_id
            allocation = result.boxes[box_id]
            if not responding[box_id]:
                continue
            answered[box_id] = True
            current = min(allocation.current_a, cars[box_id].max_a) if present[box_id] else 0.0
            on = car_grid_phases(wiring, cars[box_id], allocation.phases)
            draws[box_id] = tuple(current if p in on else 0.0 for p in range(3))  # type: ignore[assignment]
            box_draws[box_id] = tuple(  # type: ignore[assignment]
                current if wiring.grid_phase_of(k) in on and k < wiring.phases else 0.0
                for k in range(3)
            )
            if present[box_id] and allocation.current_a > 0:
                assert allocation.current_a >= cars[box_id].min_a - TOLERANCE
        # What a box that does not answer draws cannot be cut: it counts like house load.
        for circuit in site.circuits:
            below = site.boxes_below(circuit.circuit_id)
            ours = [sum(draws[w.box_id][p] for w in below) for p in range(3)]
            stuck = [
                sum(draws[w.box_id][p] for w in below if not responding[w.box_id]) for p in range(3)
            ]
            if circuit.measured and stale:
                allowed = circuit.static_headroom(site.margin_a)
                for phase in range(3):
                    assert ours[phase] <= max(allowed, stuck[phase]) + TOLERANCE, (circuit, ours)
                continue
            load = house if circuit.measured else (0.0, 0.0, 0.0)
            for phase in range(3):
                allowed = circuit.limit_a - site.margin_a - load[phase]
                assert ours[phase] <= max(allowed, stuck[phase]) + TOLERANCE, (
                    circuit,
                    phase,
                    load,
                    ours,
                    result,
                )


@settings(max_examples=200, deadline=None)
@given(
    limit=st.integers(16, 80),
    count=st.integers(2, 6),
    phases=st.sampled_from([1, 3]),
    step=st.sampled_from([0.1, 1.0]),
)
def test_equal_cars_get_equal_shares(limit: int, count: int, phases: int, step: float) -> None:
    site = Site(
        (Circuit("main", limit),),
        tuple(WallboxWiring(f"b{i}", "main", phases=phases) for i in range(count)),
        margin_a=1.0,
    )
    states = {
        w.box_id: BoxState(w.box_id, active=True, max_a=64.0, step_a=step) for w in site.wallboxes
    }
    result = SiteAllocator(site).tick(0.0, states, {})
    charging = [a.current_a for a in result.boxes.values() if a.current_a > 0]
    assert charging, "at least one car fits: every limit minus margin is above 6 A"
    assert max(charging) - min(charging) <= step + TOLERANCE
    # Nobody is paused while the paused car's minimum would still fit.
    assert limit - 1.0 - sum(charging) < 6.0 or len(charging) == count


@settings(max_examples=200, deadline=None)
@given(
    limit=st.integers(16, 63),
    wants=st.lists(st.sampled_from([16.0, 32.0]), min_size=2, max_size=5),
    drawn=st.floats(0.0, 16.0),
)
def test_a_car_drawing_less_never_takes_from_the_others(
    limit: int, wants: list[float], drawn: float
) -> None:
    site = Site(
        (Circuit("main", limit),),
        tuple(WallboxWiring(f"b{i}", "main") for i in range(len(wants))),
        margin_a=1.0,
    )

    def after(draw_of_first: float) -> dict[str, float]:
        allocator = SiteAllocator(site)
        states = {
            f"b{i}": BoxState(f"b{i}", active=True, max_a=want, step_a=0.1)
            for i, want in enumerate(wants)
        }
        first = allocator.tick(0.0, states, {})
        measured = {box_id: (a.current_a,) * 3 for box_id, a in first.boxes.items()}
        measured["b0"] = (min(draw_of_first, first.boxes["b0"].current_a),) * 3
        later = {
            box_id: BoxState(
                box_id, active=True, max_a=s.max_a, step_a=0.1, measured_a=measured[box_id]
            )
            for box_id, s in states.items()
        }
        return {k: a.current_a for k, a in allocator.tick(SETTLE_S, later, {}).boxes.items()}

    full = after(32.0)
    released = after(drawn)
    assert released["b0"] <= full["b0"] + TOLERANCE
    for box_id in full:
        if box_id != "b0":
            assert released[box_id] >= full[box_id] - 0.1 - TOLERANCE
