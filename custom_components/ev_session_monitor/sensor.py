"""Sensors: power levels, session figures, totals, last session and authorization."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfPower,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .coordinator import EvConfigEntry, EvData
from .core.authorization import AuthState
from .core.model import Capability, ChargerStatus
from .entity import EvEntity

PARALLEL_UPDATES = 0


def _rounded(value: float | None, digits: int) -> float | int | None:
    """Round to what is shown, so unchanged-looking values cause no new recorder rows."""
    if value is None:
        return None
    return round(value) if digits == 0 else round(value, digits)


@dataclass(frozen=True, kw_only=True)
class EvSensorDescription(SensorEntityDescription):
    """A sensor read from coordinator data."""

    value_fn: Callable[[EvData], StateType]
    capability: Capability | None = None
    monetary: bool = False


def _phase(kind: str, index: int) -> EvSensorDescription:
    current = kind == "current"
    return EvSensorDescription(
        key=f"{kind}_l{index + 1}",
        translation_key=f"{kind}_phase",
        translation_placeholders={"phase": f"L{index + 1}"},
        device_class=SensorDeviceClass.CURRENT if current else SensorDeviceClass.VOLTAGE,
        native_unit_of_measurement=(
            UnitOfElectricCurrent.AMPERE if current else UnitOfElectricPotential.VOLT
        ),
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1 if current else 0,
        entity_registry_enabled_default=current,
        capability=Capability.PHASE_CURRENTS if current else Capability.PHASE_VOLTAGES,
        value_fn=lambda data: _rounded(
            (data.reading.currents_a if current else data.reading.voltages_v)[index],
            1 if current else 0,
        ),
    )


SENSORS: tuple[EvSensorDescription, ...] = (
    EvSensorDescription(
        key="charger_status",
        translation_key="charger_status",
        device_class=SensorDeviceClass.ENUM,
        options=[status.value for status in ChargerStatus],
        value_fn=lambda data: data.reading.status.value if data.reading.status else None,
    ),
    EvSensorDescription(
        key="power",
        translation_key="power",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        capability=Capability.POWER,
        value_fn=lambda data: _rounded(data.reading.power_w, 0),
    ),
    *(_phase("current", index) for index in range(3)),
    *(_phase("voltage", index) for index in range(3)),
    EvSensorDescription(
        key="session_energy",
        translation_key="session_energy",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=2,
        value_fn=lambda data: _rounded(data.session.energy_wh / 1000, 3) if data.session else 0.0,
    ),
    EvSensorDescription(
        key="session_duration",
        translation_key="session_duration",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        suggested_display_precision=0,
        value_fn=lambda data: round(data.session.duration_s / 60) if data.session else None,
    ),
    EvSensorDescription(
        key="session_cost",
        translation_key="session_cost",
        device_class=SensorDeviceClass.MONETARY,
        suggested_display_precision=2,
        monetary=True,
        value_fn=lambda data: _rounded(data.session.cost, 2) if data.session else None,
    ),
    EvSensorDescription(
        key="charging_speed",
        translation_key="charging_speed",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=0,
        value_fn=lambda data: _rounded(data.session.avg_power_w, 0) if data.session else None,
    ),
    EvSensorDescription(
        key="time_to_full",
        translation_key="time_to_full",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        suggested_display_precision=0,
        value_fn=lambda data: (
            round(data.time_to_full_s / 60) if data.time_to_full_s is not None else None
        ),
    ),
    EvSensorDescription(
        key="lifetime_energy",
        translation_key="lifetime_energy",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=1,
        value_fn=lambda data: _rounded(
            None if data.lifetime_energy_wh is None else data.lifetime_energy_wh / 1000, 3
        ),
    ),
    EvSensorDescription(
        key="total_cost",
        translation_key="total_cost",
        device_class=SensorDeviceClass.MONETARY,
        # Home Assistant allows only "total" for monetary sensors.
        state_class=SensorStateClass.TOTAL,
        suggested_display_precision=2,
        monetary=True,
        value_fn=lambda data: round(data.total_cost, 2),
    ),
    EvSensorDescription(
        key="last_session_energy",
        translation_key="last_session_energy",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        value_fn=lambda data: (
            round(data.last_session.energy_wh / 1000, 3) if data.last_session else None
        ),
    ),
    EvSensorDescription(
        key="last_session_cost",
        translation_key="last_session_cost",
        device_class=SensorDeviceClass.MONETARY,
        suggested_display_precision=2,
        monetary=True,
        value_fn=lambda data: _rounded(data.last_session.cost, 2) if data.last_session else None,
    ),
    EvSensorDescription(
        key="last_session_duration",
        translation_key="last_session_duration",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        suggested_display_precision=0,
        value_fn=lambda data: (
            round(data.last_session.duration_s / 60) if data.last_session else None
        ),
    ),
    EvSensorDescription(
        key="last_session_tag",
        translation_key="last_session_tag",
        value_fn=lambda data: (
            (data.last_session.tag_name or data.last_session.tag_id) if data.last_session else None
        ),
    ),
    EvSensorDescription(
        key="authorization_state",
        translation_key="authorization_state",
        device_class=SensorDeviceClass.ENUM,
        options=[state.value for state in AuthState],
        value_fn=lambda data: data.auth_state.value,
    ),
    EvSensorDescription(
        key="last_tag",
        translation_key="last_tag",
        capability=Capability.TAG,
        value_fn=lambda data: data.last_tag,
    ),
    EvSensorDescription(
        key="error_code",
        translation_key="error_code",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        capability=Capability.ERROR_CODE,
        value_fn=lambda data: data.reading.error_code,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors the wallbox's profile can feed."""
    coordinator = entry.runtime_data.coordinator
    capabilities = entry.runtime_data.profile.capabilities
    async_add_entities(
        EvSensor(coordinator, description)
        for description in SENSORS
        if description.capability is None or description.capability in capabilities
    )


class EvSensor(EvEntity, SensorEntity):
    """A wallbox sensor."""

    entity_description: EvSensorDescription

    @property
    def native_value(self) -> StateType:
        """Return the value from the latest update."""
        return self.entity_description.value_fn(self.coordinator.data)

    @property
    def native_unit_of_measurement(self) -> str | None:
        """Monetary sensors use Home Assistant's currency."""
        if self.entity_description.monetary:
            return self.hass.config.currency
        return super().native_unit_of_measurement
