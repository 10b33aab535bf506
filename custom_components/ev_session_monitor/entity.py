"""Base entity of the integration."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import EvCoordinator


class EvEntity(CoordinatorEntity[EvCoordinator]):
    """An entity of one wallbox."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: EvCoordinator, description: EntityDescription) -> None:
        """Attach to the wallbox's device."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = f"{coordinator.charger_id}_{description.key}"
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, coordinator.charger_id)})
