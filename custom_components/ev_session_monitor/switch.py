"""Switch: allow or stop charging (for schedules and automations)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import EvConfigEntry, EvCoordinator
from .core.model import Capability
from .entity import EvEntity
from .helpers import async_wallbox_command

PARALLEL_UPDATES = 1

CHARGING_ENABLED = SwitchEntityDescription(
    key="charging_enabled", translation_key="charging_enabled"
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the switch when the box can be switched."""
    capabilities = entry.runtime_data.profile.capabilities
    if Capability.ENABLE in capabilities or Capability.CURRENT_LIMIT in capabilities:
        async_add_entities([ChargingSwitch(entry.runtime_data.coordinator, CHARGING_ENABLED)])


class ChargingSwitch(EvEntity, SwitchEntity):
    """On: the box may charge. Boxes without an enable register get 0 A / max A."""

    def __init__(self, coordinator: EvCoordinator, description: SwitchEntityDescription) -> None:
        """Assume charging is allowed until we switch it."""
        super().__init__(coordinator, description)
        self._attr_is_on = True

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Allow charging."""
        await async_wallbox_command(self.coordinator, self.coordinator.async_set_enabled(True))
        self._attr_is_on = True

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop charging."""
        await async_wallbox_command(self.coordinator, self.coordinator.async_set_enabled(False))
        self._attr_is_on = False
