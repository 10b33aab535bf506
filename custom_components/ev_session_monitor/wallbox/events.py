"""A wallbox's events: on the bus and on its event entity; authorization turned into events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from ..const import DOMAIN
from ..core.authorization import TagAttempt, UnauthorizedCharging
from ..core.model import SessionRecord
from ..core.tags import clip_text
from ..issues import async_suspicious_issue

# Longest text in an event payload (the longest legitimate one is a tag or wallbox name).
EVENT_TEXT_MAX_LENGTH = 255

type EventListener = Callable[[str, dict[str, Any]], None]
type TagLabel = Callable[[str | None], tuple[str | None, str | None]]


class WallboxEvents:
    """Fires `ev_session_monitor_<type>` events for one wallbox and tells its event entity."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Events of `entry`'s wallbox; device_id is set once the device exists."""
        self._hass = hass
        self._entry = entry
        self.device_id: str | None = None
        # The box asks before it charges (OCPP) and an unknown card was refused, not inferred.
        self.refuses_unknown_cards = False
        self._listeners: list[EventListener] = []

    def add_listener(self, listener: EventListener) -> Callable[[], None]:
        """Subscribe (the event entity); returns the unsubscribe callback."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def fire(self, event_type: str, data: dict[str, Any]) -> None:
        """Fire one event with the wallbox's identity, also on the event entity."""
        payload = self.announce(event_type, data)
        for listener in list(self._listeners):
            listener(event_type, payload)

    def announce(self, event_type: str, data: dict[str, Any]) -> dict[str, Any]:
        """Fire one event with the wallbox's identity on the bus only; return its payload."""
        payload = {
            "device_id": self.device_id,
            "entry_id": self._entry.entry_id,
            "charger": self._entry.title,
            **data,
        }
        # The recorder drops events over 32 KB: no name or box-supplied text may grow one.
        payload = {
            key: clip_text(value, EVENT_TEXT_MAX_LENGTH) if isinstance(value, str) else value
            for key, value in payload.items()
        }
        self._hass.bus.async_fire(f"{DOMAIN}_{event_type}", payload)
        return payload

    def authorization(
        self, event: TagAttempt | UnauthorizedCharging, now: datetime, label: TagLabel
    ) -> None:
        """A card presented (accepted or unknown) or charging without one: events and repairs."""
        if isinstance(event, UnauthorizedCharging):
            self.fire(
                "suspicious_activity", {"reason": "charging_without_tag", "time": now.isoformat()}
            )
            async_suspicious_issue(self._hass, self._entry, "charging_without_tag")
            return
        tag_id, tag_name = label(event.tag_id)
        if event.known is not None:
            self.fire(
                "tag_accepted", {"tag_id": tag_id, "tag_name": tag_name, "time": now.isoformat()}
            )
            return
        unknown: dict[str, Any] = {
            "tag_id": tag_id,
            "time": now.isoformat(),
            "attempts": event.attempts_in_window,
        }
        if self.refuses_unknown_cards:
            unknown["rejected"] = True
        if event.blocked:
            unknown["blocked"] = True
        self.fire("unknown_tag", unknown)
        if event.suspicious:
            self.fire(
                "suspicious_activity",
                {
                    "reason": "unknown_tag_attempts",
                    "tag_id": tag_id,
                    "attempts": event.attempts_in_window,
                    "time": now.isoformat(),
                },
            )
            async_suspicious_issue(
                self._hass, self._entry, "unknown_tag_attempts", event.attempts_in_window
            )

    def session_completed(self, record: SessionRecord) -> None:
        """The documented session_completed event."""
        self.fire(
            "session_completed",
            {
                "session_id": record.session_id,
                "start": record.started_at.isoformat(),
                "end": record.ended_at.isoformat(),
                "energy_kwh": round(record.energy_wh / 1000, 3),
                "duration_s": round(record.duration_s),
                "charging_s": round(record.charging_s),
                "cost": None if record.cost is None else round(record.cost, 2),
                "currency": record.currency,
                "avg_power_w": None if record.avg_power_w is None else round(record.avg_power_w),
                "peak_power_w": (
                    None if record.peak_power_w is None else round(record.peak_power_w)
                ),
                "tag_id": record.tag_id,
                "tag_name": record.tag_name,
                "energy_source": record.energy_source,
                "gaps": record.gaps,
                "unpriced_kwh": round(record.unpriced_wh / 1000, 3),
                # Set when the vehicle left while Home Assistant was not running: the end lies
                # between `end` and `end_latest`.
                "end_latest": None if record.end_latest is None else record.end_latest.isoformat(),
                "unseen_s": round(record.unseen_s),
                "start_uncertain": record.start_uncertain,
                "end_uncertain": record.end_uncertain,
                # For billing: the meter readings, the average price and, where the price
                # changed during the session, its energy per price.
                "meter_start_wh": record.meter_start_wh,
                "meter_end_wh": record.meter_end_wh,
                "meter_serial": record.meter_serial,
                "odometer_start_km": record.odometer_start_km,
                "odometer_end_km": record.odometer_end_km,
                "price_per_kwh": (
                    None if record.price_per_kwh is None else round(record.price_per_kwh, 4)
                ),
                "price_parts": [part.to_dict() for part in record.price_parts],
            },
        )
