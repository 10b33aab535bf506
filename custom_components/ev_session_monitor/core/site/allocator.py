"""Each tick: one current per wallbox so that no circuit is overloaded on any phase.

The rule, in order (each step in its own module):

1. Headroom (`headroom`): per circuit and grid phase, what our wallboxes may draw together;
   a drop cuts at once, a rise counts once it has lasted the stable interval.
2. Boxes that do not answer keep their last allocation (or their maximum) reserved.
3. Admission (`admission`): every car that wants current gets at least its minimum or is
   paused; cars that draw nothing of what they get go last, then by priority, then the car
   that has had less of the fuse since it plugged in (energy per phase), cars taking turns (a
   paused car replaces one 500 Wh per phase ahead).
4. Water-filling (`filling`): priority tiers share what is left, fairly within a tier.
5. Rounding down to each box's step; whole steps left over go to the lowest allocations, a
   step staying with the box that had it until its car is `HANDOVER_WH` per phase ahead of a
   car that could take it (flash wear).

Phases count as measured (`phases`): a 1-phase car on a 3-phase box loads one grid phase.
This module keeps what a tick needs from the ones before (last allocations, what each car
draws) and reports which boxes changed, so only those are written (flash wear).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .admission import ROTATE_WH, Candidate, admit, order_for_admission
from .filling import charging_allocation, fill, round_to_steps
from .headroom import StableHeadroom, capacity, circuit_states
from .model import PHASES, Site, WallboxWiring
from .phases import (
    PHASE_IN_USE_A,
    Key,
    PhaseCurrents,
    car_phase_count,
    circuit_keys,
    grid_draw,
    on_phases,
    phases_in_use,
    phases_with,
)
from .records import (
    EPSILON,
    PAUSED,
    BoxAllocation,
    BoxState,
    CircuitState,
    Reason,
    SiteAllocation,
)

__all__ = [
    "EPSILON",
    "PAUSED",
    "PHASES",
    "PHASE_IN_USE_A",
    "RELEASE_A",
    "ROTATE_WH",
    "SETTLE_S",
    "SILENT_S",
    "UNKNOWN_MAX_A",
    "BoxAllocation",
    "BoxState",
    "CircuitState",
    "Key",
    "PhaseCurrents",
    "Reason",
    "Site",
    "SiteAllocation",
    "SiteAllocator",
    "WallboxWiring",
]

# A car drawing this much below its allocation is limited by itself; it keeps this much above
# what it draws, so it can show when it wants more.
RELEASE_A = 1.0
# After an allocation changes a car needs this long to follow before its draw is judged.
SETTLE_S = 15.0
# A car that has drawn nothing this long of what it was given gets its minimum only from what
# the cars that draw leave over (a car may take a minute to start charging).
SILENT_S = 60.0
# A box that never reported its maximum is reserved at this (the largest common rating).
UNKNOWN_MAX_A = 32.0


@dataclass(slots=True)
class _BoxMemory:
    allocation: BoxAllocation
    changed_at: float
    car_limit_a: float | None = None
    # How many of the box's phases this session's car draws on, once its currents showed it.
    car_phases: int | None = None
    # Since when the car has drawn nothing of a current it was given (full, or its own timer).
    silent_since: float | None = None


@dataclass(slots=True)
class SiteAllocator:
    """Keeps what a tick needs from the ones before: last allocations, car limits, headroom."""

    site: Site
    _memory: dict[str, _BoxMemory] = field(default_factory=dict)
    _stable: StableHeadroom = field(init=False)
    # Per session: the turn count the car started with (see `admission.order_for_admission`).
    _turn_start: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._stable = StableHeadroom(self.site.stable_interval_s)

    def last(self, box_id: str) -> BoxAllocation | None:
        """The allocation given to the box on the last tick."""
        memory = self._memory.get(box_id)
        return None if memory is None else memory.allocation

    def tick(
        self,
        now: float,
        states: Mapping[str, BoxState],
        readings: Mapping[str, PhaseCurrents | None],
    ) -> SiteAllocation:
        """Allocate for this tick; `readings` has each measured circuit's grid currents.

        A measured circuit missing from `readings`, or mapped to None, is stale.
        """
        site = self.site
        box_states = {
            w.box_id: states.get(w.box_id)
            or BoxState(w.box_id, active=False, responding=False, max_a=UNKNOWN_MAX_A)
            for w in site.wallboxes
        }
        reserved = {
            box_id: self._reserve(site.wiring(box_id), state)
            for box_id, state in box_states.items()
            if not state.responding
        }
        draws = {
            w.box_id: reserved.get(w.box_id) or grid_draw(w, box_states[w.box_id].measured_a)
            for w in site.wallboxes
        }
        headroom, house = capacity(site, readings, draws)
        residual = self._stable.lowest(now, headroom)
        for box_id, draw in reserved.items():
            for key in circuit_keys(site, site.wiring(box_id), phases_with(draw)):
                residual[key] -= max(draw)

        candidates, results = self._candidates(now, box_states)
        admit(site, candidates, residual, results)
        fill(candidates, residual)
        round_to_steps(candidates, residual)
        for candidate in candidates:
            if candidate.current > 0:
                results[candidate.wiring.box_id] = charging_allocation(candidate)
        for box_id, draw in reserved.items():
            last = self.last(box_id)
            phases = self.site.wiring(box_id).phases if last is None else last.phases
            results[box_id] = BoxAllocation(
                box_id, max(draw), phases, Reason.NOT_RESPONDING, phases_with(draw)
            )

        results = {w.box_id: results[w.box_id] for w in site.wallboxes}
        changed = self._remember(now, results)
        return SiteAllocation(results, circuit_states(site, house, results), frozenset(changed))

    def _reserve(self, wiring: WallboxWiring, state: BoxState) -> PhaseCurrents:
        last = self.last(wiring.box_id)
        if last is not None:
            return on_phases(last.grid_phases, last.current_a)
        return on_phases(wiring.grid_phases(), state.max_a)

    def _candidates(
        self, now: float, states: Mapping[str, BoxState]
    ) -> tuple[list[Candidate], dict[str, BoxAllocation]]:
        site = self.site
        candidates: list[Candidate] = []
        results: dict[str, BoxAllocation] = {}
        for wiring in site.wallboxes:
            state = states[wiring.box_id]
            if not state.responding:
                continue
            memory = self._memory.get(wiring.box_id)
            if not state.active:
                self._turn_start.pop(wiring.box_id, None)
                if memory is not None:
                    memory.car_limit_a = None
                    memory.car_phases = None
                    memory.silent_since = None
                results[wiring.box_id] = BoxAllocation(
                    wiring.box_id, 0.0, wiring.phases, Reason.IDLE, wiring.grid_phases()
                )
                continue
            ceiling, reason = state.max_a, Reason.LIMITED_BY_BOX
            if state.wish_a is not None and state.wish_a < ceiling:
                ceiling = state.wish_a
            if ceiling < state.min_a:
                results[wiring.box_id] = BoxAllocation(
                    wiring.box_id, 0.0, wiring.phases, Reason.HELD, wiring.grid_phases()
                )
                continue
            car_limit = self._car_limit(now, state, memory)
            if car_limit is not None and car_limit < ceiling:
                ceiling, reason = max(car_limit, state.min_a), Reason.LIMITED_BY_CAR
            last = memory.allocation if memory is not None else None
            candidate = Candidate(
                wiring=wiring,
                state=state,
                priority=site.priority(wiring.box_id, state.card),
                incumbent=last is not None and last.current_a > 0,
                ceiling=ceiling,
                ceiling_reason=reason,
                last_a=0.0 if last is None else last.current_a,
            )
            settling = memory is not None and now - memory.changed_at < SETTLE_S
            if memory is not None and not settling and memory.allocation.current_a > 0:
                offered = memory.allocation.phases if wiring.can_switch_phases else wiring.phases
                learned = car_phase_count(wiring, state.measured_a, offered)
                memory.car_phases = learned or memory.car_phases
                # A box that reports no currents tells nothing about the car's draw.
                if state.measured_a is not None and max(state.measured_a) >= PHASE_IN_USE_A:
                    memory.silent_since = None
                elif state.measured_a is not None and memory.silent_since is None:
                    memory.silent_since = now
            car_phases = None if memory is None else memory.car_phases
            candidate.not_taking = (
                memory is not None
                and memory.silent_since is not None
                and now - memory.silent_since >= SILENT_S
            )
            candidate.car_phases = car_phases
            candidate.grid_phases = phases_in_use(
                wiring,
                state.measured_a,
                None if last is None else last.phases,
                car_phases,
                settling,
            )
            candidate.phases = len(candidate.grid_phases)
            candidate.switched = last is not None and last.phases < wiring.phases
            candidates.append(candidate)
        self._start_turns(candidates)
        order_for_admission(candidates)
        return candidates, results

    def _start_turns(self, candidates: list[Candidate]) -> None:
        """A car that plugs in starts counting turns level with the least served of its tier.

        What the others received while no one waited is not held against them.
        """
        known = [c for c in candidates if c.wiring.box_id in self._turn_start]
        for candidate in known:
            candidate.turn_start_wh = self._turn_start[candidate.wiring.box_id]
        for candidate in candidates:
            if candidate.wiring.box_id in self._turn_start:
                continue
            peers = [c.turn_wh for c in known if c.priority == candidate.priority]
            start = max(0.0, min(peers) - candidate.own_turn_wh) if peers else 0.0
            self._turn_start[candidate.wiring.box_id] = start
            candidate.turn_start_wh = start

    def _car_limit(self, now: float, state: BoxState, memory: _BoxMemory | None) -> float | None:
        """What the car itself takes, judged from its measured draw once it had time to follow."""
        if memory is None or state.measured_a is None:
            return None
        given = memory.allocation.current_a
        drawn = max(state.measured_a)
        if given <= 0 or now - memory.changed_at < SETTLE_S:
            return memory.car_limit_a
        if drawn < given - RELEASE_A:
            memory.car_limit_a = drawn + RELEASE_A
        elif memory.car_limit_a is not None and drawn >= memory.car_limit_a - RELEASE_A / 2:
            memory.car_limit_a = None
        return memory.car_limit_a

    def _remember(self, now: float, results: Mapping[str, BoxAllocation]) -> list[str]:
        changed = []
        for box_id, allocation in results.items():
            memory = self._memory.get(box_id)
            if allocation.reason is Reason.NOT_RESPONDING:
                # Nothing is written to a box that does not answer; its reserve stays.
                if memory is None:
                    self._memory[box_id] = _BoxMemory(allocation, now)
                continue
            if memory is None:
                self._memory[box_id] = _BoxMemory(allocation, now)
                changed.append(box_id)
                continue
            before = memory.allocation
            if before.current_a != allocation.current_a or before.phases != allocation.phases:
                memory.changed_at = now
                changed.append(box_id)
            memory.allocation = allocation
        return changed
