"""Admission: every car that wants current gets at least its minimum or is paused.

Cars are admitted in order: cars that draw what they are given before those that have drawn
nothing of it for a while (full, or waiting for their own timer), then by priority, then the car
that has had less of the fuse since it plugged in, a charging car counting `ROTATE_WH` less so
that cars take turns without flapping; a 3-phase box that can switch to 1 phase does so when its
3-phase minimum no longer fits.

What a car has had of the fuse is its turn count: the energy it received per phase it charges
on (the water-filling shares current per phase, so a 3-phase car at 6 A has had as much of each
phase as a 1-phase car at 6 A, with three times the energy), counted from the least served car
of its tier when it plugged in: energy the others took while no one else wanted it is not held
against them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .model import Site, WallboxWiring
from .phases import Key, circuit_keys
from .records import EPSILON, BoxAllocation, BoxState, Reason

# Among equal priority a paused car takes the place of a charging one once its turn count is
# this much lower: the cars take turns, and a turn lasts at least this much energy per phase (no
# flapping; 500 Wh per phase is about 22 min at 6 A, on 1 phase as on 3).
ROTATE_WH = 500.0


@dataclass(slots=True)
class Candidate:
    """A car that wants current this tick, and what it is given as the tick goes on."""

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
    car_phases: int | None = None
    not_taking: bool = False
    current: float = 0.0
    order: int = 0
    last_a: float = 0.0  # what the box was given on the last tick
    # Set by the water-filling: the circuit phases that were full when the car stopped rising,
    # the round it stopped in, and whether a circuit rather than the fair share capped it.
    blocked: frozenset[Key] = frozenset()
    stopped_round: int = -1
    circuit_limited: bool = False
    turn_start_wh: float = 0.0  # where the car's turn count started when it plugged in

    @property
    def own_turn_wh(self) -> float:
        """Energy received per phase the car charges on (3 phases give three times the energy)."""
        return self.state.energy_wh / (self.car_phases or self.wiring.phases)

    @property
    def turn_wh(self) -> float:
        """What the car counts with for taking turns: its start plus what it has received."""
        return self.turn_start_wh + self.own_turn_wh


def order_for_admission(candidates: list[Candidate]) -> None:
    """Sort in admission order and number the candidates in it."""
    candidates.sort(
        key=lambda c: (
            c.not_taking,
            -c.priority,
            c.turn_wh - (ROTATE_WH if c.incumbent else 0.0),
            c.wiring.box_id,
        )
    )
    for order, candidate in enumerate(candidates):
        candidate.order = order


def admit(
    site: Site,
    candidates: Sequence[Candidate],
    residual: dict[Key, float],
    results: dict[str, BoxAllocation],
) -> None:
    """Give each car its minimum in admission order, switching to 1 phase where that helps."""
    admitted = False
    for candidate in candidates:
        wiring = candidate.wiring
        options = [candidate.grid_phases]
        # A car known to draw on one phase gains nothing from a switch back to three.
        switchable = wiring.can_switch_phases and wiring.phases == 3 and candidate.car_phases != 1
        if switchable and (len(candidate.grid_phases) == 3 or candidate.switched):
            options = [wiring.grid_phases(), wiring.grid_phases(1)]
        for grid_phases in options:
            keys = circuit_keys(site, wiring, grid_phases)
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
