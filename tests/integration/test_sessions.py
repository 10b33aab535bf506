"""Charging sessions end to end: simulator over Modbus TCP -> HA -> events, history, sensors."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant
from homeassistant.util import dt as dt_util

from custom_components.ev_session_monitor.const import (
    CONF_FIXED_PRICE,
    CONF_PRICE_ENTITY,
    CONF_PRICE_SOURCE,
    DOMAIN,
    EVENT_SESSION_COMPLETED,
    EVENT_SESSION_STARTED,
    PRICE_FIXED,
    PRICE_SENSOR,
    USER_PROFILE_DIR,
)
from custom_components.ev_session_monitor.core.profile import (
    BUILTIN_PROFILE_DIR,
    load_profile_file,
)
from tools.wallbox_simulator import WallboxSimulator

from .conftest import SetupEntry, TestClock, coordinator_of, entry_for, stepper


async def begin(simulator: WallboxSimulator, step, power_w: float) -> None:
    """Plug a car in, let HA see it, then start charging."""
    simulator.state.plug_in()
    await step(10)
    simulator.state.start_charging(power_w)


def collect(hass: HomeAssistant, event_type: str) -> list[dict[str, Any]]:
    """Collect the payloads of a bus event."""
    seen: list[dict[str, Any]] = []

    def listener(event: Event) -> None:
        seen.append(dict(event.data))

    hass.bus.async_listen(event_type, listener)
    return seen


async def test_plain_session_energy_and_cost(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    """11 kW for 30 minutes at 0.30 EUR/kWh: 5.5 kWh, 1.65 EUR, to the Wh and cent."""
    hass.config.currency = "EUR"
    started = collect(hass, EVENT_SESSION_STARTED)
    completed = collect(hass, EVENT_SESSION_COMPLETED)
    entry = await setup_entry(**{CONF_PRICE_SOURCE: PRICE_FIXED, CONF_FIXED_PRICE: 0.30})
    step = poll(entry)
    sim = simulator.state
    sim.plug_in()
    await step(10)
    assert len(started) == 1
    sim.start_charging(11000)
    for _ in range(180):
        await step(10)
    assert hass.states.get("sensor.garage_session_energy").state == "5.5"
    assert hass.states.get("sensor.garage_session_cost").state == "1.65"
    assert hass.states.get("sensor.garage_charging_speed").state == "11000"
    sim.unplug()
    await step(10)
    assert len(completed) == 1
    event = completed[0]
    assert event["energy_kwh"] == round(sim.delivered_this_plugin_wh / 1000, 3) == 5.5
    assert event["cost"] == 1.65
    assert event["currency"] == "EUR"
    assert event["duration_s"] == 1810
    assert event["charging_s"] == 1800
    assert event["charger"] == "Garage"
    assert event["device_id"] == entry.runtime_data.device_id
    assert hass.states.get("sensor.garage_last_session_energy").state == "5.5"
    assert hass.states.get("sensor.garage_last_session_cost").state == "1.65"
    assert hass.states.get("sensor.garage_total_charging_cost").state == "1.65"
    assert hass.states.get("sensor.garage_session_energy").state == "0.0"
    sessions = await hass.data[DOMAIN].archive.async_query()
    assert [round(s.energy_wh) for s in sessions] == [5500]


async def test_pauses_stay_in_one_session(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    completed = collect(hass, EVENT_SESSION_COMPLETED)
    entry = await setup_entry()
    step = poll(entry)
    sim = simulator.state
    await begin(simulator, step, 7200)
    await step(100)  # 200 Wh
    sim.pause(by_vehicle=True)
    await step(10)
    await step(300)
    sim.pause(by_vehicle=False)
    await step(60)
    sim.start_charging(3600)
    await step(100)  # 100 Wh
    sim.unplug()
    await step(10)
    assert len(completed) == 1
    assert completed[0]["energy_kwh"] == 0.3
    assert completed[0]["charging_s"] == 200
    assert completed[0]["energy_kwh"] == round(sim.delivered_this_plugin_wh / 1000, 3)


@pytest.mark.parametrize(
    ("start", "hours", "expected_duration_s"),
    [
        # Across midnight (UTC+1 in winter).
        ("2026-11-24 22:30:00+00:00", 3, 3 * 3600 + 10),
        # Across the end of summer time in Europe/Berlin (2026-10-25 03:00 CEST -> 02:00 CET).
        ("2026-10-24 23:30:00+00:00", 3, 3 * 3600 + 10),
    ],
)
async def test_session_across_midnight_and_dst(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    poll,
    clock: TestClock,
    start: str,
    hours: int,
    expected_duration_s: int,
) -> None:
    """Durations and energy are exact whatever the wall clock does; months are local."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    clock.move_to(start)
    completed = collect(hass, EVENT_SESSION_COMPLETED)
    entry = await setup_entry()
    step = poll(entry)
    await begin(simulator, step, 3600)
    for _ in range(hours * 6):
        await step(600)
    simulator.state.unplug()
    await step(10)
    assert completed[0]["duration_s"] == expected_duration_s
    assert completed[0]["energy_kwh"] == hours * 3.6
    response = await hass.services.async_call(
        DOMAIN, "get_sessions", {}, blocking=True, return_response=True
    )
    local_start = dt_util.as_local(datetime.fromisoformat(completed[0]["start"]))
    assert response["totals"][0]["month"] == local_start.strftime("%Y-%m")


async def test_counter_reset_and_reboot_mid_session(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    """A session-counter reset and a reboot (connection dropped) lose no energy."""
    completed = collect(hass, EVENT_SESSION_COMPLETED)
    entry = await setup_entry()
    step = poll(entry)
    sim = simulator.state
    await begin(simulator, step, 7200)
    await step(100)
    sim.reset_session_counter()
    await step(100)
    simulator.reboot()  # connections drop; this poll may fail, the next reconnects
    await step(100)
    await step(100)
    assert hass.states.get("sensor.garage_power").state == "7200"
    sim.unplug()
    await step(10)
    assert completed[0]["energy_kwh"] == round(sim.delivered_this_plugin_wh / 1000, 3) == 0.8


async def test_gap_without_lifetime_meter_is_marked(hass: HomeAssistant, clock: TestClock) -> None:
    """A box with no meter at all (a user profile): a polling gap is marked, not guessed."""
    profile_dir = Path(hass.config.path(USER_PROFILE_DIR))
    profile_dir.mkdir(parents=True)
    text = (BUILTIN_PROFILE_DIR / "webasto_next.yaml").read_text()
    data = yaml.safe_load(text)
    del data["values"]["lifetime_energy"], data["values"]["session_energy"]
    data["name"] = "Power only"
    (profile_dir / "power_only.yaml").write_text(yaml.safe_dump(data))
    profile = load_profile_file(profile_dir / "power_only.yaml")
    completed = collect(hass, EVENT_SESSION_COMPLETED)
    async with WallboxSimulator(profile) as simulator:
        entry = entry_for(simulator)
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()

        step = stepper(hass, simulator, clock, entry)
        await begin(simulator, step, 7200)
        await step(10)  # 20 Wh
        await step(600)  # a gap: nothing tells how much was delivered
        await step(10)  # 20 Wh
        simulator.state.unplug()
        await step(10)
        assert completed[0]["energy_kwh"] == 0.04
        assert completed[0]["gaps"] == 1
        assert completed[0]["energy_source"] == "power"
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_restart_mid_session_resumes(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    poll,
    clock: TestClock,
) -> None:
    """Home Assistant restarts while charging: one session, all energy, figures kept."""
    completed = collect(hass, EVENT_SESSION_COMPLETED)
    entry = await setup_entry(**{CONF_PRICE_SOURCE: PRICE_FIXED, CONF_FIXED_PRICE: 0.25})
    step = poll(entry)
    sim = simulator.state
    await begin(simulator, step, 11000)
    await step(10)
    await step(600)
    session_id = coordinator_of(entry).recorder.tracker.open.session_id
    assert await hass.config_entries.async_unload(entry.entry_id)
    simulator.state.advance(600)  # charging goes on while Home Assistant is down
    clock.tick(600)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await step(10)
    assert coordinator_of(entry).recorder.tracker.open.session_id == session_id
    sim.unplug()
    await step(10)
    assert len(completed) == 1
    assert completed[0]["session_id"] == session_id
    assert completed[0]["energy_kwh"] == round(11000 * 1220 / 3600 / 1000, 3)
    assert completed[0]["cost"] == round(11000 * 1220 / 3600 / 1000 * 0.25, 2)
    # A second restart records nothing twice.
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert len(await hass.data[DOMAIN].archive.async_query()) == 1


async def test_price_change_mid_session(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    poll,
    clock: TestClock,
) -> None:
    """A dynamic tariff: energy before the change at the old price, after at the new."""
    hass.config.currency = "EUR"
    hass.states.async_set("sensor.price", "20", {"unit_of_measurement": "ct/kWh"})
    completed = collect(hass, EVENT_SESSION_COMPLETED)
    entry = await setup_entry(
        **{CONF_PRICE_SOURCE: PRICE_SENSOR, CONF_PRICE_ENTITY: "sensor.price"}
    )
    step = poll(entry)
    await begin(simulator, step, 7200)
    await step(500)  # 1 kWh at 0.20
    simulator.state.advance(250)  # 0.5 kWh, then the price changes
    clock.tick(250)
    hass.states.async_set("sensor.price", "0.3", {"unit_of_measurement": "EUR/kWh"})
    await hass.async_block_till_done()
    await step(1000)  # 2 kWh at 0.30
    simulator.state.unplug()
    await step(10)
    assert completed[0]["energy_kwh"] == 3.5
    assert completed[0]["cost"] == 0.9
    # The record keeps the energy per price (the average stays), in the event and get_sessions.
    parts = [(p["energy_wh"], p["price_per_kwh"]) for p in completed[0]["price_parts"]]
    assert parts == [(1500.0, 0.2), (2000.0, 0.3)]
    assert completed[0]["price_per_kwh"] == round(0.9 / 3.5, 4)
    await hass.async_block_till_done()
    report = await hass.services.async_call(
        DOMAIN, "get_sessions", {}, blocking=True, return_response=True
    )
    assert report is not None
    (session,) = report["sessions"]  # type: ignore[misc]
    assert session["price_parts"] == completed[0]["price_parts"]
    assert session["price_per_kwh"] == round(0.9 / 3.5, 4)


async def test_unplug_while_unavailable(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    """The box is unreachable when the car leaves; the meter still accounts for everything."""
    completed = collect(hass, EVENT_SESSION_COMPLETED)
    entry = await setup_entry()
    step = poll(entry)
    await begin(simulator, step, 3600)
    await step(100)
    simulator.state.faults.refuse_connections = True
    simulator.drop_connections()
    await step(100)
    assert hass.states.get("sensor.garage_status").state == STATE_UNAVAILABLE
    simulator.state.unplug()
    await step(100)
    simulator.state.faults.refuse_connections = False
    await step(10)
    assert hass.states.get("sensor.garage_status").state == "idle"
    assert completed[0]["energy_kwh"] == 0.2


async def test_price_known_only_from_mid_session(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    poll,
) -> None:
    """The price sensor comes up mid-session: the cost of what was priced shows at once, and
    the energy without a price is stated beside it."""
    hass.config.currency = "EUR"
    hass.states.async_set("sensor.price", "unavailable")
    completed = collect(hass, EVENT_SESSION_COMPLETED)
    entry = await setup_entry(
        **{CONF_PRICE_SOURCE: PRICE_SENSOR, CONF_PRICE_ENTITY: "sensor.price"}
    )
    step = poll(entry)
    await begin(simulator, step, 7200)
    await step(500)  # 1 kWh without a price
    hass.states.async_set("sensor.price", "0.30", {"unit_of_measurement": "EUR/kWh"})
    await hass.async_block_till_done()
    await step(1000)  # 2 kWh at 0.30
    cost = hass.states.get("sensor.garage_session_cost")
    assert float(cost.state) == 0.6
    assert cost.attributes["unpriced_energy_kwh"] == 1.0
    simulator.state.unplug()
    await step(10)
    assert completed[0]["cost"] == 0.6
    assert completed[0]["unpriced_kwh"] == 1.0
    last = hass.states.get("sensor.garage_last_session_cost")
    assert float(last.state) == 0.6
    assert last.attributes["unpriced_energy_kwh"] == 1.0


async def test_no_price_at_all_adds_no_attribute(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    """Without any price the cost is unknown; no attribute grows with every 10 Wh."""
    entry = await setup_entry()
    step = poll(entry)
    await begin(simulator, step, 11000)
    await step(100)
    cost = hass.states.get("sensor.garage_session_cost")
    assert cost.state == "unknown"
    assert "unpriced_energy_kwh" not in cost.attributes
