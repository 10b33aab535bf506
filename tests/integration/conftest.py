"""Fixtures: a real Home Assistant (test harness, real recorder) and a simulated wallbox."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.config_entries import SOURCE_USER, ConfigFlowResult
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util import dt as dt_util
from homeassistant.util.async_ import get_scheduled_timer_handles
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ev_session_monitor.const import CONF_PROFILE, CONF_UNIT_ID, DOMAIN
from custom_components.ev_session_monitor.coordinator import EvCoordinator
from tools.wallbox_simulator import WallboxSimulator


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load our integration from custom_components."""


@pytest.fixture
def profile_id() -> str:
    """The simulated model; override with parametrize."""
    return "webasto_next"


@pytest.fixture
async def simulator(profile_id: str) -> AsyncIterator[WallboxSimulator]:
    """A wallbox on an ephemeral loopback port."""
    sim = WallboxSimulator(profile_id)
    sim.state.lifetime_wh = 1_000_000
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def site_boxes() -> AsyncIterator[list[WallboxSimulator]]:
    """Four simulated Webasto NEXT wallboxes for a site (each on its own loopback port)."""
    sims = [WallboxSimulator("webasto_next") for _ in range(4)]
    for sim in sims:
        await sim.start()
    yield sims
    for sim in sims:
        await sim.stop()


def entry_for(sim: WallboxSimulator, *, title: str = "Garage", **options: Any) -> MockConfigEntry:
    """A config entry pointing at the simulator."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=title,
        unique_id=f"{sim.profile.profile_id}_{sim.port}",
        data={
            CONF_HOST: sim.host,
            CONF_PORT: sim.port,
            CONF_PROFILE: sim.profile.profile_id,
            CONF_UNIT_ID: sim.unit_id,
        },
        options=options,
    )


async def start_network_flow(hass: HomeAssistant) -> ConfigFlowResult:
    """Start adding a wallbox Home Assistant reads over the network (Modbus TCP or HTTP)."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "network"}
    )


type SetupEntry = Callable[..., Awaitable[MockConfigEntry]]


@pytest.fixture
def setup_entry(hass: HomeAssistant, simulator: WallboxSimulator) -> SetupEntry:
    """Add and set up an entry for the simulator; options as keyword arguments."""

    async def setup(**options: Any) -> MockConfigEntry:
        entry = entry_for(simulator, **options)
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        return entry

    return setup


def coordinator_of(entry: MockConfigEntry) -> EvCoordinator:
    """The entry's coordinator."""
    coordinator: EvCoordinator = entry.runtime_data.coordinator
    return coordinator


class TestClock:
    """Home Assistant's notion of now, moved by the test.

    freezegun would also freeze the event loop's clock, which the Modbus client needs to
    connect; this moves only dt_util.utcnow.
    """

    def __init__(self, start: datetime) -> None:
        """Start at `start`."""
        self.now = start

    def __call__(self) -> datetime:
        """Return now."""
        return self.now

    def tick(self, seconds: float) -> None:
        """Let time pass."""
        self.now += timedelta(seconds=seconds)

    def move_to(self, when: str) -> None:
        """Jump to an ISO time."""
        moved = dt_util.parse_datetime(when)
        assert moved is not None
        self.now = moved


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> TestClock:
    """A test clock for Home Assistant's utcnow."""
    test_clock = TestClock(dt_util.utcnow().replace(microsecond=0))
    monkeypatch.setattr(dt_util, "utcnow", test_clock)
    return test_clock


type Poll = Callable[[float], Awaitable[None]]


def stepper(
    hass: HomeAssistant, simulator: WallboxSimulator, clock: TestClock, entry: MockConfigEntry
) -> Poll:
    """Return step(seconds): time passes on the box and in Home Assistant, then one poll."""

    async def step(seconds: float) -> None:
        simulator.state.advance(seconds)
        clock.tick(seconds)
        await coordinator_of(entry).async_refresh()
        await hass.async_block_till_done()

    return step


@pytest.fixture
def poll(
    hass: HomeAssistant, simulator: WallboxSimulator, clock: TestClock
) -> Callable[[MockConfigEntry], Poll]:
    """stepper() for the simulator fixture."""
    return lambda entry: stepper(hass, simulator, clock, entry)


def fire_home_assistant_timers(hass: HomeAssistant, when: datetime) -> None:
    """Run Home Assistant's timers due by `when`: time triggers, delays, polls, keepalives.

    Like the harness's async_fire_time_changed, but the event loop's other timers are left to
    the wall clock: with the test clock hours ahead, that helper would also fire the Modbus
    client's and the simulator's 5-second timeouts in the middle of a request.
    """
    timestamp = when.timestamp()
    for handle in list(get_scheduled_timer_handles(hass.loop)):
        callback = getattr(handle, "_callback", None)
        callback = getattr(callback, "func", callback)
        module = getattr(callback, "__module__", None) or type(callback).__module__
        if handle.cancelled() or not module.startswith("homeassistant."):
            continue
        if timestamp - time.time() >= handle.when() - hass.loop.time():
            with (
                patch("homeassistant.helpers.event.time_tracker_utcnow", return_value=when),
                patch("homeassistant.helpers.event.time_tracker_timestamp", return_value=timestamp),
            ):
                handle._run()  # as the harness's own helper does
                handle.cancel()
