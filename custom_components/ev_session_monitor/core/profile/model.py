"""The validated form of a wallbox profile: what every part of a profile file becomes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..decode import DataType, Order
from ..model import Capability, ChargerStatus

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
    # North American split-phase boxes (Tesla Wall Connector): the supply voltage and the car's
    # current, from which power is figured when phase C reads half the supply voltage.
    "grid_voltage": "V",
    "vehicle_current": "A",
}
IDENTITY_VALUES = ("serial", "firmware")
STATUS_VALUES = [status.value for status in ChargerStatus]
DEFAULT_MAX_POWER_W = 22080.0  # 3 x 32 A x 230 V


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
class ListMatch:
    """A path step into a list: the first element whose `key` is `value` (SMA's channelId)."""

    key: str
    value: str


type PathStep = str | int | ListMatch


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
    path: tuple[PathStep, ...] = ()
    number_in_text: bool = False  # the number is sent as text ("2300"; Hardy Barth Salia)
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
    # Modbus function code: 5 write single coil (on = value != 0), 6 write single register,
    # 16 write multiple registers.
    function: Literal[5, 6, 16] = 16
    also: tuple[int, ...] = ()  # written with the same value after `address`


@dataclass(frozen=True, slots=True)
class HttpWrite:
    """An HTTP request that changes a setting: GET path?param=value, POST/PUT path {key: value}."""

    path: str
    method: Literal["GET", "POST", "PUT"] = "GET"
    param: str = ""
    on: Any = 1
    off: Any = 0
    value: Any = None  # what a keepalive or a fixed write sends
    scale: float = 1.0  # raw sent = A / scale (mA: 0.001)
    as_text: bool = False  # the JSON body carries the value as a string ({"key": "16"})
    # The answer must hold this value at this path, else the box refused ({"result": "ok"}).
    expect: tuple[tuple[PathStep, ...], Any] | None = None
    # A JSON body to send instead of {param: value}: the text "{value}" in it is the value,
    # "{now}" the UTC time (SMA: {"values": [{"channelId": ..., "value": "{value}"}]}).
    body: Any = None
    # The box replaces the whole JSON document on every POST (OpenEVSE /override): read it
    # (GET on the same path), change this key, post all of it back.
    merge: bool = False
    encoding: Literal["json", "form"] = "json"  # the body of a POST
    decimals: int | None = None  # numbers as text with this many decimals


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

    write: ModbusWrite | HttpWrite
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
    transport: Literal["modbus", "http", "ocpp"]
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
    identity_unit_id: int | None = None  # serial and firmware on another unit (Alfen: 200)
    # HTTP
    endpoints: Mapping[str, tuple[str, Mapping[str, str]]] = field(default_factory=dict)
    http_auth: Literal["none", "basic", "digest", "token"] = "none"
    token_path: str | None = None  # OAuth 2.0 password grant (auth: token)
    # A JSON body per endpoint: the endpoint is read with POST (SMA measurements/live).
    endpoint_bodies: Mapping[str, Any] = field(default_factory=dict)
    # Controls
    current_limit: CurrentLimitControl | None = None
    enable: ModbusWrite | HttpWrite | None = None
    keepalive: Keepalive | None = None
    # The current the box falls back to by itself when its keepalive stops (Home Assistant
    # gone): a site writes its safe share here. Raw written = A / scale.
    failsafe_current: ModbusWrite | None = None
    # With the box's failsafe off (its timeout reads 0), the timeout setting the failsafe
    # current turns it on with, written through the keepalive (KEBA 5018).
    failsafe_timeout_s: float | None = None
    # A failsafe current the box only reports (set on the box itself, Alfen 1212): a site
    # checks it against its safe share and raises a repair when it is higher.
    failsafe_setting: ValueSpec | None = None
    on_start: tuple[ModbusWrite, ...] = ()  # written once when the box is set up
    # Written once before the first control we send (Salia: the manual charge mode).
    on_first_control: tuple[ModbusWrite | HttpWrite, ...] = ()
    wake_up: WakeUp | None = None
    phase_switch: PhaseSwitch | None = None
    finished_ends_session: bool = False
    requires_authorization: bool = False
    # The built-in meter's calibration ("MID", "Eichrecht") as a primary source says; None: unknown.
    calibrated_meter: str | None = None
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
        from_currents = has("current_l1") and self.power_from_currents_v is not None
        if has("power") or (has("current_l1") and has("voltage_l1")) or from_currents:
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
