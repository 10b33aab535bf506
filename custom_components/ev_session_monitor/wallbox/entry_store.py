"""A wallbox's saved state: written atomically, damaged parts set aside, saved when due."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
from homeassistant.util.file import WriteError

from ..const import DOMAIN, LOGGER
from ..core.session import SavePolicy
from ..issues import async_clear_wallbox_issue, async_wallbox_issue

STORE_VERSION = 1


def entry_store_key(entry_id: str) -> str:
    """The .storage file of a wallbox's saved state."""
    return f"{DOMAIN}.{entry_id}"


class _StateStore(Store[dict[str, Any]]):
    """The saved state; says whether each write reached the disk.

    Store logs a failed write and returns as if it had succeeded; a full disk must become one
    repair, cleared by the next write that succeeds.
    """

    def __init__(
        self, hass: HomeAssistant, key: str, written: Callable[[Exception | None], None]
    ) -> None:
        super().__init__(hass, STORE_VERSION, key, atomic_writes=True)
        self._written = written

    async def _async_write_data(self, data: dict[str, Any]) -> None:
        try:
            await super()._async_write_data(data)
        except WriteError as err:
            self._written(err)
            raise
        self._written(None)


class EntryStore:
    """The `.storage` file of one wallbox, with the policy of when to write it."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """The store of `entry`'s wallbox."""
        self._hass = hass
        self._entry = entry
        # Atomic writes (temporary file, fsync, rename): a power cut leaves the old or the new file.
        self._store = _StateStore(
            hass, entry_store_key(entry.entry_id), lambda error: self.written("state", error)
        )
        self._policy = SavePolicy()
        self._unwritable: set[str] = set()  # "state", "history": writes failing now

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

    @callback
    def written(self, part: str, error: Exception | None) -> None:
        """One repair (and one log line) while writes fail; cleared when they succeed again.

        The sessions stay in memory meanwhile (the open one and the unarchived ones) and are
        written by the first write that succeeds: nothing is lost while Home Assistant runs.
        """
        if error is None:
            if part in self._unwritable:
                self._unwritable.discard(part)
                if not self._unwritable:
                    LOGGER.info("%s: saving works again", self._entry.title)
                    async_clear_wallbox_issue(self._hass, self._entry, "storage_failed")
            return
        if part in self._unwritable:
            LOGGER.debug("%s: %s still not written: %s", self._entry.title, part, error)
            return
        self._unwritable.add(part)
        cause = error.__cause__ if isinstance(error, WriteError) and error.__cause__ else error
        LOGGER.error(
            "%s: cannot write the %s (%s); sessions are kept in memory and written as soon as"
            " this works again",
            self._entry.title,
            "session history" if part == "history" else "saved state",
            cause,
        )
        async_wallbox_issue(
            self._hass,
            self._entry,
            "storage_failed",
            severity=ir.IssueSeverity.ERROR,
            error=str(cause)[:300],
        )
