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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from homeassistant.components.recorder.models import (
    StatisticData,
    StatisticMeanType,
    StatisticMetaData,
)
from homeassistant.components.recorder.statistics import (
    async_import_statistics,
    get_last_short_term_statistics,
    get_last_statistics,
)
from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_RECORDER_5MIN_STATISTICS_GENERATED, Platform, UnitOfEnergy
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_platform
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.recorder import get_instance
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey
from homeassistant.util.unit_conversion import EnergyConverter

from .const import DOMAIN, LOGGER
from .core.hourly import cumulative_hours, hour_start
from .core.model import SessionRecord
from .core.tags import KnownTag

if TYPE_CHECKING:
    from .coordinator import EvConfigEntry, EvCoordinator
    from .storage import DomainData

TAG_ENERGY: HassKey[TagEnergy] = HassKey(f"{DOMAIN}_tag_energy")
STORE_VERSION = 1
# Completions remembered for a tag whose total is being loaded while they happen.
RECENT_COMPLETIONS = 100
ENERGY = "energy"
KWH = UnitOfEnergy.KILO_WATT_HOUR
COST = "cost"
# Entries that will not load without the user: they cannot hold the card devices.
_BROKEN_STATES = (
    ConfigEntryState.SETUP_ERROR,
    ConfigEntryState.MIGRATION_ERROR,
    ConfigEntryState.FAILED_UNLOAD,
)


def tag_device_identifier(tag_id: str) -> tuple[str, str]:
    """The device registry identifier of a card."""
    return (DOMAIN, f"tag_{tag_id}")


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
    suggested_display_precision=2,
    value_fn=lambda value: value[0] / 1000,
    digits=3,
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
            identifiers={tag_device_identifier(tag.tag_id)}, name=tag.name
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
        self._store: Store[dict[str, Any]] = Store(hass, STORE_VERSION, f"{DOMAIN}.tag_energy")
        # Per tag: when its sensors were created and their first values, and whether the
        # sessions before were imported as statistics.
        self._anchors: dict[str, dict[str, Any]] | None = None
        self._totals: dict[str, TagTotal] = {}
        self._recent: dict[str, SessionRecord] = {}
        self._coordinators: dict[str, EvCoordinator] = {}
        self._host_id: str | None = None
        self._sensors: dict[str, list[TagSensor]] = {}
        self._lock = asyncio.Lock()
        self._import_lock = asyncio.Lock()
        # New sensors whose recorder statistics still need raising (see the module docstring).
        self._awaiting_adjust: dict[str, dict[str, TagSensor]] = {}
        self._unsub_statistics: CALLBACK_TYPE | None = None
        domain.tags.async_listen(self._tags_changed)

    # --- wallboxes ----------------------------------------------------------------------------

    async def async_entry_loaded(self, entry: EvConfigEntry) -> None:
        """Count the wallbox's sessions; create the card sensors if it is their entry."""
        coordinator = entry.runtime_data.coordinator
        self._coordinators[entry.entry_id] = coordinator
        entry.async_on_unload(
            coordinator.async_add_event_listener(partial(self._wallbox_event, coordinator))
        )
        entry.async_on_unload(coordinator.async_add_listener(self._async_refresh_sensors))
        for record in coordinator.recorder.unarchived:
            self._completed(record)
        await self.async_place()
        self._async_refresh_sensors()

    async def async_entry_unloaded(self, entry: EvConfigEntry) -> None:
        """The wallbox is gone (its platform, with any card sensors on it, too)."""
        self._coordinators.pop(entry.entry_id, None)
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
        currency = self.hass.config.currency
        for coordinator in self._coordinators.values():
            live = coordinator.data.session if coordinator.data is not None else None
            if (
                live is not None
                and live.tag_id == tag_id
                and live.session_id not in total.session_ids
            ):
                energy += live.energy_wh
                cost += session_cost(live, currency)
        return energy, cost

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
        for entry in self.hass.config_entries.async_entries(DOMAIN):
            if entry.disabled_by is None and entry.state not in _BROKEN_STATES:
                return entry.entry_id
        return None

    def _platform(self, entry_id: str) -> entity_platform.EntityPlatform | None:
        for platform in entity_platform.async_get_platforms(self.hass, DOMAIN):
            entry = platform.config_entry
            if platform.domain == Platform.SENSOR and entry and entry.entry_id == entry_id:
                return platform
        return None

    async def async_place(self) -> None:
        """Bring the card devices in line with the known tags and the wallbox entries."""
        async with self._lock:
            await self._async_place()

    async def _async_place(self) -> None:
        if self._anchors is None:
            stored = await self._store.async_load() or {}
            self._anchors = dict(stored.get("tags", {}))
        known = {tag.tag_id: tag for tag in self.domain.tags.registry}
        home = self._home_entry_id()
        platform = self._platform(home) if home in self._coordinators else None
        host = home if platform is not None else None
        if host != self._host_id:
            for sensor in [sensor for sensors in self._sensors.values() for sensor in sensors]:
                await sensor.async_remove()
            self._sensors.clear()
            self._host_id = host
        for tag_id in set(self._totals) - set(known):
            del self._totals[tag_id]
        if set(self._anchors) - set(known):
            self._anchors = {tag_id: a for tag_id, a in self._anchors.items() if tag_id in known}
            await self._async_save_anchors()
        new: dict[str, list[TagSensor]] = {}
        if platform is not None:
            for tag_id, tag in known.items():
                if tag_id in self._sensors:
                    continue
                await self._async_load_total(tag_id)
                new[tag_id] = [
                    TagSensor(self, tag, TAG_ENERGY_SENSOR),
                    TagSensor(self, tag, TAG_COST_SENSOR),
                ]
            self._sensors.update(new)
            await platform.async_add_entities([sensor for pair in new.values() for sensor in pair])
        self._update_devices(known, home)
        if new:
            self.hass.async_create_task(self._async_import_past(new), eager_start=False)

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
                elif device.name != tag.name:
                    registry.async_update_device(device.id, name=tag.name)

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

    # --- statistics of the sessions before a sensor existed -----------------------------------

    async def _async_import_past(self, created: dict[str, list[TagSensor]]) -> None:
        if "recorder" not in self.hass.config.components:
            return
        async with self._import_lock:
            for tag_id, (energy, cost) in created.items():
                try:
                    await self._async_import_tag(tag_id, energy, cost)
                except Exception:  # noqa: BLE001 - one card's statistics must not stop the others
                    LOGGER.exception("Statistics of earlier sessions of a tag not imported")
            if self._awaiting_adjust and self._unsub_statistics is None:
                self._unsub_statistics = self.hass.bus.async_listen(
                    EVENT_RECORDER_5MIN_STATISTICS_GENERATED, self._statistics_generated
                )

    async def _async_import_tag(self, tag_id: str, energy: TagSensor, cost: TagSensor) -> None:
        assert self._anchors is not None
        anchor = self._anchors.get(tag_id)
        if anchor is None:
            if energy.restored or await self._async_has_statistics(energy.entity_id):
                # The sensor existed before: the recorder holds its past.
                anchor = {"imported": True, "adjusted": [ENERGY, COST]}
            else:
                anchor = {
                    "since": dt_util.utcnow().isoformat(),
                    ENERGY: energy.native_value,
                    COST: cost.native_value,
                    "imported": False,
                    "adjusted": [],
                }
            self._anchors[tag_id] = anchor
            await self._async_save_anchors()
        if not anchor["imported"]:
            await self._async_import_hours(tag_id, anchor, energy, cost)
        if len(anchor["adjusted"]) < 2:
            self._awaiting_adjust[tag_id] = {ENERGY: energy, COST: cost}

    async def _async_import_hours(
        self, tag_id: str, anchor: dict[str, Any], energy: TagSensor, cost: TagSensor
    ) -> None:
        since = datetime.fromisoformat(anchor["since"])
        currency = self.hass.config.currency
        records = [
            record
            for record in await self.domain.archive.async_query(tag_ids=[tag_id], end=since)
            if record.ended_at <= since
        ]
        costed = {r.session_id for r in records if r.currency in (None, currency)}
        hours = cumulative_hours(records, before=since, costed=costed)
        if hours:
            async_import_statistics(
                self.hass,
                _metadata(energy.entity_id, KWH, EnergyConverter.UNIT_CLASS),
                [
                    StatisticData(
                        start=hour.start,
                        state=hour.total_energy_wh / 1000,
                        sum=hour.total_energy_wh / 1000,
                    )
                    for hour in hours
                ],
            )
            async_import_statistics(
                self.hass,
                _metadata(cost.entity_id, currency, None),
                [
                    StatisticData(start=hour.start, state=hour.total_cost, sum=hour.total_cost)
                    for hour in hours
                ],
            )
        anchor["imported"] = True
        await self._async_save_anchors()
        LOGGER.debug("Tag %s: %d earlier hours imported as statistics", tag_id, len(hours))

    @callback
    def _statistics_generated(self, _event: Event) -> None:
        self.hass.async_create_task(self._async_adjust(), eager_start=False)

    async def _async_adjust(self) -> None:
        """Raise the recorder's sums of a new sensor by its first value, once they exist."""
        assert self._anchors is not None
        async with self._import_lock:
            for tag_id, sensors in list(self._awaiting_adjust.items()):
                anchor = self._anchors.get(tag_id)
                if anchor is None:  # the tag was removed meanwhile
                    del self._awaiting_adjust[tag_id]
                    continue
                for key, sensor in sensors.items():
                    if key in anchor["adjusted"] or sensor.entity_id is None:
                        continue
                    if not await self._async_has_statistics(sensor.entity_id, short_term=True):
                        continue  # not compiled yet: the next 5-minute run
                    unit = sensor.native_unit_of_measurement or ""
                    # What Settings > Developer tools > Statistics > "adjust sum" does.
                    get_instance(self.hass).async_adjust_statistics(
                        sensor.entity_id,
                        hour_start(datetime.fromisoformat(anchor["since"])),
                        float(anchor[key] or 0.0),
                        unit,
                    )
                    anchor["adjusted"].append(key)
                    await self._async_save_anchors()
                if len(anchor["adjusted"]) == 2:
                    del self._awaiting_adjust[tag_id]
            if not self._awaiting_adjust and self._unsub_statistics is not None:
                self._unsub_statistics()
                self._unsub_statistics = None

    async def _async_has_statistics(self, statistic_id: str, *, short_term: bool = False) -> bool:
        query = get_last_short_term_statistics if short_term else get_last_statistics
        found = await get_instance(self.hass).async_add_executor_job(
            query, self.hass, 1, statistic_id, False, {"sum"}
        )
        return bool(found)

    async def _async_save_anchors(self) -> None:
        await self._store.async_save({"tags": self._anchors})


def _metadata(statistic_id: str, unit: str, unit_class: str | None) -> StatisticMetaData:
    """The metadata the recorder itself gives a sensor's statistics."""
    return StatisticMetaData(
        mean_type=StatisticMeanType.NONE,
        has_sum=True,
        name=None,
        source="recorder",
        statistic_id=statistic_id,
        unit_class=unit_class,
        unit_of_measurement=unit,
    )


@callback
def async_setup_tag_energy(hass: HomeAssistant, domain: DomainData) -> TagEnergy:
    """Create the per-card sensors' manager (once, in async_setup)."""
    manager = hass.data[TAG_ENERGY] = TagEnergy(hass, domain)
    return manager
