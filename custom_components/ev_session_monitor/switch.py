"""Switch: allow or stop charging (for schedules and automations)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import STATE_OFF, STATE_ON, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from .coordinator import EvConfigEntry, EvCoordinator
from .core.model import Capability
from .entity import EvEntity
from .helpers import async_wallbox_command
from .ocpp_coordinator import OcppCoordinator

PARALLEL_UPDATES = 1

CHARGING_ENABLED = SwitchEntityDescription(
    key="charging_enabled", translation_key="charging_enabled"
)
# Taking the box out of service (ChangeAvailability) is a setting of the box, not a session.
OPERATIVE = SwitchEntityDescription(
    key="operative", translation_key="operative", entity_category=EntityCategory.CONFIG
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the switch when the box can be switched; OCPP boxes get their availability too."""
    coordinator = entry.runtime_data.coordinator
    capabilities = entry.runtime_data.profile.capabilities
    switches: list[SwitchEntity] = []
    if Capability.ENABLE in capabilities or Capability.CURRENT_LIMIT in capabilities:
        switches.append(ChargingSwitch(coordinator, CHARGING_ENABLED))
    if isinstance(coordinator, OcppCoordinator):
        switches.append(OperativeSwitch(coordinator, OPERATIVE))
    async_add_entities(switches)


class ChargingSwitch(EvEntity, SwitchEntity, RestoreEntity):
    """On: the box may charge. Boxes without an enable register get 0 A / max A.

    Where the box reports whether it may charge (the profile's `enabled` value), the switch
    shows that. Otherwise it shows the state last written, kept across restarts, and marks it
    assumed: the box may have been switched by its own app since.
    """

    def __init__(self, coordinator: EvCoordinator, description: SwitchEntityDescription) -> None:
        """Nothing written yet: the state is unknown until the box or the last run says."""
        super().__init__(coordinator, description)
        self._written: bool | None = None

    async def async_added_to_hass(self) -> None:
        """Take the state written before the restart."""
        await super().async_added_to_hass()
        last = await self.async_get_last_state()
        if last is not None and last.state in (STATE_ON, STATE_OFF):
            self._written = last.state == STATE_ON

    def _reported(self) -> bool | None:
        data = self.coordinator.data
        return None if data is None else data.reading.enabled

    @property
    def is_on(self) -> bool | None:
        """Return what the box reports, else the state last written."""
        reported = self._reported()
        return self._written if reported is None else reported

    @property
    def assumed_state(self) -> bool:
        """Return True when the state shown is ours, not the box's."""
        return self._reported() is None

    def _refresh_shown(self) -> Any:
        return self.is_on, self.assumed_state

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Allow charging."""
        await self._async_write(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop charging."""
        await self._async_write(False)

    async def _async_write(self, enabled: bool) -> None:
        await self.async_require_control()
        await async_wallbox_command(self.coordinator, self.coordinator.async_set_enabled(enabled))
        self._written = enabled
        self.async_write_ha_state()


class OperativeSwitch(EvEntity, SwitchEntity):
    """On: the OCPP box takes charging sessions (Operative); off: Inoperative.

    Shows what the box reported last (a status of Unavailable is off) or, since then, what it
    accepted; unknown before either.
    """

    coordinator: OcppCoordinator

    @property
    def is_on(self) -> bool | None:
        """Return whether the box is operative."""
        return self.coordinator.client.operative

    def _refresh_shown(self) -> Any:
        return self.is_on

    async def async_turn_on(self, **kwargs: Any) -> None:
        """ChangeAvailability Operative."""
        await self._async_write(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """ChangeAvailability Inoperative."""
        await self._async_write(False)

    async def _async_write(self, operative: bool) -> None:
        await self.async_require_control()
        await async_wallbox_command(
            self.coordinator, self.coordinator.async_set_operative(operative)
        )
        self.async_write_ha_state()
