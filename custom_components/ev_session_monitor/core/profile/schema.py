"""The shape of a profile file: voluptuous schemas for each section, and their error texts."""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from ..decode import TYPE_REGISTERS
from ..numbers import finite_float
from .model import DEFAULT_MAX_POWER_W, IDENTITY_VALUES, VALUE_UNITS, ProfileError

_ORDER = vol.In(["big", "little"])
_TYPES = vol.In(sorted([*TYPE_REGISTERS, "string", "bytes"]))


def _map_keys(value: Any) -> dict[Any, Any]:
    if not isinstance(value, dict) or not value:
        raise vol.Invalid("expected a non-empty mapping of raw value to meaning")
    return value


MODBUS_VALUE = vol.Schema(
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
HTTP_VALUE = vol.Schema(
    {
        vol.Required("endpoint"): str,
        vol.Required("path"): vol.All(str, vol.Length(min=1)),
        vol.Optional("scale", default=1.0): finite_float(),
        vol.Optional("unit"): str,
        vol.Optional("map"): _map_keys,
        vol.Optional("number_in_text", default=False): bool,
    }
)
MODBUS_WRITE = vol.Schema(
    {
        vol.Required("address"): vol.All(int, vol.Range(min=0, max=65535)),
        vol.Optional("type", default="uint16"): vol.In(sorted(TYPE_REGISTERS)),
        vol.Optional("word_order", default="big"): _ORDER,
        vol.Optional("scale", default=1.0): finite_float(),
        vol.Optional("on", default=1): finite_float(),
        vol.Optional("off", default=0): finite_float(),
        vol.Optional("value", default=1): finite_float(),
        vol.Optional("function", default=16): vol.In([5, 6, 16]),
        # The same value is also written to these registers, in order (innogy: one per phase).
        vol.Optional("also", default=[]): [vol.All(int, vol.Range(min=0, max=65535))],
        vol.Optional("min"): finite_float(),
        vol.Optional("max"): finite_float(),
        vol.Optional("interval_s"): vol.All(finite_float(), vol.Range(min=1)),
    }
)
# Extra keys of particular controls, split off before the register itself is validated.
CURRENT_LIMIT_EXTRA = vol.Schema(
    {vol.Optional("refresh_s"): vol.All(finite_float(), vol.Range(min=1, max=3600))}
)
KEEPALIVE_EXTRA = vol.Schema(
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
FAILSAFE_EXTRA = vol.Schema(
    {
        # The box's failsafe is off until a timeout is set (KEBA: 1602 reads 0): setting the
        # failsafe current also turns it on with this timeout, written by the keepalive.
        vol.Optional("timeout_s"): vol.All(finite_float(), vol.Range(min=1, max=3600)),
        # The box's own setting, read and never written (Alfen: set in its installer app).
        vol.Optional("read_only", default=False): bool,
    }
)
WAKE_UP_EXTRA = vol.Schema({vol.Required("fault_status"): vol.Any(int, str)})
PHASE_SWITCH_EXTRA = vol.Schema(
    {
        vol.Required("one_phase"): finite_float(),
        vol.Required("three_phase"): finite_float(),
        vol.Optional("trigger"): dict,
        vol.Optional("state"): dict,
        vol.Optional("pause_s", default=0.0): vol.All(finite_float(), vol.Range(min=0, max=120)),
    }
)
CONDITION = vol.Schema(
    {
        vol.Optional("read"): dict,
        vol.Optional("fails", default=False): bool,
        vol.Optional("min"): finite_float(),
        vol.Optional("max"): finite_float(),
        vol.Optional("firmware_below"): vol.All(str, vol.Match(r"^\d+(\.\d+)*$")),
    }
)
VARIANT = vol.Schema(
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
HTTP_WRITE = vol.Schema(
    {
        vol.Required("path"): vol.All(str, vol.Match(r"^/")),
        vol.Optional("method", default="GET"): vol.In(["GET", "POST", "PUT"]),
        vol.Optional("param", default=""): str,
        vol.Optional("body"): vol.Any(dict, list),
        vol.Optional("on", default=1): vol.Any(int, float, str, bool),
        vol.Optional("off", default=0): vol.Any(int, float, str, bool),
        vol.Optional("value"): vol.Any(int, float, str, bool),
        vol.Optional("scale", default=1.0): vol.All(finite_float(), vol.Range(min=1e-6)),
        # The JSON body carries the value as a string ({"grid_current_limit": "16"}).
        vol.Optional("as_text", default=False): bool,
        # The answer must hold these values ({result: ok}), else the box refused.
        vol.Optional("expect"): vol.All(
            {vol.All(str, vol.Length(min=1)): vol.Any(int, float, str, bool)},
            vol.Length(min=1, max=1),
        ),
        vol.Optional("interval_s"): vol.All(finite_float(), vol.Range(min=1)),
        vol.Optional("merge", default=False): bool,
        # POST body: a JSON object, or an HTML form (openWB Pro /connect.php).
        vol.Optional("encoding", default="json"): vol.In(["json", "form"]),
        # Numbers sent with this many decimals ("16.0"), as the source writes them.
        vol.Optional("decimals"): vol.All(int, vol.Range(min=0, max=3)),
        vol.Optional("min"): finite_float(),
        vol.Optional("max"): finite_float(),
    }
)
PROFILE = vol.Schema(
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
        # Only where a primary source (named in `source`) says the built-in meter is calibrated.
        vol.Optional("calibrated_meter"): vol.Schema(
            {
                vol.Required("standard"): vol.In(["MID", "Eichrecht"]),
                vol.Required("source"): vol.All(str, vol.Length(min=1)),
            }
        ),
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
                vol.Optional("identity_unit_id"): vol.All(int, vol.Range(min=0, max=255)),
                vol.Optional("sentinels", default={}): {_TYPES: [int]},
            }
        ),
        vol.Optional("http", default={}): vol.Schema(
            {
                vol.Optional("auth", default="none"): vol.In(["none", "basic", "digest", "token"]),
                vol.Optional("token_path"): vol.All(str, vol.Match(r"^/")),
                vol.Optional("endpoints", default={}): {
                    str: vol.Schema(
                        {
                            vol.Required("path"): vol.All(str, vol.Match(r"^/")),
                            vol.Optional("query", default={}): {str: str},
                            # Read with POST and this JSON body (SMA measurements/live).
                            vol.Optional("body"): vol.Any(dict, list),
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
                vol.Optional("failsafe_current"): dict,
                vol.Optional("on_start"): [dict],
                vol.Optional("on_first_control"): [dict],
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


def validate(schema: vol.Schema, data: Any, source: str, prefix: str) -> dict[str, Any]:
    """Validate `data` against `schema`; a ProfileError names every wrong field."""
    try:
        result: dict[str, Any] = schema(data)
    except vol.Invalid as err:
        raise ProfileError(source, _format_invalid(err, prefix)) from None
    return result


PROBE_CHECK = vol.Schema(
    {
        vol.Required("read"): dict,
        vol.Optional("unit_id"): vol.All(int, vol.Range(min=0, max=255)),
        vol.Optional("min"): finite_float(),
        vol.Optional("max"): finite_float(),
        vol.Optional("match"): vol.All(str, vol.Length(min=1)),
    }
)
DHCP_MATCHER = vol.Schema(
    {
        vol.Optional("hostname"): vol.All(str, vol.Match(r"^[a-z0-9_*?-]+$")),
        vol.Optional("macaddress"): vol.All(str, vol.Match(r"^[0-9A-F]{6,11}\*$")),
    }
)
DISCOVERY = vol.Schema(
    {
        vol.Optional("zeroconf", default=[]): [
            vol.All(str, vol.Match(r"^_[a-z0-9-]+\._(tcp|udp)\.local\.$"))
        ],
        vol.Optional("dhcp", default=[]): [dict],
    }
)
