"""The interface every transport offers to the layers above."""

from __future__ import annotations

from abc import ABC, abstractmethod

from .errors import WallboxUnsupportedError
from .model import DeviceIdentity, Reading
from .profile import HttpWrite, ModbusWrite, WallboxProfile


class WallboxClient(ABC):
    """Reads a wallbox into the common model and writes its controls."""

    def __init__(self, profile: WallboxProfile) -> None:
        """Remember the profile that describes the box."""
        self.profile = profile
        self.phases: int | None = None  # 1 or 3 where the box can switch and it is known
        # What the box says beyond its readings (variants chosen, fallbacks in use).
        self.notes: list[str] = []
        self._paused_by_zero = False  # 0 A was asked of a box with an on/off switch
        self._control_prepared = False  # the profile's on_first_control writes were sent

    @abstractmethod
    async def read(self) -> Reading:
        """Poll every value of the profile."""

    @abstractmethod
    async def read_identity(self) -> DeviceIdentity:
        """Read serial number and firmware, where the profile knows them."""

    @abstractmethod
    async def _write_current_limit(self, amps: float) -> None: ...

    @abstractmethod
    async def _write_enabled(self, enabled: bool) -> None: ...

    @abstractmethod
    async def _write_keepalive(self) -> None: ...

    @abstractmethod
    async def _write_fixed(self, write: ModbusWrite | HttpWrite) -> None:
        """Send a write with its own fixed value (on_first_control)."""

    async def _prepare_control(self) -> None:
        """Send the profile's on_first_control writes once, before the first control.

        Salia takes current and pause only in its manual charge mode (evcc and OpenEMS set it
        first); a box Home Assistant only reads keeps the mode its owner chose.
        """
        if self._control_prepared:
            return
        for write in self.profile.on_first_control:
            await self._write_fixed(write)
        self._control_prepared = True

    @abstractmethod
    async def close(self) -> None:
        """Release the connection."""

    async def set_current_limit(self, amps: float) -> None:
        """Set the charging current; 0 A pauses charging (clamped to the profile's range).

        A box with an on/off switch is paused with it, never with a current below its
        minimum (evcc writes nothing under 6 A to any box), and switched on again by the
        next current asked of it.
        """
        control = self.profile.current_limit
        if control is None:
            raise WallboxUnsupportedError(f"{self.profile.name} has no current control")
        await self._prepare_control()
        if amps <= 0 and self.profile.enable is not None:
            await self._write_enabled(False)
            self._paused_by_zero = True
            return
        if amps > 0:
            amps = min(max(amps, control.min_a), control.max_a)
        await self._write_current_limit(amps)
        if amps > 0 and self._paused_by_zero:
            await self._write_enabled(True)
            self._paused_by_zero = False

    async def set_enabled(self, enabled: bool) -> None:
        """Allow or stop charging (boxes without an enable register get 0 A / max A)."""
        self._paused_by_zero = False
        if self.profile.enable is not None:
            await self._prepare_control()
            await self._write_enabled(enabled)
            return
        control = self.profile.current_limit
        if control is None:
            raise WallboxUnsupportedError(f"{self.profile.name} cannot be switched")
        await self._write_current_limit(control.max_a if enabled else 0)

    async def refresh_setpoint(self) -> None:
        """Write the last current again, for boxes that forget it (none over this transport)."""
        return

    @abstractmethod
    async def set_phases(self, phases: int) -> None:
        """Switch 1-phase / 3-phase charging; WallboxUnsupportedError if the box cannot."""

    async def wake_up(self) -> None:
        """Wake a car that fell asleep while plugged in, where the box can (Heidelberg)."""
        raise WallboxUnsupportedError(f"{self.profile.name} cannot wake a car")

    async def set_failsafe_current(self, amps: float) -> None:
        """Set what the box falls back to by itself when the keepalive stops (Modbus only)."""
        raise WallboxUnsupportedError(f"{self.profile.name} has no failsafe current")

    async def read_failsafe_setting(self) -> float | None:
        """The failsafe current set on the box itself, where it only reports it (Alfen)."""
        return None

    async def keepalive(self) -> None:
        """Tell the box we are still here, if it needs that."""
        if self.profile.keepalive is not None:
            await self._write_keepalive()
