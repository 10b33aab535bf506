"""Controls automations use to schedule charging: switch and charging-current number."""

from __future__ import annotations

import pytest
from homeassistant.const import ATTR_ASSUMED_STATE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.common import mock_restore_cache

from tools.wallbox_simulator import WallboxSimulator

from .conftest import SetupEntry

SWITCH = "switch.garage_charging_enabled"


async def test_switch_stops_and_allows_charging(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    entry = await setup_entry()
    step = poll(entry)
    simulator.state.plug_in()
    simulator.state.start_charging(7200)
    await step(10)
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": "switch.garage_charging_enabled"}, blocking=True
    )
    await step(10)
    assert simulator.state.power_w == 0
    assert hass.states.get("switch.garage_charging_enabled").state == "off"
    assert hass.states.get("sensor.garage_power").state == "0"
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": "switch.garage_charging_enabled"}, blocking=True
    )
    await step(10)
    assert simulator.state.power_w == 7200
    assert hass.states.get("switch.garage_charging_enabled").state == "on"


@pytest.mark.parametrize("profile_id", ["go_echarger", "openevse"])
async def test_switch_shows_what_the_box_reports(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    # Charging was stopped before Home Assistant started (go-e frc = 1, OpenEVSE "disabled").
    simulator.state.enabled = False
    entry = await setup_entry()
    state = hass.states.get(SWITCH)
    assert state.state == "off"
    assert ATTR_ASSUMED_STATE not in state.attributes
    # Allowed again from the box's own app: the switch follows at the next poll.
    simulator.state.enabled = True
    await poll(entry)(10)
    assert hass.states.get(SWITCH).state == "on"
    await hass.services.async_call("switch", "turn_off", {"entity_id": SWITCH}, blocking=True)
    assert simulator.state.enabled is False
    assert hass.states.get(SWITCH).state == "off"


async def test_switch_restores_last_written_state_as_assumed(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry
) -> None:
    # Webasto NEXT cannot say whether charging is allowed: the switch keeps what we wrote.
    assert "enabled" not in simulator.profile.values
    mock_restore_cache(hass, [State(SWITCH, "off")])
    await setup_entry()
    state = hass.states.get(SWITCH)
    assert state.state == "off"
    assert state.attributes[ATTR_ASSUMED_STATE] is True
    await hass.services.async_call("switch", "turn_on", {"entity_id": SWITCH}, blocking=True)
    assert hass.states.get(SWITCH).state == "on"


async def test_switch_without_history_or_report_is_unknown(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry
) -> None:
    assert "enabled" not in simulator.profile.values
    await setup_entry()
    state = hass.states.get(SWITCH)
    assert state.state == STATE_UNKNOWN  # not "on": nothing says charging is allowed
    assert state.attributes[ATTR_ASSUMED_STATE] is True


async def test_charging_current_number(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    entry = await setup_entry()
    step = poll(entry)
    simulator.state.plug_in()
    simulator.state.start_charging(11000)
    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": "number.garage_charging_current", "value": 10},
        blocking=True,
    )
    await step(10)
    assert simulator.state.current_limit_a == 10
    assert simulator.state.power_w == 10 * 230 * 3
    assert hass.states.get("number.garage_charging_current").state == "10.0"


async def test_command_to_unreachable_box_raises(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry
) -> None:
    await setup_entry()
    simulator.state.faults.refuse_connections = True
    simulator.drop_connections()
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "switch", "turn_off", {"entity_id": "switch.garage_charging_enabled"}, blocking=True
        )
    assert err.value.translation_key == "command_failed"


async def test_target_energy_gives_time_to_full(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    entry = await setup_entry()
    step = poll(entry)
    simulator.state.plug_in()
    await step(10)
    simulator.state.start_charging(7200)
    await step(500)  # 1 kWh delivered
    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": "number.garage_session_target_energy", "value": 8.2},
        blocking=True,
    )
    # 7.2 kWh to go at 7.2 kW: one hour.
    assert hass.states.get("sensor.garage_time_to_full").state == "60"


async def test_time_to_full_from_state_of_charge(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    hass.states.async_set("sensor.car_battery", "80", {"unit_of_measurement": "%"})
    entry = await setup_entry(battery_capacity_kwh=72, soc_entity="sensor.car_battery")
    step = poll(entry)
    simulator.state.plug_in()
    await step(10)
    simulator.state.start_charging(7200)
    await step(10)
    # 20 % of 72 kWh = 14.4 kWh at 7.2 kW: two hours.
    assert hass.states.get("sensor.garage_time_to_full").state == "120"


WAKE_UP = "button.garage_wake_up_vehicle"


@pytest.mark.parametrize("profile_id", ["heidelberg_energy_control", "amperfied_connect"])
async def test_wake_up_button_locks_then_unlocks(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry
) -> None:
    # evcc charger/heidelberg-ec.go WakeUp: remote lock (holding 259) to 0, which forces IEC
    # state F, then back to 1; function code 16 as evcc's wb.set writes.
    await setup_entry()
    simulator.box.register_writes.clear()  # the start-up writes (standby off) are not ours
    await hass.services.async_call("button", "press", {"entity_id": WAKE_UP}, blocking=True)
    assert [(w.function, w.address, w.words) for w in simulator.box.register_writes] == [
        (16, 259, (0,)),
        (16, 259, (1,)),
    ]


async def test_wake_up_button_only_where_the_box_can(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry
) -> None:
    await setup_entry()  # Webasto NEXT: no remote lock
    assert hass.states.get(WAKE_UP) is None


@pytest.mark.parametrize("profile_id", ["heidelberg_energy_control"])
async def test_wake_up_on_unreachable_box_raises(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry
) -> None:
    await setup_entry()
    simulator.state.faults.refuse_connections = True
    simulator.drop_connections()
    with pytest.raises(HomeAssistantError):
        await hass.services.async_call("button", "press", {"entity_id": WAKE_UP}, blocking=True)
