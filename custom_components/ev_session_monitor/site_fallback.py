"""Each wallbox's own fallback under a site, should Home Assistant stop.

Boxes with a failsafe current of their own (profile: controls.failsafe_current) get the site's
safe share there, and their keepalive on every tick: once it stops, each box falls back to that
share by itself, so the fuse holds. A box whose failsafe current is set on the box itself
(Alfen: its safe current, taken when the setpoint expires) is read instead: above the share, a
repair says so.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from .const import LOGGER
from .coordinator import EvCoordinator
from .core.errors import WallboxError
from .core.site.model import Site
from .issues import async_clear_site_issue, async_site_issue

# The failsafe current a box only reports (Alfen) is read again this often, and on a change.
SETTING_CHECK = timedelta(hours=1)


class SiteFallbacks:
    """What each box of one site falls back to by itself."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """For the site of `entry`."""
        self.hass = hass
        self.entry = entry
        # The failsafe current each box holds (boxes whose profile writes one).
        self._written: dict[str, float] = {}
        # When the failsafe current set on a box (Alfen) was last read, and against which share.
        self._checked: dict[str, tuple[float, datetime]] = {}

    def forget(self, box_id: str) -> None:
        """The box was (re)loaded: it is told again."""
        self._written.pop(box_id, None)
        self._checked.pop(box_id, None)

    async def async_keep(self, coordinator: EvCoordinator, site: Site, now: datetime) -> None:
        """Feed the box's watchdog, and keep its failsafe current at the site's safe share."""
        box_id = coordinator.config_entry.entry_id
        profile = coordinator.client.profile
        try:
            await coordinator.enforcement.async_feed_watchdog(now)
            control = profile.current_limit
            if control is None:
                return
            share = site.safe_share(box_id, control.min_a)
            if profile.failsafe_setting is not None:
                await self._async_check_setting(coordinator, share, now)
            if profile.failsafe_current is None:
                return
            if self._written.get(box_id) != share:  # written only when it changes
                await coordinator.enforcement.async_set_failsafe_current(share)
                self._written[box_id] = share
        except WallboxError as err:
            LOGGER.warning(
                "%s: %s: failsafe current or keepalive refused: %s",
                self.entry.title,
                coordinator.config_entry.title,
                err,
            )
            self._written.pop(box_id, None)

    async def _async_check_setting(
        self, coordinator: EvCoordinator, share: float, now: datetime
    ) -> None:
        """Compare the failsafe current set on the box with the share (on a change, hourly)."""
        box_id = coordinator.config_entry.entry_id
        checked = self._checked.get(box_id)
        if checked is not None and checked[0] == share and now - checked[1] < SETTING_CHECK:
            return
        setting = await coordinator.client.read_failsafe_setting()
        self._checked[box_id] = (share, now)
        issue = f"site_failsafe_above_share_{box_id}"
        if setting is None or setting <= share + 1e-6:
            async_clear_site_issue(self.hass, self.entry, issue)
            return
        async_site_issue(
            self.hass,
            self.entry,
            issue,
            "site_failsafe_above_share",
            charger=coordinator.config_entry.title,
            setting=f"{setting:g}",
            share=f"{share:g}",
        )
