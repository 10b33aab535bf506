"""Wallbox profiles: one YAML file per model, validated on load.

A profile is data. It says how to reach a box (transport, defaults), where each value of the
common reading model lives (register or JSON path, type, order, scale), how the box's status
codes map onto ChargerStatus, how the RFID tag is encoded, which raw values mean "not
available", which registers control the box and which keepalive it needs once we write.
The format is documented in docs/profiles.md.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import voluptuous as vol
import yaml

from .decode import TYPE_REGISTERS, DataType, Order
from .model import Capability, ChargerStatus
from .numbers import finite_float

# Canonical unit of every value of the common reading model.
VALUE_UNITS: dict[str, str | None] = {
    "status": None,
    "plug": None,
    "charging": None,
    "power": "W",
    "current_l1": "A",
    "current_l2": "A",
    "current_l3": "A",
    "voltage_l1": "V",
    "voltage_l2": "V",
    "voltage_l3": "V",
    "session_energy": "Wh",
    "lifetime_energy": "Wh",
    "tag": None,
    "tag_read_marker": None,
    "enabled": None,  # the box's own "charging allowed" state (what the enable control sets)
    "error_code": None,
    "current_limit": "A",
}
IDENTITY_VALUES = ("serial", "firmware")
STATUS_VALUES = [status.value for status in ChargerStatus]
DEFAULT_MAX_POWER_W = 22080.0  # 3 x 32 A x 230 V


# Bounds on a profile file: the largest built-in profile is a few KiB with a few hundred nodes.
PROFILE_MAX_BYTES = 256 * 1024
PROFILE_MAX_NODES = 20_000  # YAML nodes once aliases are expanded (an alias bomb has billions)
PROFILE_MAX_DEPTH = 32
# Error texts go to the log and to a repair placeholder sent to every repairs client.
ERROR_TEXT_MAX_LENGTH = 300


class ProfileError(Exception):
    """A profile file that cannot be used; the message names the file, field and expectation."""

    def __init__(self, source: str, message: str) -> None:
        """Store where the problem is; the message is cut to ERROR_TEXT_MAX_LENGTH."""
        if len(message) > ERROR_TEXT_MAX_LENGTH:
            message = message[: ERROR_TEXT_MAX_LENGTH - 1] + "\u2026"
        super().__init__(f"{source}: {message}")
        self.source = source
        self.detail = message


@dataclass(frozen=True, slots=True)
class ValueSpec:
    """Where one value lives and how to decode it."""

    name: str
    # Modbus
    address: int | None = None
    count: int = 1
    table: Literal["holding", "input"] = "holding"
    data_type: DataType = "uint16"
    word_order: Order = "big"
    byte_order: Order = "big"
    chars_per_register: int = 2
    as_hex: bool = False  # uint32 tag shown as 8 hex digits (KEBA)
    # Integer fields packed into a register: value = (raw >> shift) & mask.
    shift: int = 0
    mask: int | None = None
    sentinels: frozenset[int] = frozenset()
    # The value is the sum of `terms` consecutive values of data_type (per-phase meters).
    terms: int = 1
    # Identity only: how a numeric firmware register reads as text.
    text_format: Literal["plain", "version_bytes", "version_decimal"] = "plain"
    # Session counter that some firmware leaves at zero: integrate power instead (Etrel).
    stuck_at_zero_fallback: bool = False
    # HTTP
    endpoint: str | None = None
    path: tuple[str | int, ...] = ()
    # Both
    scale: float = 1.0
    value_map: Mapping[Any, Any] | None = None

    @property
    def end(self) -> int:
        """Return the first register after this value."""
        assert self.address is not None
        return self.address + self.count


@dataclass(frozen=True, slots=True)
class ModbusWrite:
    """A holding register we may write (current limit, enable, keepalive)."""

    address: int
    data_type: DataType = "uint16"
    word_order: Order = "big"
    scale: float = 1.0
    on: float = 1
    off: float = 0
    value: float = 1  # keepalive value
    function: Literal[6, 16] = 16  # Modbus function code: 6 write single, 16 write multiple


@dataclass(frozen=True, slots=True)
class HttpWrite:
    """An HTTP request that changes a setting: GET path?param=value or POST path {key: value}."""

    path: str
    method: Literal["GET", "POST"] = "GET"
    param: str = ""
    on: Any = 1
    off: Any = 0
    # The box replaces the whole JSON document on every POST (OpenEVSE /override): read it
    # (GET on the same path), change this key, post all of it back.
    merge: bool = False


@dataclass(frozen=True, slots=True)
class CurrentLimitControl:
    """The writable charging current."""

    write: ModbusWrite | HttpWrite
    min_a: float
    max_a: float
    # The box forgets a setpoint after its validity time: re-write it this often (Alfen).
    refresh_s: float | None = None


@dataclass(frozen=True, slots=True)
class BoxTimeout:
    """A register holding the box's watchdog timeout; the keepalive runs at a fraction of it."""

    spec: ValueSpec  # scale converts the raw value to seconds
    fraction: float
    min_interval_s: float
    when_zero: Literal["default", "none"]  # 0 s: keep interval_s, or no keepalive at all


@dataclass(frozen=True, slots=True)
class Keepalive:
    """What the box needs written periodically once we control it."""

    write: ModbusWrite
    interval_s: float
    timeout: BoxTimeout | None = None
    value_is_timeout: bool = False  # KEBA: the heartbeat re-writes the timeout itself


@dataclass(frozen=True, slots=True)
class WakeUp:
    """Remote lock that forces IEC state F to wake a sleeping car (Heidelberg, Amperfied)."""

    write: ModbusWrite  # on = unlocked, off = locked
    lock: ValueSpec  # the same register read back
    fault_status: Any  # the raw status code of state F


@dataclass(frozen=True, slots=True)
class PhaseSwitch:
    """Switching between 1-phase and 3-phase charging."""

    write: ModbusWrite | HttpWrite
    one_phase: float
    three_phase: float
    trigger: ModbusWrite | None = None  # written after the target (openWB)
    state: ValueSpec | None = None  # read back; its map gives 1 or 3
    pause_s: float = 0.0  # charging stays stopped this long before and after the switch


@dataclass(frozen=True, slots=True)
class Condition:
    """One test a variant needs: a register read (its value, or that it fails) or the firmware."""

    spec: ValueSpec | None = None
    fails: bool = False
    minimum: float | None = None
    maximum: float | None = None
    firmware_below: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class Variant:
    """Firmware or model differences chosen by identification when the box is set up."""

    variant_id: str
    label: str
    when: tuple[Condition, ...]
    overrides: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ProbeCheck:
    """An identification register that is safe to read on an unknown box, and what it holds."""

    spec: ValueSpec
    unit_id: int | None = None  # another unit than the box's (Alfen: station registers on 200)
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None  # regular expression the text must match (case-insensitive)


@dataclass(frozen=True, slots=True)
class DhcpMatcher:
    """Home Assistant DHCP matcher: host name and/or MAC prefix, shell-style wildcards."""

    hostname: str | None = None
    macaddress: str | None = None


@dataclass(frozen=True, slots=True)
class DiscoveryMatchers:
    """How the model announces itself (also declared in manifest.json)."""

    zeroconf: tuple[str, ...] = ()
    dhcp: tuple[DhcpMatcher, ...] = ()


@dataclass(frozen=True, slots=True)
class WallboxProfile:
    """A validated wallbox model description."""

    profile_id: str
    name: str
    manufacturer: str
    model: str
    source: str
    transport: Literal["modbus", "http"]
    default_port: int
    default_unit_id: int
    max_power_w: float
    values: Mapping[str, ValueSpec]
    identity: Mapping[str, ValueSpec]
    # Modbus limits
    max_registers_per_read: int = 125
    max_gap: int = 0
    one_value_per_read: bool = False
    forbidden: tuple[tuple[int, int], ...] = ()
    request_delay_s: float = 0.0
    # HTTP
    endpoints: Mapping[str, tuple[str, Mapping[str, str]]] = field(default_factory=dict)
    http_auth: Literal["none", "basic"] = "none"
    # Controls
    current_limit: CurrentLimitControl | None = None
    enable: ModbusWrite | HttpWrite | None = None
    keepalive: Keepalive | None = None
    on_start: tuple[ModbusWrite, ...] = ()  # written once when the box is set up
    wake_up: WakeUp | None = None
    phase_switch: PhaseSwitch | None = None
    finished_ends_session: bool = False
    requires_authorization: bool = False
    # Without a power value and phase voltages: power = this voltage x the sum of the currents.
    power_from_currents_v: float | None = None
    variants: tuple[Variant, ...] = ()
    active_variants: tuple[str, ...] = ()  # labels of the variants applied by identification
    probe: tuple[ProbeCheck, ...] = ()  # model detection on a host the user typed
    discovery: DiscoveryMatchers = DiscoveryMatchers()
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def capabilities(self) -> frozenset[Capability]:
        """Return what this profile can read and control."""
        caps: set[Capability] = set()
        has = self.values.__contains__
        if has("power") or (has("current_l1") and has("voltage_l1")):
            caps.add(Capability.POWER)
        if has("current_l1"):
            caps.add(Capability.PHASE_CURRENTS)
        if has("voltage_l1"):
            caps.add(Capability.PHASE_VOLTAGES)
        for value, cap in (
            ("session_energy", Capability.SESSION_ENERGY),
            ("lifetime_energy", Capability.LIFETIME_ENERGY),
            ("tag", Capability.TAG),
            ("tag_read_marker", Capability.TAG_READS),
            ("error_code", Capability.ERROR_CODE),
        ):
            if has(value):
                caps.add(cap)
        if self.current_limit is not None:
            caps.add(Capability.CURRENT_LIMIT)
        if self.enable is not None:
            caps.add(Capability.ENABLE)
        return frozenset(caps)


# --- schema -------------------------------------------------------------------------------

_ORDER = vol.In(["big", "little"])
_TYPES = vol.In(sorted([*TYPE_REGISTERS, "string", "bytes"]))


def _map_keys(value: Any) -> dict[Any, Any]:
    if not isinstance(value, dict) or not value:
        raise vol.Invalid("expected a non-empty mapping of raw value to meaning")
    return value


_MODBUS_VALUE = vol.Schema(
    {
        vol.Required("address"): vol.All(int, vol.Range(min=0, max=65535)),
        vol.Optional("count"): vol.All(int, vol.Range(min=1, max=125)),
        vol.Optional("table", default="holding"): vol.In(["holding", "input"]),
        vol.Optional("type", default="uint16"): _TYPES,
        vol.Optional("word_order", default="big"): _ORDER,
        vol.Optional("byte_order", default="big"): _ORDER,
        vol.Optional("chars_per_register", default=2): vol.In([1, 2]),
        vol.Optional("as_hex", default=False): bool,
        vol.Optional("shift", default=0): vol.All(int, vol.Range(min=0, max=63)),
        vol.Optional("mask"): vol.All(int, vol.Range(min=1)),
        vol.Optional("scale", default=1.0): finite_float(),
        vol.Optional("unit"): str,
        vol.Optional("sentinels"): [int],
        vol.Optional("map"): _map_keys,
        vol.Optional("terms", default=1): vol.All(int, vol.Range(min=1, max=8)),
        vol.Optional("format", default="plain"): vol.In(
            ["plain", "version_bytes", "version_decimal"]
        ),
        vol.Optional("stuck_at_zero_fallback", default=False): bool,
    }
)
_HTTP_VALUE = vol.Schema(
    {
        vol.Required("endpoint"): str,
        vol.Required("path"): vol.All(str, vol.Length(min=1)),
        vol.Optional("scale", default=1.0): finite_float(),
        vol.Optional("unit"): str,
        vol.Optional("map"): _map_keys,
    }
)
_MODBUS_WRITE = vol.Schema(
    {
        vol.Required("address"): vol.All(int, vol.Range(min=0, max=65535)),
        vol.Optional("type", default="uint16"): vol.In(sorted(TYPE_REGISTERS)),
        vol.Optional("word_order", default="big"): _ORDER,
        vol.Optional("scale", default=1.0): finite_float(),
        vol.Optional("on", default=1): finite_float(),
        vol.Optional("off", default=0): finite_float(),
        vol.Optional("value", default=1): finite_float(),
        vol.Optional("function", default=16): vol.In([6, 16]),
        vol.Optional("min"): finite_float(),
        vol.Optional("max"): finite_float(),
        vol.Optional("interval_s"): vol.All(finite_float(), vol.Range(min=1)),
    }
)
# Extra keys of particular controls, split off before the register itself is validated.
_CURRENT_LIMIT_EXTRA = vol.Schema(
    {vol.Optional("refresh_s"): vol.All(finite_float(), vol.Range(min=1, max=3600))}
)
_KEEPALIVE_EXTRA = vol.Schema(
    {
        vol.Optional("timeout"): dict,
        vol.Optional("timeout_fraction", default=0.5): vol.All(
            finite_float(), vol.Range(min=0.05, max=1)
        ),
        vol.Optional("min_interval_s", default=1.0): vol.All(finite_float(), vol.Range(min=0.1)),
        vol.Optional("when_timeout_zero", default="default"): vol.In(["default", "none"]),
        vol.Optional("value_is_timeout", default=False): bool,
    }
)
_WAKE_UP_EXTRA = vol.Schema({vol.Required("fault_status"): vol.Any(int, str)})
_PHASE_SWITCH_EXTRA = vol.Schema(
    {
        vol.Required("one_phase"): finite_float(),
        vol.Required("three_phase"): finite_float(),
        vol.Optional("trigger"): dict,
        vol.Optional("state"): dict,
        vol.Optional("pause_s", default=0.0): vol.All(finite_float(), vol.Range(min=0, max=120)),
    }
)
_CONDITION = vol.Schema(
    {
        vol.Optional("read"): dict,
        vol.Optional("fails", default=False): bool,
        vol.Optional("min"): finite_float(),
        vol.Optional("max"): finite_float(),
        vol.Optional("firmware_below"): vol.All(str, vol.Match(r"^\d+(\.\d+)*$")),
    }
)
_VARIANT = vol.Schema(
    {
        vol.Required("id"): vol.All(str, vol.Match(r"^[a-z0-9_]+$")),
        vol.Required("label"): vol.All(str, vol.Length(min=1)),
        vol.Required("when"): vol.All([dict], vol.Length(min=1)),
        vol.Optional("model"): vol.All(str, vol.Length(min=1)),
        vol.Optional("power_from_currents_v"): vol.Any(None, finite_float()),
        vol.Optional("values"): {vol.In(list(VALUE_UNITS)): vol.Any(None, dict)},
        vol.Optional("identity"): {vol.In(list(IDENTITY_VALUES)): vol.Any(None, dict)},
        vol.Optional("controls"): {str: vol.Any(None, dict, list)},
        vol.Optional("modbus"): {str: vol.Any(None, int, bool, list, dict)},
    }
)
_HTTP_WRITE = vol.Schema(
    {
        vol.Required("path"): vol.All(str, vol.Match(r"^/")),
        vol.Optional("method", default="GET"): vol.In(["GET", "POST"]),
        vol.Required("param"): str,
        vol.Optional("on", default=1): vol.Any(int, float, str, bool),
        vol.Optional("off", default=0): vol.Any(int, float, str, bool),
        vol.Optional("merge", default=False): bool,
        vol.Optional("min"): finite_float(),
        vol.Optional("max"): finite_float(),
    }
)
_PROFILE = vol.Schema(
    {
        vol.Required("name"): vol.All(str, vol.Length(min=1)),
        vol.Required("manufacturer"): vol.All(str, vol.Length(min=1)),
        vol.Required("model"): vol.All(str, vol.Length(min=1)),
        vol.Required("source"): vol.All(str, vol.Length(min=1)),
        vol.Required("transport"): vol.In(["modbus", "http"]),
        vol.Required("defaults"): vol.Schema(
            {
                vol.Required("port"): vol.All(int, vol.Range(min=1, max=65535)),
                vol.Optional("unit_id", default=1): vol.All(int, vol.Range(min=0, max=255)),
            }
        ),
        vol.Optional("max_power_w", default=DEFAULT_MAX_POWER_W): vol.All(
            finite_float(), vol.Range(min=1000, max=400000)
        ),
        vol.Optional("finished_ends_session", default=False): bool,
        vol.Optional("requires_authorization", default=False): bool,
        vol.Optional("notes"): str,
        vol.Optional("power_from_currents_v"): vol.Any(
            None, vol.All(finite_float(), vol.Range(min=100, max=500))
        ),
        vol.Optional("variants", default=[]): [dict],
        vol.Optional("probe", default=[]): [dict],
        vol.Optional("discovery", default={}): dict,
        vol.Optional("modbus", default={}): vol.Schema(
            {
                vol.Optional("max_registers_per_read", default=125): vol.All(
                    int, vol.Range(min=1, max=125)
                ),
                vol.Optional("max_gap", default=0): vol.All(int, vol.Range(min=0, max=100)),
                vol.Optional("one_value_per_read", default=False): bool,
                vol.Optional("forbidden", default=[]): [
                    vol.Schema({vol.Required("start"): int, vol.Required("end"): int})
                ],
                vol.Optional("request_delay_ms", default=0): vol.All(
                    int, vol.Range(min=0, max=5000)
                ),
                vol.Optional("sentinels", default={}): {_TYPES: [int]},
            }
        ),
        vol.Optional("http", default={}): vol.Schema(
            {
                vol.Optional("auth", default="none"): vol.In(["none", "basic"]),
                vol.Optional("endpoints", default={}): {
                    str: vol.Schema(
                        {
                            vol.Required("path"): vol.All(str, vol.Match(r"^/")),
                            vol.Optional("query", default={}): {str: str},
                        }
                    )
                },
            }
        ),
        vol.Required("values"): vol.Schema({vol.In(list(VALUE_UNITS)): dict}),
        vol.Optional("identity", default={}): vol.Schema({vol.In(list(IDENTITY_VALUES)): dict}),
        vol.Optional("controls", default={}): vol.Schema(
            {
                vol.Optional("current_limit"): dict,
                vol.Optional("enable"): dict,
                vol.Optional("keepalive"): dict,
                vol.Optional("on_start"): [dict],
                vol.Optional("wake_up"): dict,
                vol.Optional("phase_switch"): dict,
            }
        ),
    }
)


def _format_invalid(err: vol.Invalid, prefix: str) -> str:
    errors = err.errors if isinstance(err, vol.MultipleInvalid) else [err]
    parts = []
    for error in errors:
        where = ".".join([*([prefix] if prefix else []), *(str(p) for p in error.path)])
        parts.append(f"field '{where or '(top level)'}': {error.msg}")
    return "; ".join(parts)


def _validate(schema: vol.Schema, data: Any, source: str, prefix: str) -> dict[str, Any]:
    try:
        result: dict[str, Any] = schema(data)
    except vol.Invalid as err:
        raise ProfileError(source, _format_invalid(err, prefix)) from None
    return result


def _parse_path(text: str) -> tuple[str | int, ...]:
    return tuple(int(part) if part.isdigit() else part for part in text.split("."))


def _value_spec(
    name: str, raw: dict[str, Any], config: dict[str, Any], source: str, section: str
) -> ValueSpec:
    prefix = f"{section}.{name}"
    if config["transport"] == "http":
        data = _validate(_HTTP_VALUE, raw, source, prefix)
        if data["endpoint"] not in config["http"]["endpoints"]:
            raise ProfileError(
                source,
                f"field '{prefix}.endpoint': unknown endpoint '{data['endpoint']}',"
                f" expected one of {sorted(config['http']['endpoints'])}",
            )
        spec = ValueSpec(
            name=name,
            endpoint=data["endpoint"],
            path=_parse_path(data["path"]),
            scale=data["scale"],
            value_map=data.get("map"),
        )
    else:
        data = _validate(_MODBUS_VALUE, raw, source, prefix)
        data_type = data["type"]
        terms = data["terms"]
        if data_type in TYPE_REGISTERS:
            count = data.get("count", TYPE_REGISTERS[data_type] * terms)
            if count != TYPE_REGISTERS[data_type] * terms:
                what = data_type if terms == 1 else f"{terms} x {data_type}"
                raise ProfileError(
                    source,
                    f"field '{prefix}.count': {what} spans"
                    f" {TYPE_REGISTERS[data_type] * terms} registers, not {count}",
                )
        elif "count" not in data:
            raise ProfileError(source, f"field '{prefix}.count': required for type {data_type}")
        elif terms != 1:
            raise ProfileError(source, f"field '{prefix}.terms': only numbers can be summed")
        else:
            count = data["count"]
        sentinels = data.get("sentinels", config["modbus"]["sentinels"].get(data_type, []))
        spec = ValueSpec(
            name=name,
            address=data["address"],
            count=count,
            table=data["table"],
            data_type=data_type,
            word_order=data["word_order"],
            byte_order=data["byte_order"],
            chars_per_register=data["chars_per_register"],
            as_hex=data["as_hex"],
            shift=data["shift"],
            mask=data.get("mask"),
            sentinels=frozenset(sentinels),
            terms=terms,
            text_format=data["format"],
            stuck_at_zero_fallback=data["stuck_at_zero_fallback"],
            scale=data["scale"],
            value_map=data.get("map"),
        )
    expected_unit = VALUE_UNITS.get(name)
    if "unit" in data and data["unit"] != expected_unit:
        raise ProfileError(
            source,
            f"field '{prefix}.unit': expected '{expected_unit}' (set 'scale' to convert),"
            f" got '{data['unit']}'",
        )
    if name == "status":
        mapping = spec.value_map or {}
        bad = sorted(str(v) for v in mapping.values() if v not in STATUS_VALUES)
        if not mapping or bad:
            raise ProfileError(
                source,
                f"field '{prefix}.map': expected raw codes mapped to one of {STATUS_VALUES},"
                f" got {bad or 'no map'}",
            )
    if name in ("plug", "charging", "enabled"):
        bool_map = spec.value_map
        if bool_map is not None and any(not isinstance(v, bool) for v in bool_map.values()):
            raise ProfileError(
                source, f"field '{prefix}.map': expected raw values mapped to true/false"
            )
    return spec


def _yaml_on_off(raw: dict[Any, Any]) -> dict[Any, Any]:
    """YAML 1.1 reads bare `on:` / `off:` keys as booleans; take them as meant."""
    names = {True: "on", False: "off"}
    return {names[key] if isinstance(key, bool) else key: value for key, value in raw.items()}


def _write(
    raw: dict[str, Any], config: dict[str, Any], source: str, prefix: str
) -> tuple[ModbusWrite | HttpWrite, dict[str, Any]]:
    raw = _yaml_on_off(raw)
    if config["transport"] == "http":
        data = _validate(_HTTP_WRITE, raw, source, prefix)
        return HttpWrite(
            path=data["path"],
            method=data["method"],
            param=data["param"],
            on=data["on"],
            off=data["off"],
            merge=data["merge"],
        ), data
    data = _validate(_MODBUS_WRITE, raw, source, prefix)
    if data["function"] == 6 and TYPE_REGISTERS[data["type"]] != 1:
        raise ProfileError(
            source,
            f"field '{prefix}.function': function code 6 writes one register,"
            f" {data['type']} needs {TYPE_REGISTERS[data['type']]}",
        )
    return ModbusWrite(
        address=data["address"],
        data_type=data["type"],
        word_order=data["word_order"],
        scale=data["scale"],
        on=data["on"],
        off=data["off"],
        value=data["value"],
        function=data["function"],
    ), data


def _split(
    raw: dict[str, Any], extra: vol.Schema, source: str, prefix: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Separate a control's own keys (validated by `extra`) from its register keys."""
    raw = _yaml_on_off(raw)
    keys = {str(key.schema) for key in extra.schema}
    own = {key: value for key, value in raw.items() if key in keys}
    rest = {key: value for key, value in raw.items() if key not in keys}
    return rest, _validate(extra, own, source, prefix)


def _modbus_write(raw: Any, config: dict[str, Any], source: str, prefix: str) -> ModbusWrite:
    if config["transport"] != "modbus" or not isinstance(raw, dict):
        raise ProfileError(source, f"field '{prefix}': expected a Modbus register")
    write, _ = _write(raw, config, source, prefix)
    assert isinstance(write, ModbusWrite)
    return write


def parse_version(text: str | None) -> tuple[int, ...] | None:
    """'v3.187.0-abc' -> (3, 187, 0); None when there is no version number in the text."""
    if not text:
        return None
    match = re.search(r"\d+(?:\.\d+)*", text)
    return tuple(int(part) for part in match.group().split(".")) if match else None


def _condition(raw: dict[str, Any], config: dict[str, Any], source: str, prefix: str) -> Condition:
    data = _validate(_CONDITION, raw, source, prefix)
    if ("read" in data) == ("firmware_below" in data):
        raise ProfileError(source, f"field '{prefix}': expected either 'read' or 'firmware_below'")
    if "firmware_below" in data:
        return Condition(firmware_below=parse_version(data["firmware_below"]))
    spec = _value_spec("probe", data["read"], config, source, f"{prefix}.read")
    if not data["fails"] and "min" not in data and "max" not in data:
        raise ProfileError(source, f"field '{prefix}': expected 'min', 'max' or 'fails: true'")
    return Condition(
        spec=spec, fails=data["fails"], minimum=data.get("min"), maximum=data.get("max")
    )


_PROBE_CHECK = vol.Schema(
    {
        vol.Required("read"): dict,
        vol.Optional("unit_id"): vol.All(int, vol.Range(min=0, max=255)),
        vol.Optional("min"): finite_float(),
        vol.Optional("max"): finite_float(),
        vol.Optional("match"): vol.All(str, vol.Length(min=1)),
    }
)
_DHCP_MATCHER = vol.Schema(
    {
        vol.Optional("hostname"): vol.All(str, vol.Match(r"^[a-z0-9_*?-]+$")),
        vol.Optional("macaddress"): vol.All(str, vol.Match(r"^[0-9A-F]{6,11}\*$")),
    }
)
_DISCOVERY = vol.Schema(
    {
        vol.Optional("zeroconf", default=[]): [
            vol.All(str, vol.Match(r"^_[a-z0-9-]+\._(tcp|udp)\.local\.$"))
        ],
        vol.Optional("dhcp", default=[]): [dict],
    }
)


def _probe_check(
    raw: dict[str, Any], config: dict[str, Any], source: str, prefix: str
) -> ProbeCheck:
    data = _validate(_PROBE_CHECK, raw, source, prefix)
    if config["transport"] != "modbus":
        raise ProfileError(source, f"field '{prefix}': only Modbus profiles are probed")
    if "min" not in data and "max" not in data and "match" not in data:
        raise ProfileError(source, f"field '{prefix}': expected 'min', 'max' or 'match'")
    if "match" in data:
        try:
            re.compile(data["match"])
        except re.error as err:
            raise ProfileError(source, f"field '{prefix}.match': {err}") from None
    return ProbeCheck(
        spec=_value_spec("probe", data["read"], config, source, f"{prefix}.read"),
        unit_id=data.get("unit_id"),
        minimum=data.get("min"),
        maximum=data.get("max"),
        pattern=data.get("match"),
    )


def _discovery(raw: dict[str, Any], source: str) -> DiscoveryMatchers:
    data = _validate(_DISCOVERY, raw, source, "discovery")
    dhcp: list[DhcpMatcher] = []
    for index, item in enumerate(data["dhcp"]):
        matcher = _validate(_DHCP_MATCHER, item, source, f"discovery.dhcp.{index}")
        if not matcher:
            raise ProfileError(
                source, f"field 'discovery.dhcp.{index}': expected 'hostname' or 'macaddress'"
            )
        dhcp.append(DhcpMatcher(matcher.get("hostname"), matcher.get("macaddress")))
    return DiscoveryMatchers(zeroconf=tuple(data["zeroconf"]), dhcp=tuple(dhcp))


def _variant(raw: dict[str, Any], config: dict[str, Any], source: str, prefix: str) -> Variant:
    data = _validate(_VARIANT, raw, source, prefix)
    when = tuple(
        _condition(item, config, source, f"{prefix}.when.{index}")
        for index, item in enumerate(data["when"])
    )
    overrides = {key: value for key, value in data.items() if key not in ("id", "label", "when")}
    return Variant(variant_id=data["id"], label=data["label"], when=when, overrides=overrides)


def apply_variant(profile: WallboxProfile, variant: Variant) -> WallboxProfile:
    """Return the profile with a variant's overrides (None removes an entry) applied."""
    raw = copy.deepcopy(dict(profile.raw))
    raw.pop("variants", None)  # checked once, when the base profile was loaded
    for key, value in variant.overrides.items():
        if key in ("values", "identity", "controls", "modbus"):
            section = raw.setdefault(key, {})
            for name, spec in value.items():
                if spec is None:
                    section.pop(name, None)
                else:
                    section[name] = spec
        elif value is None:
            raw.pop(key, None)
        else:
            raw[key] = value
    merged = parse_profile(profile.profile_id, raw, f"{profile.profile_id} ({variant.variant_id})")
    return replace(
        merged,
        variants=profile.variants,
        active_variants=(*profile.active_variants, variant.label),
    )


def parse_profile(profile_id: str, raw: Any, source: str) -> WallboxProfile:
    """Validate parsed YAML and build a profile; raise ProfileError naming what is wrong."""
    config = _validate(_PROFILE, raw, source, "")
    values = {
        name: _value_spec(name, spec, config, source, "values")
        for name, spec in config["values"].items()
    }
    if "status" not in values and "plug" not in values and "charging" not in values:
        raise ProfileError(
            source, "field 'values': expected at least one of 'status', 'plug' or 'charging'"
        )
    identity = {
        name: _value_spec(name, spec, config, source, "identity")
        for name, spec in config["identity"].items()
    }
    controls = config["controls"]
    current_limit = enable = keepalive = wake_up = phase_switch = None
    if "current_limit" in controls:
        prefix = "controls.current_limit"
        rest, extra = _split(controls["current_limit"], _CURRENT_LIMIT_EXTRA, source, prefix)
        write, data = _write(rest, config, source, prefix)
        if "min" not in data or "max" not in data or data["min"] > data["max"]:
            raise ProfileError(
                source, "field 'controls.current_limit': expected 'min' and 'max' in A, min <= max"
            )
        current_limit = CurrentLimitControl(
            write=write, min_a=data["min"], max_a=data["max"], refresh_s=extra.get("refresh_s")
        )
    if "enable" in controls:
        enable, _ = _write(controls["enable"], config, source, "controls.enable")
    if "keepalive" in controls:
        prefix = "controls.keepalive"
        rest, extra = _split(controls["keepalive"], _KEEPALIVE_EXTRA, source, prefix)
        write, data = _write(rest, config, source, prefix)
        if not isinstance(write, ModbusWrite) or "interval_s" not in data:
            raise ProfileError(
                source, "field 'controls.keepalive': expected a Modbus register with 'interval_s'"
            )
        timeout = None
        if "timeout" in extra:
            timeout = BoxTimeout(
                spec=_value_spec("timeout", extra["timeout"], config, source, f"{prefix}.timeout"),
                fraction=extra["timeout_fraction"],
                min_interval_s=extra["min_interval_s"],
                when_zero=extra["when_timeout_zero"],
            )
        keepalive = Keepalive(
            write=write,
            interval_s=data["interval_s"],
            timeout=timeout,
            value_is_timeout=extra["value_is_timeout"],
        )
    on_start = tuple(
        _modbus_write(item, config, source, f"controls.on_start.{index}")
        for index, item in enumerate(controls.get("on_start", []))
    )
    if "wake_up" in controls:
        prefix = "controls.wake_up"
        rest, extra = _split(controls["wake_up"], _WAKE_UP_EXTRA, source, prefix)
        write = _modbus_write(rest, config, source, prefix)
        lock = ValueSpec(name="lock", address=write.address, data_type=write.data_type)
        wake_up = WakeUp(write=write, lock=lock, fault_status=extra["fault_status"])
    if "phase_switch" in controls:
        prefix = "controls.phase_switch"
        rest, extra = _split(controls["phase_switch"], _PHASE_SWITCH_EXTRA, source, prefix)
        state = None
        if "state" in extra:
            state = _value_spec("phases", extra["state"], config, source, f"{prefix}.state")
            if not state.value_map or set(state.value_map.values()) - {1, 3}:
                raise ProfileError(
                    source, f"field '{prefix}.state.map': expected raw values mapped to 1 or 3"
                )
        if config["transport"] == "http" and extra["pause_s"]:
            # HTTP boxes in our profiles pause around a switch themselves (go-e).
            raise ProfileError(source, f"field '{prefix}.pause_s': only Modbus profiles pause")
        phase_switch = PhaseSwitch(
            write=_write(rest, config, source, prefix)[0],
            one_phase=extra["one_phase"],
            three_phase=extra["three_phase"],
            trigger=_modbus_write(extra["trigger"], config, source, f"{prefix}.trigger")
            if "trigger" in extra
            else None,
            state=state,
            pause_s=extra["pause_s"],
        )
    probe = tuple(
        _probe_check(item, config, source, f"probe.{index}")
        for index, item in enumerate(config["probe"])
    )
    modbus = config["modbus"]
    forbidden = tuple((item["start"], item["end"]) for item in modbus["forbidden"])
    for spec in [*values.values(), *identity.values(), *(check.spec for check in probe)]:
        if spec.address is None:
            continue
        for start, end in forbidden:
            if spec.address <= end and spec.end - 1 >= start:
                raise ProfileError(
                    source,
                    f"field 'values.{spec.name}': registers {spec.address}-{spec.end - 1}"
                    f" overlap the forbidden range {start}-{end}",
                )
    profile = WallboxProfile(
        profile_id=profile_id,
        name=config["name"],
        manufacturer=config["manufacturer"],
        model=config["model"],
        source=config["source"],
        transport=config["transport"],
        default_port=config["defaults"]["port"],
        default_unit_id=config["defaults"]["unit_id"],
        max_power_w=config["max_power_w"],
        values=values,
        identity=identity,
        max_registers_per_read=modbus["max_registers_per_read"],
        max_gap=modbus["max_gap"],
        one_value_per_read=modbus["one_value_per_read"],
        forbidden=forbidden,
        request_delay_s=modbus["request_delay_ms"] / 1000,
        endpoints={
            name: (endpoint["path"], endpoint["query"])
            for name, endpoint in config["http"]["endpoints"].items()
        },
        http_auth=config["http"]["auth"],
        current_limit=current_limit,
        enable=enable,
        keepalive=keepalive,
        on_start=on_start,
        wake_up=wake_up,
        phase_switch=phase_switch,
        finished_ends_session=config["finished_ends_session"],
        requires_authorization=config["requires_authorization"],
        power_from_currents_v=config.get("power_from_currents_v"),
        raw=raw,
        probe=probe,
        discovery=_discovery(config["discovery"], source),
    )
    if config["variants"]:
        if config["transport"] != "modbus":
            raise ProfileError(source, "field 'variants': only Modbus profiles have variants")
        variants = tuple(
            _variant(item, config, source, f"variants.{index}")
            for index, item in enumerate(config["variants"])
        )
        for variant in variants:  # every variant must give a usable profile
            try:
                apply_variant(profile, variant)
            except ProfileError as err:
                raise ProfileError(
                    source, f"variant '{variant.variant_id}': {err.detail}"
                ) from None
        profile = replace(profile, variants=variants)
    return profile


def _yaml_children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_expanded_size(root: yaml.Node, source: str) -> None:
    """Refuse documents that grow too large or deep once aliases are expanded.

    Aliases share nodes, so each node is measured once (memoized) however often it is used:
    this takes time in the file's size, not in its expanded size.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    ancestors: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            ancestors.discard(key)
            children = _yaml_children(node)
            size[key] = 1 + sum(size[id(child)] for child in children)
            depth[key] = 1 + max((depth[id(child)] for child in children), default=0)
            if size[key] > PROFILE_MAX_NODES:
                raise ProfileError(
                    source,
                    f"too large once its aliases are expanded (over {PROFILE_MAX_NODES} values)",
                )
            if depth[key] > PROFILE_MAX_DEPTH:
                raise ProfileError(source, f"nested deeper than {PROFILE_MAX_DEPTH} levels")
            continue
        if key in size:
            continue
        if key in ancestors:
            raise ProfileError(source, "an alias refers to a value that contains it")
        ancestors.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _yaml_children(node))


def _load_bounded_yaml(path: Path) -> Any:
    """Parse a YAML file within the size, node and depth bounds (never its expansion)."""
    with path.open("rb") as handle:
        data = handle.read(PROFILE_MAX_BYTES + 1)
    if len(data) > PROFILE_MAX_BYTES:
        raise ProfileError(str(path), f"file is larger than {PROFILE_MAX_BYTES // 1024} KiB")
    loader = yaml.SafeLoader(data.decode("utf-8"))
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expanded_size(node, str(path))
        return loader.construct_document(node)  # type: ignore[no-untyped-call]
    finally:
        loader.dispose()  # type: ignore[no-untyped-call]


def load_profile_file(path: Path) -> WallboxProfile:
    """Read and validate one profile file (blocking I/O: call from an executor)."""
    try:
        raw = _load_bounded_yaml(path)
    except OSError as err:
        raise ProfileError(str(path), f"cannot read file: {err.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise ProfileError(str(path), f"not valid YAML: {err}") from None
    except RecursionError:
        raise ProfileError(str(path), "nested too deeply") from None
    return parse_profile(path.stem, raw, path.name)


BUILTIN_PROFILE_DIR = Path(__file__).parent.parent / "profiles"


@dataclass(slots=True)
class ProfileCatalog:
    """All usable profiles plus the files that failed validation."""

    profiles: dict[str, WallboxProfile] = field(default_factory=dict)
    errors: dict[str, ProfileError] = field(default_factory=dict)


def load_profiles(*directories: Path) -> ProfileCatalog:
    """Load every *.yaml in the directories; later directories add (never replace) models.

    A broken file is reported in `errors` and never stops the others from loading.
    """
    catalog = ProfileCatalog()
    for directory in directories:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.yaml")):
            try:
                profile = load_profile_file(path)
            except ProfileError as err:
                catalog.errors[str(path)] = err
                continue
            if profile.profile_id in catalog.profiles:
                catalog.errors[str(path)] = ProfileError(
                    path.name,
                    f"a profile named '{profile.profile_id}' already exists; rename the file",
                )
                continue
            catalog.profiles[profile.profile_id] = profile
    return catalog
