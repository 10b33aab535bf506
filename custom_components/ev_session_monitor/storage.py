"""Shared, domain-wide state: profiles, Modbus links, tags, the session archive, unknown cards."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
)
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.singleton import singleton
from homeassistant.helpers.storage import Store
from homeassistant.util.hass_dict import HassKey

from .const import (
    CONF_CARD_NAMES_ADMIN_ONLY,
    DOMAIN,
    EVENT_UNKNOWN_TAG,
    HISTORY_FILE,
    LOGGER,
    USER_PROFILE_DIR,
)
from .core.history import HistoryCorruptError, SessionHistory
from .core.modbus_link import ModbusLinkPool
from .core.model import SessionRecord
from .core.profile import BUILTIN_PROFILE_DIR, ProfileCatalog, load_profiles
from .core.tags import KnownTag, TagRegistry
from .issues import async_profile_issue, async_stored_tags_issue, history_corrupt_issue
from .polling import PollClock

DATA_DOMAIN: HassKey[DomainData] = HassKey(DOMAIN)
TAG_STORE_VERSION = 1
ATTEMPTS_KEPT = 200
ATTEMPT_STORE_VERSION = 1
ATTEMPT_SAVE_DELAY_S = 5


class TagStore:
    """The known tags, shared by every wallbox, persisted in .storage."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Prepare an empty registry; call async_load()."""
        self._store: Store[dict[str, Any]] = Store(
            hass, TAG_STORE_VERSION, f"{DOMAIN}.tags", atomic_writes=True
        )
        self.registry = TagRegistry()
        # A number per card, never given twice: "Card 3" stays card 3 when others are removed.
        self.numbers: dict[str, int] = {}
        self._listeners: list[Callable[[], None]] = []

    async def async_load(self) -> None:
        """Read the stored tags; entries that do not validate are skipped, kept and reported."""
        data = await self._store.async_load() or {}
        stored = data.get("tags", []) if isinstance(data, dict) else data
        self.registry, problems = TagRegistry.from_list(stored)
        numbers = data.get("numbers") if isinstance(data, dict) else None
        if isinstance(numbers, dict):
            self.numbers = {
                str(tag_id): number
                for tag_id, number in numbers.items()
                if isinstance(number, int) and not isinstance(number, bool) and number > 0
            }
        self._number_new_cards()
        for problem in problems:
            LOGGER.warning("Stored tag skipped: %s", problem[:300])
        if problems:
            # The skipped entries stay in the file (the registry writes them back unchanged).
            async_stored_tags_issue(self._store.hass, problems)

    def _number_new_cards(self) -> None:
        for tag in self.registry:
            if tag.tag_id not in self.numbers:
                self.numbers[tag.tag_id] = max(self.numbers.values(), default=0) + 1

    def number(self, tag_id: str) -> int | None:
        """The card's number (for "Card 3"); None for a card that is not known."""
        return self.numbers.get(tag_id) if self.registry.get(tag_id) is not None else None

    async def async_save(self) -> None:
        """Persist now and tell listeners (entities) the registry changed."""
        self._number_new_cards()
        await self._store.async_save({"tags": self.registry.to_list(), "numbers": self.numbers})
        for listener in list(self._listeners):
            listener()

    async def async_add(self, tag: KnownTag) -> None:
        """Add a tag (raises DuplicateTagError)."""
        self.registry.add(tag)
        await self.async_save()

    async def async_update(self, tag: KnownTag) -> None:
        """Replace a tag's details."""
        self.registry.update(tag)
        await self.async_save()

    async def async_remove(self, tag_id: str) -> None:
        """Forget a tag."""
        self.registry.remove(tag_id)
        await self.async_save()

    @callback
    def async_listen(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` after every change; return the unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)


class SessionArchive:
    """The session history (SQLite in the config directory), used through the executor."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Locate the file; call async_open()."""
        self.hass = hass
        self.path = Path(hass.config.path(HISTORY_FILE))
        self._history: SessionHistory | None = None
        # One job at a time: SQLite connections are not shared between concurrent threads.
        self._lock = asyncio.Lock()

    async def async_open(self) -> None:
        """Open the history; a damaged file is set aside (never deleted) and reported."""
        self._history = await self.hass.async_add_executor_job(self._open)

    def _open(self) -> SessionHistory:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        history = SessionHistory(self.path)
        try:
            history.open()
        except HistoryCorruptError as err:
            kept = SessionHistory.quarantine(self.path)
            LOGGER.error("%s; it was kept as %s and a new history was started", err, kept)
            history_corrupt_issue(self.hass, str(self.path), str(kept))
            history = SessionHistory(self.path)
            history.open()
        return history

    async def _run[T](self, job: Callable[[SessionHistory], T]) -> T:
        assert self._history is not None
        history = self._history
        async with self._lock:
            return await self.hass.async_add_executor_job(job, history)

    async def async_add(self, record: SessionRecord) -> bool:
        """Record a completed session; False if it was already recorded."""
        return await self._run(lambda history: history.add(record))

    async def async_query(
        self,
        *,
        charger_ids: Collection[str] | None = None,
        tag_ids: Collection[str] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int | None = None,
        offset: int = 0,
        sort: str = "started_at",
        newest_first: bool = False,
    ) -> list[SessionRecord]:
        """Return matching sessions, oldest first (see SessionHistory.query)."""
        return await self._run(
            lambda history: history.query(
                charger_ids=charger_ids,
                tag_ids=tag_ids,
                start=start,
                end=end,
                limit=limit,
                offset=offset,
                sort=sort,
                newest_first=newest_first,
            )
        )

    async def async_query_overlapping(
        self, *, start: datetime, end: datetime, charger_ids: Collection[str] | None = None
    ) -> list[SessionRecord]:
        """Return the sessions whose time overlaps [start, end) (see query_overlapping)."""
        return await self._run(
            lambda history: history.query_overlapping(start=start, end=end, charger_ids=charger_ids)
        )

    async def async_count(
        self,
        *,
        charger_ids: Collection[str] | None = None,
        tag_ids: Collection[str] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int:
        """Return how many sessions match."""
        return await self._run(
            lambda history: history.count(
                charger_ids=charger_ids, tag_ids=tag_ids, start=start, end=end
            )
        )

    async def async_run[T](self, job: Callable[[SessionHistory], T]) -> T:
        """Run `job` on the open history in the executor (corrections, statements, reports)."""
        return await self._run(job)

    async def async_close(self) -> None:
        """Close the database."""
        if self._history is not None:
            await self._run(lambda history: history.close())
            self._history = None


class UnknownCardLog:
    """The most recent unknown-card attempts at any wallbox, kept across restarts."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Prepare an empty log; call async_load()."""
        self.hass = hass
        self._store: Store[dict[str, Any]] = Store(
            hass, ATTEMPT_STORE_VERSION, f"{DOMAIN}.unknown_cards"
        )
        self.attempts: deque[dict[str, Any]] = deque(maxlen=ATTEMPTS_KEPT)

    async def async_load(self) -> None:
        """Read the stored attempts and start listening for new ones."""
        data = await self._store.async_load() or {}
        stored = data.get("attempts")
        if isinstance(stored, list):
            self.attempts.extend(item for item in stored if isinstance(item, dict))
        self.hass.bus.async_listen(EVENT_UNKNOWN_TAG, self._async_attempt)

    @callback
    def _async_attempt(self, event: Event) -> None:
        self.attempts.append(
            {
                "time": event.data.get("time") or event.time_fired.isoformat(),
                "entry_id": event.data.get("entry_id"),
                "charger": event.data.get("charger"),
                "tag_id": event.data.get("tag_id"),
                "attempts": event.data.get("attempts"),
            }
        )
        self._store.async_delay_save(
            lambda: {"attempts": list(self.attempts)}, ATTEMPT_SAVE_DELAY_S
        )


class CardNamePrivacy:
    """Whether any wallbox hides card names from non-administrators (its option).

    Every card sensor asks on every pushed meter value; going through all entries each time
    was the busiest line of Home Assistant at 500 OCPP boxes. The answer is kept until an
    entry of this integration is added, changed or removed.
    """

    def __init__(self, hass: HomeAssistant) -> None:
        """Forget the answer whenever one of the integration's entries changes."""
        self._hass = hass
        self._hidden: bool | None = None
        async_dispatcher_connect(hass, SIGNAL_CONFIG_ENTRY_CHANGED, self._entry_changed)

    @callback
    def _entry_changed(self, _change: ConfigEntryChange, entry: ConfigEntry) -> None:
        if entry.domain == DOMAIN:
            self._hidden = None

    @property
    def hidden(self) -> bool:
        """True when any wallbox's options hide card names."""
        if self._hidden is None:
            self._hidden = entries_hide_card_names(self._hass)
        return self._hidden


def entries_hide_card_names(hass: HomeAssistant) -> bool:
    """True when any entry of the integration has the option that hides card names."""
    return any(
        entry.options.get(CONF_CARD_NAMES_ADMIN_ONLY)
        for entry in hass.config_entries.async_entries(DOMAIN)
    )


@dataclass(kw_only=True)
class DomainData:
    """What all wallboxes of the integration share."""

    catalog: ProfileCatalog
    clock: PollClock
    pool: ModbusLinkPool = field(default_factory=ModbusLinkPool)
    tags: TagStore
    archive: SessionArchive
    unknown_cards: UnknownCardLog
    card_name_privacy: CardNamePrivacy


async def async_load_catalog(hass: HomeAssistant) -> ProfileCatalog:
    """Load built-in and user profiles; every broken user file gets a repair issue."""
    user_dir = Path(hass.config.path(USER_PROFILE_DIR))
    catalog = await hass.async_add_executor_job(load_profiles, BUILTIN_PROFILE_DIR, user_dir)
    for path, error in catalog.errors.items():
        LOGGER.error("Wallbox profile not loaded: %s", error)
        async_profile_issue(hass, str(path), error.detail)
    return catalog


# Keyed by DATA_DOMAIN's text: the typed key would make the decorator expect a plain function.
@singleton(DOMAIN)
async def async_domain_data(hass: HomeAssistant) -> DomainData:
    """What every wallbox and every flow shares, built once: a flow may start before setup."""
    tags = TagStore(hass)
    await tags.async_load()
    archive = SessionArchive(hass)
    await archive.async_open()

    async def close_archive(_event: Event) -> None:
        await archive.async_close()

    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, close_archive)
    unknown_cards = UnknownCardLog(hass)
    await unknown_cards.async_load()
    return DomainData(
        catalog=await async_load_catalog(hass),
        clock=PollClock(hass),
        tags=tags,
        card_name_privacy=CardNamePrivacy(hass),
        archive=archive,
        unknown_cards=unknown_cards,
    )
