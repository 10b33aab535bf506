"""Diagnostics: profile, reading, session state; tag ids, host and credentials redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .coordinator import EvConfigEntry

TO_REDACT = {
    CONF_HOST,
    CONF_PASSWORD,
    CONF_USERNAME,
    "serial",
    "serial_number",
    "tag",
    "tag_id",
    "last_tag",
    "last_unknown_tag_id",
    "unique_id",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: EvConfigEntry
) -> dict[str, Any]:
    """Return what helps debugging a wallbox, without personal data."""
    runtime = entry.runtime_data
    coordinator = runtime.coordinator
    data = coordinator.data
    open_session = coordinator.recorder.tracker.open
    return async_redact_data(
        {
            "entry": {
                "data": dict(entry.data),
                "options": dict(entry.options),
                "unique_id": entry.unique_id,
            },
            "profile": {
                "id": runtime.profile.profile_id,
                "name": runtime.profile.name,
                "transport": runtime.profile.transport,
                "capabilities": sorted(runtime.profile.capabilities),
            },
            "identity": asdict(runtime.identity),
            # Variants chosen and fallbacks in use (Etrel session energy from power).
            "notes": list(runtime.client.notes),
            "reading": asdict(data.reading) if data else None,
            "authorization": {
                "state": coordinator.auth.state,
                "last_tag": coordinator.auth.last_tag_id,
                "last_unknown_tag_id": coordinator.auth.last_unknown_tag_id,
                "known_tags": len(coordinator.domain.tags.registry),
            },
            "open_session": open_session.to_dict() if open_session else None,
            "rejected_readings": list(coordinator.recorder.tracker.rejected),
            "unarchived_sessions": len(coordinator.recorder.unarchived),
            "requests_sent": getattr(runtime.client, "requests_sent", None),
        },
        TO_REDACT,
    )
