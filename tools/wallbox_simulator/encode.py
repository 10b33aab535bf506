"""Encode the simulated state with a profile: the inverse of the integration's decoding."""

from __future__ import annotations

import random
from typing import Any

from custom_components.ev_session_monitor.core.decode import (
    TYPE_REGISTERS,
    encode_hex,
    encode_number,
    encode_string,
)
from custom_components.ev_session_monitor.core.model import ChargerStatus
from custom_components.ev_session_monitor.core.profile import (
    ListMatch,
    PathStep,
    ValueSpec,
    WallboxProfile,
)

from .state import GRID_VOLTAGE_V, WallboxState

# When a box has no code for a status, it shows the nearest one it has.
_STATUS_FALLBACK: dict[ChargerStatus, tuple[ChargerStatus, ...]] = {
    ChargerStatus.WAITING_FOR_AUTHORIZATION: (ChargerStatus.CONNECTED,),
    ChargerStatus.SUSPENDED_EV: (ChargerStatus.SUSPENDED_CHARGER, ChargerStatus.CONNECTED),
    ChargerStatus.SUSPENDED_CHARGER: (ChargerStatus.SUSPENDED_EV, ChargerStatus.CONNECTED),
    ChargerStatus.FINISHED: (ChargerStatus.SUSPENDED_EV, ChargerStatus.CONNECTED),
    ChargerStatus.CONNECTED: (
        ChargerStatus.SUSPENDED_EV,
        ChargerStatus.SUSPENDED_CHARGER,
        ChargerStatus.WAITING_FOR_AUTHORIZATION,
    ),
}


def _reverse(value_map: Any, wanted: Any) -> Any:
    for raw, meaning in value_map.items():
        if meaning == wanted:
            return raw
    return None


def raw_status(profile: WallboxProfile, status: ChargerStatus) -> Any:
    """Return the box's raw code for a status (or the nearest one it has)."""
    spec = profile.values["status"]
    assert spec.value_map is not None
    for candidate in (status, *_STATUS_FALLBACK.get(status, ())):
        raw = _reverse(spec.value_map, candidate.value)
        if raw is not None:
            return raw
    # Plug state carries idle/connected on boxes whose status register has no such code.
    return next(iter(spec.value_map))


def canonical_values(state: WallboxState) -> dict[str, Any]:
    """Return the state in the common model's names and units."""
    currents = state.currents_a
    return {
        "status": state.status,
        "plug": state.vehicle_present,
        "charging": state.status is ChargerStatus.CHARGING,
        "power": state.power_w,
        "current_l1": currents[0],
        "current_l2": currents[1],
        "current_l3": currents[2],
        "voltage_l1": GRID_VOLTAGE_V,
        "voltage_l2": GRID_VOLTAGE_V,
        "voltage_l3": GRID_VOLTAGE_V,
        "session_energy": state.session_wh,
        "lifetime_energy": state.lifetime_wh,
        "tag": state.tag,
        "tag_read_marker": state.tag_reads,
        "enabled": state.enabled,
        "error_code": state.error_code,
        "current_limit": state.current_limit_a if state.current_limit_a is not None else 0,
        "grid_voltage": GRID_VOLTAGE_V,  # three-phase: not split phase
        "vehicle_current": currents[0],
        "serial": state.serial,
        "firmware": state.firmware,
    }


def raw_value(profile: WallboxProfile, spec: ValueSpec, value: Any) -> Any:
    """Turn a canonical value into what the box would report (before register encoding)."""
    if spec.name == "status":
        return raw_status(profile, value)
    if spec.value_map is not None:
        return _reverse(spec.value_map, value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value / spec.scale
    return value


def encode_registers(spec: ValueSpec, raw: Any) -> list[int]:
    """Encode one raw value into the registers the spec describes."""
    count = spec.count
    if spec.data_type == "string":
        return encode_string(
            str(raw or ""),
            count,
            byte_order=spec.byte_order,
            chars_per_register=spec.chars_per_register,
        )
    if spec.data_type == "bytes":
        text = str(raw or "")
        try:
            bytes.fromhex(text)
        except ValueError:
            text = text.encode("ascii", errors="replace").hex()  # e.g. a serial "SIM0001"
        return encode_hex(text, count, byte_order=spec.byte_order)
    if spec.as_hex:
        # KEBA's guide: register 1500 holds the first 4 bytes of the card UID (evcc #14228:
        # card 047dafba7f823100 reads 047dafba); longer UIDs are cut, not wrapped.
        digits = TYPE_REGISTERS[spec.data_type] * 4
        number: float = int(str(raw)[:digits].ljust(digits, "0"), 16) if raw else 0
    elif isinstance(raw, str):
        number = float(raw) if raw.replace(".", "", 1).isdigit() else 0
    else:
        number = float(raw or 0)
    if spec.mask is not None:
        number = (int(number) & spec.mask) << spec.shift
    if spec.data_type in ("uint16", "uint32", "uint64"):
        # Meters wrap around at the register width, like real ones.
        number = round(number) % (1 << (16 * TYPE_REGISTERS[spec.data_type]))
    return encode_number(
        number, spec.data_type, word_order=spec.word_order, byte_order=spec.byte_order
    )


def sentinel_registers(spec: ValueSpec) -> list[int]:
    """Registers meaning "not available" for this value."""
    if spec.data_type == "float32":
        return encode_number(float("nan"), "float32", word_order=spec.word_order)
    if spec.sentinels and spec.data_type in TYPE_REGISTERS:
        return encode_number(min(spec.sentinels), spec.data_type, word_order=spec.word_order)
    return [0xFFFF] * spec.count


def register_image(
    profile: WallboxProfile, state: WallboxState, rng: random.Random
) -> dict[str, dict[int, int]]:
    """Return {table: {address: word}} for every value and identity field of the profile."""
    tables: dict[str, dict[int, int]] = {"holding": {}, "input": {}}
    canonical = canonical_values(state)
    for spec in (*profile.values.values(), *profile.identity.values()):
        assert spec.address is not None
        if state.faults.garbage and spec.name not in ("serial", "firmware"):
            words = [rng.randrange(0x10000) for _ in range(spec.count)]
        elif state.faults.sentinels and spec.name not in ("serial", "firmware"):
            words = sentinel_registers(spec)
        else:
            words = encode_registers(spec, raw_value(profile, spec, canonical[spec.name]))
        for offset, word in enumerate(words):
            tables[spec.table][spec.address + offset] = word
    keepalive = profile.keepalive
    if keepalive is not None and keepalive.timeout is not None:
        spec = keepalive.timeout.spec
        assert spec.address is not None
        words = encode_registers(spec, state.watchdog_timeout_s / spec.scale)
        for offset, word in enumerate(words):
            tables[spec.table][spec.address + offset] = word
    setting = profile.failsafe_setting
    if setting is not None and state.failsafe_current_a is not None:
        # Set on the box itself (Alfen's safe current): the simulated box reports it.
        assert setting.address is not None
        words = encode_registers(setting, state.failsafe_current_a / setting.scale)
        for offset, word in enumerate(words):
            tables[setting.table][setting.address + offset] = word
    return tables


def json_documents(
    profile: WallboxProfile, state: WallboxState, rng: random.Random
) -> dict[str, Any]:
    """Return the JSON document (object, or list where the paths start in one) per endpoint."""
    specs = [*profile.values.values(), *profile.identity.values()]
    documents: dict[str, Any] = {}
    for name in profile.endpoints:
        firsts = [spec.path[0] for spec in specs if spec.endpoint == name]
        documents[name] = [] if firsts and not isinstance(firsts[0], str) else {}
    canonical = canonical_values(state)
    for spec in specs:
        assert spec.endpoint is not None
        if state.faults.garbage and spec.name not in ("serial", "firmware"):
            value: Any = rng.choice(["\x00\xff", -1, [], {"x": 1}])
        elif state.faults.sentinels and spec.name not in ("serial", "firmware"):
            value = None
        else:
            value = raw_value(profile, spec, canonical[spec.name])
            if isinstance(value, float):
                value = round(value, 3)
            if spec.number_in_text and isinstance(value, (int, float)):
                value = str(value)  # the box writes its numbers as text (Salia)
        _set_path(documents[spec.endpoint], spec.path, value)
    return documents


def _container(following: PathStep) -> list[Any] | dict[str, Any]:
    return {} if isinstance(following, str) else []


def _set_path(document: Any, path: tuple[PathStep, ...], value: Any) -> None:
    node: Any = document
    for step, following in zip(path, (*path[1:], None), strict=True):
        last = following is None
        if isinstance(step, ListMatch):
            # The element whose key holds the value (SMA channelId), added when missing.
            found = next((item for item in node if item.get(step.key) == step.value), None)
            if found is None:
                found = {step.key: step.value}
                node.append(found)
            node = found
        elif isinstance(node, list):
            assert isinstance(step, int)
            while len(node) <= step:
                node.append(None)
            if last:
                node[step] = value
            else:
                assert following is not None
                if node[step] is None:
                    node[step] = _container(following)
                node = node[step]
        else:
            key = str(step)
            if last:
                node[key] = value
            else:
                assert following is not None
                node = node.setdefault(key, _container(following))
