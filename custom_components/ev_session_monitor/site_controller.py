"""A site's controller: each tick, every box's share of the fuse, written where it changed.

Thin glue around core/site: it gathers what each wallbox coordinator last read and what the
grid meter's sensors show, asks the allocator, and writes each new share through the box's own
control path (wallbox/enforcement.py: Modbus or HTTP register, OCPP charging profile). A tick
follows every poll of a box on the site, every grid reading, and a timer (raises wait for the
stable interval; a stale meter is noticed without a new reading).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, Platform
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import (
    async_track_state_change_event,
    async_track_state_report_event,
    async_track_time_interval,
)
from homeassistant.util import dt as dt_util

from .const import DOMAIN, EVENT_SITE_PAUSED, EVENT_SITE_RESUMED, LOGGER
from .coordinator import EvCoordinator
from .core.errors import WallboxError
from .core.model import ChargerStatus
from .core.site.allocator import (
    PAUSED,
    BoxAllocation,
    BoxState,
    PhaseCurrents,
    SiteAllocation,
    SiteAllocator,
)
from .core.site.model import Site
from .core.tags import TagRegistry
from .issues import async_clear_site_issue, async_site_issue
from .site_config import (
    CONF_GRID_SOURCE,
    CONF_LIMIT,
    CONF_WALLBOXES,
    CURRENT_KEYS,
    GRID_CURRENT,
    GRID_NONE,
    MAIN_CIRCUIT,
    NOMINAL_VOLTAGE_V,
    POWER_KEYS,
    VOLTAGE_KEYS,
    entry_profile,
    site_of,
)
from .site_fallback import SiteFallbacks
from .storage import DATA_DOMAIN

SITE_PLATFORMS = [Platform.NUMBER, Platform.SENSOR]
# Besides every poll and grid reading: a tick this often (raises after the stable interval).
TICK_INTERVAL = timedelta(seconds=5)
# A grid sensor not reported for this long is stale: the site falls back to its static share.
GRID_STALE_S = 120.0
# A car plugged in but not taking current for these reasons wants nothing from the site.
_NOT_WANTING = frozenset({ChargerStatus.FINISHED, ChargerStatus.ERROR})
_UNIT_FACTORS = {"A": 1.0, "mA": 0.001, "W": 1.0, "kW": 1000.0, "V": 1.0}


@dataclass(slots=True)
class SiteRuntimeData:
    """What a loaded site entry holds."""

    controller: SiteController


type SiteConfigEntry = ConfigEntry[SiteRuntimeData]


class SiteController:
    """Shares one site's fuse among its wallboxes."""

    def __init__(self, hass: HomeAssistant, entry: SiteConfigEntry) -> None:
        """The site of `entry`'s options; call async_start() to begin ticking."""
        self.hass = hass
        self.entry = entry
        options = entry.options
        self.configured_limit_a = float(options[CONF_LIMIT])
        self.allocator = SiteAllocator(site_of(options, self._switchable(options)))
        self.result: SiteAllocation | None = None
        self._grid = _grid_entities(options)
        self._seen: dict[str, datetime] = {}
        self._written: dict[str, tuple[float, int]] = {}
        # Each box's own fallback, should Home Assistant stop (site_fallback.py).
        self.fallbacks = SiteFallbacks(hass, entry)
        # Boxes written to since their last poll: what they read is from before the write.
        self._unread: set[str] = set()
        self._listening: dict[str, tuple[EvCoordinator, CALLBACK_TYPE]] = {}
        self._listeners: list[Callable[[], None]] = []
        self._ticking = False
        self._again = False

    @property
    def site(self) -> Site:
        """The site as the allocator sees it now (with the limit an automation set)."""
        return self.allocator.site

    @property
    def limit_a(self) -> float:
        """The main fuse's limit in use now."""
        return self.site.circuit(MAIN_CIRCUIT).limit_a

    def _switchable(self, options: Mapping[str, Any]) -> frozenset[str]:
        boxes = set()
        for entry_id in options.get(CONF_WALLBOXES, {}):
            box = self.hass.config_entries.async_get_entry(entry_id)
            profile = None if box is None else entry_profile(self.hass, box)
            if profile is not None and profile.phase_switch is not None:
                boxes.add(entry_id)
        return frozenset(boxes)

    # --- running ---------------------------------------------------------------------------

    @callback
    def async_start(self) -> None:
        """Tick on the timer and on every grid reading; boxes are joined as they load."""
        entry = self.entry
        entry.async_on_unload(
            async_track_time_interval(
                self.hass, self._schedule_tick, TICK_INTERVAL, name=f"{DOMAIN} site tick"
            )
        )
        if self._grid:
            now = dt_util.utcnow()
            self._seen = dict.fromkeys(self._grid, now)
            entry.async_on_unload(
                async_track_state_change_event(self.hass, self._grid, self._grid_reported)
            )
            entry.async_on_unload(
                async_track_state_report_event(self.hass, self._grid, self._grid_reported)
            )
        entry.async_on_unload(self._stop)
        self._schedule_tick()

    @callback
    def _stop(self) -> None:
        for coordinator, unsubscribe in self._listening.values():
            unsubscribe()
            coordinator.enforcement.site_limit_a = None
        self._listening.clear()

    @callback
    def _grid_reported(self, event: Event[Any]) -> None:
        # No tick of its own: a meter sets its phases one by one, and a tick between them
        # would see one phase new and two old. The next poll or timer tick reads all three.
        self._seen[event.data["entity_id"]] = dt_util.utcnow()

    def _polled(self, box_id: str) -> Callable[[], None]:
        @callback
        def polled() -> None:
            self._unread.discard(box_id)
            self._schedule_tick()

        return polled

    @callback
    def _schedule_tick(self, *_: Any) -> None:
        if self._ticking:
            self._again = True  # a poll came in while writing: once more after this one
            return
        self._ticking = True
        self.entry.async_create_task(
            self.hass, self._async_ticks(), f"{DOMAIN} site {self.entry.title}", eager_start=True
        )

    async def _async_ticks(self) -> None:
        try:
            while True:
                self._again = False
                await self.async_tick()
                if not self._again:
                    return
        finally:
            self._ticking = False

    async def async_set_limit(self, amps: float) -> None:
        """Lower (or restore) the main fuse's limit, as an operator's dimming signal asks."""
        main = self.site.circuit(MAIN_CIRCUIT)
        circuits = tuple(
            replace(c, limit_a=amps) if c.circuit_id == MAIN_CIRCUIT else c
            for c in self.site.circuits
        )
        if main.limit_a != amps:
            self.allocator.site = replace(self.site, circuits=circuits)
            await self.async_tick()

    async def async_tick(self) -> None:
        """Allocate once and write every share that changed."""
        now = dt_util.utcnow()
        coordinators = self._coordinators()
        cards = self._known_cards()
        # A box not loaded is left out: the allocator reserves the largest rating for it. A
        # wallbox entry deleted since draws nothing.
        states = {
            box_id: _box_state(
                box_id,
                c,
                self._written.get(box_id) if box_id in self._unread else None,
                cards,
            )
            for box_id, c in coordinators.items()
        }
        for wiring in self.site.wallboxes:
            if self.hass.config_entries.async_get_entry(wiring.box_id) is None:
                states[wiring.box_id] = BoxState(wiring.box_id, active=False)
        readings: dict[str, PhaseCurrents | None] = {}
        if self._grid:
            readings[MAIN_CIRCUIT] = self._grid_reading(now)
        before = self.result
        self.result = self.allocator.tick(now.timestamp(), states, readings)
        for box_id, allocation in self.result.boxes.items():
            coordinator = coordinators.get(box_id)
            if coordinator is not None and states[box_id].responding:
                await self.fallbacks.async_keep(coordinator, self.site, now)
                await self._async_write(coordinator, allocation, now)
            if before is not None:
                self._log_pause(box_id, before.boxes.get(box_id), allocation)
        for listener in list(self._listeners):
            listener()

    def _known_cards(self) -> TagRegistry:
        """The known cards; their priorities (options flow, portal) go to the allocator."""
        registry = self.hass.data[DATA_DOMAIN].tags.registry
        priorities = {t.tag_id: t.priority for t in registry if t.priority and not t.blocked}
        if priorities != self.site.card_priorities:
            self.allocator.site = replace(self.site, card_priorities=priorities)
        return registry

    def _coordinators(self) -> dict[str, EvCoordinator]:
        """The loaded wallboxes of the site; their polls tick the site."""
        found: dict[str, EvCoordinator] = {}
        for wiring in self.site.wallboxes:
            box = self.hass.config_entries.async_get_entry(wiring.box_id)
            if box is None or box.state is not ConfigEntryState.LOADED:
                continue
            coordinator: EvCoordinator = box.runtime_data.coordinator
            found[wiring.box_id] = coordinator
            joined = self._listening.get(wiring.box_id)
            if joined is None or joined[0] is not coordinator:
                if joined is not None:
                    joined[1]()
                self._listening[wiring.box_id] = (
                    coordinator,
                    coordinator.async_add_listener(self._polled(wiring.box_id)),
                )
                self._written.pop(wiring.box_id, None)  # a reloaded box is told again
                self.fallbacks.forget(wiring.box_id)
                self._learn_switching(wiring.box_id, coordinator)
        return found

    def _learn_switching(self, box_id: str, coordinator: EvCoordinator) -> None:
        """Take whether the loaded box can switch phases from its identified profile.

        Identification may choose a variant that adds switching (Alfen, Vestel), which the
        catalog profile the site started with cannot say.
        """
        can = coordinator.client.profile.phase_switch is not None
        site = self.site
        if site.wiring(box_id).can_switch_phases == can:
            return
        wallboxes = tuple(
            replace(w, can_switch_phases=can) if w.box_id == box_id else w for w in site.wallboxes
        )
        self.allocator.site = replace(site, wallboxes=wallboxes)

    async def _async_write(
        self, coordinator: EvCoordinator, allocation: BoxAllocation, now: datetime
    ) -> None:
        box_id = coordinator.config_entry.entry_id
        wanted = (allocation.current_a, allocation.phases)
        if self._written.get(box_id) == wanted:
            return
        try:
            if (
                self.site.wiring(box_id).can_switch_phases
                and self._written.get(box_id, (0.0, self.site.wiring(box_id).phases))[1]
                != allocation.phases
                and allocation.current_a > 0
            ):
                await coordinator.enforcement.async_set_phases(allocation.phases)
            await coordinator.enforcement.async_set_site_limit(allocation.current_a, now)
        except WallboxError as err:
            LOGGER.warning(
                "%s: %s refused %.1f A: %s",
                self.entry.title,
                coordinator.config_entry.title,
                allocation.current_a,
                err,
            )
            self._written.pop(box_id, None)
            async_site_issue(
                self.hass,
                self.entry,
                f"site_write_refused_{box_id}",
                "site_write_refused",
                severity=ir.IssueSeverity.ERROR,
                charger=coordinator.config_entry.title,
                error=str(err)[:200],
            )
            return
        self._written[box_id] = wanted
        self._unread.add(box_id)
        async_clear_site_issue(self.hass, self.entry, f"site_write_refused_{box_id}")

    def _log_pause(self, box_id: str, before: BoxAllocation | None, now: BoxAllocation) -> None:
        """Every pause and resume by the site goes to the logbook (logbook.py)."""
        was_paused = before is not None and before.reason in PAUSED
        paused = now.reason in PAUSED
        if was_paused == paused or (not paused and now.current_a <= 0):
            return
        box = self.hass.config_entries.async_get_entry(box_id)
        self.hass.bus.async_fire(
            EVENT_SITE_PAUSED if paused else EVENT_SITE_RESUMED,
            {
                "site": self.entry.title,
                "charger": box.title if box is not None else box_id,
                "config_entry_id": box_id,
                "reason": str(now.reason),
                "current_a": now.current_a,
            },
        )

    # --- the grid meter ----------------------------------------------------------------------

    def _grid_reading(self, now: datetime) -> PhaseCurrents | None:
        """Current per grid phase from the meter's sensors; None when any is missing or stale."""
        source = self.entry.options.get(CONF_GRID_SOURCE, GRID_NONE)
        keys = CURRENT_KEYS if source == GRID_CURRENT else POWER_KEYS
        currents = []
        for phase, key in enumerate(keys):
            value = self._sensor(self.entry.options[key], now)
            if value is None:
                break
            if source != GRID_CURRENT:
                voltage_entity = self.entry.options.get(VOLTAGE_KEYS[phase])
                voltage = NOMINAL_VOLTAGE_V
                if voltage_entity:
                    read = self._sensor(voltage_entity, now)
                    if read is None or read <= 0:
                        break
                    voltage = read
                value /= voltage
            currents.append(value)
        if len(currents) < 3:
            async_site_issue(self.hass, self.entry, "site_grid_stale", "site_grid_stale")
            return None
        async_clear_site_issue(self.hass, self.entry, "site_grid_stale")
        return (currents[0], currents[1], currents[2])

    def _sensor(self, entity_id: str, now: datetime) -> float | None:
        state = self.hass.states.get(entity_id)
        seen = self._seen.get(entity_id)
        if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN) or seen is None:
            return None
        if (now - seen).total_seconds() > GRID_STALE_S:
            return None
        try:
            value = float(state.state)
        except ValueError:
            return None
        factor = _UNIT_FACTORS.get(str(state.attributes.get("unit_of_measurement", "")), 1.0)
        return value * factor if math.isfinite(value) else None

    # --- entities ----------------------------------------------------------------------------

    @callback
    def async_add_listener(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` after every tick."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)


def _grid_entities(options: Mapping[str, Any]) -> list[str]:
    source = options.get(CONF_GRID_SOURCE, GRID_NONE)
    if source == GRID_NONE:
        return []
    keys = CURRENT_KEYS if source == GRID_CURRENT else (*POWER_KEYS, *VOLTAGE_KEYS)
    return [str(options[key]) for key in keys if options.get(key)]


def _box_state(
    box_id: str,
    coordinator: EvCoordinator,
    unread: tuple[float, int] | None,
    cards: TagRegistry,
) -> BoxState:
    """What the box's last poll said, as the allocator takes it.

    `cards`: the known cards; the one presented here gives its priority (Site.priority).
    `unread`: the share written since that poll (current, phases). Until the box is read
    again it counts at that share on the phases it charges on: the currents read before a cut
    would make the house load (grid reading less our boxes) look too low, and those read before
    a raise would make it look too high and take the raise back.
    """
    control = coordinator.profile.current_limit
    assert control is not None  # only boxes with current control are offered for a site
    if not coordinator.last_update_success or coordinator.data is None:
        # Counted at its last share (or its maximum) until it answers again.
        return BoxState(box_id, active=False, responding=False, max_a=control.max_a)
    reading = coordinator.data.reading
    wish: float | None = None
    if coordinator.enforcement.locked or reading.enabled is False:
        wish = 0.0  # the lock holds it, or charging is switched off
    currents = reading.currents_a
    active = reading.vehicle_present and reading.status not in _NOT_WANTING
    measured: PhaseCurrents | None = None
    if unread is not None and active:
        current, phases = unread
        measured = (current, current if phases == 3 else 0.0, current if phases == 3 else 0.0)
    elif any(value is not None for value in currents):
        measured = (currents[0] or 0.0, currents[1] or 0.0, currents[2] or 0.0)
    session = coordinator.data.session
    presented = coordinator.auth.current_tag
    card = cards.get(presented) if presented is not None else None
    return BoxState(
        box_id,
        active=active,
        min_a=control.min_a,
        max_a=control.max_a,
        wish_a=wish,
        measured_a=measured,
        energy_wh=session.energy_wh if session is not None else 0.0,
        card=card.tag_id if card is not None else None,
    )


async def async_setup_site(hass: HomeAssistant, entry: SiteConfigEntry) -> bool:
    """Set up a site entry: its device, its controller, its entities."""
    dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, entry.unique_id or entry.entry_id)},
        manufacturer="EV Session Monitor",
        model="Site load management",
        name=entry.title,
        entry_type=dr.DeviceEntryType.SERVICE,
    )
    controller = SiteController(hass, entry)
    entry.runtime_data = SiteRuntimeData(controller)
    await hass.config_entries.async_forward_entry_setups(entry, SITE_PLATFORMS)
    controller.async_start()
    return True


async def async_unload_site(hass: HomeAssistant, entry: SiteConfigEntry) -> bool:
    """Stop sharing; the boxes keep their last current (the lock still works)."""
    return await hass.config_entries.async_unload_platforms(entry, SITE_PLATFORMS)
