"""The simulated wallbox: one consistent physical state, whatever protocol serves it."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from custom_components.ev_session_monitor.core.model import ChargerStatus

GRID_VOLTAGE_V = 230.0


@dataclass
class Faults:
    """Misbehaviour to inject into the next answers."""

    refuse_connections: bool = False
    drop_next_request: bool = False
    delay_s: float = 0.0
    garbage: bool = False  # every numeric value replaced by random registers
    sentinels: bool = False  # every value reads as "not available"


@dataclass
class WallboxState:
    """What the box is doing; advance() moves time forward and the meters with it."""

    status: ChargerStatus = ChargerStatus.IDLE
    vehicle_power_w: float = 0.0  # what the car would draw if allowed
    lifetime_wh: float = 0.0
    session_wh: float = 0.0  # the box's own session counter
    tag: str | None = None
    tag_reads: int = 0  # increments on every card read (go-e lrr)
    error_code: int = 0
    current_limit_a: float | None = None  # None until a controller writes one
    enabled: bool = True
    serial: str = "SIM0001"
    firmware: str = "1.0.0-sim"
    watchdog_timeout_s: float = 20.0  # the box's failsafe / communication timeout setting
    # The current the box falls back to once the watchdog runs out (Webasto NEXT / Vestel
    # register 2000); None: not written, the box keeps the last current (no fallback modelled).
    failsafe_current_a: float | None = None
    since_keepalive_s: float = 0.0  # time since the last keepalive (life bit, alive register)
    phases: int = 3  # phases in use, where the box can switch them
    lifetime_wrap_wh: float | None = None  # meter wraps here (register width)
    # Ground truth for tests: energy really delivered in the current plug-in.
    delivered_this_plugin_wh: float = 0.0
    writes: list[tuple[str, float]] = field(default_factory=list)
    keepalives: int = 0
    faults: Faults = field(default_factory=Faults)
    paused_by: ChargerStatus | None = None
    # Meter noise: the measured power varies by up to this share (0.005 = +-0.5 %), drawn anew
    # whenever time advances; energy counts what was measured.
    power_jitter: float = 0.0
    jitter_factor: float = 1.0
    rng: random.Random = field(default_factory=lambda: random.Random(1), repr=False)

    @property
    def vehicle_present(self) -> bool:
        """Return True while a car is plugged in."""
        return self.status is not ChargerStatus.IDLE

    @property
    def power_w(self) -> float:
        """Return the power flowing now (the car's demand, limited by the box's controls)."""
        if self.status is not ChargerStatus.CHARGING:
            return 0.0
        return self._allowed_power() * self.jitter_factor

    @property
    def failsafe_active(self) -> bool:
        """The controller has been silent for the watchdog timeout: the failsafe current rules.

        Webasto NEXT (nymea webasto-next-registers.json): 2000 is the "max. charge current under
        communication failure", 2002 the communication timeout, 6000 the life bit the master
        writes; Vestel EVC04 likewise (2000 failsafe current, 2002 failsafe timeout, 6000 alive).
        """
        return (
            self.failsafe_current_a is not None
            and self.watchdog_timeout_s > 0
            and self.since_keepalive_s > self.watchdog_timeout_s
        )

    @property
    def effective_limit_a(self) -> float | None:
        """The current the box lets the car draw now."""
        if self.failsafe_active:
            return self.failsafe_current_a
        return self.current_limit_a

    def _allowed_power(self) -> float:
        limit = self.effective_limit_a
        if not self.enabled or limit == 0:
            return 0.0
        power = self.vehicle_power_w
        if limit is not None:
            power = min(power, limit * GRID_VOLTAGE_V * self.phases)
        return power

    @property
    def currents_a(self) -> tuple[float, float, float]:
        """Return per-phase currents matching the power (on L1 alone when switched to 1 phase)."""
        per_phase = self.power_w / (GRID_VOLTAGE_V * self.phases)
        return (
            per_phase,
            per_phase if self.phases == 3 else 0.0,
            per_phase if self.phases == 3 else 0.0,
        )

    def _settle(self) -> None:
        """Re-evaluate charging after a control write or an action."""
        if self.status in (ChargerStatus.CHARGING, ChargerStatus.SUSPENDED_CHARGER):
            if self.paused_by is not None:
                return
            blocked = self.vehicle_power_w > 0 and self._allowed_power() == 0
            self.status = ChargerStatus.SUSPENDED_CHARGER if blocked else ChargerStatus.CHARGING

    # --- scenario actions -------------------------------------------------------------

    def plug_in(self, *, needs_authorization: bool = False) -> None:
        """Connect a vehicle: the box's session counter restarts."""
        self.status = (
            ChargerStatus.WAITING_FOR_AUTHORIZATION
            if needs_authorization
            else ChargerStatus.CONNECTED
        )
        self.session_wh = 0.0
        self.delivered_this_plugin_wh = 0.0
        self.tag = None
        self.paused_by = None

    def present_tag(self, tag: str) -> None:
        """A card is held to the reader (the box shows it; accepting is the box's business)."""
        self.tag = tag
        self.tag_reads += 1
        if self.status is ChargerStatus.WAITING_FOR_AUTHORIZATION:
            self.status = ChargerStatus.CONNECTED

    def start_charging(self, power_w: float) -> None:
        """The car starts drawing power (limited by the box's current limit)."""
        if not self.vehicle_present:
            self.plug_in()
        self.vehicle_power_w = power_w
        self.paused_by = None
        self.status = ChargerStatus.CHARGING
        self._settle()

    def pause(self, *, by_vehicle: bool = True) -> None:
        """Charging pauses, by the car (full, scheduled) or by the box."""
        self.paused_by = (
            ChargerStatus.SUSPENDED_EV if by_vehicle else ChargerStatus.SUSPENDED_CHARGER
        )
        self.status = self.paused_by

    def finish(self) -> None:
        """The car is full; it stays plugged."""
        self.paused_by = ChargerStatus.FINISHED
        self.status = ChargerStatus.FINISHED

    def unplug(self) -> None:
        """The vehicle leaves."""
        self.status = ChargerStatus.IDLE
        self.vehicle_power_w = 0.0
        self.paused_by = None
        self.tag = None

    def fail(self, code: int) -> None:
        """The box reports an error."""
        self.status = ChargerStatus.ERROR
        self.error_code = code

    def advance(self, seconds: float) -> None:
        """Let time pass: energy flows at the present power (the failsafe may cut in midway)."""
        run_out = self.watchdog_timeout_s - self.since_keepalive_s
        watched = self.failsafe_current_a is not None and self.watchdog_timeout_s > 0
        if watched and 0 <= run_out < seconds:
            energy = self.power_w * run_out / 3600.0  # until the watchdog runs out
            self.since_keepalive_s += seconds
            self._settle()
            energy += self.power_w * (seconds - run_out) / 3600.0  # at the failsafe current
        else:
            energy = self.power_w * seconds / 3600.0
            self.since_keepalive_s += seconds
        self.lifetime_wh += energy
        if self.lifetime_wrap_wh is not None and self.lifetime_wh >= self.lifetime_wrap_wh:
            self.lifetime_wh -= self.lifetime_wrap_wh
        self.session_wh += energy
        self.delivered_this_plugin_wh += energy
        if self.power_jitter:
            self.jitter_factor = 1.0 + self.rng.uniform(-self.power_jitter, self.power_jitter)

    def reset_session_counter(self) -> None:
        """The box restarts its session counter (phase switch, start/stop on some models)."""
        self.session_wh = 0.0

    def reboot(self) -> None:
        """The box restarts: session counter, tag and written limits are lost.

        The simulator facade also drops every open connection.
        """
        self.session_wh = 0.0
        self.tag = None
        self.current_limit_a = None

    # --- control writes (called by the protocol servers) ---------------------------------

    def write_current_limit(self, amps: float) -> None:
        """A controller set the charging current."""
        self.current_limit_a = amps
        self.writes.append(("current_limit", amps))
        self._settle()

    def write_enabled(self, enabled: bool) -> None:
        """A controller switched charging on or off."""
        self.enabled = enabled
        self.writes.append(("enabled", float(enabled)))
        self._settle()

    def write_keepalive(self) -> None:
        """A controller signalled it is alive."""
        self.keepalives += 1
        self.since_keepalive_s = 0.0
        self._settle()

    def write_failsafe_current(self, amps: float) -> None:
        """A controller set the current the box falls back to when it goes silent."""
        self.failsafe_current_a = amps
        self.writes.append(("failsafe_current", amps))
        self._settle()
