"""Diagnostics: profile, reading, session state; tag ids, host and credentials redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, cast

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .coordinator import EvConfigEntry
from .site_config import is_site_entry
from .site_controller import SiteConfigEntry

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
    """Return what helps debugging a wallbox (or a site), without personal data."""
    if is_site_entry(entry):
        return site_diagnostics(cast("SiteConfigEntry", entry))
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


# A site's meter sensors may name the house or its owner ("sensor.smith_p1_l1").
SITE_TO_REDACT = {
    "current_l1",
    "current_l2",
    "current_l3",
    "power_l1",
    "power_l2",
    "power_l3",
    "voltage_l1",
    "voltage_l2",
    "voltage_l3",
    "card",
}


def site_diagnostics(entry: SiteConfigEntry) -> dict[str, Any]:
    """A site's settings, the limit in use and the last tick's shares and headroom."""
    controller = entry.runtime_data.controller
    result = controller.result
    return async_redact_data(
        {
            "options": dict(entry.options),
            "limit_a": controller.limit_a,
            "boxes": {}
            if result is None
            else {box_id: asdict(allocation) for box_id, allocation in result.boxes.items()},
            "circuits": {}
            if result is None
            else {circuit_id: asdict(state) for circuit_id, state in result.circuits.items()},
        },
        SITE_TO_REDACT,
    )
