"""Repair flows: suspicious-activity warnings the user acknowledges."""

from __future__ import annotations

from homeassistant.components.repairs import ConfirmRepairFlow, RepairsFlow
from homeassistant.core import HomeAssistant


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Suspicious activity is acknowledged with one confirmation."""
    return ConfirmRepairFlow()
