"""Base entity of the integration."""

from __future__ import annotations

from typing import Any

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import BaseCoordinatorEntity, CoordinatorEntity

from .access import async_require_control
from .const import DOMAIN
from .coordinator import EvCoordinator

_NOTHING_WRITTEN: Any = object()
_UNAVAILABLE: Any = object()


class EvEntity(CoordinatorEntity[EvCoordinator]):
    """An entity of one wallbox.

    A poll writes the entity's state only when what it shows changed: most of a charging
    box's entities stay the same for minutes, and every write costs Home Assistant CPU even
    when the recorder then skips the unchanged state. The coordinator shows each poll on all
    of its box's entities through one listener (EvCoordinator.async_add_entity) instead
    of one listener per entity: at 50 boxes, dispatching a poll to each entity and asking it
    for its availability cost more than all of the poll's state writes.
    """

    _attr_has_entity_name = True
    # True: available while the wallbox does not answer (what it shows is not read from it).
    _available_without_box = False

    def __init__(self, coordinator: EvCoordinator, description: EntityDescription) -> None:
        """Attach to the wallbox's device."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = f"{coordinator.charger_id}_{description.key}"
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, coordinator.charger_id)})
        self._shown: Any = _NOTHING_WRITTEN

    async def async_added_to_hass(self) -> None:
        """Join the box's entities instead of listening to the coordinator on our own."""
        # Skips BaseCoordinatorEntity's own listener; the rest of the chain runs.
        await super(BaseCoordinatorEntity, self).async_added_to_hass()
        self.async_on_remove(self.coordinator.async_add_entity(self))

    async def async_require_control(self) -> None:
        """Refuse the calling user where the wallbox keeps its controls for administrators."""
        # Home Assistant sets the calling service's context on the entity before the call.
        await async_require_control(
            self.hass, self.coordinator.config_entry, self.entity_description.key, self._context
        )

    @property
    def available(self) -> bool:
        """Available while the box answers (always, for what is not read from it)."""
        return self._available_without_box or self.coordinator.last_update_success

    def _refresh_shown(self) -> Any:
        """Take the latest coordinator data; return what the entity shows now.

        The default shows nothing from the data: only the availability changes the state.
        """
        return None

    def async_show(self, box_answers: bool) -> None:
        """Write the state when the availability or the shown value changed (event loop)."""
        if box_answers or self._available_without_box:
            shown = self._refresh_shown()
        else:
            shown = _UNAVAILABLE
        if shown is self._shown or shown == self._shown:
            return
        self._shown = shown
        self.async_write_ha_state()

    @callback
    def _handle_coordinator_update(self) -> None:
        """Show the coordinator's data now (after a command), not at the next poll."""
        self.async_show(self.coordinator.last_update_success)
