"""What the tracker knows of a wallbox's counters: their limits, steps and wrap, and deltas."""

from __future__ import annotations

from dataclasses import dataclass

from ..profile import WallboxProfile

SOURCE_METER = "meter"
SOURCE_SESSION_COUNTER = "session_counter"
SOURCE_POWER = "power"
# Rounding of Wh registers and poll jitter must not look like an impossible jump.
PLAUSIBILITY_SLACK_WH = 10.0
PLAUSIBILITY_FACTOR = 1.1
# Implausible readings that agree with each other this many polls in a row are believed.
CONFIRM_POLLS = 3
# Steps between confirming readings may differ this much (charging power is steady, garbage not).
CONFIRM_SPREAD = 1.5
# No AC wallbox delivers more (3 phases x 80 A x 250 V, rounded up): beyond this, garbage.
ABSOLUTE_MAX_POWER_W = 60_000.0
MIN_CHARGING_POWER_W = 50.0


@dataclass(slots=True)
class MeterSpec:
    """What the tracker must know about the box's counters."""

    max_power_w: float
    lifetime_wrap_wh: float | None = None  # value at which the lifetime register wraps
    finished_ends_session: bool = False
    # The step of each counter's register (Wh); 0 when it is continuous (floats, HTTP).
    lifetime_resolution_wh: float = 0.0
    session_resolution_wh: float = 0.0

    @classmethod
    def for_profile(cls, profile: WallboxProfile) -> MeterSpec:
        """What the profile says about the box's counters."""
        return cls(
            max_power_w=profile.max_power_w,
            lifetime_wrap_wh=_lifetime_wrap(profile),
            finished_ends_session=profile.finished_ends_session,
            lifetime_resolution_wh=_resolution(profile, "lifetime_energy"),
            session_resolution_wh=_resolution(profile, "session_energy"),
        )

    @property
    def tolerance_wh(self) -> float:
        """How far two honest readings of the box's counters may disagree."""
        return self.lifetime_resolution_wh + self.session_resolution_wh + PLAUSIBILITY_SLACK_WH

    def limit_wh(self, elapsed_s: float) -> float:
        """The most energy the box can deliver in `elapsed_s` (with slack for rounding)."""
        return (
            self.max_power_w * max(elapsed_s, 0.0) / 3600 * PLAUSIBILITY_FACTOR
            + PLAUSIBILITY_SLACK_WH
        )


def _lifetime_wrap(profile: WallboxProfile) -> float | None:
    spec = profile.values.get("lifetime_energy")
    if spec is None or spec.data_type not in ("uint16", "uint32", "uint64"):
        return None
    return float(1 << (16 * spec.count)) * spec.scale


def _resolution(profile: WallboxProfile, name: str) -> float:
    """The step of an energy register in Wh (0 for floats and HTTP values, which have none)."""
    spec = profile.values.get(name)
    if profile.transport != "modbus" or spec is None:
        return 0.0
    return abs(spec.scale) if spec.data_type.startswith(("uint", "int")) else 0.0


def counter_delta(previous: float, current: float, wrap: float | None) -> tuple[float, str]:
    """Energy between two counter values, and how it was derived."""
    if current >= previous:
        return current - previous, "normal"
    if wrap is not None and previous > wrap * 0.9 and current < wrap * 0.1:
        return wrap - previous + current, "wrap"
    # The counter restarted from zero (reset, reboot, phase switch): it counted `current` since.
    return current, "reset"
