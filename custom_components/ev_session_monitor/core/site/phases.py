"""Phase accounting: which grid phases, on which circuits, a wallbox's current loads.

A key is one circuit phase: (circuit id, grid phase). A current given to a box loads every key
of its circuit chain (its own circuit up to the main fuse) on each grid phase the car draws on.
Phases count as measured: a 1-phase car on a 3-phase box loads one grid phase, not three.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .model import PHASES, Site, WallboxWiring

# A box phase carries a car's load when it draws at least this much.
PHASE_IN_USE_A = 1.0

type PhaseCurrents = tuple[float, float, float]
type Key = tuple[str, int]


def circuit_keys(site: Site, wiring: WallboxWiring, grid_phases: Sequence[int]) -> tuple[Key, ...]:
    """Every circuit phase a current on `grid_phases` of this box loads."""
    return tuple((c.circuit_id, p) for c in site.chain(wiring.circuit_id) for p in grid_phases)


def grid_draw(wiring: WallboxWiring, measured: PhaseCurrents | None) -> PhaseCurrents:
    """The box's measured currents (its L1, L2, L3) moved to the grid phases they are on."""
    draw = [0.0, 0.0, 0.0]
    if measured is not None:
        for box_phase in range(wiring.phases):
            draw[wiring.grid_phase_of(box_phase)] += measured[box_phase]
    return triple(draw)


def phases_in_use(
    wiring: WallboxWiring,
    measured: PhaseCurrents | None,
    last_phases: int | None,
    car_phases: int | None,
    settling: bool,
) -> tuple[int, ...]:
    """The grid phases the car loads: from its measured currents while it charges.

    A car that draws nothing (paused, held, not started) counts on the phases it would draw
    from: the box's phases in use, or fewer when the car has shown it uses fewer
    (`car_phases`). While an allocation or a phase switch settles, those count as well.
    """
    offered = wiring.phases if last_phases is None else last_phases
    if car_phases is not None:
        offered = min(offered, car_phases)
    given = wiring.grid_phases(offered)
    if measured is None or max(measured) < PHASE_IN_USE_A:
        return given
    used = {wiring.grid_phase_of(k) for k in range(wiring.phases) if measured[k] >= PHASE_IN_USE_A}
    if settling:
        used |= set(given)
    return tuple(p for p in wiring.grid_phases() if p in used)


def car_phase_count(
    wiring: WallboxWiring, measured: PhaseCurrents | None, offered: int
) -> int | None:
    """How many box phases the car draws on, when its settled currents on `offered` tell.

    A car drawing on fewer phases than offered uses only those; one drawing on all the box's
    phases uses all; one drawing on every phase of a box switched down tells nothing more.
    """
    if measured is None:
        return None
    used = sum(1 for k in range(wiring.phases) if measured[k] >= PHASE_IN_USE_A)
    if used == 0 or (used >= offered and offered < wiring.phases):
        return None
    return used


def on_phases(grid_phases: Sequence[int], current: float) -> PhaseCurrents:
    """`current` on each of `grid_phases`, nothing on the others."""
    return triple(current if p in grid_phases else 0.0 for p in PHASES)


def phases_with(draw: PhaseCurrents) -> tuple[int, ...]:
    """The grid phases that carry some current."""
    return tuple(p for p in PHASES if draw[p] > 0)


def triple(values: Iterable[float]) -> PhaseCurrents:
    """Three per-phase values as a typed tuple."""
    first, second, third = values
    return (float(first), float(second), float(third))
