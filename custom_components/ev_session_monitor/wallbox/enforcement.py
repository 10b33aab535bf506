"""A wallbox's controls: the lock, the keepalive, the setpoint refresh and the user's writes.

The lock holds the box at 0 A until a known card is presented; the keepalive feeds the box's
watchdog; the refresh re-sends a setpoint before the box lets it expire.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.update_coordinator import UpdateFailed

from ..const import CONF_ENFORCE, CONF_RELEASE_CURRENT, DOMAIN, LOGGER
from ..core.authorization import AuthorizationMonitor
from ..core.client import WallboxClient
from ..core.errors import WallboxError
from ..core.model import Capability, Reading
from ..core.numbers import finite_or_none
from ..core.profile import WallboxProfile
from ..issues import async_clear_wallbox_issue, async_wallbox_issue

# Re-send the enforced current this often even if nothing changed (a rebooted box forgets it).
ENFORCE_REFRESH = timedelta(seconds=60)


class Enforcement:
    """Writes to one wallbox: what the lock wants, what the user sets, what keeps it alive."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: WallboxClient,
        auth: AuthorizationMonitor,
    ) -> None:
        """Controls of `entry`'s wallbox; call async_setup() to start its timers."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self._auth = auth
        self.enabled = bool(entry.options.get(CONF_ENFORCE, False)) and (
            Capability.CURRENT_LIMIT in client.profile.capabilities
        )
        self.controlled = False  # we wrote a control: keep the box's watchdog fed
        self._enforced_current: float | None = None
        self._enforced_at: datetime | None = None
        self._fed_at: datetime | None = None  # the last keepalive sent
        # The share a site gives this box (site_controller.py): the ceiling over the lock.
        self.site_limit_a: float | None = None

    @property
    def _profile(self) -> WallboxProfile:
        # The client's, read each time: identifying the box may switch it to a variant.
        return self._client.profile

    @property
    def locked(self) -> bool | None:
        """Whether the lock holds the box at 0 A (None: the lock is off)."""
        return (self._enforced_current == 0) if self.enabled else None

    @callback
    def async_setup(self) -> None:
        """Start the keepalive and setpoint-refresh timers the profile asks for."""
        entry = self._entry
        if self._profile.keepalive is not None:
            entry.async_on_unload(
                async_track_time_interval(
                    self._hass,
                    self._in_background(self._async_keepalive),
                    timedelta(seconds=self._profile.keepalive.interval_s),
                    name=f"{DOMAIN} keepalive",
                )
            )
        control = self._profile.current_limit
        if control is not None and control.refresh_s:
            entry.async_on_unload(
                async_track_time_interval(
                    self._hass,
                    self._in_background(self._async_refresh_setpoint),
                    timedelta(seconds=control.refresh_s),
                    name=f"{DOMAIN} setpoint refresh",
                )
            )

    async def async_enforce(self, reading: Reading, now: datetime) -> None:
        """Hold the box at 0 A until a known tag allowed here is presented."""
        if not self.enabled:
            return
        control = self._profile.current_limit
        assert control is not None
        release = finite_or_none(self._entry.options.get(CONF_RELEASE_CURRENT))
        if release is None:  # unset, or NaN saved by an older release
            release = control.max_a
        wanted = release if self._auth.release_allowed(reading) else 0.0
        if self.site_limit_a is not None:
            wanted = min(wanted, self.site_limit_a)
        due = self._enforced_at is None or now - self._enforced_at >= ENFORCE_REFRESH
        if wanted == self._enforced_current and not due:
            return
        try:
            await self._client.set_current_limit(wanted)
        except WallboxError as err:
            self._enforced_current = None
            self.report_lost()
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="cannot_connect",
                translation_placeholders={"error": str(err)},
            ) from err
        self.controlled = True
        self._enforced_current = wanted
        self._enforced_at = now
        async_clear_wallbox_issue(self._hass, self._entry, "enforcement_lost")

    def report_lost(self) -> None:
        """The box may no longer hold what the lock wants: re-send once it is back; a repair."""
        if not self.enabled:
            return
        self._enforced_current = None
        async_wallbox_issue(
            self._hass, self._entry, "enforcement_lost", severity=ir.IssueSeverity.ERROR
        )

    def _in_background(
        self, job: Callable[[datetime], Coroutine[Any, Any, None]]
    ) -> Callable[[datetime], None]:
        """A timer callback running `job` as the entry's task: cancelled when it unloads."""

        @callback
        def start(now: datetime) -> None:
            self._entry.async_create_background_task(
                self._hass, job(now), f"{DOMAIN} {job.__name__}"
            )

        return start

    async def _async_keepalive(self, now: datetime) -> None:
        """Feed the box's watchdog while we control it."""
        if not (self.controlled or self.enabled):
            return
        try:
            await self.async_feed_watchdog(now)
        except WallboxError as err:
            LOGGER.warning("%s: keepalive failed: %s", self._entry.title, err)
            self.report_lost()

    async def async_feed_watchdog(self, now: datetime) -> None:
        """Send the keepalive if its interval has passed since the last one.

        Besides the timer, a site sends it on each tick: its boxes fall back to their failsafe
        current when it stops, so it follows the polls that show Home Assistant at work.
        """
        keepalive = self._client.profile.keepalive
        if keepalive is None:
            return
        if self._fed_at is not None and (now - self._fed_at).total_seconds() < (
            keepalive.interval_s * 0.9  # a timer tick a little early still sends
        ):
            return
        await self._client.keepalive()
        self._fed_at = now

    async def async_set_failsafe_current(self, amps: float) -> None:
        """Set what the box falls back to by itself once the keepalive stops."""
        await self._client.set_failsafe_current(amps)
        self.controlled = True

    async def _async_refresh_setpoint(self, _now: datetime) -> None:
        """Write the last current again before the box's validity time drops it (Alfen)."""
        try:
            await self._client.refresh_setpoint()
        except WallboxError as err:
            LOGGER.warning("%s: setpoint refresh failed: %s", self._entry.title, err)
            self.report_lost()

    async def async_set_phases(self, phases: int) -> None:
        """Switch 1-phase / 3-phase charging."""
        await self._client.set_phases(phases)
        self.controlled = True

    async def async_set_site_limit(self, amps: float, now: datetime) -> None:
        """Write the site's share; the lock, when on, re-sends it as its release current.

        The site never gives a locked box more than the lock's 0 A (its wish is the bound).
        """
        await self._client.set_current_limit(amps)
        self.site_limit_a = amps
        self.controlled = True
        if self.enabled:
            self._enforced_current = amps
            self._enforced_at = now

    async def async_set_current_limit(self, amps: float) -> None:
        """Write the charging current."""
        await self._client.set_current_limit(amps)
        self.controlled = True

    async def async_set_enabled(self, enabled: bool) -> None:
        """Allow or stop charging."""
        await self._client.set_enabled(enabled)
        self.controlled = True
