"""The box's Local Authorization List kept in step with the known cards (SendLocalList).

OCPP 1.6 edition 2, Local Authorization List Management: a box that has lost its central
system admits the cards of its local list and refuses the rest (with
AllowOfflineTxForUnknownId off). The list is pushed only to a box whose configuration says
`LocalAuthListEnabled` is true: in full after every boot, as a differential update when the
cards change. Every update carries a higher version; the version and what was sent are kept
(`LocalListState`, persisted by the layer above), so a differential update after a restart
starts from what the box holds.

Public API: `wanted_entries`, `LocalListState`, `LocalListLimits`, `async_sync_local_list`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..tags import TagRegistry
from .commands import LOCAL_LIST_KEYS, CommandError, send_local_list

_LOGGER = logging.getLogger(__name__)

# OCPP 1.6 IdToken: CiString20Type. A longer card id cannot be in the box's list.
ID_TAG_MAX_LENGTH = 20
LOCAL_AUTH_LIST_ENABLED, LOCAL_AUTH_LIST_MAX_LENGTH, SEND_LOCAL_LIST_MAX_LENGTH = LOCAL_LIST_KEYS


def wanted_entries(registry: TagRegistry, charger_id: str) -> dict[str, str]:
    """Card id -> status for this box: Accepted where allowed, Blocked where blocked.

    A card allowed only at other wallboxes is left out: offline, the box refuses it as it
    refuses every card it does not know.
    """
    entries: dict[str, str] = {}
    for tag in registry:
        if len(tag.tag_id) > ID_TAG_MAX_LENGTH:
            continue
        if tag.blocked:
            entries[tag.tag_id] = "Blocked"
        elif tag.allowed_on(charger_id):
            entries[tag.tag_id] = "Accepted"
    return entries


@dataclass(slots=True)
class LocalListState:
    """The version of the box's list and what it holds (as last accepted)."""

    version: int = 0
    entries: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON for the store."""
        return {"version": self.version, "entries": dict(self.entries)}

    @classmethod
    def from_dict(cls, data: object) -> LocalListState:
        """Inverse of to_dict; anything unusable is an empty list at version 0."""
        if not isinstance(data, Mapping):
            return cls()
        version, entries = data.get("version"), data.get("entries")
        if not isinstance(version, int) or not isinstance(entries, Mapping):
            return cls()
        return cls(version, {str(key): str(value) for key, value in entries.items()})


@dataclass(frozen=True, slots=True)
class LocalListLimits:
    """What the box's configuration says about its list (GetConfiguration)."""

    enabled: bool
    max_entries: int | None = None  # LocalAuthListMaxLength
    max_per_message: int | None = None  # SendLocalListMaxLength

    @classmethod
    def from_configuration(cls, read_back: Mapping[str, str | None]) -> LocalListLimits:
        """Read the three keys; a box without LocalAuthListEnabled has no list."""
        enabled = (read_back.get(LOCAL_AUTH_LIST_ENABLED) or "").strip().lower() == "true"
        return cls(
            enabled,
            _positive(read_back.get(LOCAL_AUTH_LIST_MAX_LENGTH)),
            _positive(read_back.get(SEND_LOCAL_LIST_MAX_LENGTH)),
        )


def _positive(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if number > 0 else None


def _chunks(items: list[tuple[str, str | None]], size: int | None) -> list[Any]:
    if not items:
        return [[]]
    step = size or len(items)
    return [items[start : start + step] for start in range(0, len(items), step)]


async def _send(
    charge_point: Any,
    state: LocalListState,
    full: bool,
    changes: dict[str, str | None],
    limit: int | None,
) -> str:
    """Send `changes` (None: remove) as one Full or several Differential updates."""
    items = sorted(changes.items())
    for index, chunk in enumerate(_chunks(items, limit)):
        version = state.version + 1
        update_type = "Full" if full and index == 0 else "Differential"
        status = await send_local_list(charge_point, version, update_type, dict(chunk))
        if status != "Accepted":
            return status
        if update_type == "Full":
            state.entries = {}
        for tag_id, status_value in chunk:
            if status_value is None:
                state.entries.pop(tag_id, None)
            else:
                state.entries[tag_id] = status_value
        state.version = version
    return "Accepted"


async def async_sync_local_list(
    charge_point: Any,
    state: LocalListState,
    wanted: dict[str, str],
    limits: LocalListLimits,
    *,
    full: bool,
) -> None:
    """Bring the box's list to `wanted`; update `state` in place.

    `full` after a boot; otherwise only the differences are sent, and a box that answers
    anything but Accepted to them (VersionMismatch, Failed, NotSupported) gets the whole list.
    Nothing is sent to a box whose LocalAuthListEnabled is not true. Raises CommandError
    (its `status` the box's answer) when the full list is refused, answered with an error,
    or not answered.
    """
    if not limits.enabled:
        return
    name = getattr(charge_point, "id", "charge point")
    if limits.max_entries is not None and len(wanted) > limits.max_entries:
        _LOGGER.warning(
            "%s: %s cards for the box's local list, which holds %s: the first %s are sent",
            name,
            len(wanted),
            limits.max_entries,
            limits.max_entries,
        )
        wanted = dict(sorted(wanted.items())[: limits.max_entries])
    if not full:
        changes: dict[str, str | None] = {
            tag_id: value for tag_id, value in wanted.items() if state.entries.get(tag_id) != value
        }
        changes |= {tag_id: None for tag_id in state.entries if tag_id not in wanted}
        if not changes:
            return
        status = await _send(charge_point, state, False, changes, limits.max_per_message)
        if status == "Accepted":
            return
        _LOGGER.info("%s: differential local list answered %s; sending it in full", name, status)
    status = await _send(charge_point, state, True, dict(wanted), limits.max_per_message)
    if status != "Accepted":
        raise CommandError("SendLocalList", status)
