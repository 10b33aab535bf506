"""Sensors: power levels, session figures, totals, last session and authorization."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

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
from homeassistant.helpers.entity_platform import (
    AddConfigEntryEntitiesCallback,
    async_get_current_platform,
)
from homeassistant.helpers.typing import StateType

from .coordinator import EvConfigEntry, EvCoordinator, EvData
from .core.authorization import AuthState
from .core.model import Capability, ChargerStatus, SessionRecord
from .entity import EvEntity
from .site_config import is_site_entry
from .site_controller import SiteConfigEntry
from .site_entities import async_setup_site_sensors
from .tag_sensors import TAG_ENERGY

PARALLEL_UPDATES = 0


# Measured values (power, currents, voltages) move by up to the 1 % accuracy of a wallbox's
# meter (MID class B) from one poll to the next while nothing changes: such moves are noise,
# not a change a user could act on, and would write a recorder row on every poll.
METER_ACCURACY = 0.01


def shown_value(value: StateType, shown: object, digits: int, tolerance: float = 0.0) -> StateType:
    """What a sensor shows for a new value, given what it shows now.

    Numbers are rounded to `digits` (negative: tens, hundreds). With a tolerance, a new number
    replaces the shown one only when it differs by more than that share of it; a change to or
    from zero always shows.
    """
    if not isinstance(value, (int, float)):
        return value
    rounded = round(value, digits) if digits > 0 else int(round(value, digits))
    if (
        tolerance
        and isinstance(shown, (int, float))
        and rounded != shown
        and rounded
        and shown
        and abs(value - shown) <= tolerance * abs(shown)
    ):
        return shown
    return rounded


@dataclass(frozen=True, kw_only=True)
class EvSensorDescription(SensorEntityDescription):
    """A sensor read from coordinator data."""

    value_fn: Callable[[EvData], StateType]
    capability: Capability | None = None
    monetary: bool = False
    # Digits the state is rounded to (None: the display precision) and the share of the shown
    # value a new reading must move by to be shown (see shown_value).
    state_digits: int | None = None
    tolerance: float = 0.0
    # State attributes, rounded to what is shown (they are recorded like the state).
    attributes_fn: Callable[[EvData], dict[str, Any]] | None = None


def _unpriced(session: SessionRecord | None) -> dict[str, Any]:
    """Energy delivered while no price was known, when a cost is shown without it.

    Without any price the cost is unknown, which says it all: the attribute would only grow
    with every 10 Wh and write a recorder row each time.
    """
    if session is None or session.cost is None or session.unpriced_wh <= 0:
        return {}
    return {"unpriced_energy_kwh": round(session.unpriced_wh / 1000, 2)}


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
        # As peblar: per-phase figures are for diagnosing the installation, not everyday use.
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=current,
        capability=Capability.PHASE_CURRENTS if current else Capability.PHASE_VOLTAGES,
        tolerance=METER_ACCURACY,
        value_fn=lambda data: (
            (data.reading.currents_a if current else data.reading.voltages_v)[index]
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
        tolerance=METER_ACCURACY,
        value_fn=lambda data: data.reading.power_w,
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
        value_fn=lambda data: data.session.energy_wh / 1000 if data.session else 0.0,
    ),
    EvSensorDescription(
        key="session_duration",
        translation_key="session_duration",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        suggested_display_precision=0,
        value_fn=lambda data: data.session.duration_s / 60 if data.session else None,
    ),
    EvSensorDescription(
        key="session_cost",
        translation_key="session_cost",
        device_class=SensorDeviceClass.MONETARY,
        suggested_display_precision=2,
        monetary=True,
        value_fn=lambda data: data.session.cost if data.session else None,
        attributes_fn=lambda data: _unpriced(data.session),
    ),
    EvSensorDescription(
        key="charging_speed",
        translation_key="charging_speed",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=0,
        # An average of metered energy: steps of 100 W (0.1 kW, as cars and apps show it),
        # steady within the meter's accuracy.
        state_digits=-2,
        tolerance=METER_ACCURACY,
        value_fn=lambda data: data.session.avg_power_w if data.session else None,
    ),
    EvSensorDescription(
        key="time_to_full",
        translation_key="time_to_full",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        suggested_display_precision=0,
        # An estimate from the present power, which carries the meter's noise.
        tolerance=0.02,
        value_fn=lambda data: (
            data.time_to_full_s / 60 if data.time_to_full_s is not None else None
        ),
    ),
    EvSensorDescription(
        key="lifetime_energy",
        translation_key="lifetime_energy",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=1,
        # 0.1 kWh steps: the Energy dashboard's hourly sums come from differences of these
        # states, so each hour is off by at most 0.05 kWh and the error never accumulates.
        value_fn=lambda data: (
            None if data.lifetime_energy_wh is None else data.lifetime_energy_wh / 1000
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
        value_fn=lambda data: data.total_cost,
    ),
    EvSensorDescription(
        key="last_session_energy",
        translation_key="last_session_energy",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        value_fn=lambda data: (data.last_session.energy_wh / 1000 if data.last_session else None),
    ),
    EvSensorDescription(
        key="last_session_cost",
        translation_key="last_session_cost",
        device_class=SensorDeviceClass.MONETARY,
        suggested_display_precision=2,
        monetary=True,
        value_fn=lambda data: data.last_session.cost if data.last_session else None,
        attributes_fn=lambda data: _unpriced(data.last_session),
    ),
    EvSensorDescription(
        key="last_session_duration",
        translation_key="last_session_duration",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        suggested_display_precision=0,
        value_fn=lambda data: (data.last_session.duration_s / 60 if data.last_session else None),
    ),
    EvSensorDescription(
        key="last_session_tag",
        translation_key="last_session_tag",
        value_fn=lambda data: data.last_session_tag,
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
        entity_category=EntityCategory.DIAGNOSTIC,
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
    # What the box itself says, before the session engine interprets it: for telling a wrong
    # profile or a quirky firmware from a fault of ours.
    EvSensorDescription(
        key="box_status_code",
        translation_key="box_status_code",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda data: (
            None if data.reading.raw_status is None else str(data.reading.raw_status)
        ),
    ),
    EvSensorDescription(
        key="box_session_energy",
        translation_key="box_session_energy",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=3,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        capability=Capability.SESSION_ENERGY,
        value_fn=lambda data: (
            None
            if data.reading.session_energy_wh is None
            else data.reading.session_energy_wh / 1000
        ),
    ),
    EvSensorDescription(
        key="box_current_limit",
        translation_key="box_current_limit",
        device_class=SensorDeviceClass.CURRENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        capability=Capability.CURRENT_LIMIT,
        value_fn=lambda data: data.reading.current_limit_a,
    ),
    EvSensorDescription(
        key="session_gaps",
        translation_key="session_gaps",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda data: data.session.gaps if data.session else None,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors the wallbox's profile can feed; the card sensors come when placed here."""
    if is_site_entry(entry):
        await async_setup_site_sensors(cast("SiteConfigEntry", entry), async_add_entities)
        return
    platform = async_get_current_platform()
    entry.async_on_unload(
        hass.data[TAG_ENERGY].async_register_platform(entry.entry_id, platform.async_add_entities)
    )
    coordinator = entry.runtime_data.coordinator
    capabilities = entry.runtime_data.profile.capabilities
    async_add_entities(
        EvSensor(coordinator, description)
        for description in SENSORS
        if description.capability is None or description.capability in capabilities
    )


class EvSensor(EvEntity, SensorEntity):
    """A wallbox sensor; its state is what it shows (rounded, steady within the tolerance)."""

    entity_description: EvSensorDescription

    def __init__(self, coordinator: EvCoordinator, description: EvSensorDescription) -> None:
        """Show the coordinator's first data."""
        super().__init__(coordinator, description)
        digits = description.state_digits
        if digits is None:
            digits = description.suggested_display_precision or 0
        self._digits = digits
        self._refresh_shown()

    def _refresh_shown(self) -> Any:
        description = self.entity_description
        data = self.coordinator.data
        self._attr_native_value = shown_value(
            description.value_fn(data),
            self._attr_native_value,
            self._digits,
            description.tolerance,
        )
        if description.attributes_fn is None:
            return self._attr_native_value
        self._attr_extra_state_attributes = description.attributes_fn(data)
        return (self._attr_native_value, tuple(self._attr_extra_state_attributes.items()))

    @property
    def native_unit_of_measurement(self) -> str | None:
        """Monetary sensors use Home Assistant's currency."""
        if self.entity_description.monetary:
            return self.hass.config.currency
        return super().native_unit_of_measurement
