"""Build the common Reading from values decoded by a transport."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

from .model import ChargerStatus, Reading
from .profile import ValueSpec, WallboxProfile

_LOGGER = logging.getLogger(__name__)


def map_raw(value_map: Mapping[Any, Any], raw: Any) -> Any:
    """Look a raw value up in a profile map (YAML keys may be ints, strings or booleans)."""
    if raw in value_map:
        return value_map[raw]
    if isinstance(raw, float) and raw.is_integer() and int(raw) in value_map:
        return value_map[int(raw)]
    return value_map.get(str(raw))


def number_from_text(text: str) -> float | None:
    """A number written as text ("2300", "-1.5"); None for any other text, NaN or infinity."""
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def convert_raw(spec: ValueSpec, value: Any) -> Any:
    """Apply a profile's map, or its scale to numbers; text and booleans pass through."""
    if value is None:
        return None
    if spec.number_in_text and isinstance(value, str):
        value = number_from_text(value)
        if value is None:
            return None
    if spec.value_map is not None:
        return map_raw(spec.value_map, value)
    if isinstance(value, (str, bool)):
        return value
    if isinstance(value, (int, float)):
        return value * spec.scale
    return None  # a JSON object or list where a value was expected


def _status(values: Mapping[str, Any]) -> ChargerStatus | None:
    raw_status = values.get("status")
    status = ChargerStatus(raw_status) if raw_status is not None else None
    plug = values.get("plug")
    charging = values.get("charging")
    if plug is False and status is not ChargerStatus.ERROR:
        return ChargerStatus.IDLE
    if status is None and charging is True:
        return ChargerStatus.CHARGING
    if plug is True and status in (None, ChargerStatus.IDLE):
        return ChargerStatus.CONNECTED
    return status


# evcc charger/twc3.go (isSplitPhase): on a split-phase supply phase C reads about half the
# supply voltage; three-phase boxes read the supply voltage there, idle ones about 2 V.
SPLIT_PHASE_TOLERANCE_V = 25.0


def _split_phase_power(values: Mapping[str, Any]) -> float | None:
    """Supply voltage x the car's current on a North American split-phase box, else None."""
    grid = _number(values, "grid_voltage")
    current = _number(values, "vehicle_current")
    phase_c = _number(values, "voltage_l3")
    if grid is None or current is None or phase_c is None:
        return None
    if abs(phase_c - grid / 2) >= SPLIT_PHASE_TOLERANCE_V:
        return None
    return round(grid * current, 1)


def _phase_power(values: Mapping[str, Any]) -> float | None:
    """Sum V x I over the phases, for boxes that do not report power (Tesla TWC3).

    Split-phase boxes report three legs whose sum is not the power drawn (1.5 % to 32 %
    high in the answers on record); their power is the supply voltage x the car's current.
    """
    split = _split_phase_power(values)
    if split is not None:
        return split
    total = 0.0
    seen = False
    for phase in ("l1", "l2", "l3"):
        current = values.get(f"current_{phase}")
        voltage = values.get(f"voltage_{phase}")
        if current is None or voltage is None:
            continue
        total += current * voltage
        seen = True
    return round(total, 1) if seen else None


def _number(values: Mapping[str, Any], name: str) -> float | None:
    value = values.get(name)
    if value is None or isinstance(value, bool):
        return None
    return float(value)


def build_reading(
    values: Mapping[str, Any], *, has_power: bool, raw_status: int | str | None
) -> Reading:
    """Combine decoded values (canonical units, None = unavailable) into a Reading."""
    power = _number(values, "power") if has_power else _phase_power(values)
    if power is not None and power < 0:
        _LOGGER.debug("Negative power %s W treated as 0 (export or meter noise)", power)
        power = 0.0
    error_code = values.get("error_code")
    tag = values.get("tag")
    enabled = values.get("enabled")
    return Reading(
        status=_status(values),
        power_w=power,
        currents_a=(
            _number(values, "current_l1"),
            _number(values, "current_l2"),
            _number(values, "current_l3"),
        ),
        voltages_v=(
            _number(values, "voltage_l1"),
            _number(values, "voltage_l2"),
            _number(values, "voltage_l3"),
        ),
        session_energy_wh=_number(values, "session_energy"),
        lifetime_energy_wh=_number(values, "lifetime_energy"),
        tag=str(tag) if tag not in (None, "") else None,
        tag_read_marker=_number(values, "tag_read_marker"),
        error_code=int(error_code) if isinstance(error_code, (int, float)) else None,
        current_limit_a=_number(values, "current_limit"),
        raw_status=raw_status,
        enabled=enabled if isinstance(enabled, bool) else None,
    )


def reading_from_raw(profile: WallboxProfile, raw: Mapping[str, Any]) -> Reading:
    """Apply the profile's maps and scales to raw values and build the Reading."""
    values: dict[str, Any] = {}
    for name, value in raw.items():
        values[name] = converted = convert_raw(profile.values[name], value)
        if converted is None and value is not None:
            _LOGGER.warning("%s: %s code %r is not in the profile's map", profile.name, name, value)
    raw_status = raw.get("status")
    return build_reading(
        values,
        has_power="power" in profile.values,
        raw_status=raw_status if isinstance(raw_status, (int, str)) else None,
    )
