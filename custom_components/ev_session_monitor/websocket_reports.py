"""Websocket commands of the portal's reports: utilization, a session's audit trail, corrections.

Utilization shows every card's use of the site and a correction changes what a company files:
both are for administrators, as their actions are. A session's audit trail is shown to whoever
may see the session.
"""

from __future__ import annotations

from typing import Any

import probatio as vol
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.const import ERR_NOT_FOUND
from homeassistant.components.websocket_api.decorators import (
    async_response,
    require_admin,
    websocket_command,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv

from .access import AccessDenied, visible_tags
from .const import DOMAIN
from .core.history import SessionHistory
from .report_services import NOTE_MAX_LENGTH, async_correct_session, async_site_utilization
from .storage import DATA_DOMAIN


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/utilization",
        vol.Optional("start"): cv.datetime,
        vol.Optional("end"): cv.datetime,
    }
)
@require_admin
@async_response
async def ws_utilization(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """The get_utilization figures of every wallbox and the site for a period."""
    figures = await async_site_utilization(hass, msg.get("start"), msg.get("end"))
    connection.send_result(msg["id"], figures)


@websocket_command(
    {vol.Required("type"): f"{DOMAIN}/sessions/corrections", vol.Required("session_id"): str}
)
@async_response
async def ws_corrections(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """The audit trail of one session (who, when, before and after), oldest first."""
    session_id = msg["session_id"]

    def read(history: SessionHistory) -> tuple[str | None, list[dict[str, Any]]] | None:
        record = history.get(session_id)
        if record is None:
            return None
        return record.tag_id, [item.to_dict() for item in history.corrections(session_id)]

    found = await hass.data[DATA_DOMAIN].archive.async_run(read)
    if found is None:
        connection.send_error(msg["id"], ERR_NOT_FOUND, "unknown session")
        return
    tag_id, trail = found
    allowed = visible_tags(hass, connection.user)
    if allowed is not None and tag_id not in allowed:
        raise AccessDenied(connection.user.id, "not_your_cards")
    connection.send_result(msg["id"], {"corrections": trail})


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/sessions/correct",
        vol.Required("session_id"): str,
        vol.Optional("tag_id"): cv.string,
        vol.Optional("note"): vol.All(cv.string, vol.Length(max=NOTE_MAX_LENGTH)),
    }
)
@require_admin
@async_response
async def ws_correct(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Reassign a session's card and/or note it, as the correct_session action does."""
    answer = await async_correct_session(
        hass,
        connection.user,
        msg["session_id"],
        tag_id=msg.get("tag_id"),
        note=msg.get("note"),
    )
    connection.send_result(msg["id"], answer)
