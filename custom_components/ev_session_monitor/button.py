"""Buttons: admit the last unknown card; wake a car; restart or query an OCPP box."""

from __future__ import annotations

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import EvConfigEntry, async_learn_last_unknown_tag
from .core.model import Capability
from .entity import EvEntity
from .helpers import async_wallbox_command
from .ocpp_coordinator import OcppCoordinator

PARALLEL_UPDATES = 0

# Admitting a card changes the integration's settings: a configuration control, as peblar's.
LEARN_TAG = ButtonEntityDescription(
    key="learn_last_tag", translation_key="learn_last_tag", entity_category=EntityCategory.CONFIG
)
WAKE_UP = ButtonEntityDescription(key="wake_up_vehicle", translation_key="wake_up_vehicle")
# Restarting the box is for fixing it, not for everyday use: a diagnostic control.
RESET = ButtonEntityDescription(
    key="reset", translation_key="reset", entity_category=EntityCategory.DIAGNOSTIC
)
# The box sends its values by itself; asking for them now is for checking it: diagnostic too.
REFRESH_VALUES = ButtonEntityDescription(
    key="refresh_values",
    translation_key="refresh_values",
    entity_category=EntityCategory.DIAGNOSTIC,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the tag button on boxes that show tags, the wake-up on boxes that can wake a car."""
    runtime = entry.runtime_data
    buttons: list[ButtonEntity] = []
    if Capability.TAG in runtime.profile.capabilities:
        buttons.append(LearnTagButton(runtime.coordinator, LEARN_TAG))
    if runtime.profile.wake_up is not None:
        buttons.append(WakeUpButton(runtime.coordinator, WAKE_UP))
    if isinstance(runtime.coordinator, OcppCoordinator):
        buttons.append(ResetButton(runtime.coordinator, RESET))
        buttons.append(RefreshValuesButton(runtime.coordinator, REFRESH_VALUES))
    async_add_entities(buttons)


class LearnTagButton(EvEntity, ButtonEntity):
    """Adds the last unknown tag to the known tags."""

    async def async_press(self) -> None:
        """Learn the tag."""
        await self.async_require_control()
        await async_learn_last_unknown_tag(self.coordinator)


class WakeUpButton(EvEntity, ButtonEntity):
    """Forces IEC state F for a moment: a car that went to sleep plugged in charges again."""

    async def async_press(self) -> None:
        """Lock and unlock the box (Heidelberg, Amperfied: register 259)."""
        await self.async_require_control()
        await async_wallbox_command(self.coordinator, self.coordinator.client.wake_up())


class ResetButton(EvEntity, ButtonEntity):
    """Restarts an OCPP charge point (Reset, soft)."""

    coordinator: OcppCoordinator

    async def async_press(self) -> None:
        """Send Reset."""
        await self.async_require_control()
        await async_wallbox_command(self.coordinator, self.coordinator.async_reset())


class RefreshValuesButton(EvEntity, ButtonEntity):
    """Asks an OCPP charge point for its status and meter values now (TriggerMessage)."""

    coordinator: OcppCoordinator

    async def async_press(self) -> None:
        """Send TriggerMessage for StatusNotification and MeterValues."""
        await self.async_require_control()
        await async_wallbox_command(self.coordinator, self.coordinator.async_refresh_values())
