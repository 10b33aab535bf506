"""One DataUpdateCoordinator per wallbox: poll, track sessions and tags, enforce, persist."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_state_change_event, async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .const import (
    CONF_BATTERY_CAPACITY,
    CONF_ENFORCE,
    CONF_FIXED_PRICE,
    CONF_HASH_UNKNOWN_TAGS,
    CONF_IDLE_POLL_INTERVAL,
    CONF_POLL_INTERVAL,
    CONF_PRICE_ENTITY,
    CONF_PRICE_SOURCE,
    CONF_RELEASE_CURRENT,
    CONF_REQUIRES_AUTHORIZATION,
    CONF_SOC_ENTITY,
    CONF_SUSPICIOUS_ATTEMPTS,
    CONF_SUSPICIOUS_WINDOW_MIN,
    DEFAULT_POLL_INTERVAL_S,
    DEFAULT_SUSPICIOUS_ATTEMPTS,
    DEFAULT_SUSPICIOUS_WINDOW_MIN,
    DOMAIN,
    GAP_FACTOR,
    LOGGER,
    PRICE_FIXED,
    PRICE_SENSOR,
)
from .core.authorization import AuthorizationMonitor, AuthState, TagAttempt, UnauthorizedCharging
from .core.client import WallboxClient
from .core.errors import WallboxAuthError, WallboxConnectionError, WallboxError
from .core.model import Capability, DeviceIdentity, Reading, SessionRecord
from .core.profile import WallboxProfile
from .core.session import (
    LimitExceeded,
    MeterSpec,
    OpenSession,
    SavePolicy,
    SessionCompleted,
    SessionStarted,
    SessionTracker,
    TagPresented,
    time_to_full_s,
    to_record,
    transition_signature,
)
from .core.tags import KnownTag, clip_text, hash_tag, sanitize_box_tag
from .core.tariff import PriceError, price_per_kwh
from .polling import Members, next_poll_tick
from .storage import DomainData

STORE_VERSION = 1
# Re-send the enforced current this often even if nothing changed (a rebooted box forgets it).
ENFORCE_REFRESH = timedelta(seconds=60)
# Longest text in an event payload (the longest legitimate one is a tag or wallbox name).
EVENT_TEXT_MAX_LENGTH = 255

type EventListener = Callable[[str, dict[str, Any]], None]


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


class EvCoordinator(DataUpdateCoordinator[EvData]):
    """Polls one wallbox and turns its readings into sessions, tags and events."""

    config_entry: EvConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: EvConfigEntry,
        client: WallboxClient,
        domain: DomainData,
    ) -> None:
        """Set up trackers from the entry's options."""
        options = entry.options
        self.poll_s = float(options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL_S))
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
        self.device_id: str | None = None
        self.tracker = SessionTracker(
            self.charger_id,
            entry.title,
            MeterSpec.for_profile(self.profile),
            gap_s=self.poll_s * GAP_FACTOR,
        )
        self.enforce = bool(options.get(CONF_ENFORCE, False)) and (
            Capability.CURRENT_LIMIT in self.profile.capabilities
        )
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
            enforce=self.enforce,
        )
        self.hash_unknown = bool(options.get(CONF_HASH_UNKNOWN_TAGS, False))
        # Atomic writes (temporary file, fsync, rename): a power cut leaves the old or the new file.
        self._store: Store[dict[str, Any]] = Store(
            hass, STORE_VERSION, f"{DOMAIN}.{entry.entry_id}", atomic_writes=True
        )
        self.delivered_wh = 0.0  # our own lifetime counter (boxes without a meter)
        self.total_cost = 0.0
        self.last_session: SessionRecord | None = None
        self.unarchived: list[SessionRecord] = []  # completed but not yet in the history
        self.target_energy_wh: float | None = None
        self.learned_max_power_w: float | None = None  # measured above the profile's limit
        self._first_poll = True  # the box may be mid-session when first seen
        self._save_policy = SavePolicy()
        self.controlled = False  # we wrote a control: keep the box's watchdog fed
        self._enforced_current: float | None = None
        self._enforced_at: datetime | None = None
        self._event_listeners: list[EventListener] = []
        self._entities = Members[ShownEntity](
            lambda: self.async_add_listener(self._async_show_on_entities)
        )
        self._counts_own_lifetime = Capability.LIFETIME_ENERGY not in self.profile.capabilities

    # --- setup and persistence ---------------------------------------------------------------

    async def _async_setup(self) -> None:
        """Restore the open session and totals saved before the last stop."""
        await self._async_restore(await self._store.async_load())
        self.config_entry.async_on_unload(
            self.hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, self._async_save_on_stop)
        )
        if self.profile.keepalive is not None:
            self.config_entry.async_on_unload(
                async_track_time_interval(
                    self.hass,
                    self._in_background(self._async_keepalive),
                    timedelta(seconds=self.profile.keepalive.interval_s),
                    name=f"{DOMAIN} keepalive",
                )
            )
        refresh_s = self.profile.current_limit.refresh_s if self.profile.current_limit else None
        if refresh_s:
            self.config_entry.async_on_unload(
                async_track_time_interval(
                    self.hass,
                    self._in_background(self._async_refresh_setpoint),
                    timedelta(seconds=refresh_s),
                    name=f"{DOMAIN} setpoint refresh",
                )
            )
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

    async def _async_restore(self, data: Any) -> None:
        """Load each part of the saved state on its own.

        A damaged part is set aside and reported as a repair; it never keeps the rest (or the
        wallbox) from loading.
        """
        if data is None:
            return
        if not isinstance(data, dict):
            await self._async_set_aside(data, ["(all)"])
            return
        damaged: list[str] = []

        def number(key: str) -> float:
            value = data.get(key, 0.0)
            if isinstance(value, bool) or not isinstance(value, int | float):
                damaged.append(key)
                return 0.0
            return float(value)

        self.delivered_wh = number("delivered_wh")
        self.total_cost = number("total_cost")
        if data.get("learned_max_power_w") is not None:
            self.learned_max_power_w = number("learned_max_power_w") or None
            if self.learned_max_power_w:
                self.tracker.set_limit(self.learned_max_power_w)
        if data.get("open_session"):
            try:
                self.tracker.restore(OpenSession.from_dict(data["open_session"]))
            except (KeyError, ValueError, TypeError):
                damaged.append("open_session")
        if data.get("last_session"):
            try:
                self.last_session = SessionRecord.from_dict(data["last_session"])
            except (KeyError, ValueError, TypeError, AttributeError):
                damaged.append("last_session")
        unarchived = data.get("unarchived") or []
        if not isinstance(unarchived, list):
            damaged.append("unarchived")
            unarchived = []
        for index, item in enumerate(unarchived):
            try:
                self.unarchived.append(SessionRecord.from_dict(item))
            except (KeyError, ValueError, TypeError, AttributeError):
                damaged.append(f"unarchived[{index}]")
        if damaged:
            await self._async_set_aside(data, damaged)

    async def _async_set_aside(self, data: Any, damaged: list[str]) -> None:
        """Keep a copy of damaged saved state next to it and tell the user (a repair)."""
        stamp = dt_util.utcnow().strftime("%Y%m%dT%H%M%SZ")
        path = self.hass.config.path(
            ".storage", f"{DOMAIN}.{self.config_entry.entry_id}.damaged-{stamp}.json"
        )
        text = json.dumps(data, default=str, indent=2)
        await self.hass.async_add_executor_job(Path(path).write_text, text)
        parts = ", ".join(damaged)
        LOGGER.error(
            "%s: saved state damaged (%s); the rest was loaded, a copy is kept as %s",
            self.name,
            parts[:300],
            path,
        )
        self._repair("stored_state_damaged", parts=parts[:300], kept=path)

    def _stored(self) -> dict[str, Any]:
        open_session = self.tracker.open
        return {
            "open_session": open_session.to_dict() if open_session else None,
            "delivered_wh": self.delivered_wh,
            "total_cost": self.total_cost,
            "learned_max_power_w": self.learned_max_power_w,
            "last_session": self.last_session.to_dict() if self.last_session else None,
            "unarchived": [record.to_dict() for record in self.unarchived],
        }

    async def _async_persist(self, now: datetime) -> None:
        """Write at every transition, and the running figures at least every 30 s."""
        signature = (
            *transition_signature(self.tracker.open),
            len(self.unarchived),
            self.learned_max_power_w,
        )
        if self._save_policy.due(signature, now, running=self.tracker.open is not None):
            await self.async_save_now()
            self._save_policy.written(signature, now)

    async def _async_save_on_stop(self, _event: Event) -> None:
        await self.async_save_now()

    async def async_save_now(self) -> None:
        """Persist immediately (transitions, every 30 s, stop, unload)."""
        await self._store.async_save(self._stored())

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
            self._report_enforcement_lost()
            key = (
                "cannot_connect" if isinstance(err, WallboxConnectionError) else "invalid_response"
            )
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key=key,
                translation_placeholders={"error": str(err)},
            ) from err
        now = dt_util.utcnow()
        tag = sanitize_box_tag(reading.tag)
        if tag != reading.tag:  # copy a reading only when it changes (every poll allocates)
            reading = replace(reading, tag=tag)
        registry = self.domain.tags.registry
        for auth_event in self.auth.update(reading, registry, now):
            self._handle_auth_event(auth_event, now)
        # Sessions carry the tag presented during this plug-in (not a stale "last card read").
        session_reading = (
            reading
            if reading.tag == self.auth.current_tag
            else replace(reading, tag=self.auth.current_tag)
        )
        price, currency = self._price()
        counted_wh, counted_cost = self.tracker.counted_wh, self.tracker.counted_cost
        for session_event in self.tracker.update(
            session_reading,
            now,
            price_per_kwh=price,
            currency=currency,
            first_sight=self._first_poll,
        ):
            await self._handle_session_event(session_event, now)
        self._first_poll = False
        self.delivered_wh += self.tracker.counted_wh - counted_wh
        self.total_cost += self.tracker.counted_cost - counted_cost
        await self._archive_pending()
        await self._enforce(reading, now)
        await self._async_persist(now)
        # Without a vehicle and a session, read as often as the user chose for an idle box.
        idle = self.tracker.open is None and not reading.vehicle_present
        self.poll_interval = self._idle_poll_interval if idle else self._busy_poll_interval
        return self._data(reading, now)

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

    def _price(self) -> tuple[float | None, str]:
        """The price per kWh in force now (a tag's own price wins), and the currency."""
        currency = self.hass.config.currency
        open_session = self.tracker.open
        tag_id = (open_session.tag_id if open_session else None) or self.auth.current_tag
        if tag_id:
            known = self.domain.tags.registry.get(tag_id)
            if known is not None and known.price_per_kwh is not None:
                return known.price_per_kwh, currency
        options = self.config_entry.options
        source = options.get(CONF_PRICE_SOURCE)
        if source == PRICE_FIXED:
            return float(options.get(CONF_FIXED_PRICE, 0.0)), currency
        if source == PRICE_SENSOR:
            state = self.hass.states.get(options.get(CONF_PRICE_ENTITY, ""))
            if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
                return None, currency
            try:
                price, unit_currency = price_per_kwh(
                    state.state, state.attributes.get("unit_of_measurement")
                )
            except PriceError as err:
                LOGGER.warning("%s: price from %s not usable: %s", self.name, state.entity_id, err)
                return None, currency
            return price, unit_currency or currency
        return None, currency

    def _tag_label(self, tag_id: str | None) -> tuple[str | None, str | None]:
        """(id to publish, name) for a tag; unknown ids are hashed when the user asked for it."""
        if tag_id is None:
            return None, None
        known = self.domain.tags.registry.get(tag_id)
        if known is not None:
            return known.tag_id, known.name
        return (hash_tag(tag_id) if self.hash_unknown else tag_id), None

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
        self._event_listeners.append(listener)
        return lambda: self._event_listeners.remove(listener)

    def _fire(self, event_type: str, data: dict[str, Any]) -> None:
        payload = {
            "device_id": self.device_id,
            "entry_id": self.config_entry.entry_id,
            "charger": self.config_entry.title,
            **data,
        }
        # The recorder drops events over 32 KB: no name or box-supplied text may grow one.
        payload = {
            key: clip_text(value, EVENT_TEXT_MAX_LENGTH) if isinstance(value, str) else value
            for key, value in payload.items()
        }
        self.hass.bus.async_fire(f"{DOMAIN}_{event_type}", payload)
        for listener in list(self._event_listeners):
            listener(event_type, payload)

    def _handle_auth_event(self, event: TagAttempt | UnauthorizedCharging, now: datetime) -> None:
        if isinstance(event, UnauthorizedCharging):
            self._fire(
                "suspicious_activity", {"reason": "charging_without_tag", "time": now.isoformat()}
            )
            self._suspicious_issue("charging_without_tag")
            return
        tag_id, tag_name = self._tag_label(event.tag_id)
        if event.known is not None:
            self._fire(
                "tag_accepted", {"tag_id": tag_id, "tag_name": tag_name, "time": now.isoformat()}
            )
            return
        self._fire(
            "unknown_tag",
            {"tag_id": tag_id, "time": now.isoformat(), "attempts": event.attempts_in_window},
        )
        if event.suspicious:
            self._fire(
                "suspicious_activity",
                {
                    "reason": "unknown_tag_attempts",
                    "tag_id": tag_id,
                    "attempts": event.attempts_in_window,
                    "time": now.isoformat(),
                },
            )
            self._suspicious_issue("unknown_tag_attempts", attempts=event.attempts_in_window)

    def _suspicious_issue(self, reason: str, attempts: int = 0) -> None:
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            f"suspicious_activity_{self.config_entry.entry_id}",
            is_fixable=True,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=f"suspicious_{reason}",
            translation_placeholders={
                "charger": self.config_entry.title,
                "attempts": str(attempts),
                "minutes": str(
                    self.config_entry.options.get(
                        CONF_SUSPICIOUS_WINDOW_MIN, DEFAULT_SUSPICIOUS_WINDOW_MIN
                    )
                ),
            },
        )

    async def _handle_session_event(
        self, event: SessionStarted | SessionCompleted | TagPresented | LimitExceeded, now: datetime
    ) -> None:
        if isinstance(event, LimitExceeded):
            self._limit_exceeded(event)
            return
        if isinstance(event, SessionStarted):
            self._fire(
                "session_started",
                {
                    "session_id": event.session.session_id,
                    "start": event.session.started_at.isoformat(),
                },
            )
            return
        if isinstance(event, TagPresented):
            return
        if event.record.energy_wh <= 0 and event.record.unseen_s <= 0:
            # Plugged in, nothing delivered (an unknown card refused, say): an attempt, which the
            # tag events record, not a charging session.
            LOGGER.debug("%s: plug-in without energy not recorded as a session", self.name)
            return
        tag_id, tag_name = self._tag_label(event.record.tag_id)
        record = replace(event.record, tag_id=tag_id, tag_name=tag_name)
        self.last_session = record
        self.unarchived.append(record)
        self._fire("session_completed", _completed_payload(record))

    def _limit_exceeded(self, event: LimitExceeded) -> None:
        """The profile's power limit is wrong for this box: use the measured one and say so."""
        self.learned_max_power_w = event.limit_w
        LOGGER.warning(
            "%s: delivered %.0f W, above the model's limit; the energy was kept and %.0f W is now"
            " this wallbox's limit",
            self.name,
            event.measured_power_w,
            event.limit_w,
        )
        self._repair(
            "power_limit_exceeded",
            power=f"{event.measured_power_w:.0f}",
            limit=f"{self.profile.max_power_w:.0f}",
        )

    async def _archive_pending(self) -> None:
        """Move completed sessions into the history; keep them until that succeeds."""
        while self.unarchived:
            record = self.unarchived[0]
            try:
                await self.domain.archive.async_add(record)
            except Exception:  # noqa: BLE001 - the disk or database failed: retry next poll
                LOGGER.exception("%s: session %s not archived yet", self.name, record.session_id)
                return
            self.unarchived.pop(0)
            await self.async_save_now()

    # --- control -----------------------------------------------------------------------------

    async def _enforce(self, reading: Reading, now: datetime) -> None:
        """Hold the box at 0 A until a known tag allowed here is presented."""
        if not self.enforce:
            return
        control = self.profile.current_limit
        assert control is not None
        release = float(self.config_entry.options.get(CONF_RELEASE_CURRENT, control.max_a))
        wanted = release if self.auth.release_allowed(reading) else 0.0
        due = self._enforced_at is None or now - self._enforced_at >= ENFORCE_REFRESH
        if wanted == self._enforced_current and not due:
            return
        try:
            await self.client.set_current_limit(wanted)
        except WallboxError as err:
            self._enforced_current = None
            self._report_enforcement_lost()
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="cannot_connect",
                translation_placeholders={"error": str(err)},
            ) from err
        self.controlled = True
        self._enforced_current = wanted
        self._enforced_at = now
        ir.async_delete_issue(self.hass, DOMAIN, f"enforcement_lost_{self.config_entry.entry_id}")

    def _report_enforcement_lost(self) -> None:
        if not self.enforce:
            return
        self._enforced_current = None  # unknown: re-send once the box is back
        self._repair("enforcement_lost", severity=ir.IssueSeverity.ERROR)

    def _repair(
        self,
        key: str,
        severity: ir.IssueSeverity = ir.IssueSeverity.WARNING,
        **placeholders: str,
    ) -> None:
        """Raise (or update) this wallbox's repair issue `key`; the user fixes the cause."""
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            f"{key}_{self.config_entry.entry_id}",
            is_fixable=False,
            severity=severity,
            translation_key=key,
            translation_placeholders={"charger": self.config_entry.title, **placeholders},
        )

    def _in_background(
        self, job: Callable[[datetime], Coroutine[Any, Any, None]]
    ) -> Callable[[datetime], None]:
        """A timer callback running `job` as the entry's task: cancelled when it unloads."""

        @callback
        def start(now: datetime) -> None:
            self.config_entry.async_create_background_task(
                self.hass, job(now), f"{DOMAIN} {job.__name__}"
            )

        return start

    async def _async_keepalive(self, _now: datetime) -> None:
        """Feed the box's watchdog while we control it."""
        if not (self.controlled or self.enforce):
            return
        try:
            await self.client.keepalive()
        except WallboxError as err:
            LOGGER.warning("%s: keepalive failed: %s", self.name, err)
            self._report_enforcement_lost()

    async def _async_refresh_setpoint(self, _now: datetime) -> None:
        """Write the last current again before the box's validity time drops it (Alfen)."""
        try:
            await self.client.refresh_setpoint()
        except WallboxError as err:
            LOGGER.warning("%s: setpoint refresh failed: %s", self.name, err)
            self._report_enforcement_lost()

    async def async_set_phases(self, phases: int) -> None:
        """Switch 1-phase / 3-phase charging (select entity)."""
        await self.async_refresh()  # count the energy up to the switch before counters move
        await self.client.set_phases(phases)
        self.controlled = True

    async def async_set_current_limit(self, amps: float) -> None:
        """Write the charging current (number entity)."""
        await self.client.set_current_limit(amps)
        self.controlled = True

    async def async_set_enabled(self, enabled: bool) -> None:
        """Allow or stop charging (switch entity)."""
        await self.client.set_enabled(enabled)
        self.controlled = True

    # --- data for entities -----------------------------------------------------------------

    def _remaining_wh(self, session: SessionRecord | None) -> float | None:
        energy = session.energy_wh if session else 0.0
        if self.target_energy_wh:
            return self.target_energy_wh - energy
        options = self.config_entry.options
        capacity = options.get(CONF_BATTERY_CAPACITY)
        soc_state = self.hass.states.get(options.get(CONF_SOC_ENTITY) or "")
        if not capacity or soc_state is None:
            return None
        try:
            soc = float(soc_state.state)
        except ValueError:
            return None
        return (100.0 - min(max(soc, 0.0), 100.0)) / 100 * float(capacity) * 1000

    def _data(self, reading: Reading, now: datetime) -> EvData:
        open_session = self.tracker.open
        session = (
            to_record(open_session, now, self.charger_id, self.config_entry.title)
            if open_session
            else None
        )
        last_tag = self.auth.last_tag_id
        tag_id, tag_name = self._tag_label(last_tag)
        lifetime = reading.lifetime_energy_wh
        if self._counts_own_lifetime:
            lifetime = self.delivered_wh
        return EvData(
            reading=reading,
            session=session,
            last_session=self.last_session,
            lifetime_energy_wh=lifetime,
            total_cost=self.total_cost,
            currency=self.hass.config.currency,
            auth_state=self.auth.state,
            last_tag=tag_name or tag_id,
            time_to_full_s=time_to_full_s(self._remaining_wh(session), reading.power_w)
            if reading.charging
            else None,
            locked=(self._enforced_current == 0) if self.enforce else None,
        )

    @callback
    def async_refresh_derived(self) -> None:
        """Recompute data that depends on settings (target energy, tag names) without polling."""
        if self.data is not None:
            self.async_set_updated_data(self._data(self.data.reading, dt_util.utcnow()))


def _completed_payload(record: SessionRecord) -> dict[str, Any]:
    """The documented session_completed event payload."""
    return {
        "session_id": record.session_id,
        "start": record.started_at.isoformat(),
        "end": record.ended_at.isoformat(),
        "energy_kwh": round(record.energy_wh / 1000, 3),
        "duration_s": round(record.duration_s),
        "charging_s": round(record.charging_s),
        "cost": None if record.cost is None else round(record.cost, 2),
        "currency": record.currency,
        "avg_power_w": None if record.avg_power_w is None else round(record.avg_power_w),
        "peak_power_w": None if record.peak_power_w is None else round(record.peak_power_w),
        "tag_id": record.tag_id,
        "tag_name": record.tag_name,
        "energy_source": record.energy_source,
        "gaps": record.gaps,
        "unpriced_kwh": round(record.unpriced_wh / 1000, 3),
        # Set when the vehicle left while Home Assistant was not running: the end lies between
        # `end` and `end_latest`.
        "end_latest": None if record.end_latest is None else record.end_latest.isoformat(),
        "unseen_s": round(record.unseen_s),
        "start_uncertain": record.start_uncertain,
        "end_uncertain": record.end_uncertain,
    }


async def async_learn_last_unknown_tag(
    coordinator: EvCoordinator, name: str | None = None
) -> KnownTag:
    """Admit the last unknown card presented at this wallbox into the tag registry."""
    tag_id = coordinator.auth.last_unknown_tag_id
    registry = coordinator.domain.tags.registry
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
