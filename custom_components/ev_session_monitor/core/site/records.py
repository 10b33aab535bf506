"""What a tick takes in (each box's state) and gives out (allocations, circuit states, why)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from .phases import PhaseCurrents

# Currents closer than this are equal (the water-filling bisects floats).
EPSILON = 1e-6


class Reason(StrEnum):
    """Why a box has the current it has (shown in the portal and the logbook)."""

    IDLE = "idle"
    MINIMUM = "minimum"
    FAIR_SHARE = "fair_share"
    LIMITED_BY_CAR = "limited_by_car"
    LIMITED_BY_BOX = "limited_by_box"
    # Capped by a circuit's headroom (a sub-circuit's or the main fuse's), not by a fair share.
    LIMITED_BY_CIRCUIT = "limited_by_circuit"
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
    # With LIMITED_BY_CIRCUIT: the circuit whose full phase capped it (the nearest one).
    limiting_circuit: str | None = None


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
