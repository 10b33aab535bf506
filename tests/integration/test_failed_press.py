"""A failed button press through the websocket: one clear ERROR line, no traceback."""

from __future__ import annotations

import logging

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from tools.wallbox_simulator import WallboxSimulator

from .conftest import SetupEntry

WAKE_UP = "button.garage_wake_up_vehicle"


@pytest.mark.parametrize("profile_id", ["heidelberg_energy_control"])
@pytest.mark.parametrize("fault", ["silent", "stopped", "refused"])
async def test_failed_press_logs_one_line(
    fault: str,
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await setup_entry()
    client = await hass_ws_client(hass)
    if fault == "silent":
        simulator.state.faults.refuse_connections = True
        simulator.drop_connections()
    elif fault == "stopped":
        await simulator.stop()
    else:
        simulator.box.write_registers = lambda *a: False
    caplog.clear()
    await client.send_json_auto_id(
        {
            "type": "call_service",
            "domain": "button",
            "service": "press",
            "service_data": {"entity_id": WAKE_UP},
        }
    )
    answer = await client.receive_json()
    await hass.async_block_till_done()
    assert not answer["success"]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert errors[0].exc_info is None


@pytest.mark.parametrize("fault", ["silent", "stopped", "refused"])
async def test_failed_portal_stop_logs_one_line(
    fault: str,
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entry = await setup_entry()
    client = await hass_ws_client(hass)
    if fault == "silent":
        simulator.state.faults.refuse_connections = True
        simulator.drop_connections()
    elif fault == "stopped":
        await simulator.stop()
    else:
        simulator.box.write_registers = lambda *a: False
    caplog.clear()
    await client.send_json_auto_id(
        {
            "type": "ev_session_monitor/wallboxes/control",
            "entry_id": entry.entry_id,
            "enabled": False,
        }
    )
    answer = await client.receive_json()
    await hass.async_block_till_done()
    assert not answer["success"]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert errors[0].exc_info is None
