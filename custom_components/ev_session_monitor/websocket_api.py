"""Websocket commands of the Charging portal that read: wallboxes, sessions, totals.

Every user sees the live wallboxes; which sessions and totals follow access.py. The commands that
change something are in websocket_admin.py; the reports' own in websocket_reports.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import probatio as vol
from homeassistant.auth.models import User
from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.decorators import async_response, websocket_command
from homeassistant.components.websocket_api.messages import event_message
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util

from .access import (
    FILTER_FIELDS,
    can_see_card_names,
    card_label_for,
    controls_denied_entities,
    persons_of,
    scoped_filter,
    visible_tags,
)
from .const import DOMAIN
from .coordinator import EvConfigEntry
from .core.history import SORT_COLUMNS, charger_totals, summarize, totals
from .core.model import Capability, SessionRecord
from .core.tags import TagRegistry, tag_label
from .helpers import entity_id_of, loaded_entries
from .site_config import wallbox_entries
from .storage import DATA_DOMAIN
from .websocket_admin import (
    ws_admit,
    ws_attempts,
    ws_control,
    ws_tag_add,
    ws_tag_block,
    ws_tag_remove,
    ws_tag_update,
    ws_tags,
)
from .websocket_reports import ws_correct, ws_corrections, ws_utilization
from .websocket_site import ws_subscribe_sites

PAGE_MAX = 500


# --- registration -----------------------------------------------------------------------------


@callback
def async_register_commands(hass: HomeAssistant) -> None:
    """Register every portal command (once, from async_setup)."""
    for command in (
        ws_info,
        ws_permissions,
        ws_sessions,
        ws_totals,
        ws_subscribe_wallboxes,
        ws_subscribe_sites,
        ws_control,
        ws_tags,
        ws_tag_add,
        ws_tag_update,
        ws_tag_remove,
        ws_tag_block,
        ws_attempts,
        ws_admit,
        ws_utilization,
        ws_corrections,
        ws_correct,
    ):
        async_register_command(hass, command)


# --- reading ----------------------------------------------------------------------------------


@websocket_command({vol.Required("type"): f"{DOMAIN}/info"})
@callback
def ws_info(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    """What the portal needs to draw its filters: wallboxes, visible tags, persons, role."""
    user = connection.user
    allowed = visible_tags(hass, user)
    registry = hass.data[DATA_DOMAIN].tags.registry
    persons = hass.states.async_all("person")
    own = persons_of(hass, user)
    connection.send_result(
        msg["id"],
        {
            "admin": user.is_admin,
            "currency": hass.config.currency,
            "wallboxes": [
                {
                    "entry_id": entry.entry_id,
                    "charger_id": entry.unique_id or entry.entry_id,
                    "title": entry.title,
                }
                for entry in wallbox_entries(hass)
            ],
            "tags": [
                {"tag_id": tag.tag_id, "name": tag.name}
                for tag in registry
                if allowed is None or tag.tag_id in allowed
            ],
            "persons": [
                {"entity_id": state.entity_id, "name": state.name}
                for state in persons
                if user.is_admin or state.entity_id in own
            ],
        },
    )


@websocket_command({vol.Required("type"): f"{DOMAIN}/permissions"})
@callback
def ws_permissions(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    """What the card and the portal hide from the calling user."""
    connection.send_result(
        msg["id"],
        {
            "can_see_card_names": can_see_card_names(hass, connection.user),
            "controls_denied_entities": controls_denied_entities(hass, connection.user),
        },
    )


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/sessions",
        **FILTER_FIELDS,
        vol.Optional("offset", default=0): vol.All(vol.Coerce(int), vol.Range(min=0)),
        vol.Optional("limit", default=50): vol.All(vol.Coerce(int), vol.Range(min=1, max=PAGE_MAX)),
        vol.Optional("sort", default="started_at"): vol.In(sorted(SORT_COLUMNS)),
        vol.Optional("descending", default=True): cv.boolean,
    }
)
@async_response
async def ws_sessions(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """One page of sessions, sorted and counted in SQL."""
    query = scoped_filter(hass, connection.user, msg)
    archive = hass.data[DATA_DOMAIN].archive
    records = await archive.async_query(
        **query.as_kwargs(),
        limit=msg["limit"],
        offset=msg["offset"],
        sort=msg["sort"],
        newest_first=msg["descending"],
    )
    count = await archive.async_count(**query.as_kwargs())
    connection.send_result(
        msg["id"],
        {
            "sessions": [
                record.to_dict()
                for record in _labelled(records, hass.data[DATA_DOMAIN].tags.registry)
            ],
            "total": count,
            "offset": msg["offset"],
        },
    )


def _labelled(records: list[SessionRecord], registry: TagRegistry) -> list[SessionRecord]:
    """Sessions with the card names every view shows (core.tags.tag_label)."""
    return [
        record
        if (label := tag_label(record.tag_id, record.tag_name, registry)) == record.tag_name
        else replace(record, tag_name=label)
        for record in records
    ]


@websocket_command({vol.Required("type"): f"{DOMAIN}/totals", **FILTER_FIELDS})
@async_response
async def ws_totals(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    """Totals per tag and month and per wallbox and month, and the overall summary."""
    query = scoped_filter(hass, connection.user, msg)
    records = _labelled(
        await hass.data[DATA_DOMAIN].archive.async_query(**query.as_kwargs()),
        hass.data[DATA_DOMAIN].tags.registry,
    )
    tz = dt_util.get_default_time_zone()

    def report() -> dict[str, Any]:  # tens of thousands of sessions: not in the event loop
        return {
            "by_tag": [row.to_dict() for row in totals(records, tz)],
            "by_charger": [row.to_dict() for row in charger_totals(records, tz)],
            "summary": summarize(records).to_dict(),
        }

    connection.send_result(msg["id"], await hass.async_add_executor_job(report))


def _who(hass: HomeAssistant, user: User, tag_id: str | None, last_tag: str | None) -> str | None:
    """The name of the card charging now; an unknown card as the entities show it."""
    if tag_id is None:
        return None
    known = hass.data[DATA_DOMAIN].tags.registry.get(tag_id)
    return card_label_for(hass, user, tag_id, known.name) if known is not None else last_tag


def wallbox_snapshot(hass: HomeAssistant, entry: EvConfigEntry, user: User) -> dict[str, Any]:
    """What the Now tile of one wallbox shows."""
    coordinator = entry.runtime_data.coordinator
    profile = entry.runtime_data.profile
    data = coordinator.data
    session = data.session
    now = dt_util.utcnow()
    switch = entity_id_of(hass, "switch", coordinator.charger_id, "charging_enabled")
    current = entity_id_of(hass, "number", coordinator.charger_id, "charging_current")
    switch_state = hass.states.get(switch) if switch else None
    control = profile.current_limit
    return {
        "entry_id": entry.entry_id,
        "title": entry.title,
        "available": coordinator.last_update_success,
        "status": data.reading.status,
        "power_w": data.reading.power_w,
        "auth_state": data.auth_state,
        "who": _who(hass, user, session.tag_id, data.last_tag) if session else None,
        "last_tag": data.last_tag,
        "session": None
        if session is None
        else {
            "started_at": session.started_at.isoformat(),
            "duration_s": round((now - session.started_at).total_seconds()),
            "energy_wh": round(session.energy_wh, 1),
            "cost": None if session.cost is None else round(session.cost, 2),
            "currency": session.currency or data.currency,
        },
        "time_to_full_s": None if data.time_to_full_s is None else round(data.time_to_full_s),
        "enable": None
        if switch is None
        else {
            "entity_id": switch,
            # None: the switch does not know (nothing written, the box does not report it).
            "on": None
            if switch_state is None or switch_state.state not in (STATE_ON, STATE_OFF)
            else switch_state.state == STATE_ON,
        },
        "current": None
        if current is None
        or control is None
        or Capability.CURRENT_LIMIT not in profile.capabilities
        else {
            "entity_id": current,
            "min": control.min_a,
            "max": control.max_a,
            "value": data.reading.current_limit_a,
        },
    }


@websocket_command({vol.Required("type"): f"{DOMAIN}/wallboxes/subscribe"})
@callback
def ws_subscribe_wallboxes(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Send every wallbox's state now and after each poll or control change."""
    msg_id = msg["id"]
    entries = loaded_entries(hass)

    @callback
    def send(*_: Any) -> None:
        snapshots = [
            wallbox_snapshot(hass, entry, connection.user)
            for entry in entries
            if entry.state is ConfigEntryState.LOADED and entry.runtime_data.coordinator.data
        ]
        connection.send_message(event_message(msg_id, {"wallboxes": snapshots}))

    unsubscribers: list[Callable[[], None]] = [
        entry.runtime_data.coordinator.async_add_listener(send) for entry in entries
    ]
    # The enable switch keeps its own state: follow it too.
    switches = [
        entity_id
        for entry in entries
        if (
            entity_id := entity_id_of(
                hass, "switch", entry.runtime_data.coordinator.charger_id, "charging_enabled"
            )
        )
    ]
    if switches:
        unsubscribers.append(async_track_state_change_event(hass, switches, send))

    @callback
    def unsubscribe() -> None:
        for unsub in unsubscribers:
            unsub()

    connection.subscriptions[msg_id] = unsubscribe
    connection.send_result(msg_id)
    send()
