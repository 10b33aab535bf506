"""A wallbox read and controlled over Modbus TCP.

The register plan and decoding live in modbus_registers, the shared connections in
modbus_link; this module turns a profile's values into Readings and its controls into writes.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from .client import WallboxClient
from .decode import DecodeError, encode_number
from .errors import WallboxError, WallboxResponseError, WallboxUnsupportedError
from .modbus_link import ModbusLinkPool
from .modbus_registers import ReadBlock, decode_raw, identity_text, plan_blocks
from .model import ChargerStatus, DeviceIdentity, Reading
from .profile import (
    Condition,
    HttpWrite,
    Keepalive,
    ModbusWrite,
    ValueSpec,
    WallboxProfile,
    apply_variant,
    parse_version,
)
from .reading import convert_raw, reading_from_raw

_LOGGER = logging.getLogger(__name__)

# A session counter is "stuck" after this many polls at 0 while the car draws this much.
STUCK_POLLS = 3
STUCK_MIN_POWER_W = 1000.0


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
        # The keepalive that turns the box's failsafe on, kept until a failsafe current is
        # set (KEBA with its failsafe timeout at 0: profile failsafe_current.timeout_s).
        self._dormant_keepalive: Keepalive | None = None
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

    async def _read_blocks(
        self, blocks: list[ReadBlock], unit_id: int | None = None
    ) -> dict[str, Any]:
        """Read the blocks (from the box's unit unless told) and return raw values by name."""
        unit = self.unit_id if unit_id is None else unit_id
        values: dict[str, Any] = {}
        for index, block in enumerate(blocks):
            if index and self.profile.request_delay_s:
                await asyncio.sleep(self.profile.request_delay_s)
            registers = await self._link.read(block.table, block.address, block.count, unit)
            for spec in block.specs:
                offset = spec.address - block.address  # type: ignore[operator]
                try:
                    values[spec.name] = decode_raw(spec, registers[offset : offset + spec.count])
                except DecodeError as err:
                    raise WallboxResponseError(f"{spec.name}: {err}") from err
        return values

    async def read_raw(self, table: str, address: int, count: int) -> list[int]:
        """Read registers as they are, for a register dump (never a write)."""
        return await self._link.read(table, address, count, self.unit_id)

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
        raw = await self._read_blocks(self._identity_blocks, self.profile.identity_unit_id)
        values = {
            name: identity_text(self.profile.identity[name], value) for name, value in raw.items()
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
            raw = await self._read_blocks(self._plan([spec]), self.profile.identity_unit_id)
            cache[spec.address] = identity_text(spec, raw.get(spec.name))
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
            # The box does not say: keep the profile's interval. A heartbeat that writes the
            # timeout itself writes the one a site sets (KEBA: else 5018 would get 1 s).
            if keepalive.value_is_timeout and self.profile.failsafe_timeout_s:
                write = replace(
                    keepalive.write, value=self.profile.failsafe_timeout_s / timeout.spec.scale
                )
                self.profile = replace(self.profile, keepalive=replace(keepalive, write=write))
            return
        if not seconds:
            if timeout.when_zero == "none" and self.profile.failsafe_timeout_s:
                # The watchdog is off: a site turns it on when it sets the failsafe current.
                seconds = self.profile.failsafe_timeout_s
                self._dormant_keepalive = replace(
                    keepalive,
                    write=replace(keepalive.write, value=seconds / timeout.spec.scale),
                    interval_s=max(seconds * timeout.fraction, timeout.min_interval_s),
                )
                self.profile = replace(self.profile, keepalive=None)
            elif timeout.when_zero == "none":
                # No watchdog runs on the box: nothing to feed, and no fallback current.
                self.profile = replace(self.profile, keepalive=None, failsafe_current=None)
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
        for address in (write.address, *write.also):
            await self._link.write(address, registers, self.unit_id, write.function)

    async def _write_current_limit(self, amps: float) -> None:
        assert self.profile.current_limit is not None
        write = self.profile.current_limit.write
        assert isinstance(write, ModbusWrite)
        # `off` is what stops charging (0 on most boxes; DaheimLaden wants 0.1 A, as 0 A
        # after a restart means "charge without authorization").
        await self._write(write, write.off if amps <= 0 else amps / write.scale)
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
        assert isinstance(write, ModbusWrite)
        await self._write(write, write.value)

    async def _write_fixed(self, write: ModbusWrite | HttpWrite) -> None:
        assert isinstance(write, ModbusWrite)
        await self._write(write, write.value)

    async def set_failsafe_current(self, amps: float) -> None:
        """Set what the box falls back to when its keepalive stops (0 A: it stops charging)."""
        write = self.profile.failsafe_current
        if write is None:
            raise WallboxUnsupportedError(f"{self.profile.name} has no failsafe current")
        await self._write(write, max(amps, 0.0) / write.scale)
        dormant = self._dormant_keepalive
        if dormant is not None:
            # Writing the timeout turns the box's failsafe on; the keepalive keeps it fed.
            self.profile = replace(self.profile, keepalive=dormant)
            await self._write_keepalive()
            self._dormant_keepalive = None

    async def read_failsafe_setting(self) -> float | None:
        """The failsafe current set on the box itself (profile failsafe_current.read_only)."""
        spec = self.profile.failsafe_setting
        if spec is None:
            return None
        value = convert_raw(spec, await self._read_one(spec))
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return float(value) if math.isfinite(value) else None  # NaN: not available

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
        await self._prepare_control()
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
