"""Site load management: one simulated business day, replayed through three rules side by side.

The site: a main fuse of 3 x 32 A (measured: house load plus wallboxes) with a carport
sub-circuit of 3 x 16 A below it, 2 A margin, and up to 8 wallboxes (3-phase and 1-phase on
different grid phases, one rotated). Staff cars arrive between 7 and 10 h and leave between 12
and 18 h (seeded), each needing 5 to 40 kWh, each with its own maximum current (16 or 32 A) and
phases (1 or 3); a car draws less than it is given above 90 % of its need (taper), and nothing
below 6 A. The house load per phase is a base plus a morning and a midday peak, ramped, with
small appliances switching. Assumption: the house load changes by less than the margin between
two ticks; with larger steps every rule overshoots until its next tick (the benchmark prints
the largest step).

Ticks are 10 s apart; what a rule writes at one tick takes effect at the next (write latency).
The rules:

- ours: `SiteAllocator` (core/site/allocator.py) as the integration runs it.
- greedy: evcc's rule (evcc-io/evcc at b29b49e3056ead3c99ff1f4711b2bb17083114b0), see
  `EvccGreedy`.
- static: a fixed budget per phase (fuse - margin - the day's house peak) split equally among
  the plugged-in boxes, a box off when its share is below 6 A.

Figures per rule:

- overshoot_as: sum over ticks of the A*s above any circuit phase's limit (fuse, not fuse -
  margin), from the cars' real draw plus the house load.
- used_share: on congested ticks (the cars want more than the headroom), the current the cars
  drew (summed over their phases) divided by what a max-min fair water-filling over the true
  headroom (limit - margin - house load, this tick) and the cars' true demand would give.
- fairness: Jain's index over the cars (all have equal priority) of their drawn current divided
  by their water-filling share, both summed over the congested ticks.
- oracle_share: energy delivered divided by a reference day with perfect knowledge: each tick a
  water-filling over the true headroom, no write latency, no 6 A minimum, no taper (a car takes
  its maximum until it has its need). It is a reference, not a proven upper bound: a rule that
  knew departures could favour the cars leaving first and beat it.
- short_cars: cars that left with less than they needed (the reference's count is printed too).

Run inside the project environment, e.g.:
    python benchmarks/site_benchmark.py --seed 1 --boxes 8
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from custom_components.ev_session_monitor.core.site.allocator import (
    BoxState,
    SiteAllocator,
)
from custom_components.ev_session_monitor.core.site.model import (
    Circuit,
    Site,
    WallboxWiring,
)

TICK_S = 10.0
VOLTAGE = 230.0
MIN_A = 6.0
MARGIN_A = 2.0
LIMITS = {"main": 32.0, "carport": 16.0}
PARENT: dict[str, str | None] = {"main": None, "carport": "main"}
TAPER_FROM = 0.9
# A tapering car still draws this much until it has its need (so a session ends).
TAPER_FLOOR_A = 2.0

type Triple = tuple[float, float, float]
type Key = tuple[str, int]


@dataclass(frozen=True, slots=True)
class Box:
    box_id: str
    circuit: str
    phases: int
    l1: int
    rating_a: float

    def grid_phase(self, box_phase: int) -> int:
        return (self.l1 + box_phase) % 3

    def chain(self) -> list[str]:
        chain: list[str] = []
        current: str | None = self.circuit
        while current is not None:
            chain.append(current)
            current = PARENT[current]
        return chain


@dataclass(frozen=True, slots=True)
class Car:
    box_id: str
    arrive_s: float
    leave_s: float
    need_wh: float
    max_a: float
    phases: int


BOX_TEMPLATES = (
    ("carport", 3, 0, 16.0),
    ("carport", 1, 1, 16.0),
    ("carport", 1, 2, 16.0),
    ("main", 3, 0, 32.0),
    ("main", 3, 1, 16.0),  # rotated: its L1 on grid L2
    ("main", 1, 2, 32.0),
    ("carport", 3, 2, 16.0),
    ("main", 1, 0, 32.0),
)


def make_boxes(count: int) -> list[Box]:
    return [Box(f"box{i + 1}", *BOX_TEMPLATES[i % len(BOX_TEMPLATES)]) for i in range(count)]


def make_cars(boxes: Sequence[Box], rng: random.Random) -> dict[str, Car]:
    cars = {}
    for box in boxes:
        phases = 1 if rng.random() < 0.3 else 3
        cars[box.box_id] = Car(
            box.box_id,
            arrive_s=rng.uniform(7, 10) * 3600,
            leave_s=rng.uniform(12, 18) * 3600,
            need_wh=rng.uniform(5, 40) * 1000,
            max_a=rng.choice((16.0, 32.0)) if phases == 1 else rng.choice((16.0, 16.0, 32.0)),
            phases=phases,
        )
    return cars


def _bump(hour: float, start: float, end: float, height: float, ramp_h: float = 1 / 6) -> float:
    """A plateau from start to end with linear ramps of ramp_h hours."""
    if hour <= start - ramp_h or hour >= end + ramp_h:
        return 0.0
    if hour < start:
        return height * (hour - start + ramp_h) / ramp_h
    if hour > end:
        return height * (end + ramp_h - hour) / ramp_h
    return height


def make_house(ticks: Sequence[float], rng: random.Random) -> list[Triple]:
    """House load per phase per tick: base, a morning and a midday peak, appliances of 1.5 A."""
    appliance = [0.0, 0.0, 0.0]
    house = []
    for now in ticks:
        hour = now / 3600
        if rng.random() < 0.02:
            phase = rng.randrange(3)
            appliance[phase] = 1.5 - appliance[phase]
        base = (
            3.0 + _bump(hour, 7.5, 9.0, 6.0),
            2.0 + _bump(hour, 11.5, 13.5, 8.0),
            4.0 + _bump(hour, 11.5, 13.5, 4.0) + _bump(hour, 8.0, 8.5, 3.0),
        )
        house.append((base[0] + appliance[0], base[1] + appliance[1], base[2] + appliance[2]))
    return house


def car_demand(car: Car, box: Box, energy_wh: float, taper: bool = True) -> float:
    """The current per phase the car would take now, were it given as much."""
    if energy_wh >= car.need_wh - 1e-6:
        return 0.0
    demand = min(car.max_a, box.rating_a)
    fraction = energy_wh / car.need_wh
    if taper and fraction > TAPER_FROM:
        demand = min(demand, max(TAPER_FLOOR_A, car.max_a * (1 - fraction) / (1 - TAPER_FROM)))
    return demand


def car_phases(car: Car, box: Box) -> int:
    return min(car.phases, box.phases)


def grid_keys(box: Box, phases: int) -> tuple[Key, ...]:
    return tuple((c, box.grid_phase(k)) for c in box.chain() for k in range(phases))


def water_fill(
    demands: Mapping[str, tuple[float, tuple[Key, ...]]], residual: Mapping[Key, float]
) -> dict[str, float]:
    """Max-min fair levels: all cars rise together until their demand or a full circuit phase."""
    left = {key: max(0.0, value) for key, value in residual.items()}
    level = dict.fromkeys(demands, 0.0)
    rising = {c for c, (cap, _) in demands.items() if cap > 1e-9}
    while rising:
        users: dict[Key, int] = {}
        for c in rising:
            for key in demands[c][1]:
                users[key] = users.get(key, 0) + 1
        step = min(demands[c][0] - level[c] for c in rising)
        step = min([step, *(left[key] / n for key, n in users.items())])
        step = max(step, 0.0)
        for c in rising:
            level[c] += step
            for key in demands[c][1]:
                left[key] -= step
        stopped = {
            c
            for c in rising
            if demands[c][0] - level[c] <= 1e-9 or any(left[k] <= 1e-9 for k in demands[c][1])
        }
        if not stopped:
            break
        rising -= stopped
    return level


def headroom(house: Triple, margin: float) -> dict[Key, float]:
    return {
        (c, p): LIMITS[c] - margin - (house[p] if c == "main" else 0.0)
        for c in LIMITS
        for p in range(3)
    }


@dataclass(slots=True)
class Observation:
    """What a rule sees at a tick: plugged-in cars, measured box currents, the main meter."""

    now: float
    plugged: Mapping[str, float]  # box -> energy received this session, Wh
    measured: Mapping[str, Triple]  # box -> current on its own L1, L2, L3
    grid: Triple  # main fuse: house plus all boxes, per grid phase


type Rule = Callable[[Observation], dict[str, float]]


class Ours:
    def __init__(self, boxes: Sequence[Box]) -> None:
        self.boxes = boxes
        site = Site(
            (
                Circuit("main", LIMITS["main"], measured=True),
                Circuit("carport", LIMITS["carport"], parent="main"),
            ),
            tuple(WallboxWiring(b.box_id, b.circuit, b.phases, b.l1) for b in boxes),
            margin_a=MARGIN_A,
        )
        self.allocator = SiteAllocator(site)

    def __call__(self, seen: Observation) -> dict[str, float]:
        states = {
            b.box_id: BoxState(
                b.box_id,
                active=b.box_id in seen.plugged,
                min_a=MIN_A,
                max_a=b.rating_a,
                measured_a=seen.measured[b.box_id],
                energy_wh=seen.plugged.get(b.box_id, 0.0),
            )
            for b in self.boxes
        }
        result = self.allocator.tick(seen.now, states, {"main": seen.grid})
        return {box_id: a.current_a for box_id, a in result.boxes.items()}


class EvccGreedy:
    """evcc's rule, as at evcc-io/evcc b29b49e3056ead3c99ff1f4711b2bb17083114b0.

    - core/site.go `Run` (l.1353) takes one loadpoint per interval from `loopLoadpoints`
      (l.1330), which cycles through the loadpoints in configuration order, and `update`
      (l.1100) updates only that one: one box per tick, round-robin.
    - In "now" mode each loadpoint asks for its maximum current (core/loadpoint.go
      `fastCharging`, l.1400).
    - core/circuit/circuit.go `ValidateCurrent` (l.391) caps the request, circuit by circuit up
      to the root: when the rise new - old exceeds maxCurrent - current it becomes
      max(0, old + (maxCurrent - current)), `old` being the loadpoint's setpoint (here new >= old
      always, so this is min(new, that)); a circuit's `current` is its meter's highest phase
      (`updateMeters`, l.311), and without a meter the sum of its loadpoints' highest phase
      currents.
    - core/loadpoint.go `setLimit` (l.950, l.999): a loadpoint capped below its minimum current
      is switched off.
    evcc has no margin; its circuits are given fuse - margin as maxCurrent here, as a user would
    configure them. A loadpoint switched off counts with old = 0 (the benchmark's reading; it
    draws nothing). evcc's interval is 30 s by default; the benchmark's 10 s tick is used.
    """

    def __init__(self, boxes: Sequence[Box]) -> None:
        self.boxes = boxes
        self.setpoint = {b.box_id: 0.0 for b in boxes}
        self.turn = 0

    def __call__(self, seen: Observation) -> dict[str, float]:
        box = self.boxes[self.turn % len(self.boxes)]
        self.turn += 1
        if box.box_id not in seen.plugged:
            self.setpoint[box.box_id] = 0.0
            return dict(self.setpoint)
        old = self.setpoint[box.box_id]
        new = box.rating_a
        for circuit in box.chain():
            if circuit == "main":
                current = max(seen.grid)
            else:
                current = sum(
                    max(seen.measured[b.box_id]) for b in self.boxes if b.circuit == circuit
                )
            potential = LIMITS[circuit] - MARGIN_A - current
            new = min(new, max(0.0, old + potential))
        new = math.floor(new + 1e-9)
        self.setpoint[box.box_id] = new if new >= MIN_A else 0.0
        return dict(self.setpoint)


class StaticSplit:
    """A fixed budget per circuit phase, shared equally by the boxes plugged in below it."""

    def __init__(self, boxes: Sequence[Box], house_peak: Triple) -> None:
        self.boxes = boxes
        self.budget = headroom(house_peak, MARGIN_A)

    def __call__(self, seen: Observation) -> dict[str, float]:
        plugged = [b for b in self.boxes if b.box_id in seen.plugged]
        sharing: dict[Key, int] = {}
        for b in plugged:
            for key in grid_keys(b, b.phases):
                sharing[key] = sharing.get(key, 0) + 1
        result = dict.fromkeys((b.box_id for b in self.boxes), 0.0)
        for b in plugged:
            share = min(self.budget[key] / sharing[key] for key in grid_keys(b, b.phases))
            share = math.floor(min(share, b.rating_a) + 1e-9)
            result[b.box_id] = share if share >= MIN_A else 0.0
        return result


@dataclass(slots=True)
class Figures:
    overshoot_as: float = 0.0
    used: float = 0.0
    available: float = 0.0
    drawn_congested: dict[str, float] | None = None
    fair_congested: dict[str, float] | None = None
    energy_wh: float = 0.0
    short_cars: int = 0
    writes: int = 0  # setpoints that changed from one tick to the next (flash wear)

    def as_json(self, oracle_wh: float) -> dict[str, float | int]:
        drawn, fair = self.drawn_congested or {}, self.fair_congested or {}
        ratios = [drawn.get(c, 0.0) / f for c, f in fair.items() if f > 0]
        jain = (
            sum(ratios) ** 2 / (len(ratios) * sum(r * r for r in ratios))
            if ratios and any(ratios)
            else 1.0
        )
        return {
            "overshoot_as": round(self.overshoot_as, 1),
            "used_share": round(self.used / self.available, 4) if self.available else 1.0,
            "fairness": round(jain, 4),
            "oracle_share": round(self.energy_wh / oracle_wh, 4) if oracle_wh else 1.0,
            "short_cars": self.short_cars,
        }


def replay(
    rule: Rule | None,
    boxes: Sequence[Box],
    cars: Mapping[str, Car],
    ticks: Sequence[float],
    house: Sequence[Triple],
) -> Figures:
    """Run the day through one rule; rule None is the reference (oracle) day."""
    figures = Figures(drawn_congested={}, fair_congested={})
    energy = dict.fromkeys(cars, 0.0)
    in_effect = dict.fromkeys((b.box_id for b in boxes), 0.0)
    box_of = {b.box_id: b for b in boxes}
    for now, house_now in zip(ticks, house, strict=True):
        present = {c.box_id for c in cars.values() if c.arrive_s <= now < c.leave_s}
        # True demand and the fair reference for this tick.
        demands = {
            b: (
                car_demand(cars[b], box_of[b], energy[b], taper=rule is not None),
                grid_keys(box_of[b], car_phases(cars[b], box_of[b])),
            )
            for b in present
        }
        fair = water_fill(demands, headroom(house_now, MARGIN_A))
        if rule is None:
            draw_a = fair
        else:
            draw_a = {
                b: min(in_effect[b], demands[b][0]) if in_effect[b] >= MIN_A - 1e-9 else 0.0
                for b in present
            }
        measured: dict[str, Triple] = {}
        load = {(c, p): (house_now[p] if c == "main" else 0.0) for c in LIMITS for p in range(3)}
        for box in boxes:
            current = draw_a.get(box.box_id, 0.0)
            k = car_phases(cars[box.box_id], box) if current > 0 else 0
            measured[box.box_id] = (
                current if k > 0 else 0.0,
                current if k > 1 else 0.0,
                current if k > 2 else 0.0,
            )
            for key in grid_keys(box, k):
                load[key] += current
        figures.overshoot_as += sum(max(0.0, load[key] - LIMITS[key[0]]) * TICK_S for key in load)
        phases = {b: car_phases(cars[b], box_of[b]) for b in present}
        want = sum(demands[b][0] * phases[b] for b in present)
        got_fair = {b: fair[b] * phases[b] for b in present}
        if want > sum(got_fair.values()) + 1e-6:
            assert figures.drawn_congested is not None and figures.fair_congested is not None
            for b in present:
                drawn = draw_a[b] * phases[b]
                figures.used += drawn
                figures.available += got_fair[b]
                figures.drawn_congested[b] = figures.drawn_congested.get(b, 0.0) + drawn
                figures.fair_congested[b] = figures.fair_congested.get(b, 0.0) + got_fair[b]
        for b in present:
            delivered = draw_a[b] * car_phases(cars[b], box_of[b]) * VOLTAGE * TICK_S / 3600
            energy[b] = min(cars[b].need_wh, energy[b] + delivered)
        if rule is not None:
            grid = (load["main", 0], load["main", 1], load["main", 2])
            seen = Observation(now, {b: energy[b] for b in present}, measured, grid)
            written = rule(seen)
            figures.writes += sum(1 for b, amps in written.items() if amps != in_effect[b])
            in_effect = written
    figures.energy_wh = sum(energy.values())
    # A car still plugged in at the end of the replay counts as leaving then.
    figures.short_cars = sum(
        1 for b, car in cars.items() if car.arrive_s < ticks[-1] and energy[b] < car.need_wh - 50
    )
    return figures


def main(argv: Sequence[str] | None = None) -> dict[str, dict[str, float | int]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--boxes", type=int, default=8)
    parser.add_argument("--start", type=float, default=6.0, help="hour of day the replay starts")
    parser.add_argument("--hours", type=float, default=13.0)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    boxes = make_boxes(args.boxes)
    cars = make_cars(boxes, rng)
    first = args.start * 3600
    ticks = [first + i * TICK_S for i in range(int(args.hours * 3600 / TICK_S))]
    house = make_house(ticks, rng)
    step = max(
        (abs(a[p] - b[p]) for a, b in itertools.pairwise(house) for p in range(3)),
        default=0.0,
    )
    peak = (max(h[0] for h in house), max(h[1] for h in house), max(h[2] for h in house))
    oracle = replay(None, boxes, cars, ticks, house)
    rules: dict[str, Rule] = {
        "ours": Ours(boxes),
        "greedy": EvccGreedy(boxes),
        "static": StaticSplit(boxes, peak),
    }
    figures = {name: replay(rule, boxes, cars, ticks, house) for name, rule in rules.items()}
    results = {name: f.as_json(oracle.energy_wh) for name, f in figures.items()}
    need = sum(c.need_wh for c in cars.values()) / 1000
    print(
        f"{len(boxes)} boxes, {len(cars)} cars needing {need:.1f} kWh, seed {args.seed}, "
        f"{args.hours:g} h from {args.start:g} h; house step per tick <= {step:.2f} A "
        f"(margin {MARGIN_A:g} A); reference day: {oracle.energy_wh / 1000:.1f} kWh, "
        f"{oracle.short_cars} cars short"
    )
    print(
        "| rule | overshoot, A·s | used share | fairness | oracle share | short cars "
        "| energy, kWh | writes |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, row in results.items():
        print(
            f"| {name} | {row['overshoot_as']:g} | {row['used_share']:.3f} | {row['fairness']:.3f} "
            f"| {row['oracle_share']:.3f} | {row['short_cars']} "
            f"| {figures[name].energy_wh / 1000:.1f} | {figures[name].writes} |"
        )
    print(json.dumps(results, sort_keys=True))
    return results


if __name__ == "__main__":
    main()
