"""Modbus TCP transport on pymodbus' asyncio client.

Reads a profile's values in the fewest requests (neighbouring registers merged into blocks
within the profile's limits), over one connection per host:port shared by every unit id on
it, with requests serialized, a timeout per request, and reconnection with backoff.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pymodbus.client import AsyncModbusTcpClient
from pymodbus.exceptions import ModbusException

from .client import WallboxClient
from .decode import (
    TYPE_REGISTERS,
    DecodeError,
    decode_hex,
    decode_number,
    decode_string,
    encode_number,
)
from .errors import (
    WallboxConnectionError,
    WallboxError,
    WallboxResponseError,
    WallboxUnsupportedError,
)
from .model import ChargerStatus, DeviceIdentity, Reading
from .profile import (
    Condition,
    ModbusWrite,
    ValueSpec,
    WallboxProfile,
    apply_variant,
    parse_version,
)
from .reading import convert_raw, reading_from_raw

_LOGGER = logging.getLogger(__name__)

REQUEST_TIMEOUT_S = 5.0
BACKOFF_MAX_SKIPPED_POLLS = 15
# A session counter is "stuck" after this many polls at 0 while the car draws this much.
STUCK_POLLS = 3
STUCK_MIN_POWER_W = 1000.0


@dataclass(frozen=True, slots=True)
class ReadBlock:
    """One read request covering one or more values."""

    table: str
    address: int
    count: int
    specs: tuple[ValueSpec, ...]


def plan_blocks(
    specs: Iterable[ValueSpec],
    *,
    max_registers: int,
    max_gap: int,
    one_value_per_read: bool,
    forbidden: Sequence[tuple[int, int]] = (),
) -> list[ReadBlock]:
    """Group values into as few read requests as the profile's limits allow."""
    ordered = sorted(specs, key=lambda s: (s.table, s.address or 0, s.count))
    blocks: list[ReadBlock] = []
    for spec in ordered:
        assert spec.address is not None
        if blocks and not one_value_per_read:
            last = blocks[-1]
            end = last.address + last.count
            new_end = max(end, spec.end)
            gap_start, gap_end = end, spec.address - 1
            touches_forbidden = any(
                gap_start <= f_end and gap_end >= f_start for f_start, f_end in forbidden
            )
            if (
                spec.table == last.table
                and spec.address - end <= max_gap
                and new_end - last.address <= max_registers
                and not touches_forbidden
            ):
                blocks[-1] = ReadBlock(
                    last.table, last.address, new_end - last.address, (*last.specs, spec)
                )
                continue
        blocks.append(ReadBlock(spec.table, spec.address, spec.count, (spec,)))
    return blocks


def decode_raw(spec: ValueSpec, registers: Sequence[int]) -> Any:
    """Decode one value before map and scale; None when the box says "not available"."""
    if spec.data_type == "string":
        text = decode_string(
            registers, byte_order=spec.byte_order, chars_per_register=spec.chars_per_register
        )
        return text or None
    if spec.data_type == "bytes":
        return decode_hex(registers, byte_order=spec.byte_order) or None
    size = TYPE_REGISTERS[spec.data_type]
    total: int | float = 0
    for start in range(0, spec.count, size):
        raw = decode_number(
            registers[start : start + size],
            spec.data_type,
            word_order=spec.word_order,
            byte_order=spec.byte_order,
        )
        if isinstance(raw, float) and not math.isfinite(raw):
            return None
        if isinstance(raw, int) and raw in spec.sentinels:
            return None
        total += raw
    raw = total
    if spec.mask is not None and isinstance(raw, int):
        raw = (raw >> spec.shift) & spec.mask
    if spec.as_hex:
        return f"{int(raw):0{TYPE_REGISTERS[spec.data_type] * 4}X}" if raw else None
    return raw


class ModbusLink:
    """One TCP connection to host:port, shared by every unit id behind it."""

    def __init__(self, host: str, port: int, *, timeout: float = REQUEST_TIMEOUT_S) -> None:
        """Prepare (but do not open) the connection."""
        self.host = host
        self.port = port
        self.timeout = timeout
        self.users = 0
        self._lock = asyncio.Lock()
        self._client: AsyncModbusTcpClient | None = None
        self._failures = 0
        self._skip = 0  # reads to fail fast before the next connection attempt
        self.requests = 0  # for benchmarks and tests: requests sent on this link

    async def _connected_client(self) -> AsyncModbusTcpClient:
        if self._client is not None and self._client.connected:
            return self._client
        if self._skip:
            self._skip -= 1
            raise WallboxConnectionError(
                f"{self.host}:{self.port} unreachable, next attempt in {self._skip + 1} polls"
            )
        self._drop()
        # pymodbus' own reconnect loop is disabled: we reconnect on the next poll, with backoff.
        client = AsyncModbusTcpClient(
            self.host, port=self.port, timeout=self.timeout, retries=0, reconnect_delay=0
        )
        try:
            async with asyncio.timeout(self.timeout):
                connected = await client.connect()
        except (TimeoutError, OSError, ModbusException, ValueError):
            # ValueError: a host name the resolver refuses (label over 63 characters: idna's
            # UnicodeError; NUL). The config flow rejects those first; an old entry may not.
            connected = False
        if not connected:
            client.close()
            self._failed()
            raise WallboxConnectionError(f"cannot connect to {self.host}:{self.port}")
        self._client = client
        return client

    def _failed(self) -> None:
        # Back off in polls, not seconds (the poll interval sets the pace): retry on the next
        # two polls, then skip 1, 3, 7 and at most 15 polls between attempts.
        self._failures += 1
        self._skip = min((1 << max(self._failures - 2, 0)) - 1, BACKOFF_MAX_SKIPPED_POLLS)

    def _drop(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    async def _request(self, call: str, address: int, unit: int, **kwargs: Any) -> Any:
        """Send one request; reconnect once if the box dropped the connection."""
        for attempt in (1, 2):
            client = await self._connected_client()
            self.requests += 1
            deadline = asyncio.timeout(self.timeout)
            try:
                async with deadline:
                    response = await getattr(client, call)(address, device_id=unit, **kwargs)
            except (TimeoutError, ModbusException, OSError) as err:
                self._drop()
                # pymodbus turns our timeout's cancellation into its own exception.
                if isinstance(err, TimeoutError) or deadline.expired():
                    self._failed()
                    raise WallboxConnectionError(
                        f"{self.host}:{self.port} did not answer within {self.timeout:g} s"
                    ) from err
                if attempt == 2:
                    self._failed()
                    raise WallboxConnectionError(
                        f"connection to {self.host}:{self.port} lost: {err}"
                    ) from err
                continue  # the box dropped the connection: reconnect once
            if response.isError():
                raise WallboxResponseError(
                    f"{call} at {address} (unit {unit}) refused by the box: {response}"
                )
            self._failures = 0
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    async def read(self, table: str, address: int, count: int, unit: int) -> list[int]:
        """Read `count` registers from the holding or input table."""
        call = "read_input_registers" if table == "input" else "read_holding_registers"
        async with self._lock:
            response = await self._request(call, address, unit, count=count)
        registers: list[int] = list(response.registers)
        if len(registers) != count:
            raise WallboxResponseError(
                f"asked for {count} registers at {address}, got {len(registers)}"
            )
        return registers

    async def write(self, address: int, values: list[int], unit: int, function: int = 16) -> None:
        """Write holding registers with function code 16, or one register with code 6."""
        async with self._lock:
            if function == 6:
                await self._request("write_register", address, unit, value=values[0])
            else:
                await self._request("write_registers", address, unit, values=values)

    def close(self) -> None:
        """Close the connection."""
        self._drop()


class ModbusLinkPool:
    """Shares one ModbusLink per host:port between wallboxes (unit ids) on it."""

    def __init__(self) -> None:
        """Start empty."""
        self._links: dict[tuple[str, int], ModbusLink] = {}

    def acquire(self, host: str, port: int) -> ModbusLink:
        """Return the link for host:port, creating it on first use."""
        link = self._links.get((host, port))
        if link is None:
            link = self._links[(host, port)] = ModbusLink(host, port)
        link.users += 1
        return link

    def release(self, link: ModbusLink) -> None:
        """Give a link back; the last user closes it."""
        link.users -= 1
        if link.users <= 0:
            link.close()
            self._links.pop((link.host, link.port), None)


class ModbusWallboxClient(WallboxClient):
    """A wallbox read over Modbus TCP."""

    def __init__(
        self, profile: WallboxProfile, pool: ModbusLinkPool, host: str, port: int, unit_id: int
    ) -> None:
        """Plan the read blocks once; connect lazily."""
        super().__init__(profile)
        self._pool = pool
        self._link = pool.acquire(host, port)
        self.unit_id = unit_id
        self._replan()
        self.setpoint_a: float | None = None  # the last current we wrote
        self._resume_a: float | None = None  # the last current above 0 A
        self._last: Reading | None = None
        self._waking = False
        self._energy = _PowerIntegrator()

    def _replan(self) -> None:
        self.blocks = self._plan(self.profile.values.values())
        self._identity_blocks = self._plan(self.profile.identity.values())

    def _plan(self, specs: Iterable[ValueSpec]) -> list[ReadBlock]:
        profile = self.profile
        return plan_blocks(
            specs,
            max_registers=profile.max_registers_per_read,
            max_gap=profile.max_gap,
            one_value_per_read=profile.one_value_per_read,
            forbidden=profile.forbidden,
        )

    @property
    def requests_sent(self) -> int:
        """Return requests sent on this box's connection (benchmarks)."""
        return self._link.requests

    async def _read_blocks(self, blocks: list[ReadBlock]) -> dict[str, Any]:
        """Read the blocks and return raw values by name."""
        values: dict[str, Any] = {}
        for index, block in enumerate(blocks):
            if index and self.profile.request_delay_s:
                await asyncio.sleep(self.profile.request_delay_s)
            registers = await self._link.read(block.table, block.address, block.count, self.unit_id)
            for spec in block.specs:
                offset = spec.address - block.address  # type: ignore[operator]
                try:
                    values[spec.name] = decode_raw(spec, registers[offset : offset + spec.count])
                except DecodeError as err:
                    raise WallboxResponseError(f"{spec.name}: {err}") from err
        return values

    async def _read_one(self, spec: ValueSpec) -> Any:
        return (await self._read_blocks(self._plan([spec]))).get(spec.name)

    async def read(self) -> Reading:
        """Poll every value."""
        raw = await self._read_blocks(self.blocks)
        reading = reading_from_raw(self.profile, raw)
        reading = await self._wake_up_state(reading, raw.get("status"))
        reading = self._derived(reading, raw)
        switch = self.profile.phase_switch
        if switch is not None and switch.state is not None:
            try:
                self.phases = convert_raw(switch.state, await self._read_one(switch.state))
            except WallboxResponseError:
                self.phases = None  # the readings stand; only the phases are unknown now
        self._last = reading
        return reading

    def _derived(self, reading: Reading, raw: dict[str, Any]) -> Reading:
        """Values the box does not report directly: power from currents, integrated energy."""
        if reading.power_w is None and self.profile.power_from_currents_v is not None:
            currents = [current for current in reading.currents_a if current is not None]
            if currents:
                power = round(sum(currents) * self.profile.power_from_currents_v, 1)
                reading = replace(reading, power_w=power)
        spec = self.profile.values.get("session_energy")
        if spec is not None and spec.stuck_at_zero_fallback:
            trusted, integrated = self._energy.update(reading, raw.get("session_energy"))
            if not trusted and integrated is None:
                # At 0 while charging: set aside until the counter moves or is known stuck.
                reading = replace(reading, session_energy_wh=None)
            elif integrated is not None:
                if not self._energy.announced:
                    self._energy.announced = True
                    note = (
                        "session energy register stays at 0 while charging (known firmware"
                        " bug): session energy is integrated from power instead"
                    )
                    self.notes.append(note)
                    _LOGGER.warning("%s: %s", self.profile.name, note)
                reading = replace(reading, session_energy_wh=round(integrated, 3))
        return reading

    async def _wake_up_state(self, reading: Reading, raw_status: Any) -> Reading:
        """State F after a wake-up: unlock again, and show the car as connected meanwhile."""
        wake_up = self.profile.wake_up
        if wake_up is None:
            return reading
        if raw_status != wake_up.fault_status:
            self._waking = False
            return reading
        if await self._read_one(wake_up.lock) == wake_up.write.off:
            await self._write(wake_up.write, wake_up.write.on)
        if self._waking:
            return replace(reading, status=ChargerStatus.CONNECTED)
        return reading

    async def wake_up(self) -> None:
        """Force state F for a moment: a sleeping car starts charging again (about 10 s)."""
        wake_up = self.profile.wake_up
        if wake_up is None:
            raise WallboxUnsupportedError(f"{self.profile.name} cannot wake a car")
        await self._write(wake_up.write, wake_up.write.off)
        self._waking = True
        await self._write(wake_up.write, wake_up.write.on)

    # --- identification ----------------------------------------------------------------------

    async def read_identity(self) -> DeviceIdentity:
        """Choose the box's variant, then read serial and firmware; run its start-up writes."""
        firmware_cache: dict[int | None, str | None] = {}
        for variant in self.profile.variants:
            if await self._matches(variant.when, firmware_cache):
                self.profile = apply_variant(self.profile, variant)
                self.notes.append(f"variant: {variant.label}")
                _LOGGER.info("%s: %s", self.profile.name, variant.label)
        for write in self.profile.on_start:
            await self._write(write, write.value)
        await self._resolve_keepalive()
        self._replan()
        raw = await self._read_blocks(self._identity_blocks)
        values = {
            name: _identity_text(self.profile.identity[name], value) for name, value in raw.items()
        }
        extra = {"variant": "; ".join(self.profile.active_variants)}
        return DeviceIdentity(
            serial=values.get("serial"),
            firmware=values.get("firmware"),
            extra=extra if self.profile.active_variants else {},
        )

    async def _firmware(self, cache: dict[int | None, str | None]) -> str | None:
        spec = self.profile.identity.get("firmware")
        if spec is None:
            return None
        if spec.address not in cache:
            cache[spec.address] = _identity_text(spec, await self._read_one(spec))
        return cache[spec.address]

    async def _matches(
        self, conditions: Iterable[Condition], firmware_cache: dict[int | None, str | None]
    ) -> bool:
        for condition in conditions:
            if condition.firmware_below is not None:
                version = parse_version(await self._firmware(firmware_cache))
                # Unknown firmware counts as old: the variant for old firmware is the safe one.
                if version is not None and version >= condition.firmware_below:
                    return False
                continue
            assert condition.spec is not None
            try:
                value = await self._read_one(condition.spec)
            except WallboxError:
                # A register the firmware lacks: what `fails` probes for, else "no such feature".
                if condition.fails:
                    continue
                return False
            if condition.fails:
                return False
            number = convert_raw(condition.spec, value)
            if not isinstance(number, (int, float)):
                return False
            if condition.minimum is not None and number < condition.minimum:
                return False
            if condition.maximum is not None and number > condition.maximum:
                return False
        return True

    async def _resolve_keepalive(self) -> None:
        """Run the keepalive at a fraction of the watchdog timeout the box is set to."""
        keepalive = self.profile.keepalive
        if keepalive is None or keepalive.timeout is None:
            return
        timeout = keepalive.timeout
        try:
            seconds = convert_raw(timeout.spec, await self._read_one(timeout.spec))
        except WallboxResponseError:
            return  # the box does not say: keep the profile's interval
        if not seconds:
            if timeout.when_zero == "none":
                self.profile = replace(self.profile, keepalive=None)
            return
        write = keepalive.write
        if keepalive.value_is_timeout:
            write = replace(write, value=float(seconds) / timeout.spec.scale)
        interval = max(float(seconds) * timeout.fraction, timeout.min_interval_s)
        self.profile = replace(
            self.profile, keepalive=replace(keepalive, write=write, interval_s=interval)
        )

    # --- controls ------------------------------------------------------------------------------

    async def _write(self, write: ModbusWrite, value: float) -> None:
        registers = encode_number(value, write.data_type, word_order=write.word_order)
        await self._link.write(write.address, registers, self.unit_id, write.function)

    async def _write_current_limit(self, amps: float) -> None:
        assert self.profile.current_limit is not None
        write = self.profile.current_limit.write
        assert isinstance(write, ModbusWrite)
        await self._write(write, amps / write.scale)
        self.setpoint_a = amps
        if amps > 0:
            self._resume_a = amps

    async def set_enabled(self, enabled: bool) -> None:
        """Without an enable register, switching on restores the last current (as evcc does)."""
        if enabled and self.profile.enable is None and self._resume_a is not None:
            await self._write_current_limit(self._resume_a)
            return
        await super().set_enabled(enabled)

    async def _write_enabled(self, enabled: bool) -> None:
        write = self.profile.enable
        assert isinstance(write, ModbusWrite)
        await self._write(write, write.on if enabled else write.off)

    async def _write_keepalive(self) -> None:
        assert self.profile.keepalive is not None
        write = self.profile.keepalive.write
        await self._write(write, write.value)

    async def refresh_setpoint(self) -> None:
        """Write the last current again before the box's validity time drops it."""
        if self.setpoint_a is not None:
            await self._write_current_limit(self.setpoint_a)

    async def set_phases(self, phases: int) -> None:
        """Switch 1p/3p; a charging car is paused for the switch and resumed after it.

        With `pause_s` 0 the box interrupts charging for the switch itself (openWB).
        """
        switch = self.profile.phase_switch
        if switch is None:
            raise WallboxUnsupportedError(f"{self.profile.name} cannot switch phases")
        charging = self._last is not None and self._last.charging
        resume: float | None = None
        if charging and switch.pause_s > 0 and self.profile.current_limit is not None:
            control = self.profile.current_limit
            resume = self.setpoint_a or (self._last.current_limit_a if self._last else None)
            resume = resume or control.max_a
            await self.set_current_limit(0)
            await asyncio.sleep(switch.pause_s)
        assert isinstance(switch.write, ModbusWrite)
        await self._write(switch.write, switch.one_phase if phases == 1 else switch.three_phase)
        if switch.trigger is not None:
            await self._write(switch.trigger, switch.trigger.value)
        self.phases = phases
        if resume is not None:
            await asyncio.sleep(switch.pause_s)
            await self.set_current_limit(resume)

    async def close(self) -> None:
        """Release the shared link."""
        self._pool.release(self._link)


@dataclass(slots=True)
class _PowerIntegrator:
    """Session energy from power, for boxes whose session counter stays at zero."""

    stuck: bool = False
    announced: bool = False
    zero_polls: int = 0
    wh: float = 0.0
    last_power_w: float | None = None
    last_at: float | None = None

    def update(self, reading: Reading, raw_session: Any) -> tuple[bool, float | None]:
        """Integrate this poll: (counter trusted, integrated energy once the counter is stuck).

        Power is integrated from plug-in on. A counter at 0 while the car draws power is not
        trusted until it moves (the reading is then set aside, and the next one covers the
        time) or has stayed at 0 long enough to be called stuck.
        """
        now = time.monotonic()
        if not reading.vehicle_present:
            self.wh, self.last_power_w, self.last_at, self.zero_polls = 0.0, None, None, 0
            return True, None
        if self.last_at is not None and self.last_power_w is not None:
            self.wh += self.last_power_w * (now - self.last_at) / 3600
        self.last_power_w, self.last_at = reading.power_w, now
        if self.stuck:
            return False, self.wh
        drawing = reading.charging and (reading.power_w or 0) >= STUCK_MIN_POWER_W
        if not drawing or raw_session != 0:
            self.zero_polls = 0
            return True, None
        self.zero_polls += 1
        if self.zero_polls >= STUCK_POLLS:
            self.stuck = True
            return False, self.wh
        return False, None


def _identity_text(spec: ValueSpec, value: Any) -> str | None:
    """Serial or firmware as text; numeric firmware versions in dotted form."""
    if value is None:
        return None
    if isinstance(value, int) and spec.text_format == "version_bytes":
        # KEBA P30: one byte each for major, minor and patch (0x030A0D00 = 3.10.13).
        return ".".join(str(byte) for byte in value.to_bytes(4, "big")[:3])
    if isinstance(value, int) and spec.text_format == "version_decimal":
        # KEBA P40: major * 10000 + minor * 100 + patch (10201 = 1.2.1).
        return f"{value // 10000}.{value // 100 % 100}.{value % 100}"
    return _text(convert_raw(spec, value))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
