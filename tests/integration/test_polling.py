"""When wallboxes are read: one clock for all, busy and idle intervals, the system option."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from custom_components.ev_session_monitor.const import CONF_IDLE_POLL_INTERVAL, CONF_POLL_INTERVAL
from tools.wallbox_simulator import WallboxSimulator

from .conftest import SetupEntry, coordinator_of, entry_for, fire_home_assistant_timers


class Ticks:
    """The poll clock's ticks, fired one at a time; which ticks read a box."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Fire from a minute ahead of the real time (the real ticks then never come first)."""
        self.hass = hass
        self.now: datetime = dt_util.utcnow() + timedelta(minutes=1)

    async def run(self, ticks: int, *boxes: WallboxSimulator) -> list[list[int]]:
        """Fire `ticks` ticks; per box, the ticks (counted from 1) on which it was read."""
        read: list[list[int]] = [[] for _ in boxes]
        for tick in range(1, ticks + 1):
            before = [box.requests for box in boxes]
            self.now += timedelta(seconds=1)
            fire_home_assistant_timers(self.hass, self.now)
            await self.hass.async_block_till_done(wait_background_tasks=True)
            for index, box in enumerate(boxes):
                if box.requests > before[index]:
                    read[index].append(tick)
        return read


def gaps(ticks: list[int]) -> list[int]:
    """Ticks between consecutive reads."""
    return [later - earlier for earlier, later in pairwise(ticks)]


async def test_wallboxes_are_read_together_every_poll_interval(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry
) -> None:
    """Two boxes polled every 2 s, set up one after the other, are read on the same ticks
    (one wake-up of Home Assistant for both)."""
    await setup_entry(**{CONF_POLL_INTERVAL: 2})
    async with WallboxSimulator("abb_terra_ac") as carport:
        entry = entry_for(carport, title="Carport", **{CONF_POLL_INTERVAL: 2})
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        ticks = Ticks(hass)
        await ticks.run(2, simulator, carport)  # each box's first poll after its setup
        garage_reads, carport_reads = await ticks.run(10, simulator, carport)
    assert garage_reads == carport_reads
    assert len(garage_reads) == 5
    assert gaps(garage_reads) == [2, 2, 2, 2]


async def test_idle_box_is_read_at_the_idle_interval_until_a_car_comes(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry
) -> None:
    entry = await setup_entry(**{CONF_POLL_INTERVAL: 2, CONF_IDLE_POLL_INTERVAL: 30})
    ticks = Ticks(hass)
    await ticks.run(30, simulator)
    (idle_reads,) = await ticks.run(90, simulator)
    assert gaps(idle_reads) == [30, 30]
    simulator.state.plug_in()
    (reads,) = await ticks.run(40, simulator)
    # The car is seen at the next idle read; from then on the box is read every 2 s.
    assert reads[0] <= 30
    assert set(gaps(reads)) == {2}
    assert reads[-1] >= 39
    assert coordinator_of(entry).poll_interval == timedelta(seconds=2)


async def test_no_reads_when_polling_is_disabled_in_the_system_options(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry
) -> None:
    entry = await setup_entry()
    hass.config_entries.async_update_entry(entry, pref_disable_polling=True)
    await hass.async_block_till_done()
    (reads,) = await Ticks(hass).run(12, simulator)
    assert reads == []


async def test_a_box_that_answers_slowly_is_not_asked_again_meanwhile(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry
) -> None:
    """Ticks while a read is still waiting for its answer start no second read."""
    entry = await setup_entry(**{CONF_POLL_INTERVAL: 2})
    coordinator = coordinator_of(entry)
    simulator.state.faults.delay_s = 0.5
    await hass.async_block_till_done()
    requests = simulator.requests
    ticks = Ticks(hass)
    ticks.now += timedelta(seconds=1)
    fire_home_assistant_timers(hass, ticks.now)  # starts a read that waits for the answers
    for _ in range(4):
        ticks.now += timedelta(seconds=2)
        fire_home_assistant_timers(hass, ticks.now)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert simulator.requests - requests == 7  # the one read (7 requests), no other
    assert coordinator.last_update_success
