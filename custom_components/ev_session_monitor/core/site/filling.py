"""Water-filling: the admitted cars share what is left above their minimums.

Priority tiers, highest first: within a tier every car rises to a common level until it reaches
its ceiling (box maximum, the lock's or the plan's wish, or what the car itself draws) or a
circuit phase it uses is full (limited by the circuit when that phase stops it alone, or below
others of its tier; a fair share when it stops there with the others). Then each current is
rounded down to its box's step, and whole steps left over go to the lowest allocations; among
equal ones, to the car with the lower turn count (energy per phase since it plugged in, see
`admission`), except that a step stays with the box that had it on the last tick until that car
is HANDOVER_WH per phase ahead of a car that could take it: with equal cars the spare ampere
would otherwise move to the car that has just fallen behind at every tick, rewriting two boxes
each time (flash wear).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from .admission import Candidate
from .phases import Key
from .records import EPSILON, BoxAllocation, Reason

# Bisection steps for a tier's common level: 80 halvings reach float precision.
BISECTIONS = 80
# A circuit phase with less than this left is full.
FULL_A = 1e-4
# Cars closer than this in current (before rounding to steps) are at the same level.
LEVEL_A = 1e-3
# A spare step stays with its box until that car's turn count (energy per phase) is this much
# above a car at the same current without it (1 A more: about 18 min; a hand-over is 2 writes).
HANDOVER_WH = 70.0


def fill(candidates: Sequence[Candidate], residual: dict[Key, float]) -> None:
    """Water-filling: each priority tier rises to a common level, circuit by circuit."""
    admitted = [c for c in candidates if c.keys]
    rounds = 0
    for priority in sorted({c.priority for c in admitted}, reverse=True):
        rising = [c for c in admitted if c.priority == priority and c.current < c.ceiling]
        while rising:
            rounds += 1
            base = [c.current for c in rising]
            low, high = min(base), max(c.ceiling for c in rising)
            if not _level_fits(rising, base, high, residual):
                for _ in range(BISECTIONS):
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
            full = {key for key, left in residual.items() if left <= FULL_A}
            still = []
            for c in rising:
                if c.current >= c.ceiling - EPSILON:
                    continue
                blocked = frozenset(key for key in c.keys if key in full)
                if blocked:
                    c.blocked, c.stopped_round = blocked, rounds
                else:
                    still.append(c)
            if len(still) == len(rising):
                break
            rising = still
        _mark_circuit_limited([c for c in admitted if c.priority == priority])


def _mark_circuit_limited(tier: Sequence[Candidate]) -> None:
    """Mark the cars a full circuit phase capped rather than a fair share.

    That is every car stopped by a full phase unless it stopped together with another car of
    its tier on that phase and no car of the tier rose higher: a lone car under the fuse, cars
    on a full sub-circuit while others on the main fuse get more, a car taking what a full
    car leaves.
    """
    for c in tier:
        if not c.blocked:
            continue
        higher = any(other.current > c.current + LEVEL_A for other in tier)
        shared = any(
            other is not c and other.stopped_round == c.stopped_round and other.blocked & c.blocked
            for other in tier
        )
        c.circuit_limited = higher or not shared


def _level_fits(
    rising: Sequence[Candidate], base: Sequence[float], level: float, residual: Mapping[Key, float]
) -> bool:
    """Whether every box rising to `level` (within its ceiling) fits every circuit phase."""
    use: dict[Key, float] = {}
    for c, start in zip(rising, base, strict=True):
        extra = min(c.ceiling, max(start, level)) - start
        for key in c.keys:
            use[key] = use.get(key, 0.0) + extra
    return all(residual[key] - amount >= -EPSILON for key, amount in use.items())


def round_to_steps(candidates: Sequence[Candidate], residual: dict[Key, float]) -> None:
    """Round down to each box's step, then hand whole steps left over to the lowest currents.

    A car that had a spare step on the last tick keeps it, unless a car that would take it
    instead (same priority and current, held back by nothing else) is HANDOVER_WH behind:
    the rivals are judged on the split as it would be with every spare step kept.
    """
    admitted = [c for c in candidates if c.keys]
    for c in admitted:
        step = c.state.step_a
        rounded = max(c.state.min_a, math.floor(c.current / step + EPSILON) * step)
        for key in c.keys:
            residual[key] += c.current - rounded
        c.current = rounded
    base = {id(c): c.current for c in admitted}
    keeps = {id(c) for c in admitted if _had_spare_step(c)}
    trial = dict(residual)
    _hand_out_steps(admitted, trial, keeps)
    keeps = {id(c) for c in admitted if id(c) in keeps and _keeps_step(c, admitted, base, trial)}
    for c in admitted:
        c.current = base[id(c)]
    _hand_out_steps(admitted, residual, keeps)


def _hand_out_steps(
    admitted: Sequence[Candidate], residual: dict[Key, float], keeps: set[int]
) -> None:
    """Whole steps left over, one at a time, to the lowest current that can take one."""
    while True:
        for c in sorted(
            admitted,
            key=lambda c: (-c.priority, c.current, id(c) not in keeps, c.turn_wh, c.order),
        ):
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


def _keeps_step(
    holder: Candidate,
    admitted: Sequence[Candidate],
    base: Mapping[int, float],
    residual: Mapping[Key, float],
) -> bool:
    """Whether the car keeps its spare step: no rival that could take it is HANDOVER_WH behind.

    A rival had the same current before the steps were handed out, got no step, and would
    fit one more if the holder gave its step up (a car held back by another circuit phase is
    no rival). `residual` is what is left once every spare step is kept.
    """
    if holder.current <= base[id(holder)] + EPSILON:
        return True  # it could not keep its step anyway
    rivals = [
        c.turn_wh
        for c in admitted
        if c is not holder
        and c.priority == holder.priority
        and abs(base[id(c)] - base[id(holder)]) < EPSILON
        and c.current <= base[id(c)] + EPSILON
        and _could_take_step(c, holder, residual)
    ]
    return not rivals or holder.turn_wh - min(rivals) <= HANDOVER_WH


def _could_take_step(rival: Candidate, holder: Candidate, residual: Mapping[Key, float]) -> bool:
    """Whether `rival` could rise one step if `holder` gave its spare step up."""
    step = rival.state.step_a
    if rival.current + step > rival.ceiling + EPSILON or not set(rival.keys) & set(holder.keys):
        return False
    freed = holder.state.step_a
    return all(
        residual[key] + (freed if key in holder.keys else 0.0) >= step - EPSILON
        for key in rival.keys
    )


def _had_spare_step(candidate: Candidate) -> bool:
    return abs(candidate.last_a - (candidate.current + candidate.state.step_a)) < EPSILON


def charging_allocation(candidate: Candidate) -> BoxAllocation:
    """The allocation of an admitted car, with the reason its current is what it is."""
    state = candidate.state
    if candidate.current >= candidate.ceiling - state.step_a + EPSILON or (
        candidate.ceiling_reason is Reason.LIMITED_BY_CAR
        and candidate.current >= candidate.ceiling - EPSILON
    ):
        reason = candidate.ceiling_reason
    elif candidate.current <= state.min_a + EPSILON:
        reason = Reason.MINIMUM
    elif candidate.circuit_limited:
        reason = Reason.LIMITED_BY_CIRCUIT
    else:
        reason = Reason.FAIR_SHARE
    limiting = None
    if reason is Reason.LIMITED_BY_CIRCUIT:
        # The keys run along the box's chain of circuits: its own circuit first.
        limiting = next(key[0] for key in candidate.keys if key in candidate.blocked)
    return BoxAllocation(
        state.box_id,
        candidate.current,
        candidate.phases,
        reason,
        candidate.grid_phases,
        limiting_circuit=limiting,
    )
