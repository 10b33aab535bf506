"""A box with two connectors: the wallbox follows the connector in use, the switch starts where
the car waits. The box is the strict simulated charge point (tools/ocpp_charge_point); each
connector reports its own StatusNotification (OCPP 1.6 edition 2, 4.9, connectorId > 0).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from homeassistant.core import HomeAssistant
from ocpp.v16 import call

from custom_components.ev_session_monitor.const import (
    CONF_PRICE_ENTITY,
    CONF_PRICE_SOURCE,
    DOMAIN,
    HOME_ASSISTANT_TAG_ID,
    PRICE_SENSOR,
)
from custom_components.ev_session_monitor.core.tags import KnownTag
from tools.ocpp_charge_point.charge_point import SimulatedChargePoint, connect
from tools.ports import free_port

from .test_ocpp import (
    CHARGE_POINT_ID,
    PASSWORD,
    _boot,
    _entity_id,
    _time,
    booted_box,
    set_up_entry,
)

CARD = "04A2B3C4D5"
BOB = "04B0B0B0B0"


@pytest.fixture
async def box(hass: HomeAssistant) -> AsyncIterator[SimulatedChargePoint]:
    """An OCPP entry and its two-connector box, booted, both connectors Available."""
    port = free_port()
    await set_up_entry(hass, port)
    async with booted_box(port) as cp:
        for connector_id in (1, 2):
            await _status(cp, connector_id, "Available", datetime.now(UTC))
        yield cp


async def _status(cp: SimulatedChargePoint, connector_id: int, status: str, when: datetime) -> None:
    await cp.call(
        call.StatusNotification(
            connector_id=connector_id,
            error_code="NoError",
            status=status,
            timestamp=_time(when, 0),
        )
    )


async def _start(
    cp: SimulatedChargePoint, connector_id: int, card: str, meter: int, when: datetime
) -> int:
    """A car plugged in at `connector_id` and charging with `card`: the transaction id."""
    await _status(cp, connector_id, "Preparing", when)
    started = await cp.call(
        call.StartTransaction(
            connector_id=connector_id, id_tag=card, meter_start=meter, timestamp=_time(when, 5)
        )
    )
    await _status(cp, connector_id, "Charging", when + timedelta(seconds=6))
    return int(started.transaction_id)


async def test_switch_starts_on_the_connector_whose_car_waits(
    hass: HomeAssistant, box: SimulatedChargePoint
) -> None:
    """A car at connector 2: RemoteStartTransaction names connector 2."""
    await _status(box, 2, "Preparing", datetime.now(UTC))
    await hass.async_block_till_done()
    assert hass.states.get(_entity_id(hass, "sensor", "charger_status")).state == "connected"
    switch = _entity_id(hass, "switch", "charging_enabled")
    await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    assert box.state.remote_starts == [{"id_tag": HOME_ASSISTANT_TAG_ID, "connector_id": 2}]


async def test_session_on_connector_2_is_recorded_while_connector_1_idles(
    hass: HomeAssistant, box: SimulatedChargePoint
) -> None:
    """Connector 1's Available does not end the session charging on connector 2."""
    await hass.data[DOMAIN].tags.async_add(KnownTag(tag_id=CARD, name="Alice"))
    start = datetime.now(UTC) + timedelta(minutes=1)
    transaction_id = await _start(box, 2, CARD, 5_000, start)
    await _status(box, 1, "Available", start + timedelta(seconds=20))
    await hass.async_block_till_done()
    status = _entity_id(hass, "sensor", "charger_status")
    assert hass.states.get(status).state == "charging"
    await box.call(
        call.StopTransaction(
            meter_stop=6_234,
            timestamp=_time(start, 1800),
            transaction_id=transaction_id,
            id_tag=CARD,
        )
    )
    await _status(box, 2, "Finishing", start + timedelta(seconds=1801))
    await _status(box, 2, "Available", start + timedelta(seconds=1900))
    await hass.async_block_till_done()
    (session,) = await hass.data[DOMAIN].archive.async_query()
    assert session.energy_wh == 1234
    assert session.tag_id == CARD
    assert hass.states.get(status).state == "idle"


async def _meter(
    cp: SimulatedChargePoint, connector_id: int, transaction_id: int, wh: int, when: datetime
) -> None:
    await cp.call(
        call.MeterValues(
            connector_id=connector_id,
            transaction_id=transaction_id,
            meter_value=[
                {
                    "timestamp": _time(when, 0),
                    "sampled_value": [{"value": str(wh), "context": "Sample.Periodic"}],
                }
            ],
        )
    )


@pytest.mark.parametrize("second_stops_first", [True, False])
async def test_two_transactions_at_once_are_two_sessions_exact_to_the_wh(
    hass: HomeAssistant, box: SimulatedChargePoint, second_stops_first: bool
) -> None:
    """Alice on connector 1, Bob on connector 2 while she charges: two sessions, each exact.

    Each connector has its own meter (OCPP 1.6 edition 2: meterStart and meterStop are the
    connector's register, MeterValues name their connector and transaction), so neither
    transaction's readings may reach the other's session, whichever stops first.
    """
    tags = hass.data[DOMAIN].tags
    await tags.async_add(KnownTag(tag_id=CARD, name="Alice"))
    await tags.async_add(KnownTag(tag_id=BOB, name="Bob"))
    start = datetime.now(UTC) + timedelta(minutes=1)
    first = await _start(box, 1, CARD, 10_000, start)
    # A real box does not send all of this within a second: stay within the central
    # system's rate limit (a burst of 20, then 5 a second).
    await asyncio.sleep(2)
    second = await _start(box, 2, BOB, 50_000, start + timedelta(seconds=60))
    await _meter(box, 1, first, 11_500, start + timedelta(seconds=900))
    await _meter(box, 2, second, 51_000, start + timedelta(seconds=905))
    stops = [(2, second, 52_345, 1200), (1, first, 13_210, 1800)]
    for connector_id, transaction_id, meter, at in stops if second_stops_first else stops[::-1]:
        await box.call(
            call.StopTransaction(
                meter_stop=meter, timestamp=_time(start, at), transaction_id=transaction_id
            )
        )
        await _status(box, connector_id, "Available", start + timedelta(seconds=at + 10))
    await hass.async_block_till_done()
    sessions = sorted(await hass.data[DOMAIN].archive.async_query(), key=lambda s: s.started_at)
    assert [(s.tag_id, s.energy_wh, s.meter_start_wh, s.meter_end_wh) for s in sessions] == [
        (CARD, 3210, 10_000, 13_210),
        (BOB, 2345, 50_000, 52_345),
    ]
    assert (sessions[1].started_at, sessions[1].ended_at) == (
        start + timedelta(seconds=65),
        start + timedelta(seconds=1200),
    )
    assert sessions[1].tag_name == "Bob"


PRICE_ENTITY = "sensor.electricity_price"
PRICED = {CONF_PRICE_SOURCE: PRICE_SENSOR, CONF_PRICE_ENTITY: PRICE_ENTITY}


async def test_second_transaction_is_priced_with_the_dynamic_tariff(
    hass: HomeAssistant,
) -> None:
    """A price sensor changing during both transactions: each session gets its parts' cost.

    Energy a reading reports is priced at the price its transaction last took (the shown
    session's rule): Bob's 1000 Wh up to his first reading at 0.30, the 800 Wh up to his
    second at 0.50 (the price changed before it), the last 545 Wh at 0.20; Alice's likewise.
    """
    hass.states.async_set(PRICE_ENTITY, "0.30", {"unit_of_measurement": "EUR/kWh"})
    port = free_port()
    await set_up_entry(hass, port, **PRICED)
    tags = hass.data[DOMAIN].tags
    await tags.async_add(KnownTag(tag_id=CARD, name="Alice"))
    await tags.async_add(KnownTag(tag_id=BOB, name="Bob"))

    async def price(value: str) -> None:
        hass.states.async_set(PRICE_ENTITY, value, {"unit_of_measurement": "EUR/kWh"})
        await hass.async_block_till_done()

    url = f"ws://127.0.0.1:{port}/{CHARGE_POINT_ID}"
    async with connect(url, CHARGE_POINT_ID, PASSWORD) as cp:
        await _boot(cp)
        start = datetime.now(UTC) + timedelta(minutes=1)
        for connector_id in (1, 2):
            await _status(cp, connector_id, "Available", start)
        first = await _start(cp, 1, CARD, 10_000, start)
        await asyncio.sleep(2)  # the central system's rate limit
        second = await _start(cp, 2, BOB, 50_000, start + timedelta(seconds=60))
        await _meter(cp, 1, first, 11_500, start + timedelta(seconds=900))
        await _meter(cp, 2, second, 51_000, start + timedelta(seconds=905))
        await price("0.50")
        await asyncio.sleep(2)
        await _meter(cp, 1, first, 12_100, start + timedelta(seconds=1500))
        await _meter(cp, 2, second, 51_800, start + timedelta(seconds=1505))
        await price("0.20")
        await cp.call(
            call.StopTransaction(
                meter_stop=52_345, timestamp=_time(start, 2400), transaction_id=second
            )
        )
        await _status(cp, 2, "Available", start + timedelta(seconds=2410))
        await asyncio.sleep(2)
        await cp.call(
            call.StopTransaction(
                meter_stop=13_000, timestamp=_time(start, 2700), transaction_id=first
            )
        )
        await _status(cp, 1, "Available", start + timedelta(seconds=2710))
        await hass.async_block_till_done()

    alice, bob = sorted(await hass.data[DOMAIN].archive.async_query(), key=lambda s: s.started_at)
    bob_cost = 1.0 * 0.30 + 0.8 * 0.50 + 0.545 * 0.20  # 0.809 EUR for 2.345 kWh
    assert (bob.tag_name, bob.energy_wh, bob.unpriced_wh, bob.currency) == ("Bob", 2345, 0, "EUR")
    assert bob.cost == pytest.approx(bob_cost)
    assert bob.price_per_kwh == pytest.approx(bob_cost / 2.345)
    assert [(part.energy_wh, part.price_per_kwh) for part in bob.price_parts] == [
        (1000, 0.30),
        (800, 0.50),
        (545, 0.20),
    ]
    alice_cost = 1.5 * 0.30 + 0.6 * 0.50 + 0.9 * 0.20  # the shown session, same rule
    assert (alice.tag_name, alice.energy_wh) == ("Alice", 3000)
    assert alice.cost == pytest.approx(alice_cost)


async def test_second_transaction_keeps_its_prices_across_a_restart(
    hass: HomeAssistant,
) -> None:
    """Home Assistant restarts (the entry reloads) while Bob's second transaction runs.

    His 1000 Wh at 0.30 and the price 0.50 taken before the restart are stored with the
    transaction: after it, the next 800 Wh are priced at 0.50 and the last 200 Wh at 0.20.
    """
    hass.states.async_set(PRICE_ENTITY, "0.30", {"unit_of_measurement": "EUR/kWh"})
    port = free_port()
    entry = await set_up_entry(hass, port, **PRICED)
    tags = hass.data[DOMAIN].tags
    await tags.async_add(KnownTag(tag_id=CARD, name="Alice"))
    await tags.async_add(KnownTag(tag_id=BOB, name="Bob"))
    url = f"ws://127.0.0.1:{port}/{CHARGE_POINT_ID}"
    start = datetime.now(UTC) + timedelta(minutes=1)
    async with connect(url, CHARGE_POINT_ID, PASSWORD) as cp:
        await _boot(cp)
        await _start(cp, 1, CARD, 10_000, start)
        await asyncio.sleep(2)  # the central system's rate limit
        second = await _start(cp, 2, BOB, 50_000, start + timedelta(seconds=60))
        await _meter(cp, 2, second, 51_000, start + timedelta(seconds=900))
        hass.states.async_set(PRICE_ENTITY, "0.50", {"unit_of_measurement": "EUR/kWh"})
        await hass.async_block_till_done()
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    async with connect(url, CHARGE_POINT_ID, PASSWORD) as cp:
        await _boot(cp)
        for connector_id in (1, 2):  # after its boot a box says what its connectors do
            await _status(cp, connector_id, "Charging", start + timedelta(seconds=1400))
        await _meter(cp, 2, second, 51_800, start + timedelta(seconds=1500))
        hass.states.async_set(PRICE_ENTITY, "0.20", {"unit_of_measurement": "EUR/kWh"})
        await hass.async_block_till_done()
        await cp.call(
            call.StopTransaction(
                meter_stop=52_000, timestamp=_time(start, 1800), transaction_id=second
            )
        )
        await hass.async_block_till_done()
    (bob,) = await hass.data[DOMAIN].archive.async_query()
    assert (bob.tag_name, bob.energy_wh, bob.unpriced_wh) == ("Bob", 2000, 0)
    assert bob.cost == pytest.approx(1.0 * 0.30 + 0.8 * 0.50 + 0.2 * 0.20)
    assert [(part.energy_wh, part.price_per_kwh) for part in bob.price_parts] == [
        (1000, 0.30),
        (800, 0.50),
        (200, 0.20),
    ]
