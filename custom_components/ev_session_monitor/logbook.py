"""Logbook sentences for the integration's events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ICON,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback

from .access import UNKNOWN_VIEWER, card_label_shown
from .const import (
    DOMAIN,
    EVENT_CARD_WITHDRAWN,
    EVENT_SESSION_COMPLETED,
    EVENT_SESSION_STARTED,
    EVENT_SITE_PAUSED,
    EVENT_SITE_RESUMED,
    EVENT_SUSPICIOUS_ACTIVITY,
    EVENT_TAG_ACCEPTED,
    EVENT_UNKNOWN_TAG,
)
from .core.durations import duration_text

# The logbook shows an icon per entry; without one the integration's entries have an empty space.
_ICONS = {
    EVENT_SESSION_STARTED: "mdi:ev-station",
    EVENT_SESSION_COMPLETED: "mdi:battery-charging-100",
    EVENT_TAG_ACCEPTED: "mdi:card-account-details",
    EVENT_UNKNOWN_TAG: "mdi:card-bulleted-off",
    EVENT_SUSPICIOUS_ACTIVITY: "mdi:shield-alert",
    EVENT_SITE_PAUSED: "mdi:pause-circle",
    EVENT_SITE_RESUMED: "mdi:play-circle",
    EVENT_CARD_WITHDRAWN: "mdi:credit-card-remove",
}
_WITHDRAWN = {
    "card_blocked": "the card was blocked",
    "card_unknown": "the card is no longer known",
    "card_not_allowed_here": "the card is no longer allowed at this wallbox",
}
_SITE_PAUSES = {
    "paused_for_priority": "for a car of higher priority",
    "paused_no_headroom": "because the fuse has no headroom left",
}


def _money(data: dict[str, Any]) -> str:
    if data.get("cost") is None:
        return ""
    return f" for {data['cost']:.2f} {data.get('currency') or ''}".rstrip()


def _who(data: dict[str, Any]) -> str:
    name = data.get("tag_name") or data.get("tag_id")
    return f" by {name}" if name else ""


def _message(event_type: str, data: dict[str, Any]) -> str:
    if event_type == EVENT_SESSION_STARTED:
        return "started a charging session"
    if event_type == EVENT_SESSION_COMPLETED:
        took = duration_text(data.get("duration_s") or 0)
        return (
            f"completed a charging session{_who(data)}: {data.get('energy_kwh', 0):.2f} kWh"
            f" in {took}{_money(data)}"
        )
    if event_type == EVENT_TAG_ACCEPTED:
        return f"accepted tag {data.get('tag_name') or data.get('tag_id')}"
    if event_type == EVENT_SITE_PAUSED:
        why = _SITE_PAUSES.get(str(data.get("reason")), "")
        return f"was paused by the site {data.get('site')} {why}".rstrip()
    if event_type == EVENT_SITE_RESUMED:
        return f"may charge again at {data.get('current_a', 0):g} A (site {data.get('site')})"
    if event_type == EVENT_CARD_WITHDRAWN:
        why = _WITHDRAWN.get(str(data.get("reason")), str(data.get("reason")))
        card = data.get("tag_name") or data.get("tag_id")
        if data.get("stopped"):
            return f"stopped the session of {card}: {why}"
        return f"could not stop the session of {card} ({why}): {data.get('error')}"
    if event_type == EVENT_UNKNOWN_TAG:
        return f"saw unknown tag {data.get('tag_id')} (attempt {data.get('attempts', 1)})"
    if data.get("reason") == "charging_without_tag":
        return "is charging without a tag although it requires authorization"
    return f"had {data.get('attempts')} unknown-tag attempts: suspicious activity"


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe every event the integration fires."""

    @callback
    def describe(event: Event) -> dict[str, str]:
        data = dict(event.data)
        if data.get("tag_name"):
            # With "card names for administrators only", "Card 3" for everyone, as on the
            # sensors: the logbook's history is described in the recorder's thread, where the
            # user who reads it is not known, and its live entries must read the same.
            tag_id, name = data.get("tag_id"), data["tag_name"]
            data["tag_name"] = card_label_shown(hass, UNKNOWN_VIEWER, tag_id, name)
        return {
            LOGBOOK_ENTRY_NAME: str(event.data.get("charger", "Wallbox")),
            LOGBOOK_ENTRY_MESSAGE: _message(str(event.event_type), data),
            LOGBOOK_ENTRY_ICON: _ICONS[str(event.event_type)],
        }

    for event_type in _ICONS:
        async_describe_event(DOMAIN, event_type, describe)
