"""A wallbox's sessions: readings in, sessions counted, priced, announced, archived, saved.

The poll loop hands every reading to `SessionRecorder.async_record`; a source that pushes its
readings (an OCPP charge point) can do the same without a poll loop.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import (
    ATTR_UNIT_OF_MEASUREMENT,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    UnitOfLength,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util.unit_conversion import DistanceConverter

from ..const import (
    CONF_FIXED_PRICE,
    CONF_HASH_UNKNOWN_TAGS,
    CONF_PRICE_ENTITY,
    CONF_PRICE_SOURCE,
    GAP_FACTOR,
    LOGGER,
    PRICE_SENSOR,
)
from ..core.model import Capability, Reading, SessionRecord
from ..core.profile import WallboxProfile
from ..core.session import (
    LimitExceeded,
    MeterSpec,
    OpenSession,
    SessionCompleted,
    SessionStarted,
    SessionTracker,
    TagPresented,
    transition_signature,
)
from ..core.tags import published_tag
from ..core.tariff import PriceError, price_in_force
from ..issues import async_wallbox_issue
from ..storage import DomainData
from .entry_store import EntryStore
from .events import WallboxEvents


class SessionRecorder:
    """Turns one wallbox's readings into recorded sessions and keeps its totals."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        profile: WallboxProfile,
        domain: DomainData,
        events: WallboxEvents,
        poll_s: float,
    ) -> None:
        """Sessions of `entry`'s wallbox; call async_restore() before the first reading."""
        self._hass = hass
        self._entry = entry
        self._profile = profile
        self._domain = domain
        self._events = events
        self.charger_id = entry.unique_id or entry.entry_id
        self.tracker = SessionTracker(
            self.charger_id,
            entry.title,
            MeterSpec.for_profile(profile),
            gap_s=poll_s * GAP_FACTOR,
        )
        self.store = EntryStore(hass, entry)
        self.hash_unknown = bool(entry.options.get(CONF_HASH_UNKNOWN_TAGS, False))
        self.delivered_wh = 0.0  # our own lifetime counter (boxes without a meter)
        self.total_cost = 0.0
        self.last_session: SessionRecord | None = None
        self.unarchived: list[SessionRecord] = []  # completed but not yet in the history
        self.learned_max_power_w: float | None = None  # measured above the profile's limit
        self._first_sight = True  # the box may be mid-session when first seen
        self.counts_own_lifetime = Capability.LIFETIME_ENERGY not in profile.capabilities
        # A box that reports transactions (OCPP): its meter at the start and end of the one
        # that just completed, for the session record.
        self.transaction_meter: Callable[[], tuple[float | None, float | None]] | None = None
        # The lifetime meter when the open session started, and at the latest reading: the
        # meter readings of the session record (billing). Saved with the open session.
        self.meter_at_start_wh: float | None = None
        self._meter_now_wh: float | None = None
        # The card's odometer (km) when its card became known in the open session; saved too.
        self.odometer_at_start_km: float | None = None

    # --- readings ------------------------------------------------------------------------------

    async def async_record(self, reading: Reading, now: datetime, current_tag: str | None) -> None:
        """Count one reading (`current_tag`: the card presented during this plug-in)."""
        # Sessions carry the tag presented during this plug-in (not a stale "last card read").
        if reading.tag != current_tag:
            reading = replace(reading, tag=current_tag)
        open_session = self.tracker.open
        price, currency = self.price((open_session.tag_id if open_session else None) or current_tag)
        counted_wh, counted_cost = self.tracker.counted_wh, self.tracker.counted_cost
        if reading.lifetime_energy_wh is not None:
            self._meter_now_wh = reading.lifetime_energy_wh
        for event in self.tracker.update(
            reading, now, price_per_kwh=price, currency=currency, first_sight=self._first_sight
        ):
            self._on_session_event(event)
        self._first_sight = False
        self.delivered_wh += self.tracker.counted_wh - counted_wh
        self.total_cost += self.tracker.counted_cost - counted_cost
        await self._async_archive_pending()
        await self.store.async_save_if_due(
            self.stored(),
            (
                *transition_signature(self.tracker.open),
                len(self.unarchived),
                self.learned_max_power_w,
            ),
            now,
            running=self.tracker.open is not None,
        )

    def price(self, tag_id: str | None) -> tuple[float | None, str]:
        """The price per kWh in force now for `tag_id` (a card's own price wins), and currency."""
        options = self._entry.options
        known = self._domain.tags.registry.get(tag_id) if tag_id else None
        source = options.get(CONF_PRICE_SOURCE)
        sensor_price: tuple[str, str | None] | None = None
        entity_id = options.get(CONF_PRICE_ENTITY) or ""
        state = self._hass.states.get(entity_id) if source == PRICE_SENSOR else None
        if state is not None and state.state not in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            sensor_price = (state.state, state.attributes.get("unit_of_measurement"))
        try:
            return price_in_force(
                tag_price=known.price_per_kwh if known is not None else None,
                source=source,
                fixed_price=options.get(CONF_FIXED_PRICE),
                sensor_price=sensor_price,
                currency=self._hass.config.currency,
            )
        except PriceError as err:
            LOGGER.warning("%s: price from %s not usable: %s", self._entry.title, entity_id, err)
            return None, self._hass.config.currency

    def odometer_km(self, tag_id: str | None) -> float | None:
        """The reading (km) of the odometer chosen for card `tag_id`; None when there is none."""
        known = self._domain.tags.registry.get(tag_id) if tag_id else None
        state = (
            self._hass.states.get(known.odometer_entity)
            if known and known.odometer_entity
            else None
        )
        if state is None:
            return None
        try:
            value = float(state.state)
            unit = state.attributes.get(ATTR_UNIT_OF_MEASUREMENT)
            # A sensor without a distance unit gives no reading rather than a wrong one.
            km = DistanceConverter.convert(value, unit, UnitOfLength.KILOMETERS)
        except ValueError, HomeAssistantError:
            return None
        return km if math.isfinite(km) else None

    def label(self, tag_id: str | None) -> tuple[str | None, str | None]:
        """(id to publish, name) for a card; unknown ids hashed when the user asked for it."""
        return published_tag(tag_id, self._domain.tags.registry, self.hash_unknown)

    def _on_session_event(
        self, event: SessionStarted | SessionCompleted | TagPresented | LimitExceeded
    ) -> None:
        if isinstance(event, LimitExceeded):
            self._limit_exceeded(event)
            return
        if isinstance(event, SessionStarted):
            self.meter_at_start_wh = self._meter_now_wh
            self._events.fire(
                "session_started",
                {
                    "session_id": event.session.session_id,
                    "start": event.session.started_at.isoformat(),
                },
            )
            return
        if isinstance(event, TagPresented):
            # A plugged-in car does not move: the first look once its card is known is its start.
            self.odometer_at_start_km = self.odometer_km(event.tag_id)
            return
        if event.record.energy_wh <= 0 and event.record.unseen_s <= 0:
            # Plugged in, nothing delivered (an unknown card refused, say): an attempt, which the
            # tag events record, not a charging session.
            LOGGER.debug("%s: plug-in without energy not recorded as a session", self._entry.title)
            return
        record = event.record
        if self.transaction_meter is not None:
            meter_start_wh, meter_end_wh = self.transaction_meter()
        else:
            # A reading at a start Home Assistant did not see is no start reading.
            meter_start_wh = None if record.start_uncertain else self.meter_at_start_wh
            meter_end_wh = self._meter_now_wh if meter_start_wh is not None else None
        record = replace(
            record,
            meter_start_wh=meter_start_wh,
            meter_end_wh=meter_end_wh,
            odometer_start_km=self.odometer_at_start_km,
            odometer_end_km=self.odometer_km(event.record.tag_id),
        )
        self.meter_at_start_wh = None
        self.odometer_at_start_km = None
        self.completed(record)

    def completed(self, record: SessionRecord) -> None:
        """A completed session: its card as published, kept until archived, announced.

        Also for a session the tracker did not follow (an OCPP box's second transaction).
        """
        tag_id, tag_name = self.label(record.tag_id)
        runtime = getattr(self._entry, "runtime_data", None)
        record = replace(
            record,
            tag_id=tag_id,
            tag_name=tag_name,
            meter_serial=runtime.identity.serial if runtime is not None else None,
        )
        self.last_session = record
        self.unarchived.append(record)
        self._events.session_completed(record)

    def _limit_exceeded(self, event: LimitExceeded) -> None:
        """The profile's power limit is wrong for this box: use the measured one and say so."""
        self.learned_max_power_w = event.limit_w
        LOGGER.warning(
            "%s: delivered %.0f W, above the model's limit; the energy was kept and %.0f W is now"
            " this wallbox's limit",
            self._entry.title,
            event.measured_power_w,
            event.limit_w,
        )
        async_wallbox_issue(
            self._hass,
            self._entry,
            "power_limit_exceeded",
            power=f"{event.measured_power_w:.0f}",
            limit=f"{self._profile.max_power_w:.0f}",
        )

    async def _async_archive_pending(self) -> None:
        """Move completed sessions into the history; keep them until that succeeds."""
        while self.unarchived:
            record = self.unarchived[0]
            try:
                await self._domain.archive.async_add(record)
            except Exception as err:  # noqa: BLE001 - the disk or database failed: retry next poll
                self.store.written("history", err)
                return
            self.store.written("history", None)
            self.unarchived.pop(0)
            await self.async_save_now()

    # --- saved state ---------------------------------------------------------------------------

    def stored(self) -> dict[str, Any]:
        """What survives a restart: the open session, totals, completed but unarchived sessions."""
        open_session = self.tracker.open
        return {
            "open_session": open_session.to_dict() if open_session else None,
            "meter_at_start_wh": self.meter_at_start_wh if open_session else None,
            "odometer_at_start_km": self.odometer_at_start_km if open_session else None,
            "delivered_wh": self.delivered_wh,
            "total_cost": self.total_cost,
            "learned_max_power_w": self.learned_max_power_w,
            "last_session": self.last_session.to_dict() if self.last_session else None,
            "unarchived": [record.to_dict() for record in self.unarchived],
        }

    async def async_save_now(self) -> None:
        """Persist immediately (transitions, every 30 s, stop, unload)."""
        await self.store.async_save(self.stored())

    async def async_restore(self) -> None:
        """Load each part of the saved state on its own.

        A damaged part is set aside and reported as a repair; it never keeps the rest (or the
        wallbox) from loading.
        """
        data = await self.store.async_load()
        if data is None:
            return
        if not isinstance(data, dict):
            await self.store.async_set_aside(data, ["(all)"])
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
        if data.get("meter_at_start_wh") is not None:
            self.meter_at_start_wh = number("meter_at_start_wh")
        if data.get("odometer_at_start_km") is not None:
            self.odometer_at_start_km = number("odometer_at_start_km")
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
            await self.store.async_set_aside(data, damaged)
