"""Energy and cost per known tag: a device per card with an energy and a cost sensor.

Where they live. The cards are shared by all wallboxes, but Home Assistant ties every device and
entity to one config entry (in 2026 a device belongs to exactly one). They are attached to the
first enabled wallbox entry (the oldest): a stable choice, so a card device keeps its id, area and
user-given name. They appear when that entry is loaded and wait while it retries; only disabling
or removing that wallbox moves them to the next one (same entity ids, so statistics and the Energy
dashboard keep working; the card devices of the old entry are removed). Sessions of every loaded
wallbox count, wherever the sensors live.

What they count. A sensor shows the tag's completed sessions from the session history (summed
once when the sensor is set up) plus sessions completed since (each session id once: a session
the history already holds, or one completed twice after a crash, never adds again) plus the
running sessions of loaded wallboxes. Nothing is persisted that the history does not already
hold, so a restart rebuilds the same figure. A shown value never goes down: while a running
session is out of reach (its wallbox reloading, down at start) the last value is held, because a
drop would make the recorder book a negative hour, or worse, a meter reset counted again.

Their past. When a card's sensors are new and the history holds earlier sessions, those are
imported as the sensors' own long-term statistics (async_import_statistics: statistic id = entity
id, source "recorder"; async_add_external_statistics is for "domain:name" ids that no entity
owns), hour by hour as core.hourly places them, with sums from 0. The recorder starts its own sums
at 0 at the sensor's first value, which already includes those sessions; so once its first
5-minute statistics of the sensor exist, they are raised by that first value (the recorder's
adjust-sum job, once). Every difference between hours, which the Energy dashboard and statistics
graphs show, is then that hour's energy, from the first session on; sessions that ended in the
hour the sensor was created count in that hour. (Sums below 0 before the first value would not
do: the recorder takes the sum before a statistic's first row as 0.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import UnitOfEnergy
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.util.hass_dict import HassKey

from .access import UNKNOWN_VIEWER, card_label_shown
from .const import DOMAIN
from .core.model import SessionRecord
from .core.tags import KnownTag
from .site_config import wallbox_entries
from .tag_statistics import PastStatistics

if TYPE_CHECKING:
    from .coordinator import EvConfigEntry, EvCoordinator
    from .storage import DomainData

TAG_ENERGY: HassKey[TagEnergy] = HassKey(f"{DOMAIN}_tag_energy")
# Completions remembered for a tag whose total is being loaded while they happen.
RECENT_COMPLETIONS = 100
# How the sensor platform of a wallbox adds entities (its EntityPlatform.async_add_entities).
type AddEntities = Callable[[Iterable[Entity]], Awaitable[None]]
# Entries that will not load without the user: they cannot hold the card devices.
_BROKEN_STATES = (
    ConfigEntryState.SETUP_ERROR,
    ConfigEntryState.MIGRATION_ERROR,
    ConfigEntryState.FAILED_UNLOAD,
)


def tag_device_identifier(tag_id: str) -> tuple[str, str]:
    """The device registry identifier of a card."""
    return (DOMAIN, f"tag_{tag_id}")


def device_name(hass: HomeAssistant, tag: KnownTag) -> str:
    """A card device's name: every user sees it, so "Card 3" while names are hidden."""
    return card_label_shown(hass, UNKNOWN_VIEWER, tag.tag_id, tag.name) or tag.name


def session_cost(record: SessionRecord, currency: str) -> float:
    """What a session cost in Home Assistant's currency (0 when unpriced or another currency)."""
    if record.cost is None or record.currency not in (None, currency):
        return 0.0
    return record.cost


@dataclass(slots=True)
class TagTotal:
    """The completed sessions of one tag counted so far, each once."""

    energy_wh: float = 0.0
    cost: float = 0.0
    session_ids: set[str] = field(default_factory=set)

    def add(self, record: SessionRecord, currency: str) -> None:
        """Count a completed session unless it was counted already."""
        if record.session_id in self.session_ids:
            return
        self.session_ids.add(record.session_id)
        self.energy_wh += record.energy_wh
        self.cost += session_cost(record, currency)


@dataclass(frozen=True, kw_only=True)
class TagSensorDescription(SensorEntityDescription):
    """A per-tag figure: energy in kWh or cost, from (Wh, cost)."""

    value_fn: Callable[[tuple[float, float]], float]
    digits: int


TAG_ENERGY_SENSOR = TagSensorDescription(
    key="energy",
    translation_key="tag_energy",
    device_class=SensorDeviceClass.ENERGY,
    state_class=SensorStateClass.TOTAL_INCREASING,
    native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
    # Steps of 0.1 kWh, as the wallbox's lifetime meter: a card's running total needs no
    # watt-hours (the history and reports keep them), and a state row per meter value was
    # a third of all the rows an OCPP box wrote.
    suggested_display_precision=1,
    value_fn=lambda value: value[0] / 1000,
    digits=1,
)
TAG_COST_SENSOR = TagSensorDescription(
    key="cost",
    translation_key="tag_cost",
    device_class=SensorDeviceClass.MONETARY,
    state_class=SensorStateClass.TOTAL,
    suggested_display_precision=2,
    value_fn=lambda value: value[1],
    digits=2,
)


class TagSensor(RestoreSensor):
    """Energy or cost of one card over all wallboxes."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    entity_description: TagSensorDescription

    def __init__(
        self, manager: TagEnergy, tag: KnownTag, description: TagSensorDescription
    ) -> None:
        """Attach to the card's device."""
        self._manager = manager
        self.tag_id = tag.tag_id
        self.entity_description = description
        self._attr_unique_id = f"tag_{tag.tag_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={tag_device_identifier(tag.tag_id)},
            name=device_name(manager.hass, tag),
        )
        if description.device_class is SensorDeviceClass.MONETARY:
            self._attr_native_unit_of_measurement = manager.hass.config.currency
        self.restored = False  # the sensor existed before (it had a state to restore)
        self._floor: float | None = None  # never show less (see the module docstring)

    async def async_added_to_hass(self) -> None:
        """Start from the last value shown before a restart, if any."""
        await super().async_added_to_hass()
        last = await self.async_get_last_sensor_data()
        if last is not None and isinstance(last.native_value, int | float):
            self.restored = True
            self._floor = float(last.native_value)
        self._attr_native_value = self._shown()

    async def async_will_remove_from_hass(self) -> None:
        """Stop receiving updates."""
        self._manager.forget(self)

    def _shown(self) -> float | None:
        value = self._manager.value(self.tag_id)
        if value is None:
            return self._floor
        shown = round(self.entity_description.value_fn(value), self.entity_description.digits)
        if self._floor is not None and shown < self._floor:
            return self._floor
        self._floor = shown
        return shown

    @callback
    def async_refresh(self) -> None:
        """Write the state when the shown value changed."""
        shown = self._shown()
        if shown != self._attr_native_value:
            self._attr_native_value = shown
            self.async_write_ha_state()


class TagEnergy:
    """The per-card sensors of all wallboxes, and what feeds them."""

    def __init__(self, hass: HomeAssistant, domain: DomainData) -> None:
        """Listen to the tag registry; wallboxes join with async_entry_loaded."""
        self.hass = hass
        self.domain = domain
        self._statistics = PastStatistics(hass, domain.archive)
        self._totals: dict[str, TagTotal] = {}
        self._recent: dict[str, SessionRecord] = {}
        self._coordinators: dict[str, EvCoordinator] = {}
        # The running session of each wallbox, by card: tag id -> entry id -> (session id, Wh,
        # cost). Kept as each wallbox updates, so a meter value at one box costs that box's
        # card, not a walk over every wallbox.
        self._running: dict[str, dict[str, tuple[str, float, float]]] = {}
        self._running_tag: dict[str, str] = {}
        self._host_id: str | None = None
        self._sensors: dict[str, list[TagSensor]] = {}
        self._lock = asyncio.Lock()
        # The sensor platform of each loaded wallbox registers how it adds entities.
        self._adders: dict[str, AddEntities] = {}
        domain.tags.async_listen(self._tags_changed)

    # --- wallboxes ----------------------------------------------------------------------------

    async def async_entry_loaded(self, entry: EvConfigEntry) -> None:
        """Count the wallbox's sessions; create the card sensors if it is their entry."""
        coordinator = entry.runtime_data.coordinator
        self._coordinators[entry.entry_id] = coordinator
        entry.async_on_unload(
            coordinator.async_add_event_listener(partial(self._wallbox_event, coordinator))
        )
        entry.async_on_unload(
            coordinator.async_add_listener(partial(self._wallbox_updated, entry.entry_id))
        )
        for record in coordinator.recorder.unarchived:
            self._completed(record)
        self._note_running(entry.entry_id)
        await self.async_place()
        self._async_refresh_sensors()

    async def async_entry_unloaded(self, entry: EvConfigEntry) -> None:
        """The wallbox is gone (its platform, with any card sensors on it, too)."""
        self._coordinators.pop(entry.entry_id, None)
        self._refresh_tags(self._note_running(entry.entry_id))
        await self.async_place()

    @callback
    def _wallbox_event(
        self, coordinator: EvCoordinator, event_type: str, payload: dict[str, Any]
    ) -> None:
        record = coordinator.recorder.last_session
        if (
            event_type == "session_completed"
            and record is not None
            and record.session_id == payload.get("session_id")
        ):
            self._completed(record)

    @callback
    def _completed(self, record: SessionRecord) -> None:
        if not record.tag_id:
            return
        self._recent[record.session_id] = record
        while len(self._recent) > RECENT_COMPLETIONS:
            del self._recent[next(iter(self._recent))]
        total = self._totals.get(record.tag_id)
        if total is not None:
            total.add(record, self.hass.config.currency)

    # --- values ---------------------------------------------------------------------------------

    def value(self, tag_id: str) -> tuple[float, float] | None:
        """(Wh, cost) of the tag: completed sessions plus running ones; None before loading."""
        total = self._totals.get(tag_id)
        if total is None:
            return None
        energy, cost = total.energy_wh, total.cost
        for session_id, running_wh, running_cost in self._running.get(tag_id, {}).values():
            if session_id not in total.session_ids:  # else counted in the total already
                energy += running_wh
                cost += running_cost
        return energy, cost

    def _note_running(self, entry_id: str) -> set[str]:
        """Note the wallbox's running session; return the cards whose values it touched."""
        touched: set[str] = set()
        if (before := self._running_tag.pop(entry_id, None)) is not None:
            self._running[before].pop(entry_id, None)
            if not self._running[before]:
                del self._running[before]
            touched.add(before)
        coordinator = self._coordinators.get(entry_id)
        data = coordinator.data if coordinator is not None else None
        live = data.session if data is not None else None
        if live is not None and live.tag_id:
            cost = session_cost(live, self.hass.config.currency)
            self._running.setdefault(live.tag_id, {})[entry_id] = (
                live.session_id,
                live.energy_wh,
                cost,
            )
            self._running_tag[entry_id] = live.tag_id
            touched.add(live.tag_id)
        return touched

    @callback
    def _wallbox_updated(self, entry_id: str) -> None:
        self._refresh_tags(self._note_running(entry_id))

    @callback
    def _refresh_tags(self, tag_ids: set[str]) -> None:
        for tag_id in tag_ids:
            for sensor in list(self._sensors.get(tag_id, ())):
                sensor.async_refresh()

    @callback
    def _async_refresh_sensors(self) -> None:
        for sensors in list(self._sensors.values()):
            for sensor in sensors:
                sensor.async_refresh()

    def forget(self, sensor: TagSensor) -> None:
        """A sensor was removed from Home Assistant."""
        sensors = self._sensors.get(sensor.tag_id, [])
        if sensor in sensors:
            sensors.remove(sensor)
            if not sensors:
                del self._sensors[sensor.tag_id]

    # --- placing the card devices ----------------------------------------------------------------

    @callback
    def _tags_changed(self) -> None:
        self.hass.async_create_task(self.async_place(), eager_start=True)

    def _home_entry_id(self) -> str | None:
        """The entry the card devices belong to: the first enabled wallbox that can load."""
        for entry in wallbox_entries(self.hass):
            if entry.disabled_by is None and entry.state not in _BROKEN_STATES:
                return entry.entry_id
        return None

    @callback
    def async_register_platform(self, entry_id: str, add_entities: AddEntities) -> CALLBACK_TYPE:
        """The wallbox's sensor platform is set up: it adds the card sensors if they are its."""
        self._adders[entry_id] = add_entities

        @callback
        def unregister() -> None:
            if self._adders.get(entry_id) is add_entities:
                del self._adders[entry_id]

        return unregister

    async def async_place(self) -> None:
        """Bring the card devices in line with the known tags and the wallbox entries."""
        async with self._lock:
            await self._async_place()

    async def _async_place(self) -> None:
        await self._statistics.async_load()
        known = {tag.tag_id: tag for tag in self.domain.tags.registry}
        home = self._home_entry_id()
        add_entities = self._adders.get(home) if home in self._coordinators else None
        host = home if add_entities is not None else None
        if host != self._host_id:
            for sensor in [sensor for sensors in self._sensors.values() for sensor in sensors]:
                await sensor.async_remove()
            self._sensors.clear()
            self._host_id = host
        for tag_id in set(self._totals) - set(known):
            del self._totals[tag_id]
        await self._statistics.async_keep(known)
        new: dict[str, list[TagSensor]] = {}
        if add_entities is not None:
            for tag_id, tag in known.items():
                if tag_id in self._sensors:
                    continue
                await self._async_load_total(tag_id)
                new[tag_id] = [
                    TagSensor(self, tag, TAG_ENERGY_SENSOR),
                    TagSensor(self, tag, TAG_COST_SENSOR),
                ]
            self._sensors.update(new)
            await add_entities([sensor for pair in new.values() for sensor in pair])
        self._update_devices(known, home)
        if new:
            self.hass.async_create_task(self._statistics.async_import_past(new), eager_start=False)

    def _update_devices(self, known: dict[str, KnownTag], home: str | None) -> None:
        """Rename card devices; remove those of forgotten tags and those of other entries."""
        registry = dr.async_get(self.hass)
        for entry in self.hass.config_entries.async_entries(DOMAIN):
            for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
                tag_id = next(
                    (
                        value.removeprefix("tag_")
                        for domain, value in device.identifiers
                        if domain == DOMAIN and value.startswith("tag_")
                    ),
                    None,
                )
                if tag_id is None:
                    continue
                tag = known.get(tag_id)
                if tag is None or entry.entry_id != home:
                    # Removes the device's entities too (the entity registry follows).
                    registry.async_remove_device(device.id)
                elif device.name != (name := device_name(self.hass, tag)):
                    registry.async_update_device(device.id, name=name)

    async def _async_load_total(self, tag_id: str) -> None:
        """Sum the tag's sessions in the history, plus completed ones not yet in it."""
        total = TagTotal()
        currency = self.hass.config.currency
        for record in await self.domain.archive.async_query(tag_ids=[tag_id]):
            total.add(record, currency)
        pending = [r for c in self._coordinators.values() for r in c.recorder.unarchived]
        for record in [*pending, *self._recent.values()]:
            if record.tag_id == tag_id:
                total.add(record, currency)
        self._totals[tag_id] = total


@callback
def async_setup_tag_energy(hass: HomeAssistant, domain: DomainData) -> TagEnergy:
    """Create the per-card sensors' manager (once, in async_setup)."""
    manager = hass.data[TAG_ENERGY] = TagEnergy(hass, domain)
    return manager
