"""Each tick: one current per wallbox so that no circuit is overloaded on any phase.

The rule, in order:

1. Headroom. For every circuit and grid phase, what our wallboxes may draw together: the limit
   minus the margin, and on a measured circuit minus the house load (the grid reading minus our
   boxes' own measured draw). A missing or stale reading falls back to the circuit's static
   share. Raises wait for the headroom to hold: the allocation uses the lowest headroom seen over
   the stable interval, so a drop cuts at once and a rise counts only once it has lasted.
2. Boxes that do not answer keep their last allocation (or their maximum) reserved.
3. Admission. Every car that wants current gets at least its minimum or is paused. Cars are
   admitted by priority, then charging cars before paused ones (no flapping), then the car with
   less energy received; a 3-phase box that can switch to 1 phase does so when its 3-phase
   minimum no longer fits.
4. Water-filling. Priority tiers, highest first, share what is left: within a tier every car
   rises to a common level until it reaches its ceiling (box maximum, the lock's or the plan's
   wish, or what the car itself draws) or a circuit phase it uses is full.
5. Rounding down to each box's step; whole steps left over go to the lowest allocations.

Phases count as measured: a 1-phase car on a 3-phase box loads one grid phase, not three.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from .model import PHASES, Site, WallboxWiring

# A car drawing this much below its allocation is limited by itself; it keeps this much above
# what it draws, so it can show when it wants more.
RELEASE_A = 1.0
# After an allocation changes a car needs this long to follow before its draw is judged.
SETTLE_S = 15.0
# A box phase carries a car's load when it draws at least this much.
PHASE_IN_USE_A = 1.0
# A box that never reported its maximum is reserved at this (the largest common rating).
UNKNOWN_MAX_A = 32.0
EPSILON = 1e-6

type PhaseCurrents = tuple[float, float, float]
type Key = tuple[str, int]


class Reason(StrEnum):
    """Why a box has the current it has (shown in the portal and the logbook)."""

    IDLE = "idle"
    MINIMUM = "minimum"
    FAIR_SHARE = "fair_share"
    LIMITED_BY_CAR = "limited_by_car"
    LIMITED_BY_BOX = "limited_by_box"
    HELD = "held"
    PAUSED_FOR_PRIORITY = "paused_for_priority"
    PAUSED_NO_HEADROOM = "paused_no_headroom"
    NOT_RESPONDING = "not_responding"


PAUSED = frozenset({Reason.PAUSED_FOR_PRIORITY, Reason.PAUSED_NO_HEADROOM})


@dataclass(frozen=True, slots=True)
class BoxState:
    """What one wallbox reports this tick.

    `active`: a car is plugged in and wants current (also while we hold it at 0 A).
    `wish_a`: the upper bound the box's own control asks for (the lock: 0, a charge plan's
    off-slot: 0, otherwise None). `measured_a`: current per box phase (its L1, L2, L3).
    `energy_wh`: energy received in this session. `responding`: the last poll answered.
    """

    box_id: str
    active: bool
    min_a: float = 6.0
    max_a: float = 16.0
    wish_a: float | None = None
    measured_a: PhaseCurrents | None = None
    energy_wh: float = 0.0
    card: str | None = None
    responding: bool = True
    step_a: float = 1.0


@dataclass(frozen=True, slots=True)
class BoxAllocation:
    """The current for one box (0 = paused), on how many of its phases, and why."""

    box_id: str
    current_a: float
    phases: int
    reason: Reason
    grid_phases: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class CircuitState:
    """One circuit this tick: per grid phase its load (house + ours) and the headroom left."""

    circuit_id: str
    limit_a: float
    load_a: PhaseCurrents
    headroom_a: PhaseCurrents
    measurement_stale: bool


@dataclass(frozen=True, slots=True)
class SiteAllocation:
    """The result of one tick; `changed` lists the boxes whose current or phases changed."""

    boxes: Mapping[str, BoxAllocation]
    circuits: Mapping[str, CircuitState]
    changed: frozenset[str]


@dataclass(slots=True)
class _Candidate:
    wiring: WallboxWiring
    state: BoxState
    priority: int
    incumbent: bool
    ceiling: float
    ceiling_reason: Reason
    grid_phases: tuple[int, ...] = ()
    phases: int = 3
    keys: tuple[Key, ...] = ()
    switched: bool = False
    current: float = 0.0
    order: int = 0


@dataclass(slots=True)
class _BoxMemory:
    allocation: BoxAllocation
    changed_at: float
    car_limit_a: float | None = None


@dataclass(slots=True)
class SiteAllocator:
    """Keeps what a tick needs from the ones before: last allocations, car limits, headroom."""

    site: Site
    _memory: dict[str, _BoxMemory] = field(default_factory=dict)
    _window: deque[tuple[float, dict[Key, float]]] = field(default_factory=deque)

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
            w.box_id: reserved.get(w.box_id) or _grid_draw(w, box_states[w.box_id].measured_a)
            for w in site.wallboxes
        }
        capacity, circuits_seen = self._capacity(readings, draws)
        self._window.append((now, capacity))
        while self._window and self._window[0][0] < now - site.stable_interval_s:
            self._window.popleft()
        residual = {key: min(caps[key] for _, caps in self._window) for key in capacity}
        for box_id, draw in reserved.items():
            for key in _keys(site, site.wiring(box_id), _phases_with(draw)):
                residual[key] -= max(draw)

        candidates, results = self._candidates(now, box_states)
        _admit(site, candidates, residual, results)
        _fill(candidates, residual)
        _round(candidates, residual)
        for candidate in candidates:
            if candidate.current > 0:
                results[candidate.wiring.box_id] = _charging(candidate)
        for box_id, draw in reserved.items():
            last = self.last(box_id)
            phases = self.site.wiring(box_id).phases if last is None else last.phases
            results[box_id] = BoxAllocation(
                box_id, max(draw), phases, Reason.NOT_RESPONDING, _phases_with(draw)
            )

        results = {w.box_id: results[w.box_id] for w in site.wallboxes}
        changed = self._remember(now, results)
        circuits = self._circuit_states(circuits_seen, results)
        return SiteAllocation(results, circuits, frozenset(changed))

    def _reserve(self, wiring: WallboxWiring, state: BoxState) -> PhaseCurrents:
        last = self.last(wiring.box_id)
        if last is not None:
            return _on_phases(last.grid_phases, last.current_a)
        return _on_phases(wiring.grid_phases(), state.max_a)

    def _capacity(
        self, readings: Mapping[str, PhaseCurrents | None], draws: Mapping[str, PhaseCurrents]
    ) -> tuple[dict[Key, float], dict[str, tuple[PhaseCurrents, bool]]]:
        site = self.site
        capacity: dict[Key, float] = {}
        house: dict[str, tuple[PhaseCurrents, bool]] = {}
        for circuit in site.circuits:
            grid = readings.get(circuit.circuit_id) if circuit.measured else None
            if grid is None:
                static = circuit.static_headroom(site.margin_a)
                load = (0.0, 0.0, 0.0)
                for phase in PHASES:
                    capacity[circuit.circuit_id, phase] = static
            else:
                ours = [
                    sum(draws[w.box_id][phase] for w in site.boxes_below(circuit.circuit_id))
                    for phase in PHASES
                ]
                load = _triple(max(0.0, grid[p] - ours[p]) for p in PHASES)
                for phase in PHASES:
                    capacity[circuit.circuit_id, phase] = (
                        circuit.limit_a - site.margin_a - load[phase]
                    )
            house[circuit.circuit_id] = (load, circuit.measured and grid is None)
        return capacity, house

    def _candidates(
        self, now: float, states: Mapping[str, BoxState]
    ) -> tuple[list[_Candidate], dict[str, BoxAllocation]]:
        site = self.site
        candidates: list[_Candidate] = []
        results: dict[str, BoxAllocation] = {}
        for wiring in site.wallboxes:
            state = states[wiring.box_id]
            if not state.responding:
                continue
            memory = self._memory.get(wiring.box_id)
            if not state.active:
                if memory is not None:
                    memory.car_limit_a = None
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
            candidate = _Candidate(
                wiring=wiring,
                state=state,
                priority=site.priority(wiring.box_id, state.card),
                incumbent=last is not None and last.current_a > 0,
                ceiling=ceiling,
                ceiling_reason=reason,
            )
            settling = memory is not None and now - memory.changed_at < SETTLE_S
            candidate.grid_phases = _phases_in_use(wiring, state.measured_a, last, settling)
            candidate.phases = len(candidate.grid_phases)
            candidate.switched = last is not None and last.phases < wiring.phases
            candidates.append(candidate)
        candidates.sort(
            key=lambda c: (-c.priority, not c.incumbent, c.state.energy_wh, c.wiring.box_id)
        )
        for order, candidate in enumerate(candidates):
            candidate.order = order
        return candidates, results

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

    def _circuit_states(
        self,
        house: Mapping[str, tuple[PhaseCurrents, bool]],
        results: Mapping[str, BoxAllocation],
    ) -> dict[str, CircuitState]:
        site = self.site
        states = {}
        for circuit in site.circuits:
            house_load, stale = house[circuit.circuit_id]
            ours = [0.0, 0.0, 0.0]
            for wiring in site.boxes_below(circuit.circuit_id):
                allocation = results[wiring.box_id]
                for phase in allocation.grid_phases:
                    ours[phase] += allocation.current_a
            load = _triple(house_load[p] + ours[p] for p in PHASES)
            headroom = _triple(circuit.limit_a - site.margin_a - load[p] for p in PHASES)
            states[circuit.circuit_id] = CircuitState(
                circuit.circuit_id, circuit.limit_a, load, headroom, stale
            )
        return states


def _admit(
    site: Site,
    candidates: Sequence[_Candidate],
    residual: dict[Key, float],
    results: dict[str, BoxAllocation],
) -> None:
    """Give each car its minimum in admission order, switching to 1 phase where that helps."""
    admitted = False
    for candidate in candidates:
        wiring = candidate.wiring
        options = [candidate.grid_phases]
        switchable = wiring.can_switch_phases and wiring.phases == 3
        if switchable and (len(candidate.grid_phases) == 3 or candidate.switched):
            options = [wiring.grid_phases(), wiring.grid_phases(1)]
        for grid_phases in options:
            keys = _keys(site, wiring, grid_phases)
            if all(residual[key] >= candidate.state.min_a - EPSILON for key in keys):
                candidate.grid_phases = grid_phases
                candidate.phases = len(grid_phases)
                candidate.keys = keys
                candidate.current = candidate.state.min_a
                for key in keys:
                    residual[key] -= candidate.state.min_a
                admitted = True
                break
        else:
            reason = Reason.PAUSED_FOR_PRIORITY if admitted else Reason.PAUSED_NO_HEADROOM
            results[wiring.box_id] = BoxAllocation(
                wiring.box_id, 0.0, candidate.phases, reason, candidate.grid_phases
            )


def _fill(candidates: Sequence[_Candidate], residual: dict[Key, float]) -> None:
    """Water-filling: each priority tier rises to a common level, circuit by circuit."""
    admitted = [c for c in candidates if c.keys]
    for priority in sorted({c.priority for c in admitted}, reverse=True):
        rising = [c for c in admitted if c.priority == priority and c.current < c.ceiling]
        while rising:
            base = [c.current for c in rising]
            low, high = min(base), max(c.ceiling for c in rising)
            if not _level_fits(rising, base, high, residual):
                for _ in range(80):
                    middle = (low + high) / 2
                    if _level_fits(rising, base, middle, residual):
                        low = middle
                    else:
                        high = middle
                high = low
            for c, start in zip(rising, base, strict=True):
                c.current = min(c.ceiling, max(start, high))
                for key in c.keys:
                    residual[key] -= c.current - start
            full = {key for key, left in residual.items() if left <= 1e-4}
            still = [
                c
                for c in rising
                if c.current < c.ceiling - EPSILON and not any(key in full for key in c.keys)
            ]
            if len(still) == len(rising):
                break
            rising = still


def _level_fits(
    rising: Sequence[_Candidate], base: Sequence[float], level: float, residual: Mapping[Key, float]
) -> bool:
    """Whether every box rising to `level` (within its ceiling) fits every circuit phase."""
    use: dict[Key, float] = {}
    for c, start in zip(rising, base, strict=True):
        extra = min(c.ceiling, max(start, level)) - start
        for key in c.keys:
            use[key] = use.get(key, 0.0) + extra
    return all(residual[key] - amount >= -EPSILON for key, amount in use.items())


def _round(candidates: Sequence[_Candidate], residual: dict[Key, float]) -> None:
    """Round down to each box's step, then hand whole steps left over to the lowest currents."""
    admitted = [c for c in candidates if c.keys]
    for c in admitted:
        step = c.state.step_a
        rounded = max(c.state.min_a, math.floor(c.current / step + EPSILON) * step)
        for key in c.keys:
            residual[key] += c.current - rounded
        c.current = rounded
    while True:
        for c in sorted(admitted, key=lambda c: (-c.priority, c.current, c.order)):
            step = c.state.step_a
            if c.current + step <= c.ceiling + EPSILON and all(
                residual[key] >= step - EPSILON for key in c.keys
            ):
                c.current += step
                for key in c.keys:
                    residual[key] -= step
                break
        else:
            return


def _charging(candidate: _Candidate) -> BoxAllocation:
    state = candidate.state
    if candidate.current >= candidate.ceiling - state.step_a + EPSILON or (
        candidate.ceiling_reason is Reason.LIMITED_BY_CAR
        and candidate.current >= candidate.ceiling - EPSILON
    ):
        reason = candidate.ceiling_reason
    elif candidate.current <= state.min_a + EPSILON:
        reason = Reason.MINIMUM
    else:
        reason = Reason.FAIR_SHARE
    return BoxAllocation(
        state.box_id, candidate.current, candidate.phases, reason, candidate.grid_phases
    )


def _keys(site: Site, wiring: WallboxWiring, grid_phases: Sequence[int]) -> tuple[Key, ...]:
    return tuple((c.circuit_id, p) for c in site.chain(wiring.circuit_id) for p in grid_phases)


def _grid_draw(wiring: WallboxWiring, measured: PhaseCurrents | None) -> PhaseCurrents:
    draw = [0.0, 0.0, 0.0]
    if measured is not None:
        for box_phase in range(wiring.phases):
            draw[wiring.grid_phase_of(box_phase)] += measured[box_phase]
    return _triple(draw)


def _phases_in_use(
    wiring: WallboxWiring,
    measured: PhaseCurrents | None,
    last: BoxAllocation | None,
    settling: bool,
) -> tuple[int, ...]:
    """The grid phases the car loads: from its measured currents while it charges.

    While a phase switch settles, the phases of the new allocation count as well.
    """
    given = wiring.grid_phases() if last is None else wiring.grid_phases(last.phases)
    if measured is None or max(measured) < PHASE_IN_USE_A:
        return given
    used = {wiring.grid_phase_of(k) for k in range(wiring.phases) if measured[k] >= PHASE_IN_USE_A}
    if settling:
        used |= set(given)
    return tuple(p for p in wiring.grid_phases() if p in used)


def _on_phases(grid_phases: Sequence[int], current: float) -> PhaseCurrents:
    return _triple(current if p in grid_phases else 0.0 for p in PHASES)


def _phases_with(draw: PhaseCurrents) -> tuple[int, ...]:
    return tuple(p for p in PHASES if draw[p] > 0)


def _triple(values: Iterable[float]) -> PhaseCurrents:
    first, second, third = values
    return (float(first), float(second), float(third))
