"""Shared glue: wallbox commands with translated errors, the loaded wallboxes, entity ids."""

from __future__ import annotations

from collections.abc import Awaitable

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er

from .const import DOMAIN
from .coordinator import EvConfigEntry, EvCoordinator
from .core.errors import WallboxConnectionError, WallboxError, WallboxUnsupportedError
from .core.numbers import is_finite_number
from .site_config import wallbox_entries


async def async_wallbox_command(coordinator: EvCoordinator, command: Awaitable[None]) -> None:
    """Await a command; map wallbox errors to HomeAssistantError, then refresh the entities."""
    try:
        await command
    except WallboxUnsupportedError as err:
        raise HomeAssistantError(translation_domain=DOMAIN, translation_key="unsupported") from err
    except WallboxError as err:
        if isinstance(err, WallboxConnectionError):
            coordinator.async_set_unreachable(err)
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="command_failed",
            translation_placeholders={"error": str(err)},
        ) from err
    await coordinator.async_request_refresh()


def require_finite(value: float) -> None:
    """Refuse NaN: it passes Home Assistant's min/max check of number.set_value."""
    if not is_finite_number(value):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_a_number",
            translation_placeholders={"value": str(value)},
        )


def loaded_entries(hass: HomeAssistant) -> list[EvConfigEntry]:
    """The wallboxes that are set up."""
    return [entry for entry in wallbox_entries(hass) if entry.state is ConfigEntryState.LOADED]


def entity_id_of(hass: HomeAssistant, platform: str, charger_id: str, key: str) -> str | None:
    """The entity id of one of a wallbox's entities (by its description key)."""
    return er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{charger_id}_{key}")
