"""Durability in Home Assistant: what is saved when, and what a restart recovers.

A "hard kill" here is an unload whose final save is thrown away: the stored state is put back
to what was on disk at the moment of the kill. The kill suite (tests/durability) does the same
with a real Home Assistant process and SIGKILL.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from custom_components.ev_session_monitor.const import (
    CONF_FIXED_PRICE,
    CONF_POLL_INTERVAL,
    CONF_PRICE_SOURCE,
    DOMAIN,
    EVENT_SESSION_COMPLETED,
    PRICE_FIXED,
)
from tools.wallbox_simulator import WallboxSimulator

from .conftest import SetupEntry, TestClock, coordinator_of, entry_for
from .test_sessions import collect


def saved(hass_storage: dict[str, Any], entry_id: str) -> dict[str, Any]:
    """What is on disk for the entry now."""
    return dict(hass_storage[f"{DOMAIN}.{entry_id}"]["data"])


async def test_every_transition_is_on_disk_before_the_next_poll(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    poll,
    hass_storage: dict[str, Any],
) -> None:
    """At 2 s polling: plug-in, charging, pause and completion are each written at once."""
    entry = await setup_entry(**{CONF_POLL_INTERVAL: 2})
    step = poll(entry)
    sim = simulator.state
    sim.plug_in()
    await step(2)
    assert saved(hass_storage, entry.entry_id)["open_session"]["session_id"]
    sim.start_charging(11000)
    await step(2)
    await step(2)
    assert saved(hass_storage, entry.entry_id)["open_session"]["last_charging"] is True
    sim.pause(by_vehicle=True)
    await step(2)
    assert saved(hass_storage, entry.entry_id)["open_session"]["last_charging"] is False
    sim.start_charging(11000)
    for _ in range(16):  # 32 s of steady charging: the running figures are written within 30 s
        await step(2)
    on_disk = saved(hass_storage, entry.entry_id)["open_session"]["energy_wh"]
    live = coordinator_of(entry).recorder.tracker.open.energy_wh
    assert on_disk > 0
    assert live - on_disk <= 11000 * 30 / 3600
    sim.unplug()
    await step(2)
    state = saved(hass_storage, entry.entry_id)
    assert state["open_session"] is None
    assert state["last_session"]["energy_wh"] == pytest.approx(sim.delivered_this_plugin_wh, abs=1)


async def _kill_and_restart(
    hass: HomeAssistant, entry_id: str, hass_storage: dict[str, Any], on_disk: dict[str, Any]
) -> None:
    """Unload, then put the stored state back to `on_disk` as a hard kill would leave it."""
    assert await hass.config_entries.async_unload(entry_id)
    hass_storage[f"{DOMAIN}.{entry_id}"] = on_disk
    assert await hass.config_entries.async_setup(entry_id)
    await hass.async_block_till_done()


@pytest.mark.parametrize("car_leaves", [False, True])
async def test_hard_kill_mid_session_recovers_from_the_meter(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    poll,
    clock: TestClock,
    hass_storage: dict[str, Any],
    car_leaves: bool,
) -> None:
    """Killed 25 s into a 2 s-poll session, down for 5 minutes: every Wh the box delivered."""
    completed = collect(hass, EVENT_SESSION_COMPLETED)
    entry = await setup_entry(
        **{CONF_POLL_INTERVAL: 2, CONF_PRICE_SOURCE: PRICE_FIXED, CONF_FIXED_PRICE: 0.30}
    )
    step = poll(entry)
    sim = simulator.state
    sim.plug_in()
    sim.start_charging(11000)
    for _ in range(12):
        await step(2)
    killed_with = copy.deepcopy(hass_storage[f"{DOMAIN}.{entry.entry_id}"])
    session_id = coordinator_of(entry).recorder.tracker.open.session_id
    sim.advance(1)  # the kill lands between two polls
    sim.advance(150)
    if car_leaves:
        sim.unplug()
    sim.advance(150)
    clock.tick(301)
    await _kill_and_restart(hass, entry.entry_id, hass_storage, killed_with)
    await step(2)
    if not car_leaves:
        sim.unplug()
        await step(2)
    assert len(completed) == 1
    record = completed[0]
    assert record["session_id"] == session_id
    assert record["energy_kwh"] == round(sim.delivered_this_plugin_wh / 1000, 3)
    assert record["gaps"] == 0
    assert (record["end_latest"] is not None) is car_leaves


async def test_session_already_running_when_first_seen(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    poll,
) -> None:
    """Added mid-session: the box's session counter is the energy so far."""
    completed = collect(hass, EVENT_SESSION_COMPLETED)
    sim = simulator.state
    sim.plug_in()
    sim.start_charging(11000)
    sim.advance(22_128 / 11000 * 3600)
    entry = await setup_entry()
    step = poll(entry)
    assert float(hass.states.get("sensor.garage_session_energy").state) == pytest.approx(
        22.13, abs=0.01
    )
    await step(10)
    sim.unplug()
    await step(10)
    assert completed[0]["energy_kwh"] == round(sim.delivered_this_plugin_wh / 1000, 3)


async def test_energy_before_the_first_poll_that_sees_the_car(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    """Plugged in and charging between two polls: the session counter has the first seconds."""
    completed = collect(hass, EVENT_SESSION_COMPLETED)
    entry = await setup_entry()
    step = poll(entry)
    await step(10)
    sim = simulator.state
    sim.plug_in()
    sim.advance(2)
    sim.start_charging(11000)
    await step(8)
    await step(10)
    sim.unplug()
    await step(10)
    assert completed[0]["energy_kwh"] == round(sim.delivered_this_plugin_wh / 1000, 3)


async def test_damaged_saved_state_is_set_aside_and_the_rest_loads(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    hass_storage: dict[str, Any],
    tmp_path: Path,
) -> None:
    """A wrong type in the saved state: the wallbox loads, the user gets a repair and a copy."""
    hass.config.config_dir = str(tmp_path)
    (tmp_path / ".storage").mkdir()
    entry = entry_for(simulator)
    entry_id = entry.entry_id
    hass_storage[f"{DOMAIN}.{entry_id}"] = {
        "version": 1,
        "key": f"{DOMAIN}.{entry_id}",
        "data": {
            "delivered_wh": "abc",
            "total_cost": 12.5,
            "open_session": {"session_id": "x", "started_at": 5},
            "last_session": None,
            "unarchived": "not a list",
        },
    }
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state.name == "LOADED"
    assert float(hass.states.get("sensor.garage_total_charging_cost").state) == 12.5
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"stored_state_damaged_{entry_id}")
    assert issue is not None
    parts = issue.translation_placeholders["parts"]
    assert "delivered_wh" in parts and "open_session" in parts and "unarchived" in parts
    kept = Path(issue.translation_placeholders["kept"])
    assert json.loads(kept.read_text())["delivered_wh"] == "abc"


async def test_plug_in_without_energy_is_not_a_session(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    """An unknown card tried and the car left without charging: no 0 kWh session."""
    completed = collect(hass, EVENT_SESSION_COMPLETED)
    unknown = collect(hass, f"{DOMAIN}_unknown_tag")
    entry = await setup_entry()
    step = poll(entry)
    sim = simulator.state
    sim.plug_in(needs_authorization=True)
    sim.present_tag("DEADBEEF01")
    await step(10)
    sim.unplug()
    await step(10)
    assert completed == []
    assert len(unknown) == 1
    assert await hass.data[DOMAIN].archive.async_query() == []
    assert hass.states.get("sensor.garage_last_session_energy").state == "unknown"


async def test_damaged_saved_tags_are_kept_and_reported(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    hass_storage: dict[str, Any],
) -> None:
    """One unreadable tag: the others work, the user is told, the bad one stays on disk."""
    good = {"tag_id": "04A1B2C3D4", "name": "Alice", "chargers": []}
    bad = {"tag_id": 5, "name": ["not", "a", "name"]}
    hass_storage[f"{DOMAIN}.tags"] = {
        "version": 1,
        "key": f"{DOMAIN}.tags",
        "data": {"tags": [bad, good]},
    }
    entry = await setup_entry()
    assert entry.state.name == "LOADED"
    registry = hass.data[DOMAIN].tags.registry
    assert registry.get("04A1B2C3D4") is not None
    assert ir.async_get(hass).async_get_issue(DOMAIN, "stored_tags_damaged") is not None
    await hass.data[DOMAIN].tags.async_save()
    assert bad in hass_storage[f"{DOMAIN}.tags"]["data"]["tags"]
