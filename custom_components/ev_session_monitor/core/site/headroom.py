"""Headroom: what our wallboxes may draw together on each circuit phase this tick.

The limit minus the margin, and on a measured circuit minus the house load (the grid reading
minus our boxes' own measured draw). A missing or stale reading falls back to the circuit's
static share. Raises wait for the headroom to hold: the allocation uses the lowest headroom
seen over the stable interval, so a drop cuts at once and a rise counts only once it has lasted.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from .model import PHASES, Site
from .phases import Key, PhaseCurrents, triple
from .records import BoxAllocation, CircuitState

# Per circuit: the house load per phase and whether its reading is missing or stale.
type HouseLoads = dict[str, tuple[PhaseCurrents, bool]]


def capacity(
    site: Site, readings: Mapping[str, PhaseCurrents | None], draws: Mapping[str, PhaseCurrents]
) -> tuple[dict[Key, float], HouseLoads]:
    """Headroom per circuit phase before any box is counted, and the house loads behind it."""
    headroom: dict[Key, float] = {}
    house: HouseLoads = {}
    for circuit in site.circuits:
        grid = readings.get(circuit.circuit_id) if circuit.measured else None
        if grid is None:
            static = circuit.static_headroom(site.margin_a)
            load = (0.0, 0.0, 0.0)
            for phase in PHASES:
                headroom[circuit.circuit_id, phase] = static
        else:
            ours = [
                sum(draws[w.box_id][phase] for w in site.boxes_below(circuit.circuit_id))
                for phase in PHASES
            ]
            load = triple(max(0.0, grid[p] - ours[p]) for p in PHASES)
            for phase in PHASES:
                headroom[circuit.circuit_id, phase] = circuit.limit_a - site.margin_a - load[phase]
        house[circuit.circuit_id] = (load, circuit.measured and grid is None)
    return headroom, house


@dataclass(slots=True)
class StableHeadroom:
    """The lowest headroom of each circuit phase over the last `interval_s` seconds."""

    interval_s: float
    _window: deque[tuple[float, dict[Key, float]]] = field(default_factory=deque)

    def lowest(self, now: float, headroom: dict[Key, float]) -> dict[Key, float]:
        """Record this tick's headroom and return the lowest per key within the interval."""
        self._window.append((now, headroom))
        while self._window and self._window[0][0] < now - self.interval_s:
            self._window.popleft()
        return {key: min(seen[key] for _, seen in self._window) for key in headroom}


def circuit_states(
    site: Site, house: HouseLoads, results: Mapping[str, BoxAllocation]
) -> dict[str, CircuitState]:
    """Each circuit's load (house plus allocations) and headroom left, per phase."""
    states = {}
    for circuit in site.circuits:
        house_load, stale = house[circuit.circuit_id]
        ours = [0.0, 0.0, 0.0]
        for wiring in site.boxes_below(circuit.circuit_id):
            allocation = results[wiring.box_id]
            for phase in allocation.grid_phases:
                ours[phase] += allocation.current_a
        load = triple(house_load[p] + ours[p] for p in PHASES)
        headroom = triple(circuit.limit_a - site.margin_a - load[p] for p in PHASES)
        states[circuit.circuit_id] = CircuitState(
            circuit.circuit_id, circuit.limit_a, load, headroom, stale
        )
    return states
