"""Run wallbox commands from entities with translated errors."""

from __future__ import annotations

from collections.abc import Awaitable

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .const import DOMAIN
from .coordinator import EvCoordinator
from .core.errors import WallboxError, WallboxUnsupportedError
from .core.numbers import is_finite_number


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


def require_finite(value: float) -> None:
    """Refuse NaN: it passes Home Assistant's min/max check of number.set_value."""
    if not is_finite_number(value):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_a_number",
            translation_placeholders={"value": str(value)},
        )
