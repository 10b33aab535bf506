"""Energy and cost per card: devices, live sensors, restarts, removal, and their statistics.

Runs with the real recorder. State timestamps follow the test clock (as the recorder's statistics
are compiled from them), so hours are exact. Expected figures are worked out by hand: 7.2 kW is
2 Wh per second, priced at 0.30 EUR/kWh; the hand-written history records give their own figures.
"""

from __future__ import annotations

import time as real_time
from datetime import datetime, timedelta
from typing import Any

import pytest
from homeassistant import core as ha_core
from homeassistant.components.energy import data as energy_data
from homeassistant.components.energy.validate import async_validate
from homeassistant.components.recorder.tasks import StatisticsTask
from homeassistant.const import EVENT_RECORDER_5MIN_STATISTICS_GENERATED, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity as entity_helper
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.recorder import get_instance
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    async_mock_restore_state_shutdown_restart,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
    statistics_during_period,
)

from custom_components.ev_session_monitor.const import (
    CONF_FIXED_PRICE,
    CONF_PRICE_SOURCE,
    DOMAIN,
    PRICE_FIXED,
)
from custom_components.ev_session_monitor.core.model import SessionRecord
from custom_components.ev_session_monitor.core.tags import KnownTag
from custom_components.ev_session_monitor.tag_sensors import (
    TAG_ENERGY,
    TagEnergy,
    tag_device_identifier,
)
from tools.wallbox_simulator import WallboxSimulator

from .conftest import SetupEntry, TestClock, entry_for, stepper

ALICE = "04A1B2C3D4"
BOB = "0B0B0B0B"
ENERGY = "sensor.alice_energy"
COST = "sensor.alice_cost"


@pytest.fixture
def auto_enable_custom_integrations(recorder_mock: None, enable_custom_integrations: None) -> None:
    """The real recorder (SQLite) must start before Home Assistant: every test here uses it."""


class _ClockTime:
    """The `time` module, with time() from the test clock."""

    def __init__(self, clock: TestClock) -> None:
        self._clock = clock

    def time(self) -> float:
        return self._clock().timestamp()

    def __getattr__(self, name: str) -> Any:
        return getattr(real_time, name)


@pytest.fixture
async def utc_clock(
    hass: HomeAssistant, clock: TestClock, monkeypatch: pytest.MonkeyPatch
) -> TestClock:
    """Home Assistant in UTC, with states (and so statistics) stamped by the test clock."""
    await hass.config.async_set_time_zone("UTC")
    hass.config.currency = "EUR"
    monkeypatch.setattr(entity_helper, "timer", lambda: clock().timestamp())
    monkeypatch.setattr(ha_core, "time", _ClockTime(clock))
    return clock


def at(text: str) -> datetime:
    moment = dt_util.parse_datetime(f"{text}+00:00")
    assert moment is not None
    return moment


async def compile_statistics(hass: HomeAssistant, start: str, end: str) -> None:
    """Run the recorder's 5-minute statistics (and hourly at each hour's end) over [start, end)."""
    moment, until = at(start), at(end)
    while moment < until:
        get_instance(hass).queue_task(StatisticsTask(moment, True))
        moment += timedelta(minutes=5)
    await async_wait_recording_done(hass)
    # The recorder announces each run before committing it; announce once more after.
    hass.bus.async_fire(EVENT_RECORDER_5MIN_STATISTICS_GENERATED)
    await async_wait_recording_done(hass)


async def changes(
    hass: HomeAssistant, statistic_id: str, start: str, end: str, period: str = "hour"
) -> list[tuple[str, float]]:
    """(period start, change) of each period with statistics."""
    result = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        at(start),
        at(end),
        {statistic_id},
        period,
        None,
        {"change"},
    )
    return [
        (f"{dt_util.utc_from_timestamp(row['start']):%Y-%m-%d %H:%M}", round(row["change"], 3))
        for row in result.get(statistic_id, [])
    ]


def value(hass: HomeAssistant, entity_id: str) -> float:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return float(state.state)


def record(
    session_id: str,
    start: str,
    end: str,
    *,
    charging_s: float,
    energy_wh: float,
    cost: float | None,
    tag: str = ALICE,
    currency: str | None = "EUR",
) -> SessionRecord:
    """A session as the history holds it (UTC times)."""
    return SessionRecord(
        session_id=session_id,
        charger_id="old-box",
        charger_name="Old box",
        started_at=at(start),
        ended_at=at(end),
        charging_s=charging_s,
        energy_wh=energy_wh,
        cost=cost,
        currency=currency if cost is not None else None,
        avg_power_w=energy_wh / (charging_s / 3600) if charging_s else None,
        peak_power_w=None,
        tag_id=tag,
        tag_name="Alice" if tag == ALICE else None,
        energy_source="meter" if charging_s else "power",
    )


async def start_session(simulator: WallboxSimulator, step, tag: str | None) -> None:
    simulator.state.plug_in()
    await step(10)
    if tag:
        simulator.state.present_tag(tag)
    simulator.state.start_charging(7200)


async def end_session(simulator: WallboxSimulator, step) -> None:
    simulator.state.unplug()
    await step(10)


async def test_earlier_sessions_become_hourly_statistics(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll, utc_clock
) -> None:
    """Sessions from before the card's sensors existed show in the right hours and months."""
    utc_clock.move_to("2026-03-02T12:02:00+00:00")
    entry = await setup_entry(**{CONF_PRICE_SOURCE: PRICE_FIXED, CONF_FIXED_PRICE: 0.30})
    archive = hass.data[DOMAIN].archive
    for old in (
        # 1.5 h of charging at 7.2 kW from 18:30: 3.6 kWh in the 18 o'clock hour, 7.2 in the 19.
        record("jan", "2026-01-05T18:30:00", "2026-01-05T21:00:00", charging_s=5400,
               energy_wh=10800, cost=3.24),
        # Across midnight: 15 min before, 45 min after.
        record("feb-night", "2026-02-10T23:45:00", "2026-02-11T01:30:00", charging_s=3600,
               energy_wh=4000, cost=1.20),
        # No charging time known (nothing measured it): spread over the plug-in, unpriced.
        record("feb-unseen", "2026-02-20T10:00:00", "2026-02-20T12:00:00", charging_s=0,
               energy_wh=2000, cost=None),
        # Priced in another currency: its energy counts, its cost does not.
        record("feb-usd", "2026-02-25T08:00:00", "2026-02-25T09:00:00", charging_s=1800,
               energy_wh=1000, cost=5.0, currency="USD"),
        # Another card's.
        record("bob", "2026-02-26T08:00:00", "2026-02-26T09:00:00", charging_s=3600,
               energy_wh=7000, cost=2.1, tag=BOB),
    ):  # fmt: skip
        await archive.async_add(old)
    await hass.data[DOMAIN].tags.async_add(KnownTag(ALICE, "Alice", None, None, frozenset()))
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)
    assert value(hass, ENERGY) == 17.8
    assert value(hass, COST) == 4.44
    assert await changes(hass, ENERGY, "2026-01-01T00:00:00", "2026-03-02T12:00:00") == [
        ("2026-01-05 18:00", 3.6),
        ("2026-01-05 19:00", 7.2),
        ("2026-02-10 23:00", 1.0),
        ("2026-02-11 00:00", 3.0),
        ("2026-02-20 10:00", 1.0),
        ("2026-02-20 11:00", 1.0),
        ("2026-02-25 08:00", 1.0),
    ]
    assert await changes(hass, COST, "2026-01-01T00:00:00", "2026-03-02T12:00:00") == [
        ("2026-01-05 18:00", 1.08),
        ("2026-01-05 19:00", 2.16),
        ("2026-02-10 23:00", 0.3),
        ("2026-02-11 00:00", 0.9),
        ("2026-02-20 10:00", 0.0),
        ("2026-02-20 11:00", 0.0),
        ("2026-02-25 08:00", 0.0),
    ]
    # The recorder takes over from the sensor's first value; then a session is played live.
    await compile_statistics(hass, "2026-03-02T12:00:00", "2026-03-02T12:05:00")
    step = poll(entry)
    utc_clock.move_to("2026-03-02T12:09:50+00:00")
    await start_session(simulator, step, ALICE)
    for _ in range(6):
        await step(300)  # 0.6 kWh each
    await end_session(simulator, step)
    assert value(hass, ENERGY) == 21.4
    assert value(hass, COST) == 5.52
    await compile_statistics(hass, "2026-03-02T12:05:00", "2026-03-02T13:00:00")
    assert await changes(hass, ENERGY, "2026-03-02T00:00:00", "2026-03-03T00:00:00") == [
        ("2026-03-02 12:00", 3.6)
    ]
    assert await changes(hass, ENERGY, "2026-01-01T00:00:00", "2026-04-01T00:00:00", "month") == [
        ("2026-01-01 00:00", 10.8),
        ("2026-02-01 00:00", 7.0),
        ("2026-03-01 00:00", 3.6),
    ]
    assert await changes(hass, COST, "2026-01-01T00:00:00", "2026-04-01T00:00:00", "month") == [
        ("2026-01-01 00:00", 3.24),
        ("2026-02-01 00:00", 1.2),
        ("2026-03-01 00:00", 1.08),
    ]


async def test_live_sessions_restart_and_removal(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    poll,
    utc_clock,
    hass_storage: dict[str, Any],
) -> None:
    """Each card's sessions count once, live and completed, across a restart; removal cleans up."""
    utc_clock.move_to("2026-04-01T08:00:00+00:00")
    entry = await setup_entry(**{CONF_PRICE_SOURCE: PRICE_FIXED, CONF_FIXED_PRICE: 0.30})
    await hass.data[DOMAIN].tags.async_add(KnownTag(ALICE, "Alice", None, None, frozenset()))
    await hass.async_block_till_done()
    device = dr.async_get(hass).async_get_device_by_identifier(
        tag_device_identifier(ALICE), entry.entry_id
    )
    assert device is not None
    assert device.name == "Alice"
    registry = er.async_get(hass)
    assert {e.entity_id for e in er.async_entries_for_device(registry, device.id)} == {ENERGY, COST}
    energy_state = hass.states.get(ENERGY)
    assert energy_state.attributes["device_class"] == "energy"
    assert energy_state.attributes["state_class"] == "total_increasing"
    assert energy_state.attributes["unit_of_measurement"] == "kWh"
    cost_state = hass.states.get(COST)
    assert cost_state.attributes["device_class"] == "monetary"
    assert cost_state.attributes["state_class"] == "total"
    assert cost_state.attributes["unit_of_measurement"] == "EUR"
    assert (value(hass, ENERGY), value(hass, COST)) == (0.0, 0.0)

    step = poll(entry)
    await start_session(simulator, step, ALICE)
    await step(250)
    assert value(hass, ENERGY) == 0.5  # live
    await step(250)
    await end_session(simulator, step)
    assert (value(hass, ENERGY), value(hass, COST)) == (1.0, 0.3)
    await start_session(simulator, step, "DEADBEEF01")  # someone else's card
    await step(500)
    await end_session(simulator, step)
    assert value(hass, ENERGY) == 1.0
    await start_session(simulator, step, ALICE)
    await step(250)
    assert (value(hass, ENERGY), value(hass, COST)) == (1.5, 0.45)

    # Restart mid-session: what was shown is kept for restoring, everything in memory goes,
    # the history, the stored open session and the recorder's database stay.
    await async_mock_restore_state_shutdown_restart(hass)
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert hass.states.get(ENERGY).state == STATE_UNAVAILABLE
    hass.data[TAG_ENERGY] = TagEnergy(hass, hass.data[DOMAIN])
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert (value(hass, ENERGY), value(hass, COST)) == (1.5, 0.45)  # not 2.0, not 1.0
    step = poll(entry)
    await step(250)
    await end_session(simulator, step)
    assert (value(hass, ENERGY), value(hass, COST)) == (2.0, 0.6)
    sessions = await hass.data[DOMAIN].archive.async_query(tag_ids=[ALICE])
    assert sum(session.energy_wh for session in sessions) == 2000

    # Statistics: every kWh once, in the hour it was delivered.
    await compile_statistics(hass, "2026-04-01T08:00:00", "2026-04-01T09:00:00")
    assert await changes(hass, ENERGY, "2026-04-01T00:00:00", "2026-04-02T00:00:00") == [
        ("2026-04-01 08:00", 2.0)
    ]
    assert await changes(hass, COST, "2026-04-01T00:00:00", "2026-04-02T00:00:00") == [
        ("2026-04-01 08:00", 0.6)
    ]
    # The Energy dashboard accepts the card as an individual device.
    assert await async_setup_component(hass, "energy", {})
    manager = await energy_data.async_get_manager(hass)
    await manager.async_update({"device_consumption": [{"stat_consumption": ENERGY}]})
    validation = await async_validate(hass)
    assert validation.as_dict()["device_consumption"] == [[]]

    # Removing the card removes its device and sensors.
    await hass.data[DOMAIN].tags.async_remove(ALICE)
    await hass.async_block_till_done()
    assert dr.async_get(hass).async_get_devices(identifiers={tag_device_identifier(ALICE)}) == []
    assert registry.async_get(ENERGY) is None
    assert hass.states.get(ENERGY) is None
    assert hass_storage[f"{DOMAIN}.tag_energy"]["data"]["tags"] == {}


async def test_cards_under_their_wallbox_in_the_energy_dashboard(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    poll,
    utc_clock,
    hass_ws_client: Any,
) -> None:
    """The README's Energy setup: the wallbox's lifetime energy as the device, with its power as
    the live rate; each card inside it (included_in_stat), so the breakdown counts no kWh twice.
    Saved and validated through the Energy configuration's own websocket commands."""
    utc_clock.move_to("2026-04-01T08:00:00+00:00")
    entry = await setup_entry(**{CONF_PRICE_SOURCE: PRICE_FIXED, CONF_FIXED_PRICE: 0.30})
    await hass.data[DOMAIN].tags.async_add(KnownTag(ALICE, "Alice", None, None, frozenset()))
    await hass.async_block_till_done()
    registry = er.async_get(hass)
    wallbox = {
        item.translation_key: item.entity_id
        for item in er.async_entries_for_config_entry(registry, entry.entry_id)
    }
    lifetime, power = wallbox["lifetime_energy"], wallbox["power"]
    step = poll(entry)
    await start_session(simulator, step, ALICE)
    await step(500)
    await end_session(simulator, step)
    await compile_statistics(hass, "2026-04-01T08:00:00", "2026-04-01T09:00:00")
    power_state = hass.states.get(power)
    assert power_state is not None
    assert power_state.attributes["device_class"] == "power"
    assert power_state.attributes["state_class"] == "measurement"

    assert await async_setup_component(hass, "energy", {})
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "energy/save_prefs",
            "device_consumption": [
                {"stat_consumption": lifetime, "stat_rate": power},
                {"stat_consumption": ENERGY, "included_in_stat": lifetime, "stat_rate": power},
            ],
        }
    )
    saved = await client.receive_json()
    assert saved["success"], saved
    assert saved["result"]["device_consumption"][1] == {
        "stat_consumption": ENERGY,
        "included_in_stat": lifetime,
        "stat_rate": power,
    }
    await client.send_json_auto_id({"type": "energy/validate"})
    validation = await client.receive_json()
    assert validation["success"], validation
    assert validation["result"]["device_consumption"] == [[], []]
    # The card is a part of its wallbox: never more than the wallbox's energy in an hour.
    card = await changes(hass, ENERGY, "2026-04-01T00:00:00", "2026-04-02T00:00:00")
    box = await changes(hass, lifetime, "2026-04-01T00:00:00", "2026-04-02T00:00:00")
    assert card == [("2026-04-01 08:00", 1.0)]
    assert [hour for hour, _ in box] == ["2026-04-01 08:00"]
    assert box[0][1] >= card[0][1]


async def test_cards_at_two_wallboxes_at_once_count_their_own_box_only(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    clock: TestClock,
    utc_clock,
) -> None:
    """Alice charges in the garage while Bob charges at the carport, then Alice moves over."""
    utc_clock.move_to("2026-04-01T08:00:00+00:00")
    garage = await setup_entry(**{CONF_PRICE_SOURCE: PRICE_FIXED, CONF_FIXED_PRICE: 0.30})
    carport_box = WallboxSimulator(simulator.profile.profile_id)
    carport_box.state.lifetime_wh = 2_000_000
    await carport_box.start()
    try:
        carport = entry_for(
            carport_box,
            title="Carport",
            **{CONF_PRICE_SOURCE: PRICE_FIXED, CONF_FIXED_PRICE: 0.30},
        )
        carport.add_to_hass(hass)
        assert await hass.config_entries.async_setup(carport.entry_id)
        tags = hass.data[DOMAIN].tags
        await tags.async_add(KnownTag(ALICE, "Alice", None, None, frozenset()))
        await tags.async_add(KnownTag(BOB, "Bob", None, None, frozenset()))
        await hass.async_block_till_done()
        in_garage = stepper(hass, simulator, clock, garage)
        at_carport = stepper(hass, carport_box, clock, carport)

        def shown() -> tuple[float, float]:
            return value(hass, ENERGY), value(hass, "sensor.bob_energy")

        await start_session(simulator, in_garage, ALICE)
        await start_session(carport_box, at_carport, BOB)
        await in_garage(250)  # 7.2 kW for 250 s: 0.5 kWh
        assert shown() == (0.5, 0.0)
        await at_carport(250)
        assert shown() == (0.5, 0.5)
        await in_garage(250)
        await end_session(simulator, in_garage)
        assert shown() == (1.0, 0.5)
        await at_carport(250)
        await end_session(carport_box, at_carport)
        assert shown() == (1.0, 1.0)
        await start_session(carport_box, at_carport, ALICE)
        await at_carport(250)
        assert shown() == (1.5, 1.0)
        assert value(hass, COST) == 0.45
    finally:
        await carport_box.stop()
