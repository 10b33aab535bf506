"""Who sees what: the one place of the integration's access rules.

Administrators see and change everything. Any other user sees the sessions and totals of the
known cards linked to their own person (none without a person). A call without a user (an
automation, a script, Home Assistant itself) is trusted like an administrator: whoever wrote it
could already read every file. The actions, the portal's websocket commands and its downloads all
ask here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final

import probatio as vol
from homeassistant.auth.models import User
from homeassistant.components.http.const import KEY_HASS_USER
from homeassistant.components.websocket_api.connection import current_connection
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized, UnknownUser
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.http import current_request
from homeassistant.util import dt as dt_util

from .const import CONF_CONTROLS_ADMIN_ONLY, DOMAIN
from .core.tags import normalize_tag
from .storage import DATA_DOMAIN, entries_hide_card_names

ATTR_CONFIG_ENTRY_ID = "config_entry_id"
ATTR_TAG_ID = "tag_id"
ATTR_START = "start"
ATTR_END = "end"
ATTR_PERSON = "person"

# The portal's filters (websocket commands and download query parameters).
FILTER_FIELDS: dict[Any, Any] = {
    vol.Optional(ATTR_CONFIG_ENTRY_ID): [cv.string],
    vol.Optional(ATTR_TAG_ID): [cv.string],
    vol.Optional(ATTR_PERSON): cv.entity_id,
    vol.Optional(ATTR_START): cv.datetime,
    vol.Optional(ATTR_END): cv.datetime,
}


def _aware(value: datetime | None) -> datetime | None:
    """Datetimes without a zone are in Home Assistant's time zone."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt_util.get_default_time_zone())


def _charger_ids(hass: HomeAssistant, entry_ids: list[str] | None) -> list[str] | None:
    if not entry_ids:
        return None
    charger_ids = []
    for entry_id in entry_ids:
        entry = hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unknown_entry",
                translation_placeholders={"entry_id": entry_id},
            )
        charger_ids.append(entry.unique_id or entry.entry_id)
    return charger_ids


@dataclass(frozen=True, kw_only=True)
class SessionFilter:
    """Which sessions a report covers: the one query logic of the actions and the portal."""

    charger_ids: list[str] | None = None
    tag_ids: list[str] | None = None
    start: datetime | None = None
    end: datetime | None = None

    def limited_to_tags(self, allowed: Collection[str]) -> SessionFilter:
        """Keep only sessions of the given tags (a user who may see only their own cards)."""
        wanted = allowed if self.tag_ids is None else [t for t in self.tag_ids if t in allowed]
        return replace(self, tag_ids=sorted(wanted))

    def as_kwargs(self) -> dict[str, Any]:
        """The filter as SessionArchive keyword arguments."""
        return {
            "charger_ids": self.charger_ids,
            "tag_ids": self.tag_ids,
            "start": self.start,
            "end": self.end,
        }


def session_filter(hass: HomeAssistant, data: Mapping[str, Any]) -> SessionFilter:
    """Build the filter from action or websocket data (config_entry_id, tag_id, start, end)."""
    start, end = _aware(data.get(ATTR_START)), _aware(data.get(ATTR_END))
    if start is not None and end is not None and end <= start:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="invalid_range")
    tags = data.get(ATTR_TAG_ID)
    return SessionFilter(
        charger_ids=_charger_ids(hass, data.get(ATTR_CONFIG_ENTRY_ID)),
        tag_ids=[normalize_tag(tag) for tag in tags] if tags else None,
        start=start,
        end=end,
    )


def persons_of(hass: HomeAssistant, user: User) -> set[str]:
    """The person entities linked to this Home Assistant user."""
    return {
        state.entity_id
        for state in hass.states.async_all("person")
        if state.attributes.get("user_id") == user.id
    }


def is_person(hass: HomeAssistant, entity_id: str) -> bool:
    """Whether a card's owner is one of Home Assistant's people (the link visibility follows)."""
    return entity_id.startswith("person.") and hass.states.get(entity_id) is not None


def sees_everything(user: User | None) -> bool:
    """Administrators and calls without a user (automations) see every card."""
    return user is None or user.is_admin


def visible_tags(hass: HomeAssistant, user: User | None) -> set[str] | None:
    """Tag ids whose sessions the user may see; None means every session."""
    if sees_everything(user):
        return None
    assert user is not None
    persons = persons_of(hass, user)
    registry = hass.data[DATA_DOMAIN].tags.registry
    return {tag.tag_id for tag in registry if tag.person is not None and tag.person in persons}


def scoped_filter(hass: HomeAssistant, user: User | None, data: Mapping[str, Any]) -> SessionFilter:
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
    assert user is not None
    if person is not None and person not in persons_of(hass, user):
        raise AccessDenied(user.id, "not_your_cards")
    if query.tag_ids is not None and not set(query.tag_ids) <= allowed:
        raise AccessDenied(user.id, "not_your_cards")
    return query.limited_to_tags(allowed)


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


class AccessDenied(Unauthorized):
    """Unauthorized, with a message the user can read in their language."""

    def __init__(self, user_id: str | None, key: str, **placeholders: str) -> None:
        """Refuse `user_id`; `key` is one of the integration's exception translations."""
        super().__init__(user_id=user_id)
        self.translation_domain = DOMAIN
        self.translation_key = key
        self.translation_placeholders = placeholders
        self.generate_message = True


async def async_caller(hass: HomeAssistant, context: Context) -> User | None:
    """The user behind a call; None when no user made it (an automation, Home Assistant)."""
    if context.user_id is None:
        return None
    user = await hass.auth.async_get_user(context.user_id)
    if user is None:
        raise UnknownUser(context=context)
    return user


async def async_require_admin(hass: HomeAssistant, context: Context) -> None:
    """Refuse a call made by a user who is not an administrator."""
    if not sees_everything(await async_caller(hass, context)):
        raise AccessDenied(context.user_id, "admin_required")


# --- controls and card names ------------------------------------------------------------------

# The platforms whose entities change the wallbox (or the known cards).
CONTROL_PLATFORMS = ("switch", "number", "select", "button")
# Admitting a card changes the known cards: administrators only, as the learn_last_tag action.
ADMIN_ONLY_KEYS = ("learn_last_tag",)


def controls_admin_only(entry: ConfigEntry) -> bool:
    """Whether the wallbox's switch, number, select and buttons are for administrators only."""
    return bool(entry.options.get(CONF_CONTROLS_ADMIN_ONLY))


async def async_require_control(
    hass: HomeAssistant, entry: ConfigEntry, key: str, context: Context | None
) -> None:
    """Refuse a non-administrator's call of a control the wallbox keeps for administrators."""
    if context is None or not (controls_admin_only(entry) or key in ADMIN_ONLY_KEYS):
        return
    if not sees_everything(await async_caller(hass, context)):
        raise AccessDenied(context.user_id, "controls_admin_only", charger=entry.title)


def controls_denied_entities(hass: HomeAssistant, user: User | None) -> list[str]:
    """The integration's control entities this user may not use."""
    if sees_everything(user):
        return []
    registry = er.async_get(hass)
    denied = []
    for entry in hass.config_entries.async_entries(DOMAIN):
        charger_id = entry.unique_id or entry.entry_id
        for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
            key = entity.unique_id.removeprefix(f"{charger_id}_")
            if entity.domain in CONTROL_PLATFORMS and (
                controls_admin_only(entry) or key in ADMIN_ONLY_KEYS
            ):
                denied.append(entity.entity_id)
    return sorted(denied)


def card_names_admin_only(hass: HomeAssistant) -> bool:
    """Card names are shared by the wallboxes: hidden when any wallbox says so."""
    domain = hass.data.get(DATA_DOMAIN)
    if domain is None:  # asked before any setup (the logbook, say): the entries answer
        return entries_hide_card_names(hass)
    return domain.card_name_privacy.hidden


def can_see_card_names(hass: HomeAssistant, user: User | None) -> bool:
    """Whether this user sees the names of the cards (else labels like "Card 3")."""
    return sees_everything(user) or not card_names_admin_only(hass)


def neutral_card_label(hass: HomeAssistant, tag_id: str | None, name: str | None) -> str | None:
    """What a card is called where its name must not show: "Card 3" for a known card.

    A card that is no longer known shows its id (an id is not a name); no card stays None.
    """
    if not tag_id:
        return None
    number = hass.data[DATA_DOMAIN].tags.number(tag_id)
    if number is not None:
        return f"Card {number}"
    return tag_id if name else None


def card_label_for(
    hass: HomeAssistant, user: User | None, tag_id: str | None, name: str | None
) -> str | None:
    """The card's name for this user, or its neutral label while names are hidden from them."""
    if can_see_card_names(hass, user):
        return name
    return neutral_card_label(hass, tag_id, name)


# Who a view is drawn for. UNKNOWN: it cannot be told, so it is drawn as for every user.
UNKNOWN_VIEWER: Final = object()
type Viewer = User | None | object


def viewer() -> Viewer:
    """The user of the HTTP request or websocket connection being answered, if any."""
    request = current_request.get()
    user: User | None = request.get(KEY_HASS_USER) if request is not None else None
    if user is not None:
        return user
    connection = current_connection.get()
    if connection is not None:
        return connection.user
    return UNKNOWN_VIEWER


async def async_viewer(hass: HomeAssistant, context: Context | None) -> Viewer:
    """As viewer(); else the user of a service call's context (None: an automation)."""
    found = viewer()
    if found is not UNKNOWN_VIEWER or context is None:
        return found
    if context.user_id is None:
        return None
    return await hass.auth.async_get_user(context.user_id) or UNKNOWN_VIEWER


def card_label_shown(
    hass: HomeAssistant, shown_to: Viewer, tag_id: str | None, name: str | None
) -> str | None:
    """The card's name, or its neutral label where names are hidden from whoever sees it."""
    if not card_names_admin_only(hass):
        return name
    if shown_to is UNKNOWN_VIEWER or not isinstance(shown_to, User | None):
        return neutral_card_label(hass, tag_id, name)
    return card_label_for(hass, shown_to, tag_id, name)
