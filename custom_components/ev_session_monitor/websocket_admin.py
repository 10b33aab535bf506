"""Websocket commands of the Charging portal that change something: administrators only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import probatio as vol
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
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv

from .access import is_person
from .const import DOMAIN
from .core.numbers import finite_float
from .core.site.model import MAX_PRIORITY
from .core.tags import DuplicateTagError, InvalidTagError, KnownTag, normalize_tag, validate_tag
from .helpers import entity_id_of, loaded_entries
from .site_config import is_site_entry, wallbox_entries
from .storage import DATA_DOMAIN, TagStore

# The same bounds as the options flow's price field.
PRICE_MIN, PRICE_MAX = -10.0, 100.0
TAG_FIELDS: dict[Any, Any] = {
    vol.Required("name"): vol.All(cv.string, vol.Strip, vol.Length(min=1)),
    vol.Optional("price_per_kwh"): vol.Any(None, finite_float(PRICE_MIN, PRICE_MAX)),
    vol.Optional("chargers", default=list): [cv.string],
    vol.Optional("person"): vol.Any(None, cv.entity_id),
    # Its car's priority at a site; left out of an update, the card keeps the one it has.
    vol.Optional("priority"): vol.All(int, vol.Range(min=0, max=MAX_PRIORITY)),
}


def _charger_ids(hass: HomeAssistant) -> set[str]:
    return {entry.unique_id or entry.entry_id for entry in wallbox_entries(hass)}


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
    if (
        entry is None
        or entry.domain != DOMAIN
        or is_site_entry(entry)
        or entry.state is not ConfigEntryState.LOADED
    ):
        connection.send_error(msg["id"], ERR_NOT_FOUND, "unknown wallbox")
        return
    charger_id = entry.unique_id or entry.entry_id
    if "enabled" in msg:
        entity_id = entity_id_of(hass, "switch", charger_id, "charging_enabled")
        domain, service, data = "switch", "turn_on" if msg["enabled"] else "turn_off", {}
    elif "current_a" in msg:
        entity_id = entity_id_of(hass, "number", charger_id, "charging_current")
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
    person = msg.get("person") or None
    if person is not None and not is_person(hass, person):
        raise ValueError(f"{person} is not one of Home Assistant's people")
    return KnownTag(
        tag_id=tag_id,
        name=msg["name"],
        price_per_kwh=msg.get("price_per_kwh"),
        chargers=frozenset(chargers),
        person=person,
        priority=msg.get("priority", 0),
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


def _known_tag(
    store: TagStore, connection: ActiveConnection, msg: Mapping[str, Any]
) -> KnownTag | None:
    """The card the command names, or None after answering that it is unknown."""
    if (known := store.registry.get(msg["tag_id"])) is None:
        connection.send_error(msg["id"], ERR_NOT_FOUND, "unknown tag")
    return known


async def _async_admit(hass: HomeAssistant, tag: KnownTag) -> None:
    """Add a tag and let a wallbox where it is presented right now accept it."""
    await hass.data[DATA_DOMAIN].tags.async_add(tag)
    for entry in loaded_entries(hass):
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
    """Rename a card or change its person, price or wallboxes."""
    store = hass.data[DATA_DOMAIN].tags
    if (known := _known_tag(store, connection, msg)) is None:
        return
    try:
        tag = _tag_from(hass, normalize_tag(msg["tag_id"]), msg)
        # The portal's form edits neither the odometer (set in the options), nor the blocked state
        # (its own command), nor an owner written as text by an earlier release (the person is
        # the owner now): all stay on the card.
        tag = replace(
            tag,
            odometer_entity=known.odometer_entity,
            blocked=known.blocked,
            owner=known.owner,
            priority=msg.get("priority", known.priority),
        )
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
    if _known_tag(store, connection, msg) is None:
        return
    await store.async_remove(msg["tag_id"])
    connection.send_result(msg["id"])


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/tags/block",
        vol.Required("tag_id"): cv.string,
        vol.Required("blocked"): cv.boolean,
    }
)
@require_admin
@async_response
async def ws_tag_block(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Block a card (refused at every wallbox, OCPP boxes answer Blocked) or unblock it."""
    store = hass.data[DATA_DOMAIN].tags
    if (known := _known_tag(store, connection, msg)) is None:
        return
    tag = replace(known, blocked=msg["blocked"])
    await store.async_update(tag)
    connection.send_result(msg["id"], {"tag": tag.to_dict()})


@websocket_command({vol.Required("type"): f"{DOMAIN}/attempts"})
@require_admin
@callback
def ws_attempts(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    """Unknown-card attempts, newest first, each saying whether it can be admitted now."""
    registry = hass.data[DATA_DOMAIN].tags.registry
    log = hass.data[DATA_DOMAIN].unknown_cards
    attempts = []
    for attempt in reversed(log.attempts):
        tag_id = attempt.get("tag_id")
        known = registry.get(tag_id) if isinstance(tag_id, str) else None
        attempts.append(
            {
                **attempt,
                "known": known is not None,
                "blocked": known is not None and known.blocked,
            }
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
