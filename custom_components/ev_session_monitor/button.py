"""Button: admit the last unknown card, straight from the notification."""

from __future__ import annotations

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import EvConfigEntry, async_learn_last_unknown_tag
from .core.model import Capability
from .entity import EvEntity

PARALLEL_UPDATES = 0

LEARN_TAG = ButtonEntityDescription(key="learn_last_tag", translation_key="learn_last_tag")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the button on boxes that show tags."""
    if Capability.TAG in entry.runtime_data.profile.capabilities:
        async_add_entities([LearnTagButton(entry.runtime_data.coordinator, LEARN_TAG)])


class LearnTagButton(EvEntity, ButtonEntity):
    """Adds the last unknown tag to the known tags."""

    async def async_press(self) -> None:
        """Learn the tag."""
        await async_learn_last_unknown_tag(self.coordinator)
