"""Event entity: tag and session events of a wallbox, for UI-built automations."""

from __future__ import annotations

from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .access import UNKNOWN_VIEWER, card_label_shown
from .const import EVENT_TYPES
from .coordinator import EvConfigEntry
from .entity import EvEntity

PARALLEL_UPDATES = 0

WALLBOX_EVENTS = EventEntityDescription(
    key="wallbox_events", translation_key="wallbox_events", event_types=list(EVENT_TYPES)
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the event entity."""
    async_add_entities([WallboxEventEntity(entry.runtime_data.coordinator, WALLBOX_EVENTS)])


class WallboxEventEntity(EvEntity, EventEntity):
    """Fires when a tag is presented or a session starts or completes."""

    async def async_added_to_hass(self) -> None:
        """Listen to the coordinator's events."""
        await super().async_added_to_hass()
        self.async_on_remove(self.coordinator.async_add_event_listener(self._handle_event))

    @callback
    def _handle_event(self, event_type: str, payload: dict[str, Any]) -> None:
        attributes = {
            key: value
            for key, value in payload.items()
            if key not in ("device_id", "entry_id", "charger")
        }
        if attributes.get("tag_name"):  # an entity's attributes show to every user
            attributes["tag_name"] = card_label_shown(
                self.hass, UNKNOWN_VIEWER, attributes.get("tag_id"), attributes["tag_name"]
            )
        self._trigger_event(event_type, attributes)
        self.async_write_ha_state()
