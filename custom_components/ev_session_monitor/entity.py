"""Base entity of the integration."""

from __future__ import annotations

from typing import Any

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import EvCoordinator

_NOTHING_WRITTEN: Any = object()


class EvEntity(CoordinatorEntity[EvCoordinator]):
    """An entity of one wallbox.

    A poll writes the entity's state only when what it shows changed: most of a charging
    box's entities stay the same for minutes, and every write costs Home Assistant CPU even
    when the recorder then skips the unchanged state.
    """

    _attr_has_entity_name = True

    def __init__(self, coordinator: EvCoordinator, description: EntityDescription) -> None:
        """Attach to the wallbox's device."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = f"{coordinator.charger_id}_{description.key}"
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, coordinator.charger_id)})
        self._shown: Any = _NOTHING_WRITTEN

    def _refresh_shown(self) -> Any:
        """Take the latest coordinator data; return what the entity shows now."""
        return self.state

    @callback
    def _handle_coordinator_update(self) -> None:
        """Write the state only when the availability or the shown value changed."""
        shown = (self.available, self._refresh_shown())
        if shown == self._shown:
            return
        self._shown = shown
        self.async_write_ha_state()
