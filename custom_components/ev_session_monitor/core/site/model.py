"""The site: a tree of circuits, each with a per-phase limit, and the wallboxes on them.

Phases are numbered 0, 1, 2 for the grid's L1, L2, L3. A wallbox's wiring says which grid phase
its own L1 is connected to; its L2 and L3 follow in rotation (an installer rotates all three
conductors together so the field keeps turning the right way), so a box whose L1 is on grid L2
draws its L2 from grid L3 and its L3 from grid L1. A 1-phase box uses only its L1.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

PHASES = (0, 1, 2)
# Below this the IEC 61851 control pilot cannot signal a charging current.
IEC_MIN_CURRENT_A = 6.0
# Priorities of wallboxes and cards run from 0 (the default) to this.
MAX_PRIORITY = 10


class SiteConfigError(ValueError):
    """The site description is inconsistent; the message names the circuit or wallbox."""


@dataclass(frozen=True, slots=True)
class Circuit:
    """A fuse or breaker: `limit_a` per phase; `parent` is the circuit it hangs under.

    `measured` circuits get a live grid reading each tick (house load plus our boxes);
    `fallback_a` is what all wallboxes below may draw together per phase while that reading is
    missing or stale (the house load is unknown then).
    """

    circuit_id: str
    limit_a: float
    parent: str | None = None
    measured: bool = False
    fallback_a: float | None = None

    def static_headroom(self, margin_a: float) -> float:
        """Current per phase the wallboxes may use when nothing is measured."""
        if self.measured:
            if self.fallback_a is not None:
                return min(self.fallback_a, self.limit_a - margin_a)
            # Unknown house load: half the fuse is left to the house.
            return (self.limit_a - margin_a) / 2
        return self.limit_a - margin_a


@dataclass(frozen=True, slots=True)
class WallboxWiring:
    """Where a wallbox hangs and how it is wired.

    `l1_phase`: the grid phase (0..2) the box's L1 is on. `phases`: 1 or 3 conductors wired.
    `can_switch_phases`: the box can switch a 3-phase supply to 1 phase on request.
    """

    box_id: str
    circuit_id: str
    phases: int = 3
    l1_phase: int = 0
    can_switch_phases: bool = False
    priority: int = 0

    def grid_phases(self, box_phases: int | None = None) -> tuple[int, ...]:
        """The grid phases the box draws from when it uses `box_phases` of its conductors."""
        used = self.phases if box_phases is None else min(box_phases, self.phases)
        return tuple((self.l1_phase + k) % 3 for k in range(used))

    def grid_phase_of(self, box_phase: int) -> int:
        """The grid phase of the box's own phase `box_phase` (0 = its L1)."""
        return (self.l1_phase + box_phase) % 3


@dataclass(frozen=True, slots=True)
class Site:
    """Circuits (a tree with one root: the house's main fuse), wallboxes, margin, stable interval.

    `margin_a` is kept free on every phase of every circuit. `stable_interval_s`: a raise is
    given only when the headroom has allowed it for that long; cuts are immediate.
    `card_priorities` raise a box's priority while that card's car is charging.
    """

    circuits: tuple[Circuit, ...]
    wallboxes: tuple[WallboxWiring, ...]
    margin_a: float = 1.0
    stable_interval_s: float = 60.0
    card_priorities: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Check the tree and the wiring once, with errors that name the part."""
        ids = [c.circuit_id for c in self.circuits]
        if len(set(ids)) != len(ids):
            raise SiteConfigError("circuit ids must be unique")
        known = set(ids)
        roots = [c for c in self.circuits if c.parent is None]
        if len(roots) != 1:
            raise SiteConfigError("a site has exactly one main circuit (without a parent)")
        for circuit in self.circuits:
            if circuit.limit_a <= 0:
                raise SiteConfigError(f"circuit {circuit.circuit_id}: limit must be above 0 A")
            if circuit.parent is not None and circuit.parent not in known:
                raise SiteConfigError(
                    f"circuit {circuit.circuit_id}: parent {circuit.parent} is not a circuit"
                )
            if circuit.limit_a - self.margin_a < IEC_MIN_CURRENT_A:
                raise SiteConfigError(
                    f"circuit {circuit.circuit_id}: limit minus margin is below "
                    f"{IEC_MIN_CURRENT_A:g} A, no car could charge"
                )
            self._check_no_cycle(circuit)
        boxes = [w.box_id for w in self.wallboxes]
        if len(set(boxes)) != len(boxes):
            raise SiteConfigError("a wallbox can be on one circuit only")
        for wiring in self.wallboxes:
            if wiring.circuit_id not in known:
                raise SiteConfigError(
                    f"wallbox {wiring.box_id}: circuit {wiring.circuit_id} is not a circuit"
                )
            if wiring.phases not in (1, 3) or wiring.l1_phase not in PHASES:
                raise SiteConfigError(f"wallbox {wiring.box_id}: phases 1 or 3, L1 on 0..2")

    def _check_no_cycle(self, circuit: Circuit) -> None:
        seen = {circuit.circuit_id}
        parent = circuit.parent
        while parent is not None:
            if parent in seen:
                raise SiteConfigError(f"circuit {circuit.circuit_id}: circuits form a loop")
            seen.add(parent)
            parent = self.circuit(parent).parent

    def circuit(self, circuit_id: str) -> Circuit:
        """The circuit with this id."""
        for circuit in self.circuits:
            if circuit.circuit_id == circuit_id:
                return circuit
        raise KeyError(circuit_id)

    def wiring(self, box_id: str) -> WallboxWiring:
        """The wiring of the wallbox with this id."""
        for wiring in self.wallboxes:
            if wiring.box_id == box_id:
                return wiring
        raise KeyError(box_id)

    def chain(self, circuit_id: str) -> Iterator[Circuit]:
        """The circuit and every circuit above it, up to the main fuse."""
        current: str | None = circuit_id
        while current is not None:
            circuit = self.circuit(current)
            yield circuit
            current = circuit.parent

    def boxes_below(self, circuit_id: str) -> Sequence[WallboxWiring]:
        """The wallboxes whose supply runs through this circuit."""
        return [
            w
            for w in self.wallboxes
            if any(c.circuit_id == circuit_id for c in self.chain(w.circuit_id))
        ]

    def safe_share(self, box_id: str, min_a: float) -> float:
        """Whole amperes per phase the box may draw while no one controls it (0: it pauses).

        Its failsafe current: with Home Assistant gone, every box on the site may fall back
        at once and nothing measures the house, so each circuit's static headroom is split
        evenly among all the boxes below it, whatever their phases; a share below the box's
        minimum cannot be signalled and becomes 0.
        """
        circuit_id = self.wiring(box_id).circuit_id
        share = min(
            c.static_headroom(self.margin_a) / len(self.boxes_below(c.circuit_id))
            for c in self.chain(circuit_id)
        )
        whole = float(math.floor(share + 1e-9))
        return whole if whole >= min_a else 0.0

    def priority(self, box_id: str, card: str | None) -> int:
        """The box's priority, raised by the card's own priority when that is higher."""
        base = self.wiring(box_id).priority
        if card is not None and card in self.card_priorities:
            return max(base, self.card_priorities[card])
        return base
