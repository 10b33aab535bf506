"""Site load management through real Modbus: simulated wallboxes share one fuse.

Each wallbox is a Webasto NEXT simulator (tools/wallbox_simulator) on its own loopback port;
the current Home Assistant gives each one is what the simulator's current-limit register
(5004, Webasto NEXT Modbus TCP specification) holds after the write. The grid meter is a
sensor entity the test sets: the house load plus what the simulated boxes really draw.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.ev_session_monitor.const import (
    DOMAIN,
    EVENT_SITE_PAUSED,
    EVENT_SITE_RESUMED,
)
from custom_components.ev_session_monitor.site_config import (
    CONF_FALLBACK,
    CONF_GRID_SOURCE,
    CONF_KIND,
    CONF_LIMIT,
    CONF_MARGIN,
    CONF_STABLE,
    CONF_WALLBOXES,
    CURRENT_KEYS,
    GRID_CURRENT,
    GRID_NONE,
    KIND_SITE,
)
from custom_components.ev_session_monitor.site_controller import SiteController
from tools.wallbox_simulator import WallboxSimulator

from .conftest import TestClock, coordinator_of, entry_for

GRID = ("sensor.grid_l1", "sensor.grid_l2", "sensor.grid_l3")


@pytest.fixture
def boxes(site_boxes: list[WallboxSimulator]) -> list[WallboxSimulator]:
    """Four simulated Webasto NEXT wallboxes (conftest.site_boxes)."""
    return site_boxes


class Site:
    """The wallbox entries, the site entry and one poll of every box."""

    def __init__(
        self,
        hass: HomeAssistant,
        sims: list[WallboxSimulator],
        entries: list[MockConfigEntry],
        site: MockConfigEntry,
        clock: TestClock,
    ) -> None:
        self.hass, self.sims, self.entries, self.entry, self.clock = (
            hass,
            sims,
            entries,
            site,
            clock,
        )
        self.house_a: float | tuple[float, float, float] = 0.0  # per phase, or the same on each

    @property
    def controller(self) -> SiteController:
        controller: SiteController = self.entry.runtime_data.controller
        return controller

    def limits(self) -> list[float | None]:
        """What each box's current-limit register holds."""
        return [sim.state.current_limit_a for sim in self.sims]

    def meter(self) -> None:
        """The grid meter reports: house load plus what the boxes draw, per phase."""
        house = self.house_a if isinstance(self.house_a, tuple) else (self.house_a,) * 3
        for phase, entity_id in enumerate(GRID):
            drawn = sum(sim.state.currents_a[phase] for sim in self.sims)
            self.hass.states.async_set(
                entity_id, f"{house[phase] + drawn:.2f}", {"unit_of_measurement": "A"}
            )

    async def poll(self, seconds: float = 10, *, meter: bool = False) -> None:
        """Time passes; every box is read (each read ticks the site)."""
        self.clock.tick(seconds)
        for sim, entry in zip(self.sims, self.entries, strict=True):
            sim.state.advance(seconds)
            if meter:
                self.meter()
            await coordinator_of(entry).async_refresh()
            await self.hass.async_block_till_done()


async def make_site(
    hass: HomeAssistant,
    sims: list[WallboxSimulator],
    clock: TestClock,
    *,
    limit: float,
    grid: bool = False,
    **options: Any,
) -> Site:
    entries = []
    for number, sim in enumerate(sims, start=1):
        template = entry_for(sim, title=f"Box {number}")
        # Fixed entry ids: the site's entities are named by them (snapshots stay the same).
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=template.title,
            unique_id=template.unique_id,
            data=dict(template.data),
            entry_id=f"box{number}",
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        entries.append(entry)
    await hass.async_block_till_done()
    site_options: dict[str, Any] = {
        CONF_LIMIT: limit,
        CONF_MARGIN: 1.0,
        CONF_STABLE: 0,
        CONF_GRID_SOURCE: GRID_CURRENT if grid else GRID_NONE,
        CONF_WALLBOXES: {
            entry.entry_id: {"l1_phase": 0, "phases": 3, "priority": 0} for entry in entries
        },
        **options,
    }
    if grid:
        site_options.update(zip(CURRENT_KEYS, GRID, strict=True))
    site_entry = MockConfigEntry(
        domain=DOMAIN,
        title="Carport",
        unique_id="site_carport",
        data={CONF_KIND: KIND_SITE},
        options=site_options,
    )
    site = Site(hass, sims, entries, site_entry, clock)
    if grid:
        site.meter()
    site_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(site_entry.entry_id)
    await hass.async_block_till_done()
    return site


def charge(sims: list[WallboxSimulator]) -> None:
    for sim in sims:
        sim.state.plug_in()
        sim.state.start_charging(22000)  # the car would take 32 A on 3 phases


async def test_three_boxes_share_16_a(
    hass: HomeAssistant, boxes: list[WallboxSimulator], clock: TestClock
) -> None:
    sims = boxes[:3]
    site = await make_site(hass, sims, clock, limit=16)
    paused = async_capture_events(hass, EVENT_SITE_PAUSED)
    resumed = async_capture_events(hass, EVENT_SITE_RESUMED)
    charge(sims[:2])
    await site.poll()
    await site.poll()
    # 15 A per phase (16 A less the 1 A margin) for two cars: 8 A and 7 A, both above 6 A.
    assert sorted(site.limits()[:2]) == [7, 8]
    assert sum(sim.state.currents_a[0] for sim in sims) <= 15
    charge(sims[2:])
    await site.poll()
    await site.poll()
    limits = [limit or 0 for limit in site.limits()]
    # Three minimums (18 A) do not fit in 15 A: the newly plugged car waits, at 0 A.
    assert sorted(limits) == [0, 7, 8]
    assert limits[2] == 0
    assert sum(sim.state.currents_a[0] for sim in sims) <= 15
    assert [event.data["charger"] for event in paused] == ["Box 3"]
    state = hass.states.get("sensor.carport_box_3_share_reason")
    assert state is not None and state.state == "paused_for_priority"
    # The first car leaves: within two polls the waiting car charges and the other rises.
    sims[0].state.unplug()
    await site.poll()
    await site.poll()
    limits = [limit or 0 for limit in site.limits()]
    assert limits[0] == 0 or sims[0].state.power_w == 0
    assert sorted(limits[1:]) == [7, 8]
    assert [event.data["charger"] for event in resumed] == ["Box 3"]
    assert sum(sim.state.currents_a[0] for sim in sims) <= 15


async def test_headroom_and_shares_are_entities(
    hass: HomeAssistant, boxes: list[WallboxSimulator], clock: TestClock
) -> None:
    sims = boxes[:2]
    site = await make_site(hass, sims, clock, limit=16)
    charge(sims)
    await site.poll()
    allocated = hass.states.get("sensor.carport_box_1_allocated_current")
    assert allocated is not None and float(allocated.state) in (7, 8)
    assert allocated.attributes["phases"] == 3
    headroom = hass.states.get("sensor.carport_headroom_l1")
    assert headroom is not None and float(headroom.state) == 0
    limit = hass.states.get("number.carport_site_limit")
    assert limit is not None and float(limit.state) == 16
    # A grid operator's dimming signal: an automation lowers the limit; the shares follow.
    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": "number.carport_site_limit", "value": 13},
        blocking=True,
    )
    await hass.async_block_till_done()
    assert sorted(site.limits()) == [6, 6]


async def test_four_boxes_on_25_a_with_house_load(
    hass: HomeAssistant, boxes: list[WallboxSimulator], clock: TestClock
) -> None:
    site = await make_site(
        hass, boxes, clock, limit=25, grid=True, **{CONF_FALLBACK: 12, CONF_STABLE: 30}
    )
    site.house_a = 6.0
    charge(boxes[:2])
    await site.poll(meter=True)  # the cars start at the boxes' own maximum, then are cut
    for _ in range(6):
        await site.poll(meter=True)
        # House and cars together stay under the fuse less its margin.
        assert site.house_a + sum(s.state.currents_a[0] for s in boxes) <= 24 + 0.01
    limits = [limit or 0 for limit in site.limits()]
    assert sum(limits) == 18  # 25 - 1 - 6 A of house load
    site.house_a = 12.0  # the oven: cut at once
    site.meter()
    await site.poll(meter=True)
    assert sum(limit or 0 for limit in site.limits()) == 12
    assert site.house_a + sum(s.state.currents_a[0] for s in boxes) <= 24 + 0.01

    # The meter goes silent: after 2 minutes the boxes share the safe 12 A per phase.
    clock.tick(130)
    for sim, entry in zip(boxes, site.entries, strict=True):
        sim.state.advance(130)
        await coordinator_of(entry).async_refresh()
    await hass.async_block_till_done()
    assert sum(limit or 0 for limit in site.limits()) <= 12
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"site_grid_stale_{site.entry.entry_id}")
    assert issue is not None
    # It reports again: the repair goes, the dynamic limit is back.
    site.house_a = 2.0
    for _ in range(8):
        await site.poll(meter=True)
    assert (
        ir.async_get(hass).async_get_issue(DOMAIN, f"site_grid_stale_{site.entry.entry_id}") is None
    )
    assert sum(limit or 0 for limit in site.limits()) == 22


async def test_box_offline_keeps_its_share_reserved(
    hass: HomeAssistant, boxes: list[WallboxSimulator], clock: TestClock
) -> None:
    sims = boxes[:3]
    site = await make_site(hass, sims, clock, limit=32)
    charge(sims)
    await site.poll()
    await site.poll()
    assert sorted(site.limits()) == [10, 10, 11]
    sims[2].state.faults.refuse_connections = True
    sims[2].drop_connections()
    sims[0].state.unplug()
    await site.poll()
    await site.poll()
    # Box 3 does not answer: its last share stays counted (at least what its register holds:
    # the raise after box 1 left did not reach it), so box 2 gets only the rest of the 31 A.
    reserved = hass.states.get("sensor.carport_box_3_allocated_current")
    assert reserved is not None
    assert float(reserved.state) >= (sims[2].state.current_limit_a or 0)
    assert site.limits()[1] == 31 - float(reserved.state)
    reason = hass.states.get("sensor.carport_box_3_share_reason")
    assert reason is not None and reason.state == "not_responding"
    # It answers again (after the client's reconnect back-off): fair shares once more.
    sims[2].state.faults.refuse_connections = False
    # Box 3's car drew its old 10 A while the site had 16 A down for it: it is taken for a car
    # that wants less until it follows a raise (allocator: release), so this takes some polls.
    for _ in range(10):
        await site.poll()
        assert sum(limit or 0 for limit in site.limits()) <= 31
    assert sorted(site.limits()[1:]) == [15, 16]


async def test_refused_write_is_a_repair(
    hass: HomeAssistant, boxes: list[WallboxSimulator], clock: TestClock
) -> None:
    sims = boxes[:2]
    site = await make_site(hass, sims, clock, limit=16)
    charge(sims[:1])
    await site.poll()
    assert site.limits()[0] == 15
    # Box 1 still counts as answering (its last poll did), but takes no write: when box 2's
    # car arrives, box 1 cannot be cut to its half.
    sims[0].state.faults.refuse_connections = True
    sims[0].drop_connections()
    charge(sims[1:])
    await coordinator_of(site.entries[1]).async_refresh()
    await hass.async_block_till_done()
    issue_id = f"site_write_refused_{site.entries[0].entry_id}_{site.entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    sims[0].state.faults.refuse_connections = False
    await site.poll()
    await site.poll()
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert sorted(site.limits()) == [7, 8]


async def test_grid_power_with_voltage(
    hass: HomeAssistant, boxes: list[WallboxSimulator], clock: TestClock
) -> None:
    """A meter that reports power per phase (W or kW) and voltage: current = P / U."""
    sims = boxes[:1]
    powers = ("sensor.p_l1", "sensor.p_l2", "sensor.p_l3")
    voltages = ("sensor.u_l1", "sensor.u_l2", "sensor.u_l3")
    for entity_id in voltages:
        hass.states.async_set(entity_id, "230", {"unit_of_measurement": "V"})

    def meter() -> None:
        # 10 A of house load per phase, plus what the box draws.
        for phase, entity_id in enumerate(powers):
            watts = (10 + sims[0].state.currents_a[phase]) * 230
            hass.states.async_set(entity_id, f"{watts / 1000:.3f}", {"unit_of_measurement": "kW"})

    meter()
    site = await make_site(
        hass,
        sims,
        clock,
        limit=25,
        **{
            CONF_GRID_SOURCE: "power",
            **dict(zip(("power_l1", "power_l2", "power_l3"), powers, strict=True)),
            **dict(zip(("voltage_l1", "voltage_l2", "voltage_l3"), voltages, strict=True)),
        },
    )
    charge(sims)
    for _ in range(4):
        meter()
        await site.poll()
    assert site.limits() == [14]  # 25 - 1 - 10 A
    hass.states.async_set(voltages[1], "unavailable")
    await site.poll()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"site_grid_stale_{site.entry.entry_id}")
    assert issue is not None
    assert site.limits() == [12]  # half of 25 - 1 A while the meter is not trusted


async def test_phase_switch_to_one_phase_at_low_headroom_and_back(
    hass: HomeAssistant, clock: TestClock
) -> None:
    """An Alfen Eve that can switch (its variant, chosen at set-up) keeps charging on 1 phase.

    Register 1215 "charge using 1 or 3 phases" takes 1 or 3, written with function code 6;
    1210 is the float32 setpoint (Alfen "Implementation of Modbus Slave TCP/IP for Alfen NG9xx
    platform" v2.3).
    """
    sim = WallboxSimulator("alfen_eve")
    await sim.start()
    try:
        site = await make_site(hass, [sim], clock, limit=25, grid=True, **{CONF_STABLE: 30})
        client = coordinator_of(site.entries[0]).client
        switch = client.profile.phase_switch
        assert switch is not None
        client.profile = replace(client.profile, phase_switch=replace(switch, pause_s=0.01))
        # House load on L2 and L3 leaves 3 A there: no 3-phase minimum of 6 A; L1 has 14 A.
        site.house_a = (10.0, 21.0, 21.0)
        charge([sim])
        before = len(sim.box.register_writes)
        for _ in range(3):
            await site.poll(meter=True)
        writes = [(w.function, w.address, w.words) for w in sim.box.register_writes[before:]]
        assert (6, 1215, (1,)) in writes
        assert sim.state.phases == 1
        assert sim.state.current_limit_a == 14
        assert sim.state.currents_a == pytest.approx((14.0, 0.0, 0.0))
        # The oven is off: 3 phases fit again, but only after the stable interval (30 s).
        site.house_a = (6.0, 5.0, 5.0)
        await site.poll(meter=True)
        assert sim.state.phases == 1
        for _ in range(4):
            await site.poll(meter=True)
        writes = [(w.function, w.address, w.words) for w in sim.box.register_writes[before:]]
        assert writes.count((6, 1215, (1,))) == 1
        assert (6, 1215, (3,)) in writes
        assert sim.state.phases == 3
        assert sim.state.current_limit_a == 18  # 25 - 1 - 6 A on L1
    finally:
        await sim.stop()


async def test_a_high_priority_card_keeps_charging_while_the_other_car_pauses(
    hass: HomeAssistant, boxes: list[WallboxSimulator], clock: TestClock
) -> None:
    """11 A usable: two 6 A minimums do not fit. Without priorities box 1 would charge (equal
    energy, then the box id); the card at box 2 has priority 5 (options flow): box 2 charges."""
    sims = boxes[:2]
    site = await make_site(hass, sims, clock, limit=12)
    result = await hass.config_entries.options.async_init(site.entries[0].entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "add_tag"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"tag_id": "04a1b2c3", "name": "Doctor on call", "priority": 5}
    )
    await hass.async_block_till_done()
    charge(sims)
    sims[1].state.present_tag("04A1B2C3")
    for _ in range(3):
        await site.poll()
    assert [limit or 0 for limit in site.limits()] == [0, 11]
    reason = hass.states.get("sensor.carport_box_1_share_reason")
    assert reason is not None and reason.state == "paused_for_priority"
    # The card leaves with its car: the other car charges.
    sims[1].state.unplug()
    for _ in range(2):
        await site.poll()
    assert site.limits()[0] == 11


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Registry entries and states serialized as core's tests do (no ids, no clock times)."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.mark.parametrize("platform", [Platform.NUMBER, Platform.SENSOR])
async def test_site_entities_snapshot(
    hass: HomeAssistant,
    platform: Platform,
    boxes: list[WallboxSimulator],
    clock: TestClock,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Names, units, device classes, options and values of the site's entities."""
    sims = boxes[:1]  # one car: its share does not hang on which box's id sorts first
    with patch("custom_components.ev_session_monitor.site_controller.SITE_PLATFORMS", [platform]):
        site = await make_site(hass, sims, clock, limit=16)
    charge(sims)
    await site.poll()
    await site.poll()
    await snapshot_platform(hass, entity_registry, snapshot, site.entry.entry_id)


async def test_boxes_hold_a_safe_share_without_home_assistant(
    hass: HomeAssistant, boxes: list[WallboxSimulator], clock: TestClock
) -> None:
    """Each box's failsafe current (Webasto NEXT 2000) holds the safe share; the life bit
    (6000) is written as the polls go; once it stops, the boxes fall back by themselves."""
    sims = boxes[:2]
    site = await make_site(hass, sims, clock, limit=16)
    charge(sims[:1])
    await site.poll()
    await site.poll()
    assert site.limits()[0] == 15  # one car alone takes the whole 15 A
    # 15 A (16 A less the margin) split over both boxes of the site: 7 A each, whole amperes.
    assert [sim.state.failsafe_current_a for sim in sims] == [7, 7]
    assert all(sim.state.keepalives > 0 for sim in sims)
    writes = [w for w in sims[0].box.register_writes if w.address == 2000]
    assert [(w.function, w.words) for w in writes] == [(6, (7,))]  # once, not every tick
    charge(sims[1:])
    sims[1].state.current_limit_a = None  # box 2 not yet cut: it draws the car's 32 A
    for _ in range(3):
        await site.poll()
    assert not any(sim.state.failsafe_active for sim in sims)
    # Home Assistant stops: no poll, no life bit. Past the box's communication timeout
    # (2002: 20 s) both draw their failsafe 7 A, within the fuse.
    await hass.config_entries.async_unload(site.entry.entry_id)
    for sim in sims:
        sim.state.advance(25)
    assert all(sim.state.failsafe_active for sim in sims)
    assert [sim.state.currents_a[0] for sim in sims] == pytest.approx([7, 7])
    assert sum(sim.state.currents_a[0] for sim in sims) <= 15


async def _started(profile_id: str, count: int) -> list[WallboxSimulator]:
    sims = [WallboxSimulator(profile_id) for _ in range(count)]
    for sim in sims:
        await sim.start()
    return sims


async def test_keba_failsafe_is_turned_on_with_the_safe_share(
    hass: HomeAssistant, clock: TestClock
) -> None:
    """KEBA P30 with its failsafe off (1602 = 0): the site writes the safe share to the
    failsafe current (5016, mA) and turns the failsafe on with a 60 s timeout (5018), which the
    heartbeat then keeps up; once it stops, each box falls back to the share by itself."""
    sims = await _started("keba_p30", 2)
    try:
        for sim in sims:
            sim.state.watchdog_timeout_s = 0  # as delivered: no failsafe
        site = await make_site(hass, sims, clock, limit=16)
        charge(sims)
        await site.poll()
        await site.poll()
        assert sorted(site.limits()) == [7, 8]
        for sim in sims:
            writes = [(w.address, w.words) for w in sim.box.register_writes]
            assert writes.count((5016, (7000,))) == 1  # 7 A, once
            first = writes.index((5016, (7000,)))
            assert writes[first + 1] == (5018, (60,))  # then the failsafe turned on
            assert sim.state.failsafe_current_a == 7
            assert sim.state.watchdog_timeout_s == 60
        beats = [sim.state.keepalives for sim in sims]
        await site.poll(40)  # past half the timeout: the heartbeat again
        assert all(sim.state.keepalives > beat for sim, beat in zip(sims, beats, strict=True))
        assert not any(sim.state.failsafe_active for sim in sims)
        await hass.config_entries.async_unload(site.entry.entry_id)
        for sim in sims:
            sim.state.advance(65)
        assert all(sim.state.failsafe_active for sim in sims)
        assert [sim.state.currents_a[0] for sim in sims] == pytest.approx([7, 7])
    finally:
        for sim in sims:
            await sim.stop()


async def test_alfen_safe_current_above_the_share_is_a_repair(
    hass: HomeAssistant, clock: TestClock
) -> None:
    """Alfen's safe current (1212) is set in its installer app, not over Modbus: the site
    reads it, and one above the safe share is a repair until the user lowers it."""
    sims = await _started("alfen_eve", 2)
    try:
        for sim, safe_a in zip(sims, (16.0, 6.0), strict=True):
            sim.state.failsafe_current_a = safe_a  # as set in the ACE Service Installer
            sim.state.watchdog_timeout_s = 60  # the validity time, 60 s by default
        site = await make_site(hass, sims, clock, limit=16)
        charge(sims)
        await site.poll()
        issues = ir.async_get(hass)
        too_high = f"site_failsafe_above_share_box1_{site.entry.entry_id}"
        issue = issues.async_get_issue(DOMAIN, too_high)
        assert issue is not None
        assert issue.translation_placeholders == {
            "site": "Carport",
            "charger": "Box 1",
            "setting": "16",
            "share": "7",
        }
        assert (
            issues.async_get_issue(DOMAIN, f"site_failsafe_above_share_box2_{site.entry.entry_id}")
            is None
        )
        assert not [w for w in sims[0].box.register_writes if w.address == 1212]  # never written
        sims[0].state.failsafe_current_a = 6.0  # the user lowers it
        await site.poll()
        assert issues.async_get_issue(DOMAIN, too_high) is not None  # read again within the hour
        clock.tick(3600)
        await site.poll()
        assert issues.async_get_issue(DOMAIN, too_high) is None
        # Home Assistant stops: past the validity time both boxes take their safe 6 A.
        await hass.config_entries.async_unload(site.entry.entry_id)
        for sim in sims:
            sim.state.advance(65)
        assert all(sim.state.failsafe_active for sim in sims)
        assert [sim.state.currents_a[0] for sim in sims] == pytest.approx([6, 6])
    finally:
        for sim in sims:
            await sim.stop()
