"""A failed control press (the card's and the portal's buttons, switch and slider): one ERROR line.

The press's own line says what failed. When the box cannot be reached, the polls after it find
the outage already shown (the entities are unavailable) and add no "Error fetching" line of
their own for it; a box that refuses only the write keeps answering the polls.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from tools.wallbox_simulator import WallboxSimulator

from .conftest import Poll, SetupEntry

WAKE_UP = "button.garage_wake_up_vehicle"
CHARGING = "switch.garage_charging_enabled"
CURRENT = "number.garage_charging_current"
FAULTS = ["silent", "stopped", "refused"]


async def inject(fault: str, simulator: WallboxSimulator) -> None:
    """The box stops answering, goes away, or refuses every write while still answering reads."""
    if fault == "silent":
        simulator.state.faults.refuse_connections = True
        simulator.drop_connections()
    elif fault == "stopped":
        await simulator.stop()
    else:
        simulator.box.write_registers = lambda *a: False


async def press_then_poll(
    hass: HomeAssistant,
    client: Any,
    step: Poll,
    caplog: pytest.LogCaptureFixture,
    message: dict[str, Any],
) -> list[logging.LogRecord]:
    """Send the press, let three polls follow; the ERROR records of all of it."""
    caplog.clear()
    await client.send_json_auto_id(message)
    answer = await client.receive_json()
    await hass.async_block_till_done()
    assert not answer["success"]
    for _ in range(3):
        await step(10)
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


def call_service(domain: str, service: str, **data: Any) -> dict[str, Any]:
    return {"type": "call_service", "domain": domain, "service": service, "service_data": data}


@pytest.mark.parametrize("profile_id", ["heidelberg_energy_control"])
@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize(
    "message",
    [
        call_service("button", "press", entity_id=WAKE_UP),
        call_service("switch", "turn_off", entity_id=CHARGING),
        call_service("number", "set_value", entity_id=CURRENT, value=10),
    ],
    ids=["button", "switch", "slider"],
)
async def test_failed_press_logs_one_line(
    fault: str,
    message: dict[str, Any],
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    poll: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entry: MockConfigEntry = await setup_entry()
    client = await hass_ws_client(hass)
    await inject(fault, simulator)
    errors = await press_then_poll(hass, client, poll(entry), caplog, message)
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert errors[0].exc_info is None
    # The outage shows where the user looks, at once: not as a second log line.
    shown = hass.states.get(message["service_data"]["entity_id"])
    assert shown is not None
    assert (shown.state == "unavailable") == (fault != "refused")


@pytest.mark.parametrize("fault", FAULTS)
async def test_failed_portal_stop_logs_one_line(
    fault: str,
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    poll: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entry = await setup_entry()
    client = await hass_ws_client(hass)
    await inject(fault, simulator)
    message = {
        "type": "ev_session_monitor/wallboxes/control",
        "entry_id": entry.entry_id,
        "enabled": False,
    }
    errors = await press_then_poll(hass, client, poll(entry), caplog, message)
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert errors[0].exc_info is None


@pytest.mark.parametrize("profile_id", ["heidelberg_energy_control"])
async def test_box_back_after_a_failed_press_shows_again(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    poll: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entry = await setup_entry()
    step = poll(entry)
    client = await hass_ws_client(hass)
    await inject("silent", simulator)
    press = call_service("button", "press", entity_id=WAKE_UP)
    await press_then_poll(hass, client, step, caplog, press)
    simulator.state.faults.refuse_connections = False
    for _ in range(10):  # the client retries with backoff (in polls)
        await step(10)
    state = hass.states.get(CURRENT)
    assert state is not None
    assert state.state != "unavailable"
