"""Every built-in profile can be added through the config flow and reports a charging car."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.ev_session_monitor.const import CONF_PROFILE, CONF_UNIT_ID
from custom_components.ev_session_monitor.core.profile import BUILTIN_PROFILE_DIR, load_profiles
from tools.wallbox_simulator import WallboxSimulator

from .conftest import SetupEntry, coordinator_of, start_network_flow

PROFILES = sorted(load_profiles(BUILTIN_PROFILE_DIR).profiles)


@pytest.mark.parametrize("profile_id", PROFILES)
async def test_add_and_read_every_profile(hass: HomeAssistant, profile_id: str) -> None:
    async with WallboxSimulator(profile_id) as sim:
        sim.state.lifetime_wh = 50_000
        sim.state.plug_in()
        sim.state.start_charging(7200)
        sim.state.advance(60)
        result = await start_network_flow(hass)
        data = {
            CONF_NAME: "Box",
            CONF_PROFILE: profile_id,
            CONF_HOST: "127.0.0.1",
            CONF_PORT: sim.port,
        }
        if sim.profile.transport == "modbus":
            data[CONF_UNIT_ID] = sim.unit_id
        result = await hass.config_entries.flow.async_configure(result["flow_id"], data)
        assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
        entry = result["result"]
        await hass.async_block_till_done()
        status = hass.states.get("sensor.box_status")
        assert status is not None
        assert status.state == "charging"
        power = hass.states.get("sensor.box_power")
        assert power is not None
        assert float(power.state) == pytest.approx(7200, abs=10)
        entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        assert len(entities) >= 10
        assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize("profile_id", ["alfen_eve"])
async def test_phase_select_pauses_switches_and_reads_back(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry
) -> None:
    simulator.state.plug_in()
    simulator.state.start_charging(7200)
    entry = await setup_entry()
    client = coordinator_of(entry).client
    assert client.profile.phase_switch is not None
    # The real pause is 5 s; the order of the writes is what matters here.
    client.profile = replace(
        client.profile, phase_switch=replace(client.profile.phase_switch, pause_s=0.01)
    )
    await coordinator_of(entry).async_set_current_limit(10)
    await hass.async_block_till_done()
    state = hass.states.get("select.garage_charging_phases")
    assert state is not None
    assert state.state == "three_phases"  # read back from 1215
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": "select.garage_charging_phases", "option": "one_phase"},
        blocking=True,
    )
    await hass.async_block_till_done()
    writes = [(w.function, w.address) for w in simulator.box.register_writes]
    # Paused at 0 A (float32, FC16), switched with FC6, resumed at the 10 A set before.
    assert writes[-3:] == [(16, 1210), (6, 1215), (16, 1210)]
    assert simulator.state.current_limit_a == 10
    assert simulator.state.phases == 1
    state = hass.states.get("select.garage_charging_phases")
    assert state is not None
    assert state.state == "one_phase"


@pytest.mark.parametrize("profile_id", ["webasto_next"])
async def test_no_phase_select_without_phase_switching(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry
) -> None:
    await setup_entry()
    assert hass.states.get("select.garage_charging_phases") is None


@pytest.mark.parametrize("profile_id", ["alfen_eve"])
async def test_setpoint_is_rewritten_within_the_validity_time(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entry = await setup_entry()
    await coordinator_of(entry).async_set_current_limit(12)
    simulator.box.register_writes.clear()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=26))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [(w.function, w.address) for w in simulator.box.register_writes] == [(16, 1210)]
    assert simulator.state.current_limit_a == 12
    # The box is gone: the refresh fails and says so, the next poll reports it.
    simulator.state.faults.refuse_connections = True
    simulator.drop_connections()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=52))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert "setpoint refresh failed" in caplog.text


@pytest.mark.parametrize("profile_id", ["openwb_series2"])
async def test_phase_select_without_read_back_shows_what_was_selected(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry
) -> None:
    await setup_entry()
    entity_id = "select.garage_charging_phases"
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == "unknown"  # openWB has no register that reports the phases
    await hass.services.async_call(
        "select", "select_option", {"entity_id": entity_id, "option": "one_phase"}, blocking=True
    )
    # Not charging: no pause; target (10180 = 1) then trigger (10181 = 1), function code 6.
    assert [(w.function, w.address, w.words) for w in simulator.box.register_writes] == [
        (6, 10180, (1,)),
        (6, 10181, (1,)),
    ]
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == "one_phase"


@pytest.mark.parametrize("profile_id", ["hardybarth_salia"])
async def test_http_box_heartbeat_starts_with_the_first_control(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry
) -> None:
    # Salia: evcc posts {"salia/heartbeat": "alive"} every 30 s; a box only read gets none.
    entry = await setup_entry()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert simulator.state.keepalives == 0
    await coordinator_of(entry).async_set_current_limit(10)
    assert simulator.state.current_limit_a == 10
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=62))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert simulator.state.keepalives >= 1
