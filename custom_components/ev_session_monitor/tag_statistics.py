"""Long-term statistics of the sessions before a card's sensors existed.

See tag_sensors.py's module docstring for the scheme: earlier hours imported as the sensors'
own statistics, and the recorder's sums raised by the first value once they exist.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from datetime import datetime
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
from homeassistant.const import EVENT_RECORDER_5MIN_STATISTICS_GENERATED, UnitOfEnergy
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers.recorder import get_instance
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
from homeassistant.util.unit_conversion import EnergyConverter

from .const import DOMAIN, LOGGER
from .core.hourly import cumulative_hours, hour_start

if TYPE_CHECKING:
    from .storage import SessionArchive
    from .tag_sensors import TagSensor

STORE_VERSION = 1
ENERGY = "energy"
KWH = UnitOfEnergy.KILO_WATT_HOUR
COST = "cost"


class PastStatistics:
    """Per tag: when its sensors were created, their first values, what was imported."""

    def __init__(self, hass: HomeAssistant, archive: SessionArchive) -> None:
        """Nothing is read until async_load."""
        self.hass = hass
        self._archive = archive
        self._store: Store[dict[str, Any]] = Store(hass, STORE_VERSION, f"{DOMAIN}.tag_energy")
        self._anchors: dict[str, dict[str, Any]] | None = None
        self._import_lock = asyncio.Lock()
        # New sensors whose recorder statistics still need raising.
        self._awaiting_adjust: dict[str, dict[str, TagSensor]] = {}
        self._unsub_statistics: CALLBACK_TYPE | None = None

    async def async_load(self) -> None:
        """Read the anchors once, before the first sensors are placed."""
        if self._anchors is None:
            stored = await self._store.async_load() or {}
            self._anchors = dict(stored.get("tags", {}))

    async def async_keep(self, known: Collection[str]) -> None:
        """Forget the anchors of tags no longer known."""
        assert self._anchors is not None
        if set(self._anchors) - set(known):
            self._anchors = {tag_id: a for tag_id, a in self._anchors.items() if tag_id in known}
            await self._async_save_anchors()

    async def async_import_past(self, created: dict[str, list[TagSensor]]) -> None:
        """Import the earlier sessions of new sensors; raise their sums once compiled."""
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
            for record in await self._archive.async_query(tag_ids=[tag_id], end=since)
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
