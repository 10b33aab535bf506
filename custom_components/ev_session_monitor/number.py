"""Numbers: the session's target energy (for time to full) and the charging current."""

from __future__ import annotations

from typing import Any, cast

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntityDescription,
    NumberMode,
    RestoreNumber,
)
from homeassistant.const import EntityCategory, UnitOfElectricCurrent, UnitOfEnergy
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import EvConfigEntry, EvCoordinator
from .core.model import Capability
from .entity import EvEntity
from .helpers import async_wallbox_command, require_finite
from .site_config import is_site_entry
from .site_controller import SiteConfigEntry
from .site_entities import async_setup_site_numbers

PARALLEL_UPDATES = 1

TARGET_ENERGY = NumberEntityDescription(
    key="target_energy",
    translation_key="target_energy",
    device_class=NumberDeviceClass.ENERGY,
    native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
    native_min_value=0,
    native_max_value=200,
    native_step=0.5,
    mode=NumberMode.BOX,
    entity_category=EntityCategory.CONFIG,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the numbers the profile supports (a site: its limit)."""
    if is_site_entry(entry):
        await async_setup_site_numbers(cast("SiteConfigEntry", entry), async_add_entities)
        return
    runtime = entry.runtime_data
    entities: list[EvEntity] = [TargetEnergyNumber(runtime.coordinator, TARGET_ENERGY)]
    control = runtime.profile.current_limit
    if control is not None and Capability.CURRENT_LIMIT in runtime.profile.capabilities:
        entities.append(
            CurrentLimitNumber(
                runtime.coordinator,
                NumberEntityDescription(
                    key="charging_current",
                    translation_key="charging_current",
                    device_class=NumberDeviceClass.CURRENT,
                    native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
                    native_min_value=control.min_a,
                    native_max_value=control.max_a,
                    native_step=1,
                    mode=NumberMode.SLIDER,
                ),
            )
        )
    async_add_entities(entities)


class TargetEnergyNumber(EvEntity, RestoreNumber):
    """Energy the user wants in this session; 0 means no target. Kept across restarts."""

    async def async_added_to_hass(self) -> None:
        """Restore the last target."""
        await super().async_added_to_hass()
        last = await self.async_get_last_number_data()
        if last is not None and last.native_value is not None:
            self._set_target(last.native_value)

    def _set_target(self, kwh: float) -> None:
        self.coordinator.target_energy_wh = kwh * 1000 if kwh > 0 else None

    @property
    def native_value(self) -> float:
        """Return the target in kWh."""
        target = self.coordinator.target_energy_wh
        return round(target / 1000, 3) if target else 0.0

    def _refresh_shown(self) -> Any:
        return self.native_value

    async def async_set_native_value(self, value: float) -> None:
        """Set the target and recompute the time to full."""
        await self.async_require_control()
        require_finite(value)
        self._set_target(value)
        self.coordinator.async_refresh_derived()


class CurrentLimitNumber(EvEntity, RestoreNumber):
    """The charging current the box may deliver (written to the box)."""

    def __init__(self, coordinator: EvCoordinator, description: NumberEntityDescription) -> None:
        """Start at the box's maximum until the user or the box says otherwise."""
        super().__init__(coordinator, description)
        self._written: float | None = None

    async def async_added_to_hass(self) -> None:
        """Restore the last value we wrote (boxes with write-only registers cannot tell)."""
        await super().async_added_to_hass()
        last = await self.async_get_last_number_data()
        if last is not None:
            self._written = last.native_value

    @property
    def native_value(self) -> float | None:
        """Return the box's reported limit, else the last value we wrote."""
        reported = self.coordinator.data.reading.current_limit_a
        # Boxes report mA: a tenth of an ampere is what the slider can show.
        return round(reported, 1) if reported is not None else self._written

    def _refresh_shown(self) -> Any:
        return self.native_value

    async def async_set_native_value(self, value: float) -> None:
        """Write the current to the box."""
        await self.async_require_control()
        require_finite(value)
        await async_wallbox_command(
            self.coordinator, self.coordinator.async_set_current_limit(value)
        )
        self._written = value
