"""A card withdrawn while its OCPP transaction runs: Home Assistant stops the transaction.

OCPP 1.6 edition 2 gives a box a card's status only in the answers to Authorize,
StartTransaction and StopTransaction (IdTagInfo); MeterValues.conf carries none, and
StopTransactionOnInvalidId (section 9.1) acts on the StartTransaction answer. A transaction that
is already running is ended by the central system's RemoteStopTransaction (section 5.12), after
which the box stops it as if stopped locally and sends StopTransaction with reason `Remote`
(section 7.41, Reason). The box is the strict simulated charge point of tools/ocpp_charge_point.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from homeassistant.core import Event, HomeAssistant
from ocpp.v16 import call
from pytest_homeassistant_custom_component.common import async_capture_events
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.ev_session_monitor.const import DOMAIN, EVENT_CARD_WITHDRAWN
from custom_components.ev_session_monitor.core.tags import KnownTag
from custom_components.ev_session_monitor.logbook import async_describe_events
from tools.ocpp_charge_point.charge_point import SimulatedChargePoint
from tools.ports import free_port

from .test_ocpp import (
    _start,
    _status,
    _time,
    _until,
    booted_box,
    set_up_entry,
)
from .test_portal import ws_call

ALICE, BOB = "04A2B3C4D5", "04B0B0B0B0"


@pytest.fixture
async def box(hass: HomeAssistant) -> AsyncIterator[SimulatedChargePoint]:
    """An OCPP entry and its box, booted; Alice and Bob may charge everywhere."""
    port = free_port()
    await set_up_entry(hass, port)
    tags = hass.data[DOMAIN].tags
    await tags.async_add(KnownTag(tag_id=ALICE, name="Alice"))
    await tags.async_add(KnownTag(tag_id=BOB, name="Bob"))
    async with booted_box(port) as cp:
        yield cp


def _logbook(hass: HomeAssistant, event: Event) -> str:
    described: dict[str, object] = {}
    async_describe_events(hass, lambda domain, event_type, fn: described.update({event_type: fn}))
    describe = described[EVENT_CARD_WITHDRAWN]
    return str(describe(event)["message"])  # type: ignore[operator]


async def _stop(box: SimulatedChargePoint, transaction_id: int, meter: int, at: str) -> str:
    """The box stops as RemoteStopTransaction asked; returns the card's status in the answer."""
    answer = await box.call(
        call.StopTransaction(
            meter_stop=meter,
            timestamp=at,
            transaction_id=transaction_id,
            reason="Remote",
            id_tag=ALICE,
        )
    )
    return str(answer.id_tag_info["status"])


async def test_card_blocked_in_the_portal_stops_its_transaction(
    hass: HomeAssistant, box: SimulatedChargePoint, hass_ws_client: WebSocketGenerator
) -> None:
    """Blocked mid-transaction, no MeterValues since the start: RemoteStopTransaction at once.

    The session is recorded with the box's own meter readings, exact to the Wh.
    """
    withdrawn = async_capture_events(hass, EVENT_CARD_WITHDRAWN)
    start = datetime.now(UTC) + timedelta(minutes=1)
    transaction_id = await _start(box, start, ALICE, 2_000_000)
    client = await hass_ws_client(hass)
    answer = await ws_call(client, type=f"{DOMAIN}/tags/block", tag_id=ALICE, blocked=True)
    assert answer["success"]

    await _until(lambda: box.state.remote_stops == [transaction_id])
    await _until(lambda: len(withdrawn) == 1)
    (event,) = withdrawn
    assert event.data["reason"] == "card_blocked"
    assert event.data["stopped"] is True
    assert event.data["transaction_id"] == transaction_id
    assert _logbook(hass, event) == "stopped the session of Alice: the card was blocked"
    # Nothing else was asked of the box: no restart, no change of availability or current.
    assert (box.state.resets, box.state.availability, box.state.charging_profiles) == ([], [], [])

    assert await _stop(box, transaction_id, 2_004_321, _time(start, 900)) == "Blocked"
    await _status(box, "Finishing", _time(start, 901))
    await _status(box, "Available", _time(start, 960))
    await hass.async_block_till_done()
    (session,) = await hass.data[DOMAIN].archive.async_query()
    assert session.energy_wh == 4321
    assert (session.meter_start_wh, session.meter_end_wh) == (2_000_000, 2_004_321)
    assert session.tag_id == ALICE
    # Once stopped, later changes of the cards send nothing more.
    await hass.data[DOMAIN].tags.async_remove(ALICE)
    await hass.async_block_till_done()
    assert box.state.remote_stops == [transaction_id]


@pytest.mark.parametrize(
    ("withdraw", "reason", "sentence"),
    [
        ("remove", "card_unknown", f"stopped the session of {ALICE}: the card is no longer known"),
        (
            "move",
            "card_not_allowed_here",
            "stopped the session of Alice: the card is no longer allowed at this wallbox",
        ),
    ],
)
async def test_card_removed_or_moved_to_another_wallbox_stops_its_transaction(
    hass: HomeAssistant, box: SimulatedChargePoint, withdraw: str, reason: str, sentence: str
) -> None:
    """Removed, or allowed only at another wallbox: stopped, once per transaction."""
    tags = hass.data[DOMAIN].tags
    withdrawn = async_capture_events(hass, EVENT_CARD_WITHDRAWN)
    transaction_id = await _start(box, datetime.now(UTC) + timedelta(minutes=1), ALICE, 10_000)
    if withdraw == "remove":
        await tags.async_remove(ALICE)
    else:
        moved = KnownTag(tag_id=ALICE, name="Alice", chargers=frozenset({"garage"}))
        await tags.async_update(moved)
    await _until(lambda: len(withdrawn) == 1)
    assert withdrawn[0].data["reason"] == reason
    assert _logbook(hass, withdrawn[0]) == sentence
    await tags.async_update(KnownTag(tag_id=BOB, name="Bob", blocked=True))
    await hass.async_block_till_done()
    assert box.state.remote_stops == [transaction_id]


async def test_other_card_changes_leave_the_transaction_running(
    hass: HomeAssistant, box: SimulatedChargePoint
) -> None:
    """Renaming the card, blocking another one: the transaction goes on."""
    tags = hass.data[DOMAIN].tags
    await _start(box, datetime.now(UTC) + timedelta(minutes=1), ALICE, 500)
    await tags.async_update(KnownTag(tag_id=ALICE, name="Alice B"))
    await tags.async_update(KnownTag(tag_id=BOB, name="Bob", blocked=True))
    await hass.async_block_till_done()
    assert box.state.remote_stops == []


async def test_refused_stop_is_said_and_tried_again(
    hass: HomeAssistant, box: SimulatedChargePoint
) -> None:
    """A box that refuses the stop: the event and logbook say so; the next change tries again."""
    tags = hass.data[DOMAIN].tags
    withdrawn = async_capture_events(hass, EVENT_CARD_WITHDRAWN)
    transaction_id = await _start(box, datetime.now(UTC) + timedelta(minutes=1), ALICE, 500)
    box.state.refuse_remote_stop = True
    await tags.async_update(KnownTag(tag_id=ALICE, name="Alice", blocked=True))
    await _until(lambda: len(withdrawn) == 1)
    assert withdrawn[0].data["stopped"] is False
    assert _logbook(hass, withdrawn[0]) == (
        "could not stop the session of Alice (the card was blocked): the charge point"
        " answered RemoteStopTransaction with Rejected"
    )
    box.state.refuse_remote_stop = False
    await tags.async_remove(ALICE)
    await _until(lambda: len(withdrawn) == 2)
    assert withdrawn[1].data["stopped"] is True
    assert box.state.remote_stops == [transaction_id, transaction_id]
