"""One DataUpdateCoordinator per wallbox: the poll loop and what its entities show."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, ServiceValidationError
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .access import UNKNOWN_VIEWER, card_label_shown
from .const import (
    CONF_BATTERY_CAPACITY,
    CONF_ENFORCE,
    CONF_IDLE_POLL_INTERVAL,
    CONF_POLL_INTERVAL,
    CONF_PRICE_ENTITY,
    CONF_PRICE_SOURCE,
    CONF_REQUIRES_AUTHORIZATION,
    CONF_SOC_ENTITY,
    CONF_SUSPICIOUS_ATTEMPTS,
    CONF_SUSPICIOUS_WINDOW_MIN,
    DEFAULT_POLL_INTERVAL_S,
    DEFAULT_SUSPICIOUS_ATTEMPTS,
    DEFAULT_SUSPICIOUS_WINDOW_MIN,
    DOMAIN,
    LOGGER,
    PRICE_SENSOR,
)
from .core.authorization import AuthorizationMonitor, AuthState
from .core.client import WallboxClient
from .core.errors import WallboxAuthError, WallboxConnectionError, WallboxError
from .core.model import Capability, DeviceIdentity, Reading, SessionRecord
from .core.numbers import finite_or_none
from .core.profile import WallboxProfile
from .core.session import time_to_full_s, to_record
from .core.tags import InvalidTagError, KnownTag, odd_box_tag, sanitize_box_tag, validate_tag
from .polling import Members, next_poll_tick
from .storage import DomainData
from .wallbox.enforcement import Enforcement
from .wallbox.events import EventListener, WallboxEvents
from .wallbox.recording import SessionRecorder


class ShownEntity(Protocol):
    """An entity that shows this wallbox's polls (entity.EvEntity)."""

    def async_show(self, box_answers: bool) -> None:
        """Write the state if what it shows changed."""


@dataclass(kw_only=True)
class EvRuntimeData:
    """What a loaded wallbox entry holds."""

    client: WallboxClient
    coordinator: EvCoordinator
    profile: WallboxProfile
    identity: DeviceIdentity
    device_id: str
    # Run after the entry unloaded (an OCPP box leaves its central system).
    on_unload: Callable[[], Awaitable[None]] | None = None


type EvConfigEntry = ConfigEntry[EvRuntimeData]


@dataclass(frozen=True, slots=True)
class EvData:
    """One coordinator update, as the entities see it."""

    reading: Reading
    session: SessionRecord | None  # live view of the open session
    last_session: SessionRecord | None
    lifetime_energy_wh: float | None
    total_cost: float
    currency: str
    auth_state: AuthState
    last_tag: str | None  # name when known, id (or hash) when not
    time_to_full_s: float | None
    locked: bool | None  # None when enforcement is off
    # The last session's card as states show it (its name, or "Card 3" while names are hidden).
    last_session_tag: str | None = None


class EvCoordinator(DataUpdateCoordinator[EvData]):
    """Polls one wallbox and assembles what its entities show.

    Each reading goes down once: authorization (core), then the session recorder
    (wallbox/recording.py), then the lock (wallbox/enforcement.py); events leave through
    wallbox/events.py.
    """

    config_entry: EvConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: EvConfigEntry,
        client: WallboxClient,
        domain: DomainData,
    ) -> None:
        """Set up the wallbox's collaborators from the entry's options."""
        options = entry.options
        self.poll_s = self._poll_seconds(options)
        self._busy_poll_interval = timedelta(seconds=self.poll_s)
        self._idle_poll_interval = timedelta(
            seconds=max(float(options.get(CONF_IDLE_POLL_INTERVAL, 0)), self.poll_s)
        )
        # Polls are started by the domain's poll clock (polling.PollClock), not by a timer of
        # this coordinator's own: no update_interval.
        super().__init__(hass, LOGGER, config_entry=entry, name=entry.title, always_update=False)
        self.poll_interval = self._busy_poll_interval  # until the next poll: idle or busy
        self._next_poll_tick = 0  # the first tick polls
        self._polling = False  # started by the clock, not finished
        self._reading = False  # a refresh of any origin is reading the box
        self.client = client
        self.profile = client.profile
        self.domain = domain
        self.charger_id = entry.unique_id or entry.entry_id
        self.auth = AuthorizationMonitor(
            self.charger_id,
            threshold=int(options.get(CONF_SUSPICIOUS_ATTEMPTS, DEFAULT_SUSPICIOUS_ATTEMPTS)),
            window=timedelta(
                minutes=float(
                    options.get(CONF_SUSPICIOUS_WINDOW_MIN, DEFAULT_SUSPICIOUS_WINDOW_MIN)
                )
            ),
            requires_authorization=bool(
                options.get(CONF_REQUIRES_AUTHORIZATION, self.profile.requires_authorization)
            ),
            enforce=bool(options.get(CONF_ENFORCE, False))
            and Capability.CURRENT_LIMIT in self.profile.capabilities,
        )
        self.events = WallboxEvents(hass, entry)
        self.recorder = SessionRecorder(hass, entry, self.profile, domain, self.events, self.poll_s)
        self.enforcement = Enforcement(hass, entry, client, self.auth)
        self.target_energy_wh: float | None = None
        self._entities = Members[ShownEntity](
            lambda: self.async_add_listener(self._async_show_on_entities)
        )

    @property
    def device_id(self) -> str | None:
        """The wallbox's device (set once it exists)."""
        return self.events.device_id

    @device_id.setter
    def device_id(self, device_id: str | None) -> None:
        self.events.device_id = device_id

    @staticmethod
    def _poll_seconds(options: Mapping[str, Any]) -> float:
        """How often the box is read (a box that pushes: how often it sends)."""
        return float(options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL_S))

    def _reading_time(self) -> datetime:
        """When the reading just taken holds (a box that pushes says so itself)."""
        return dt_util.utcnow()

    # --- setup -------------------------------------------------------------------------------

    async def _async_setup(self) -> None:
        """Restore the saved state; start the timers and the listeners a wallbox needs."""
        await self.recorder.async_restore()
        self.config_entry.async_on_unload(
            self.hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, self._async_save_on_stop)
        )
        self.enforcement.async_setup()
        self.config_entry.async_on_unload(self.domain.tags.async_listen(self._async_tags_changed))
        price_entity = self.config_entry.options.get(CONF_PRICE_ENTITY)
        if self.config_entry.options.get(CONF_PRICE_SOURCE) == PRICE_SENSOR and price_entity:
            self.config_entry.async_on_unload(
                async_track_state_change_event(self.hass, price_entity, self._async_price_changed)
            )

    @callback
    def _async_tags_changed(self) -> None:
        """A card added while it waits here is admitted at once: poll now to release the box."""
        if self.auth.registry_changed(self.domain.tags.registry):
            self.hass.async_create_task(self.async_request_refresh(), eager_start=True)
        else:
            self.async_refresh_derived()

    @callback
    def _async_price_changed(self, event: Event[EventStateChangedData]) -> None:
        """Close the current interval at the old price the moment the price changes."""
        old, new = event.data["old_state"], event.data["new_state"]
        if old is not None and new is not None and old.state != new.state:
            self.hass.async_create_task(self.async_refresh(), eager_start=True)

    async def _async_save_on_stop(self, _event: Event) -> None:
        await self.async_save_now()

    async def async_save_now(self) -> None:
        """Persist the wallbox's state now (stop, unload)."""
        await self.recorder.async_save_now()

    # --- polling -------------------------------------------------------------------------------

    async def _async_update_data(self) -> EvData:
        """Read the box and process what changed."""
        self._reading = True
        try:
            return await self._async_read()
        finally:
            self._reading = False

    async def _async_read(self) -> EvData:
        try:
            reading = await self.client.read()
        except WallboxAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        except WallboxError as err:
            self.enforcement.report_lost()
            key = (
                "cannot_connect" if isinstance(err, WallboxConnectionError) else "invalid_response"
            )
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key=key,
                translation_placeholders={"error": str(err)},
            ) from err
        now = self._reading_time()
        # A value with odd characters is still a card someone presented: an unknown one.
        tag = sanitize_box_tag(reading.tag) or odd_box_tag(reading.tag)
        if tag != reading.tag:  # copy a reading only when it changes (every poll allocates)
            reading = replace(reading, tag=tag)
        for auth_event in self.auth.update(reading, self.domain.tags.registry, now):
            self.events.authorization(auth_event, now, self.recorder.label)
        await self.recorder.async_record(reading, now, self.auth.current_tag)
        await self.enforcement.async_enforce(reading, now)
        # Without a vehicle and a session, read as often as the user chose for an idle box.
        idle = self.recorder.tracker.open is None and not reading.vehicle_present
        self.poll_interval = self._idle_poll_interval if idle else self._busy_poll_interval
        return self._data(reading, now)

    @callback
    def async_set_unreachable(self, err: WallboxConnectionError) -> None:
        """A command found the box unreachable: its entities show it at once, as a failed poll.

        Nothing is logged here: the command's caller reports its own error, and the next poll
        that fails finds the outage already known and adds no second ERROR line for it.
        """
        self.last_exception = err
        if self.last_update_success:
            self.last_update_success = False
            self.async_update_listeners()

    @callback
    def async_tick(self, tick: int) -> None:
        """Start a poll when one is due (the poll clock calls this every second)."""
        if tick < self._next_poll_tick or self.config_entry.pref_disable_polling:
            return
        if self._polling or self._reading:
            return  # one poll at a time: a slow box is not asked again while it answers
        if not self.last_update_success and isinstance(self.last_exception, ConfigEntryAuthFailed):
            return  # the reauthentication flow reloads the entry
        self._polling = True
        self.config_entry.async_create_background_task(
            self.hass, self._async_poll(tick), f"{self.name} poll", eager_start=True
        )

    async def _async_poll(self, tick: int) -> None:
        try:
            await self.async_refresh()
        finally:
            self._polling = False
            self._next_poll_tick = next_poll_tick(tick, self.poll_interval)

    # --- entities and events ---------------------------------------------------------------

    @callback
    def async_add_entity(self, entity: ShownEntity) -> Callable[[], None]:
        """Show every poll on `entity`; all of the box's entities share one listener."""
        return self._entities.async_add(entity)

    @callback
    def _async_show_on_entities(self) -> None:
        box_answers = self.last_update_success
        for entity in self._entities.members:
            try:
                entity.async_show(box_answers)
            except Exception:  # noqa: BLE001  # one broken entity must not stall the others
                LOGGER.exception("Showing %s's data on %s failed", self.name, entity)

    @callback
    def async_add_event_listener(self, listener: EventListener) -> Callable[[], None]:
        """Subscribe the event entity to this wallbox's events."""
        return self.events.add_listener(listener)

    # --- control -----------------------------------------------------------------------------

    async def async_set_phases(self, phases: int) -> None:
        """Switch 1-phase / 3-phase charging (select entity)."""
        await self.async_refresh()  # count the energy up to the switch before counters move
        await self.enforcement.async_set_phases(phases)

    async def async_set_current_limit(self, amps: float) -> None:
        """Write the charging current (number entity)."""
        await self.enforcement.async_set_current_limit(amps)

    async def async_set_enabled(self, enabled: bool) -> None:
        """Allow or stop charging (switch entity)."""
        await self.enforcement.async_set_enabled(enabled)

    # --- data for entities -----------------------------------------------------------------

    def _remaining_wh(self, session: SessionRecord | None) -> float | None:
        energy = session.energy_wh if session else 0.0
        if self.target_energy_wh:
            return self.target_energy_wh - energy
        options = self.config_entry.options
        capacity = finite_or_none(options.get(CONF_BATTERY_CAPACITY))
        soc_state = self.hass.states.get(options.get(CONF_SOC_ENTITY) or "")
        if not capacity or soc_state is None:
            return None
        try:
            soc = float(soc_state.state)
        except ValueError:
            return None
        return (100.0 - min(max(soc, 0.0), 100.0)) / 100 * float(capacity) * 1000

    def _data(self, reading: Reading, now: datetime) -> EvData:
        recorder = self.recorder
        open_session = recorder.tracker.open
        session = (
            to_record(open_session, now, self.charger_id, self.config_entry.title)
            if open_session
            else None
        )
        tag_id, tag_name = recorder.label(self.auth.last_tag_id)
        lifetime = reading.lifetime_energy_wh
        if recorder.counts_own_lifetime:
            lifetime = recorder.delivered_wh
        return EvData(
            reading=reading,
            session=session,
            last_session=recorder.last_session,
            lifetime_energy_wh=lifetime,
            total_cost=recorder.total_cost,
            currency=self.hass.config.currency,
            auth_state=self.auth.state,
            last_tag=card_label_shown(self.hass, UNKNOWN_VIEWER, tag_id, tag_name) or tag_id,
            last_session_tag=self._last_session_tag(recorder.last_session),
            time_to_full_s=time_to_full_s(self._remaining_wh(session), reading.power_w)
            if reading.charging
            else None,
            locked=self.enforcement.locked,
        )

    def _last_session_tag(self, record: SessionRecord | None) -> str | None:
        if record is None:
            return None
        label = card_label_shown(self.hass, UNKNOWN_VIEWER, record.tag_id, record.tag_name)
        return label or record.tag_id

    @callback
    def async_refresh_derived(self) -> None:
        """Recompute data that depends on settings (target energy, tag names) without polling."""
        if self.data is not None:
            self.async_set_updated_data(self._data(self.data.reading, dt_util.utcnow()))


async def async_learn_last_unknown_tag(
    coordinator: EvCoordinator, name: str | None = None
) -> KnownTag:
    """Admit the last unknown card presented at this wallbox into the tag registry."""
    tag_id = coordinator.auth.last_unknown_tag_id
    registry = coordinator.domain.tags.registry
    if tag_id is not None:
        try:
            validate_tag(tag_id)
        except InvalidTagError:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unreadable_tag",
                translation_placeholders={"tag_id": tag_id},
            ) from None
    if tag_id is None or registry.get(tag_id) is not None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_unknown_tag",
            translation_placeholders={"charger": coordinator.config_entry.title},
        )
    tag = KnownTag(
        tag_id=tag_id,
        name=name or f"Tag {tag_id[-6:]}",
        owner=None,
        price_per_kwh=None,
        chargers=frozenset(),
    )
    await coordinator.domain.tags.async_add(tag)
    coordinator.auth.tag_learned(tag)
    coordinator.async_refresh_derived()
    return tag
