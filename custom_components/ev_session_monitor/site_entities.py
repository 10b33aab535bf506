"""The site's entities: headroom per phase, each wallbox's share, the limit automations lower."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntityDescription,
    NumberMode,
    RestoreNumber,
)
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import Platform, UnitOfElectricCurrent
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .access import async_require_control
from .const import DOMAIN
from .core.site.allocator import Reason
from .core.site.model import IEC_MIN_CURRENT_A
from .helpers import require_finite
from .site_config import CONF_CIRCUIT_NAME, MAIN_CIRCUIT, sub_circuits
from .site_controller import SiteConfigEntry, SiteController

_AMPS = UnitOfElectricCurrent.AMPERE
REASONS = [str(reason) for reason in Reason]


@dataclass(frozen=True, kw_only=True)
class SiteSensorDescription(SensorEntityDescription):
    """A site sensor: its value from the controller's last tick."""

    value_fn: Callable[[SiteController], float | str | None]
    attributes_fn: Callable[[SiteController], dict[str, Any]] | None = None


def _headroom(phase: int, circuit_id: str = MAIN_CIRCUIT) -> SiteSensorDescription:
    def value(controller: SiteController) -> float | None:
        if controller.result is None:
            return None
        return round(controller.result.circuits[circuit_id].headroom_a[phase], 1)

    # The main fuse's keep the keys they had before sub-circuits (their unique ids).
    main = circuit_id == MAIN_CIRCUIT
    return SiteSensorDescription(
        key=f"headroom_l{phase + 1}" if main else f"headroom_{circuit_id}_l{phase + 1}",
        translation_key=f"site_headroom_l{phase + 1}"
        if main
        else f"site_circuit_headroom_l{phase + 1}",
        device_class=SensorDeviceClass.CURRENT,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=_AMPS,
        suggested_display_precision=1,
        value_fn=value,
    )


def _allocated(box_id: str) -> SiteSensorDescription:
    def current(controller: SiteController) -> float | None:
        allocation = None if controller.result is None else controller.result.boxes.get(box_id)
        return None if allocation is None else allocation.current_a

    def attributes(controller: SiteController) -> dict[str, Any]:
        # Why it has this share: the reason sensor next to it.
        allocation = None if controller.result is None else controller.result.boxes.get(box_id)
        if allocation is None:
            return {}
        return {"phases": allocation.phases}

    return SiteSensorDescription(
        key=f"allocated_{box_id}",
        translation_key="site_allocated",
        device_class=SensorDeviceClass.CURRENT,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=_AMPS,
        suggested_display_precision=1,
        value_fn=current,
        attributes_fn=attributes,
    )


def _reason(box_id: str) -> SiteSensorDescription:
    def reason(controller: SiteController) -> str | None:
        allocation = None if controller.result is None else controller.result.boxes.get(box_id)
        return None if allocation is None else str(allocation.reason)

    def attributes(controller: SiteController) -> dict[str, Any]:
        # Limited by a circuit: which one (a sub-circuit's name; the site's for its main fuse).
        allocation = None if controller.result is None else controller.result.boxes.get(box_id)
        circuit_id = None if allocation is None else allocation.limiting_circuit
        if circuit_id is None:
            return {}
        circuit = sub_circuits(controller.entry.options).get(circuit_id)
        name = controller.entry.title if circuit is None else str(circuit[CONF_CIRCUIT_NAME])
        return {"circuit": name}

    return SiteSensorDescription(
        key=f"reason_{box_id}",
        translation_key="site_reason",
        device_class=SensorDeviceClass.ENUM,
        options=REASONS,
        value_fn=reason,
        attributes_fn=attributes,
    )


class SiteEntity(Entity):
    """An entity on the site's device, shown after every tick."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, controller: SiteController, description: EntityDescription) -> None:
        """Attach to the site's device."""
        self.controller = controller
        self.entity_description = description
        site_id = controller.entry.unique_id or controller.entry.entry_id
        self._attr_unique_id = f"{site_id}_{description.key}"
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, site_id)})

    async def async_added_to_hass(self) -> None:
        """Show every tick."""
        await super().async_added_to_hass()
        self.async_on_remove(self.controller.async_add_listener(self._ticked))

    def _ticked(self) -> None:
        self.async_write_ha_state()


class SiteSensor(SiteEntity, SensorEntity):
    """Headroom of a phase, a wallbox's share or why it has it."""

    entity_description: SiteSensorDescription

    @property
    def native_value(self) -> float | str | None:
        """The value after the last tick."""
        return self.entity_description.value_fn(self.controller)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Why a wallbox has its share, on how many phases."""
        attributes_fn = self.entity_description.attributes_fn
        return None if attributes_fn is None else attributes_fn(self.controller)


class SiteLimitNumber(SiteEntity, RestoreNumber):
    """The main fuse's limit the site keeps to; an automation may lower it (grid dimming)."""

    async def async_added_to_hass(self) -> None:
        """Keep a lowered limit over a restart."""
        await super().async_added_to_hass()
        last = await self.async_get_last_number_data()
        # Only while the fuse is the one it was lowered from (the options may have changed it).
        value = None if last is None else last.native_value
        if (
            last is not None
            and value is not None
            and last.native_max_value == self.native_max_value
            and self.native_min_value <= value <= self.native_max_value
        ):
            await self.controller.async_set_limit(value)

    @property
    def native_value(self) -> float:
        """The limit in use."""
        return self.controller.limit_a

    async def async_set_native_value(self, value: float) -> None:
        """Use a new limit from the next tick on (this one, in fact: it ticks now)."""
        await async_require_control(
            self.hass, self.controller.entry, self.entity_description.key, self._context
        )
        require_finite(value)
        await self.controller.async_set_limit(value)
        self.async_write_ha_state()


def site_sensors(controller: SiteController) -> list[SiteSensor]:
    """Headroom per phase (the main fuse's, then each sub-circuit's), each box's share and why."""
    entities = [SiteSensor(controller, _headroom(phase)) for phase in range(3)]
    for circuit_id, circuit in sub_circuits(controller.entry.options).items():
        for phase in range(3):
            sensor = SiteSensor(controller, _headroom(phase, circuit_id))
            sensor._attr_translation_placeholders = {"circuit": str(circuit[CONF_CIRCUIT_NAME])}
            entities.append(sensor)
    for wiring in controller.site.wallboxes:
        box = controller.hass.config_entries.async_get_entry(wiring.box_id)
        title = box.title if box is not None else wiring.box_id
        for description in (_allocated(wiring.box_id), _reason(wiring.box_id)):
            sensor = SiteSensor(controller, description)
            sensor._attr_translation_placeholders = {"wallbox": title}
            entities.append(sensor)
    return entities


def site_limit_number(controller: SiteController) -> SiteLimitNumber:
    """The site limit: from the margin plus a car's minimum up to the configured fuse."""
    margin = controller.site.margin_a
    return SiteLimitNumber(
        controller,
        NumberEntityDescription(
            key="site_limit",
            translation_key="site_limit",
            device_class=NumberDeviceClass.CURRENT,
            native_unit_of_measurement=_AMPS,
            native_min_value=margin + IEC_MIN_CURRENT_A,
            native_max_value=controller.configured_limit_a,
            native_step=0.1,
            mode=NumberMode.BOX,
        ),
    )


async def async_setup_site_sensors(
    entry: SiteConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """The sensor platform, for a site entry; a removed sub-circuit's headroom goes with it."""
    sensors = site_sensors(entry.runtime_data.controller)
    kept = {sensor.unique_id for sensor in sensors}
    registry = er.async_get(entry.runtime_data.controller.hass)
    for registered in er.async_entries_for_config_entry(registry, entry.entry_id):
        if (
            registered.domain == Platform.SENSOR
            and registered.translation_key is not None
            and registered.translation_key.startswith("site_circuit_headroom")
            and registered.unique_id not in kept
        ):
            registry.async_remove(registered.entity_id)
    async_add_entities(sensors)


async def async_setup_site_numbers(
    entry: SiteConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """The number platform, for a site entry."""
    async_add_entities([site_limit_number(entry.runtime_data.controller)])
