"""Websocket commands of the Charging portal, and who may see which sessions.

Administrators see and change everything. Any other user sees the live wallboxes and only the
sessions and totals of known tags linked to their own person; every command that changes
something requires an administrator.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import probatio as vol
from homeassistant.auth.models import User
from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.const import (
    ERR_INVALID_FORMAT,
    ERR_NOT_FOUND,
    ERR_NOT_SUPPORTED,
)
from homeassistant.components.websocket_api.decorators import (
    async_response,
    require_admin,
    websocket_command,
)
from homeassistant.components.websocket_api.messages import event_message
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import Unauthorized
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN, EVENT_UNKNOWN_TAG
from .coordinator import EvConfigEntry
from .core.history import SORT_COLUMNS, charger_totals, summarize, totals
from .core.model import Capability, SessionRecord
from .core.numbers import finite_float
from .core.tags import (
    DuplicateTagError,
    InvalidTagError,
    KnownTag,
    TagRegistry,
    normalize_tag,
    tag_label,
    validate_tag,
)
from .services import (
    ATTR_CONFIG_ENTRY_ID,
    ATTR_END,
    ATTR_START,
    ATTR_TAG_ID,
    SessionFilter,
    session_filter,
)
from .storage import DATA_DOMAIN

ATTR_PERSON = "person"
PAGE_MAX = 500
ATTEMPTS_KEPT = 200
ATTEMPT_STORE_VERSION = 1
ATTEMPT_SAVE_DELAY_S = 5
DATA_UNKNOWN_CARDS: HassKey[UnknownCardLog] = HassKey(f"{DOMAIN}_unknown_cards")
# The same bounds as the options flow's price field.
PRICE_MIN, PRICE_MAX = -10.0, 100.0

FILTER_FIELDS: dict[Any, Any] = {
    vol.Optional(ATTR_CONFIG_ENTRY_ID): [cv.string],
    vol.Optional(ATTR_TAG_ID): [cv.string],
    vol.Optional(ATTR_PERSON): cv.entity_id,
    vol.Optional(ATTR_START): cv.datetime,
    vol.Optional(ATTR_END): cv.datetime,
}
TAG_FIELDS: dict[Any, Any] = {
    vol.Required("name"): vol.All(cv.string, vol.Strip, vol.Length(min=1)),
    vol.Optional("owner"): vol.Any(None, cv.string),
    vol.Optional("price_per_kwh"): vol.Any(None, finite_float(PRICE_MIN, PRICE_MAX)),
    vol.Optional("chargers", default=list): [cv.string],
    vol.Optional("person"): vol.Any(None, cv.entity_id),
}


# --- who sees what ----------------------------------------------------------------------------


def persons_of(hass: HomeAssistant, user: User) -> set[str]:
    """The person entities linked to this Home Assistant user."""
    return {
        state.entity_id
        for state in hass.states.async_all("person")
        if state.attributes.get("user_id") == user.id
    }


def visible_tags(hass: HomeAssistant, user: User) -> set[str] | None:
    """Tag ids whose sessions the user may see; None means every session (administrator)."""
    if user.is_admin:
        return None
    persons = persons_of(hass, user)
    registry = hass.data[DATA_DOMAIN].tags.registry
    return {tag.tag_id for tag in registry if tag.person is not None and tag.person in persons}


def scoped_filter(hass: HomeAssistant, user: User, data: Mapping[str, Any]) -> SessionFilter:
    """The filter a user asked for, limited to what they may see.

    A non-administrator who names a tag or person that is not theirs is refused outright
    rather than shown an empty result, so a wrong link is noticed.
    """
    query = session_filter(hass, data)
    person = data.get(ATTR_PERSON)
    if person is not None:
        linked = [
            tag.tag_id for tag in hass.data[DATA_DOMAIN].tags.registry if tag.person == person
        ]
        query = query.limited_to_tags(linked)
    allowed = visible_tags(hass, user)
    if allowed is None:
        return query
    if person is not None and person not in persons_of(hass, user):
        raise Unauthorized
    if query.tag_ids is not None and not set(query.tag_ids) <= allowed:
        raise Unauthorized
    return query.limited_to_tags(allowed)


# --- the unknown-card log ---------------------------------------------------------------------


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


# --- registration -----------------------------------------------------------------------------


@callback
def async_register_commands(hass: HomeAssistant) -> None:
    """Register every portal command (once, from async_setup)."""
    for command in (
        ws_info,
        ws_sessions,
        ws_totals,
        ws_subscribe_wallboxes,
        ws_control,
        ws_tags,
        ws_tag_add,
        ws_tag_update,
        ws_tag_remove,
        ws_attempts,
        ws_admit,
    ):
        async_register_command(hass, command)


def _loaded_entries(hass: HomeAssistant) -> list[EvConfigEntry]:
    return [
        entry
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.state is ConfigEntryState.LOADED
    ]


def _charger_ids(hass: HomeAssistant) -> set[str]:
    return {
        entry.unique_id or entry.entry_id for entry in hass.config_entries.async_entries(DOMAIN)
    }


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
                for entry in hass.config_entries.async_entries(DOMAIN)
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


def _entity_id(hass: HomeAssistant, platform: str, charger_id: str, key: str) -> str | None:
    return er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{charger_id}_{key}")


def _who(hass: HomeAssistant, tag_id: str | None, last_tag: str | None) -> str | None:
    """The name of the card charging now; an unknown card as the entities show it."""
    if tag_id is None:
        return None
    known = hass.data[DATA_DOMAIN].tags.registry.get(tag_id)
    return known.name if known is not None else last_tag


def wallbox_snapshot(hass: HomeAssistant, entry: EvConfigEntry) -> dict[str, Any]:
    """What the Now tile of one wallbox shows."""
    coordinator = entry.runtime_data.coordinator
    profile = entry.runtime_data.profile
    data = coordinator.data
    session = data.session
    now = dt_util.utcnow()
    switch = _entity_id(hass, "switch", coordinator.charger_id, "charging_enabled")
    current = _entity_id(hass, "number", coordinator.charger_id, "charging_current")
    switch_state = hass.states.get(switch) if switch else None
    control = profile.current_limit
    return {
        "entry_id": entry.entry_id,
        "title": entry.title,
        "available": coordinator.last_update_success,
        "status": data.reading.status,
        "power_w": data.reading.power_w,
        "auth_state": data.auth_state,
        "who": _who(hass, session.tag_id, data.last_tag) if session else None,
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
    entries = _loaded_entries(hass)

    @callback
    def send(*_: Any) -> None:
        snapshots = [
            wallbox_snapshot(hass, entry)
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
            entity_id := _entity_id(
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


# --- changing (administrators only) -----------------------------------------------------------


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/wallboxes/control",
        vol.Required("entry_id"): cv.string,
        vol.Exclusive("enabled", "control"): cv.boolean,
        vol.Exclusive("current_a", "control"): finite_float(),
    }
)
@require_admin
@async_response
async def ws_control(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Switch charging or set the current through the wallbox's own entities."""
    entry = hass.config_entries.async_get_entry(msg["entry_id"])
    if entry is None or entry.domain != DOMAIN or entry.state is not ConfigEntryState.LOADED:
        connection.send_error(msg["id"], ERR_NOT_FOUND, "unknown wallbox")
        return
    charger_id = entry.unique_id or entry.entry_id
    if "enabled" in msg:
        entity_id = _entity_id(hass, "switch", charger_id, "charging_enabled")
        domain, service, data = "switch", "turn_on" if msg["enabled"] else "turn_off", {}
    elif "current_a" in msg:
        entity_id = _entity_id(hass, "number", charger_id, "charging_current")
        domain, service, data = "number", "set_value", {"value": msg["current_a"]}
    else:
        connection.send_error(msg["id"], ERR_INVALID_FORMAT, "nothing to change")
        return
    if entity_id is None:
        connection.send_error(msg["id"], ERR_NOT_SUPPORTED, "not supported")
        return
    await hass.services.async_call(
        domain,
        service,
        {"entity_id": entity_id, **data},
        blocking=True,
        context=connection.context(msg),
    )
    connection.send_result(msg["id"])


@websocket_command({vol.Required("type"): f"{DOMAIN}/tags"})
@require_admin
@callback
def ws_tags(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    """The known tags with every detail."""
    registry = hass.data[DATA_DOMAIN].tags.registry
    connection.send_result(msg["id"], {"tags": [tag.to_dict() for tag in registry]})


def _tag_from(hass: HomeAssistant, tag_id: str, msg: Mapping[str, Any]) -> KnownTag:
    """Build a tag as the options flow does; ValueError says what is wrong."""
    chargers = set(msg.get("chargers") or ())
    unknown = chargers - _charger_ids(hass)
    if unknown:
        raise ValueError(f"unknown wallbox {sorted(unknown)[0]}")
    return KnownTag(
        tag_id=tag_id,
        name=msg["name"],
        owner=(msg.get("owner") or "").strip() or None,
        price_per_kwh=msg.get("price_per_kwh"),
        chargers=frozenset(chargers),
        person=msg.get("person") or None,
    )


def _tag_error(connection: ActiveConnection, msg_id: int, err: ValueError) -> None:
    code = (
        "duplicate_tag"
        if isinstance(err, DuplicateTagError)
        else "invalid_tag"
        if isinstance(err, InvalidTagError)
        else ERR_INVALID_FORMAT
    )
    connection.send_error(msg_id, code, str(err))


async def _async_admit(hass: HomeAssistant, tag: KnownTag) -> None:
    """Add a tag and let a wallbox where it is presented right now accept it."""
    await hass.data[DATA_DOMAIN].tags.async_add(tag)
    for entry in _loaded_entries(hass):
        coordinator = entry.runtime_data.coordinator
        coordinator.auth.tag_learned(tag)
        coordinator.async_refresh_derived()


@websocket_command(
    {vol.Required("type"): f"{DOMAIN}/tags/add", vol.Required("tag_id"): cv.string, **TAG_FIELDS}
)
@require_admin
@async_response
async def ws_tag_add(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Admit a card by its id."""
    try:
        tag = _tag_from(hass, validate_tag(msg["tag_id"]), msg)
        await _async_admit(hass, tag)
    except ValueError as err:
        _tag_error(connection, msg["id"], err)
        return
    connection.send_result(msg["id"], {"tag": tag.to_dict()})


@websocket_command(
    {vol.Required("type"): f"{DOMAIN}/tags/update", vol.Required("tag_id"): cv.string, **TAG_FIELDS}
)
@require_admin
@async_response
async def ws_tag_update(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Rename a card or change its owner, price, wallboxes or person."""
    store = hass.data[DATA_DOMAIN].tags
    if store.registry.get(msg["tag_id"]) is None:
        connection.send_error(msg["id"], ERR_NOT_FOUND, "unknown tag")
        return
    try:
        tag = _tag_from(hass, normalize_tag(msg["tag_id"]), msg)
        await store.async_update(tag)
    except ValueError as err:
        _tag_error(connection, msg["id"], err)
        return
    connection.send_result(msg["id"], {"tag": tag.to_dict()})


@websocket_command(
    {vol.Required("type"): f"{DOMAIN}/tags/remove", vol.Required("tag_id"): cv.string}
)
@require_admin
@async_response
async def ws_tag_remove(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Forget a card (its past sessions keep the name they had)."""
    store = hass.data[DATA_DOMAIN].tags
    if store.registry.get(msg["tag_id"]) is None:
        connection.send_error(msg["id"], ERR_NOT_FOUND, "unknown tag")
        return
    await store.async_remove(msg["tag_id"])
    connection.send_result(msg["id"])


@websocket_command({vol.Required("type"): f"{DOMAIN}/attempts"})
@require_admin
@callback
def ws_attempts(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    """Unknown-card attempts, newest first, each saying whether it can be admitted now."""
    registry = hass.data[DATA_DOMAIN].tags.registry
    log = hass.data[DATA_UNKNOWN_CARDS]
    attempts = []
    for attempt in reversed(log.attempts):
        tag_id = attempt.get("tag_id")
        attempts.append(
            {**attempt, "known": isinstance(tag_id, str) and registry.get(tag_id) is not None}
        )
    connection.send_result(msg["id"], {"attempts": attempts})


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/attempts/admit",
        vol.Required("tag_id"): cv.string,
        vol.Optional("name"): vol.All(cv.string, vol.Strip, vol.Length(min=1)),
    }
)
@require_admin
@async_response
async def ws_admit(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    """Admit the card of an unknown-card attempt, on every wallbox, with a default name."""
    try:
        tag_id = validate_tag(msg["tag_id"])
        tag = _tag_from(hass, tag_id, {"name": msg.get("name") or f"Tag {tag_id[-6:]}"})
        await _async_admit(hass, tag)
    except ValueError as err:
        _tag_error(connection, msg["id"], err)
        return
    connection.send_result(msg["id"], {"tag": tag.to_dict()})


def parse_filter_query(
    query: Mapping[str, str], multi: Callable[[str], list[str]]
) -> dict[str, Any]:
    """Turn URL query parameters into the websocket filter fields (validated by the same schema)."""
    data: dict[str, Any] = {}
    for key in (ATTR_CONFIG_ENTRY_ID, ATTR_TAG_ID):
        values = multi(key)
        if values:
            data[key] = values
    for key in (ATTR_PERSON, ATTR_START, ATTR_END):
        if query.get(key):
            data[key] = query[key]
    return vol.Schema(FILTER_FIELDS)(data)  # type: ignore[no-any-return]
