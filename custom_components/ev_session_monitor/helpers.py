"""Turn device-layer errors from entity commands into translated Home Assistant errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from functools import wraps
from typing import Any, Concatenate

from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN
from .core.errors import WallboxError, WallboxUnsupportedError
from .entity import EvEntity


def wallbox_command[EntityT: EvEntity, **P](
    func: Callable[Concatenate[EntityT, P], Awaitable[None]],
) -> Callable[Concatenate[EntityT, P], Coroutine[Any, Any, None]]:
    """Map wallbox errors to HomeAssistantError and refresh the entities afterwards."""

    @wraps(func)
    async def handler(self: EntityT, *args: P.args, **kwargs: P.kwargs) -> None:
        try:
            await func(self, *args, **kwargs)
        except WallboxUnsupportedError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN, translation_key="unsupported"
            ) from err
        except WallboxError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="command_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        await self.coordinator.async_request_refresh()

    return handler
