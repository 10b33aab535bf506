"""Load on Home Assistant: state rows only when what is shown changes; idle boxes read less often.

The box is an ABB Terra AC (session counter in whole Wh, no lifetime meter) polled every 2 s,
the car draws 11 kW and the meter reads it with +-0.5 % noise, as in the scale benchmark.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from homeassistant.components.recorder import get_instance
from homeassistant.components.recorder.history import state_changes_during_period
from homeassistant.const import EVENT_STATE_REPORTED
from homeassistant.core import Event, HomeAssistant, State, callback
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.ev_session_monitor.const import (
    CONF_FIXED_PRICE,
    CONF_IDLE_POLL_INTERVAL,
    CONF_POLL_INTERVAL,
    CONF_PRICE_SOURCE,
    DOMAIN,
    PRICE_FIXED,
)
from tools.wallbox_simulator import WallboxSimulator

from .conftest import SetupEntry, coordinator_of

SESSION_ENERGY = "sensor.garage_session_energy"
POWER = "sensor.garage_power"
PRICE = 0.30


@pytest.fixture
def auto_enable_custom_integrations(recorder_mock: None, enable_custom_integrations: None) -> None:
    """The real recorder (SQLite) must start before Home Assistant."""


@pytest.fixture
def profile_id() -> str:
    """A box whose session counter counts whole Wh."""
    return "abb_terra_ac"


async def recorded(hass: HomeAssistant, entity_id: str, since: datetime) -> list[State]:
    """The states the recorder stored for an entity since a time."""
    await async_wait_recording_done(hass)
    changes = await get_instance(hass).async_add_executor_job(
        state_changes_during_period,
        hass,
        since,
        datetime.now(UTC) + timedelta(days=1),
        entity_id,
        False,
        False,
        None,
        False,
    )
    return changes.get(entity_id, [])


def count_unchanged_writes(hass: HomeAssistant, entity_id: str) -> list[int]:
    """Count writes of an entity that did not change its state (no row, but CPU)."""
    writes = [0]

    @callback
    def is_entity(event_data: dict[str, object]) -> bool:
        return event_data["entity_id"] == entity_id

    @callback
    def reported(_event: Event) -> None:
        writes[0] += 1

    hass.bus.async_listen(EVENT_STATE_REPORTED, reported, event_filter=is_entity)
    return writes


async def test_noisy_charging_writes_a_row_per_shown_step_and_history_stays_exact(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    hass.config.currency = "EUR"
    entry = await setup_entry(
        **{CONF_POLL_INTERVAL: 2, CONF_PRICE_SOURCE: PRICE_FIXED, CONF_FIXED_PRICE: PRICE}
    )
    step = poll(entry)
    box = simulator.state
    box.power_jitter = 0.005
    box.plug_in()
    await step(2)
    await async_wait_recording_done(hass)
    since = datetime.now(UTC)
    unchanged_energy_writes = count_unchanged_writes(hass, SESSION_ENERGY)
    unchanged_power_writes = count_unchanged_writes(hass, POWER)
    box.start_charging(11000)
    polls = 450  # 15 minutes
    for _ in range(polls):
        await step(2)

    # Session energy: one row per 0.01 kWh shown, none repeated, none skipped.
    shown_steps = [
        round(float(state.state) * 100) for state in await recorded(hass, SESSION_ENERGY, since)
    ]
    # The register holds whole Wh; the sensor shows kWh with 2 decimals.
    final_step = round(round(round(box.session_wh) / 1000, 2) * 100)
    assert shown_steps == list(range(1, final_step + 1))
    assert len(shown_steps) < polls * 0.7
    assert unchanged_energy_writes[0] == 0

    # Power: the meter's +-0.5 % noise is no change a user could act on; the car's real
    # change to 7.4 kW is.
    powers = [float(state.state) for state in await recorded(hass, POWER, since)]
    assert len(powers) <= 3
    assert all(abs(power - 11000) <= 110 for power in powers)
    assert unchanged_power_writes[0] == 0
    box.start_charging(7400)
    await step(2)
    await step(2)
    assert abs(float(hass.states.get(POWER).state) - 7400) <= 74

    # The session history is fed by the session engine, not by rounded states: exact to the
    # Wh (the box's counter has whole Wh) and the cent.
    delivered_wh = box.delivered_this_plugin_wh
    box.unplug()
    await step(2)
    (session,) = await hass.data[DOMAIN].archive.async_query()
    assert abs(session.energy_wh - delivered_wh) < 1
    assert session.cost is not None
    assert abs(session.cost - delivered_wh / 1000 * PRICE) < 0.005
    last_energy = float(hass.states.get("sensor.garage_last_session_energy").state)
    assert last_energy == round(delivered_wh / 1000, 2)


async def test_idle_box_is_read_less_often_when_asked(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    """With an idle interval, a box without a vehicle is read every 60 s, a busy one every 2 s."""
    entry = await setup_entry(**{CONF_POLL_INTERVAL: 2, CONF_IDLE_POLL_INTERVAL: 60})
    coordinator = coordinator_of(entry)
    step = poll(entry)
    await step(2)
    assert coordinator.poll_interval == timedelta(seconds=60)
    simulator.state.plug_in()
    await step(60)
    assert coordinator.poll_interval == timedelta(seconds=2)
    simulator.state.start_charging(11000)
    await step(2)
    simulator.state.unplug()
    await step(2)  # the session ends with this read
    assert coordinator.poll_interval == timedelta(seconds=60)
    assert len(await hass.data[DOMAIN].archive.async_query()) == 1


async def test_idle_interval_shorter_than_the_poll_interval_means_the_poll_interval(
    hass: HomeAssistant, setup_entry: SetupEntry, poll
) -> None:
    entry = await setup_entry(**{CONF_POLL_INTERVAL: 10, CONF_IDLE_POLL_INTERVAL: 0})
    await poll(entry)(10)
    assert coordinator_of(entry).poll_interval == timedelta(seconds=10)
