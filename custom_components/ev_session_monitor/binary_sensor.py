"""Binary sensors: vehicle plugged in, charging, and the enforcement lock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import EvConfigEntry, EvCoordinator, EvData
from .entity import EvEntity

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class EvBinarySensorDescription(BinarySensorEntityDescription):
    """A binary sensor read from coordinator data."""

    value_fn: Callable[[EvData], bool | None]


VEHICLE = EvBinarySensorDescription(
    key="vehicle_connected",
    translation_key="vehicle_connected",
    device_class=BinarySensorDeviceClass.PLUG,
    value_fn=lambda data: data.reading.vehicle_present if data.reading.status else None,
)
CHARGING = EvBinarySensorDescription(
    key="charging",
    translation_key="charging",
    device_class=BinarySensorDeviceClass.BATTERY_CHARGING,
    value_fn=lambda data: data.reading.charging if data.reading.status else None,
)
# On = the integration holds the box at 0 A. Only exists while enforcement is configured.
LOCKED = EvBinarySensorDescription(
    key="charging_locked",
    translation_key="charging_locked",
    device_class=BinarySensorDeviceClass.LOCK,
    value_fn=lambda data: None if data.locked is None else not data.locked,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the binary sensors."""
    coordinator = entry.runtime_data.coordinator
    descriptions = [VEHICLE, CHARGING]
    if coordinator.enforcement.enabled:
        descriptions.append(LOCKED)
    async_add_entities(EvBinarySensor(coordinator, description) for description in descriptions)


class EvBinarySensor(EvEntity, BinarySensorEntity):
    """A wallbox binary sensor."""

    entity_description: EvBinarySensorDescription

    def __init__(self, coordinator: EvCoordinator, description: EvBinarySensorDescription) -> None:
        """Show the coordinator's first data."""
        super().__init__(coordinator, description)
        self._refresh_shown()

    def _refresh_shown(self) -> bool | None:
        self._attr_is_on = self.entity_description.value_fn(self.coordinator.data)
        return self._attr_is_on
