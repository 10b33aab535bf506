"""Wallbox profiles: one YAML file per model, validated on load.

A profile is data. It says how to reach a box (transport, defaults), where each value of the
common reading model lives (register or JSON path, type, order, scale), how the box's status
codes map onto ChargerStatus, how the RFID tag is encoded, which raw values mean "not
available", which registers control the box and which keepalive it needs once we write.
The format is documented in docs/profiles.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import voluptuous as vol
import yaml

from .decode import TYPE_REGISTERS, DataType, Order
from .model import Capability, ChargerStatus

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
    "error_code": None,
    "current_limit": "A",
}
IDENTITY_VALUES = ("serial", "firmware")
STATUS_VALUES = [status.value for status in ChargerStatus]
DEFAULT_MAX_POWER_W = 22080.0  # 3 x 32 A x 230 V


class ProfileError(Exception):
    """A profile file that cannot be used; the message names the file, field and expectation."""

    def __init__(self, source: str, message: str) -> None:
        """Store where the problem is."""
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


@dataclass(frozen=True, slots=True)
class HttpWrite:
    """An HTTP request that changes a setting: GET path?param=value or POST path {key: value}."""

    path: str
    method: Literal["GET", "POST"] = "GET"
    param: str = ""
    on: Any = 1
    off: Any = 0


@dataclass(frozen=True, slots=True)
class CurrentLimitControl:
    """The writable charging current."""

    write: ModbusWrite | HttpWrite
    min_a: float
    max_a: float


@dataclass(frozen=True, slots=True)
class Keepalive:
    """What the box needs written periodically once we control it."""

    write: ModbusWrite
    interval_s: float


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
    finished_ends_session: bool = False
    requires_authorization: bool = False

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
        vol.Optional("scale", default=1.0): vol.Coerce(float),
        vol.Optional("unit"): str,
        vol.Optional("sentinels"): [int],
        vol.Optional("map"): _map_keys,
    }
)
_HTTP_VALUE = vol.Schema(
    {
        vol.Required("endpoint"): str,
        vol.Required("path"): vol.All(str, vol.Length(min=1)),
        vol.Optional("scale", default=1.0): vol.Coerce(float),
        vol.Optional("unit"): str,
        vol.Optional("map"): _map_keys,
    }
)
_MODBUS_WRITE = vol.Schema(
    {
        vol.Required("address"): vol.All(int, vol.Range(min=0, max=65535)),
        vol.Optional("type", default="uint16"): vol.In(sorted(TYPE_REGISTERS)),
        vol.Optional("word_order", default="big"): _ORDER,
        vol.Optional("scale", default=1.0): vol.Coerce(float),
        vol.Optional("on", default=1): vol.Coerce(float),
        vol.Optional("off", default=0): vol.Coerce(float),
        vol.Optional("value", default=1): vol.Coerce(float),
        vol.Optional("min"): vol.Coerce(float),
        vol.Optional("max"): vol.Coerce(float),
        vol.Optional("interval_s"): vol.All(vol.Coerce(float), vol.Range(min=1)),
    }
)
_HTTP_WRITE = vol.Schema(
    {
        vol.Required("path"): vol.All(str, vol.Match(r"^/")),
        vol.Optional("method", default="GET"): vol.In(["GET", "POST"]),
        vol.Required("param"): str,
        vol.Optional("on", default=1): vol.Any(int, float, str, bool),
        vol.Optional("off", default=0): vol.Any(int, float, str, bool),
        vol.Optional("min"): vol.Coerce(float),
        vol.Optional("max"): vol.Coerce(float),
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
            vol.Coerce(float), vol.Range(min=1000, max=400000)
        ),
        vol.Optional("finished_ends_session", default=False): bool,
        vol.Optional("requires_authorization", default=False): bool,
        vol.Optional("notes"): str,
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
        if data_type in TYPE_REGISTERS:
            count = data.get("count", TYPE_REGISTERS[data_type])
            if count != TYPE_REGISTERS[data_type]:
                raise ProfileError(
                    source,
                    f"field '{prefix}.count': {data_type} spans"
                    f" {TYPE_REGISTERS[data_type]} registers, not {count}",
                )
        elif "count" not in data:
            raise ProfileError(source, f"field '{prefix}.count': required for type {data_type}")
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
    if name in ("plug", "charging"):
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
        ), data
    data = _validate(_MODBUS_WRITE, raw, source, prefix)
    return ModbusWrite(
        address=data["address"],
        data_type=data["type"],
        word_order=data["word_order"],
        scale=data["scale"],
        on=data["on"],
        off=data["off"],
        value=data["value"],
    ), data


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
    current_limit = enable = keepalive = None
    if "current_limit" in controls:
        write, data = _write(controls["current_limit"], config, source, "controls.current_limit")
        if "min" not in data or "max" not in data or data["min"] > data["max"]:
            raise ProfileError(
                source, "field 'controls.current_limit': expected 'min' and 'max' in A, min <= max"
            )
        current_limit = CurrentLimitControl(write=write, min_a=data["min"], max_a=data["max"])
    if "enable" in controls:
        enable, _ = _write(controls["enable"], config, source, "controls.enable")
    if "keepalive" in controls:
        write, data = _write(controls["keepalive"], config, source, "controls.keepalive")
        if not isinstance(write, ModbusWrite) or "interval_s" not in data:
            raise ProfileError(
                source, "field 'controls.keepalive': expected a Modbus register with 'interval_s'"
            )
        keepalive = Keepalive(write=write, interval_s=data["interval_s"])
    modbus = config["modbus"]
    forbidden = tuple((item["start"], item["end"]) for item in modbus["forbidden"])
    for spec in [*values.values(), *identity.values()]:
        if spec.address is None:
            continue
        for start, end in forbidden:
            if spec.address <= end and spec.end - 1 >= start:
                raise ProfileError(
                    source,
                    f"field 'values.{spec.name}': registers {spec.address}-{spec.end - 1}"
                    f" overlap the forbidden range {start}-{end}",
                )
    return WallboxProfile(
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
        finished_ends_session=config["finished_ends_session"],
        requires_authorization=config["requires_authorization"],
    )


def load_profile_file(path: Path) -> WallboxProfile:
    """Read and validate one profile file (blocking I/O: call from an executor)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ProfileError(str(path), f"cannot read file: {err.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise ProfileError(str(path), f"not valid YAML: {err}") from None
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
