"""Run wallbox commands from entities with translated errors."""

from __future__ import annotations

from collections.abc import Awaitable

from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN
from .coordinator import EvCoordinator
from .core.errors import WallboxError, WallboxUnsupportedError


async def async_wallbox_command(coordinator: EvCoordinator, command: Awaitable[None]) -> None:
    """Await a command; map wallbox errors to HomeAssistantError, then refresh the entities."""
    try:
        await command
    except WallboxUnsupportedError as err:
        raise HomeAssistantError(translation_domain=DOMAIN, translation_key="unsupported") from err
    except WallboxError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="command_failed",
            translation_placeholders={"error": str(err)},
        ) from err
    await coordinator.async_request_refresh()
