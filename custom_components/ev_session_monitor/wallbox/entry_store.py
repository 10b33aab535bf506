"""A wallbox's saved state: written atomically, damaged parts set aside, saved when due."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, LOGGER
from ..core.session import SavePolicy
from ..issues import async_wallbox_issue

STORE_VERSION = 1


def entry_store_key(entry_id: str) -> str:
    """The .storage file of a wallbox's saved state."""
    return f"{DOMAIN}.{entry_id}"


class EntryStore:
    """The `.storage` file of one wallbox, with the policy of when to write it."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """The store of `entry`'s wallbox."""
        self._hass = hass
        self._entry = entry
        # Atomic writes (temporary file, fsync, rename): a power cut leaves the old or the new file.
        self._store: Store[dict[str, Any]] = Store(
            hass, STORE_VERSION, entry_store_key(entry.entry_id), atomic_writes=True
        )
        self._policy = SavePolicy()

    async def async_load(self) -> Any:
        """The saved state as written (None before the first save); the caller validates it."""
        return await self._store.async_load()

    async def async_save(self, data: dict[str, Any]) -> None:
        """Write now."""
        await self._store.async_save(data)

    async def async_save_if_due(
        self, data: dict[str, Any], signature: tuple[Any, ...], now: datetime, running: bool
    ) -> None:
        """Write at every transition (a changed signature), while running at least every 30 s."""
        if self._policy.due(signature, now, running=running):
            await self.async_save(data)
            self._policy.written(signature, now)

    async def async_set_aside(self, data: Any, damaged: list[str]) -> None:
        """Keep a copy of damaged saved state next to it and tell the user (a repair)."""
        stamp = dt_util.utcnow().strftime("%Y%m%dT%H%M%SZ")
        path = self._hass.config.path(
            ".storage", f"{entry_store_key(self._entry.entry_id)}.damaged-{stamp}.json"
        )
        text = json.dumps(data, default=str, indent=2)
        await self._hass.async_add_executor_job(Path(path).write_text, text)
        parts = ", ".join(damaged)
        LOGGER.error(
            "%s: saved state damaged (%s); the rest was loaded, a copy is kept as %s",
            self._entry.title,
            parts[:300],
            path,
        )
        async_wallbox_issue(
            self._hass, self._entry, "stored_state_damaged", parts=parts[:300], kept=path
        )
