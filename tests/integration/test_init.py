"""Setup, unload, availability, device, diagnostics and broken profile files."""

from __future__ import annotations

from pathlib import Path

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ev_session_monitor.const import CONF_PROFILE, DOMAIN, USER_PROFILE_DIR
from tools.wallbox_simulator import WallboxSimulator

from .conftest import SetupEntry, entry_for


async def test_setup_creates_device_and_entities(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry
) -> None:
    entry = await setup_entry()
    assert entry.state is ConfigEntryState.LOADED
    device = dr.async_get(hass).async_get(entry.runtime_data.device_id)
    assert device is not None
    assert (device.manufacturer, device.model) == ("Webasto", "NEXT")
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    assert {entity.device_id for entity in entities} == {device.id}
    assert hass.states.get("sensor.garage_power").state == "0"
    assert hass.states.get("binary_sensor.garage_vehicle_connected").state == "off"
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED


async def test_box_down_at_start_retries(hass: HomeAssistant, simulator: WallboxSimulator) -> None:
    await simulator.stop()
    entry = entry_for(simulator)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_entities_go_unavailable_and_come_back(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    entry = await setup_entry()
    step = poll(entry)
    simulator.state.faults.refuse_connections = True
    simulator.drop_connections()
    await step(10)
    assert hass.states.get("sensor.garage_power").state == STATE_UNAVAILABLE
    simulator.state.faults.refuse_connections = False
    await step(10)
    assert hass.states.get("sensor.garage_power").state == "0"


async def test_garbled_registers_do_not_crash(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    entry = await setup_entry()
    step = poll(entry)
    simulator.state.faults.garbage = True
    for _ in range(5):
        await step(10)
    simulator.state.faults.garbage = False
    await step(10)
    assert hass.states.get("sensor.garage_status").state == "idle"


async def test_missing_profile_is_an_error(
    hass: HomeAssistant, simulator: WallboxSimulator
) -> None:
    entry = entry_for(simulator)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_PROFILE: "gone"})
    await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR


async def test_broken_user_profile_gets_repair_and_others_load(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry
) -> None:
    profile_dir = Path(hass.config.path(USER_PROFILE_DIR))
    profile_dir.mkdir(parents=True)
    (profile_dir / "broken.yaml").write_text("name: Broken\ntransport: carrier-pigeon\n")
    entry = await setup_entry()
    assert entry.state is ConfigEntryState.LOADED
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "profile_invalid_broken.yaml")
    assert issue is not None
    assert "transport" in issue.translation_placeholders["error"]


async def test_diagnostics_redact_personal_data(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    poll,
    hass_client: ClientSessionGenerator,
) -> None:
    entry = await setup_entry()
    simulator.state.plug_in()
    simulator.state.present_tag("04A1B2C3D4")
    await poll(entry)(10)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = str(diagnostics)
    assert "04A1B2C3D4" not in text
    assert "127.0.0.1" not in text
    assert diagnostics["profile"]["id"] == "webasto_next"
    assert diagnostics["reading"]["tag"] == "**REDACTED**"
    assert diagnostics["authorization"]["state"] == "unknown_tag"
