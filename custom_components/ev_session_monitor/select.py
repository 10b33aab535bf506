"""Select: charge on one phase or on three (boxes whose profile can switch phases)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import EvConfigEntry
from .entity import EvEntity
from .helpers import async_wallbox_command

PARALLEL_UPDATES = 1

ONE_PHASE = "one_phase"
THREE_PHASES = "three_phases"
PHASES = {ONE_PHASE: 1, THREE_PHASES: 3}

CHARGING_PHASES = SelectEntityDescription(
    key="charging_phases",
    translation_key="charging_phases",
    options=list(PHASES),
    entity_category=EntityCategory.CONFIG,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the phase select when the box (as identified) can switch phases."""
    if entry.runtime_data.profile.phase_switch is not None:
        async_add_entities([PhaseSelect(entry.runtime_data.coordinator, CHARGING_PHASES)])


class PhaseSelect(EvEntity, SelectEntity):
    """1-phase or 3-phase charging: read back from the box where it reports it.

    Where the box has no read-back register (openWB), the option shown is the one last
    selected here, and unknown until then.
    """

    @property
    def current_option(self) -> str | None:
        """Return the phases in use."""
        phases = self.coordinator.client.phases
        return next((option for option, count in PHASES.items() if count == phases), None)

    def _refresh_shown(self) -> Any:
        return self.current_option

    async def async_select_option(self, option: str) -> None:
        """Switch; a charging car is paused for the switch and resumes after it."""
        await self.async_require_control()
        await async_wallbox_command(
            self.coordinator, self.coordinator.async_set_phases(PHASES[option])
        )
        self._handle_coordinator_update()  # show the switch now, not at the next poll
