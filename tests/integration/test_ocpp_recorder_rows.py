"""Recorder rows of an OCPP box: a steady MeterValues stream writes a state only when what an
entity shows changes, as for polled boxes (tests/integration/test_recorder_rows.py).

The box is the strict simulated charge point (tools/ocpp_charge_point) over loopback, the
recorder the real one on SQLite. The stream is the benchmark's (benchmarks/ocpp_benchmark.py):
11 kW with +-0.5 % noise, the energy register in Wh and the current per phase, every 10 s.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from homeassistant.const import EVENT_STATE_REPORTED
from homeassistant.core import Event, HomeAssistant, callback
from ocpp.v16 import call
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.ev_session_monitor.const import DOMAIN
from custom_components.ev_session_monitor.core.tags import KnownTag
from tools.ocpp_charge_point.charge_point import SimulatedChargePoint, connect
from tools.ports import free_port

from .test_ocpp import (
    CHARGE_POINT_ID,
    PASSWORD,
    _boot,
    _entity_id,
    _start,
    _time,
    set_up_entry,
)
from .test_recorder_rows import recorded

CARD = "04A2B3C4D5"
CHARGING_W = 11_000.0


@pytest.fixture
def auto_enable_custom_integrations(recorder_mock: None, enable_custom_integrations: None) -> None:
    """The real recorder (SQLite) must start before Home Assistant."""


@pytest.fixture
async def ocpp_entry(hass: HomeAssistant) -> AsyncIterator[tuple[MockConfigEntry, int]]:
    """An OCPP entry with its central system on a free port."""
    port = free_port()
    entry = await set_up_entry(hass, port)
    yield entry, port


def _element(timestamp: str, energy_wh: int, power_w: float) -> list[dict[str, object]]:
    amps = f"{power_w / 3 / 230:.1f}"
    return [
        {
            "timestamp": timestamp,
            "sampled_value": [
                {"value": str(energy_wh), "context": "Sample.Periodic", "unit": "Wh"},
                {"value": f"{power_w:.0f}", "measurand": "Power.Active.Import", "unit": "W"},
                *(
                    {"value": amps, "measurand": "Current.Import", "phase": phase, "unit": "A"}
                    for phase in ("L1", "L2", "L3")
                ),
            ],
        }
    ]


async def test_steady_stream_writes_only_shown_changes(
    hass: HomeAssistant, ocpp_entry: tuple[MockConfigEntry, int]
) -> None:
    """15 minutes of MeterValues: rows only for changes a user sees, no write without one."""
    entry, port = ocpp_entry
    await hass.data[DOMAIN].tags.async_add(KnownTag(tag_id=CARD, name="Alice"))
    reported: Counter[str] = Counter()

    @callback
    def unchanged_write(event: Event) -> None:
        reported[event.data["entity_id"]] += 1

    @callback
    def ours(event_data: dict[str, object]) -> bool:
        return str(event_data["entity_id"]).split(".")[1].startswith("carport")

    hass.bus.async_listen(EVENT_STATE_REPORTED, unchanged_write, event_filter=ours)
    rng = random.Random(7)
    start = datetime.now(UTC) - timedelta(hours=1)
    url = f"ws://127.0.0.1:{port}/{CHARGE_POINT_ID}"
    cp: SimulatedChargePoint
    async with connect(url, CHARGE_POINT_ID, PASSWORD) as cp:
        await _boot(cp)
        transaction_id = await _start(cp, start, CARD, 1_000_000)
        await hass.async_block_till_done()
        await async_wait_recording_done(hass)
        since = datetime.now(UTC)
        messages = 90  # 15 minutes at 10 s
        for index in range(1, messages + 1):
            # Paced below the central system's flood limit (5 messages a second).
            await asyncio.sleep(0.2)
            seconds = 10 + 10 * index
            energy = 1_000_000 + round(CHARGING_W * seconds / 3600)
            power = CHARGING_W * rng.uniform(0.995, 1.005)
            await cp.call(
                call.MeterValues(
                    connector_id=1,
                    transaction_id=transaction_id,
                    meter_value=_element(_time(start, seconds), energy, power),
                )
            )
        await hass.async_block_till_done()
        # Read while the box is connected (its leaving makes every entity unavailable).
        power_rows = await recorded(hass, _entity_id(hass, "sensor", "power"), since)
        assert len(power_rows) <= 2  # the meter's noise is not a change (the first value is one)
        current_rows = await recorded(hass, _entity_id(hass, "sensor", "current_l1"), since)
        assert len(current_rows) <= 4
        # Session energy: one row per 0.01 kWh shown, none repeated (11 kW: 0.03 kWh per message).
        energy_rows = await recorded(hass, _entity_id(hass, "sensor", "session_energy"), since)
        shown = [state.state for state in energy_rows]
        assert len(shown) == len(set(shown))
        assert len(shown) <= messages + 1  # and the state shown when the window opened
        assert shown[-1] == f"{round(CHARGING_W * (10 + 10 * messages) / 3600) / 1000:.2f}"

    # A state written again unchanged costs CPU: none.
    assert not reported
    assert entry.state.recoverable
