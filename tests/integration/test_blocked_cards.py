"""Blocked cards: known, but refused everywhere (OCPP answers Blocked), and set in the portal.

The OCPP box is the simulated charge point of tools/ocpp_charge_point (strict validation of
every answer against the OCPP 1.6 schemas); the polled box is the Modbus simulator.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from ocpp.v16 import call
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.ev_session_monitor.const import (
    CONF_ENFORCE,
    CONF_RELEASE_CURRENT,
    DOMAIN,
    EVENT_UNKNOWN_TAG,
)
from custom_components.ev_session_monitor.core.tags import KnownTag
from tools.ocpp_charge_point.charge_point import SimulatedChargePoint
from tools.ports import free_port
from tools.wallbox_simulator import WallboxSimulator

from .conftest import SetupEntry
from .test_ocpp import _time, booted_box, set_up_entry
from .test_portal import ws_call

CARD = "04A2B3C4D5"


@pytest.fixture
async def ocpp_box(hass: HomeAssistant) -> AsyncIterator[SimulatedChargePoint]:
    """An OCPP entry and its charge point, connected and booted."""
    port = free_port()
    await set_up_entry(hass, port)
    async with booted_box(port) as cp:
        yield cp


async def test_ocpp_box_hears_blocked_and_the_event_says_so(
    hass: HomeAssistant, ocpp_box: SimulatedChargePoint, hass_ws_client: WebSocketGenerator
) -> None:
    """Blocked in the portal: Authorize and StartTransaction answer Blocked; unblocked: Accepted."""
    await hass.data[DOMAIN].tags.async_add(KnownTag(tag_id=CARD, name="Alice"))
    unknown = async_capture_events(hass, EVENT_UNKNOWN_TAG)
    client = await hass_ws_client(hass)
    blocked = await ws_call(client, type=f"{DOMAIN}/tags/block", tag_id=CARD, blocked=True)
    assert blocked["result"]["tag"]["blocked"] is True

    answer = await ocpp_box.call(call.Authorize(id_tag=CARD))
    assert answer.id_tag_info["status"] == "Blocked"
    started = await ocpp_box.call(
        call.StartTransaction(
            connector_id=1, id_tag=CARD, meter_start=10, timestamp=_time(datetime.now(UTC), 0)
        )
    )
    assert started.id_tag_info["status"] == "Blocked"
    await hass.async_block_till_done()
    (event,) = unknown  # StartTransaction after Authorize is the same presentation
    assert (event.data["tag_id"], event.data["rejected"], event.data["blocked"]) == (
        CARD,
        True,
        True,
    )
    attempts = (await ws_call(client, type=f"{DOMAIN}/attempts"))["result"]["attempts"]
    assert (attempts[0]["tag_id"], attempts[0]["known"], attempts[0]["blocked"]) == (
        CARD,
        True,
        True,
    )

    # Renaming in the portal keeps the card blocked; unblocking admits it again.
    renamed = await ws_call(client, type=f"{DOMAIN}/tags/update", tag_id=CARD, name="Alice B")
    assert renamed["result"]["tag"]["blocked"] is True
    await ws_call(client, type=f"{DOMAIN}/tags/block", tag_id=CARD, blocked=False)
    answer = await ocpp_box.call(call.Authorize(id_tag=CARD))
    assert answer.id_tag_info["status"] == "Accepted"
    gone = await ws_call(client, type=f"{DOMAIN}/tags/block", tag_id="CAFE0001", blocked=True)
    assert gone["error"]["code"] == "not_found"


async def test_blocked_card_survives_a_restart_of_the_registry(hass: HomeAssistant) -> None:
    """The blocked state is stored with the card."""
    assert await async_setup_component(hass, DOMAIN, {})
    tags = hass.data[DOMAIN].tags
    await tags.async_add(KnownTag(tag_id=CARD, name="Alice", blocked=True))
    await tags.async_load()
    known = tags.registry.get(CARD)
    assert known is not None
    assert known.blocked


async def test_non_admin_cannot_block(
    hass: HomeAssistant,
    ocpp_box: SimulatedChargePoint,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
) -> None:
    """Blocking changes the known cards: administrators only."""
    await hass.data[DOMAIN].tags.async_add(KnownTag(tag_id=CARD, name="Alice"))
    client = await hass_ws_client(hass, hass_read_only_access_token)
    answer = await ws_call(client, type=f"{DOMAIN}/tags/block", tag_id=CARD, blocked=True)
    assert answer["error"]["code"] == "unauthorized"
    known = hass.data[DOMAIN].tags.registry.get(CARD)
    assert known is not None
    assert not known.blocked
    answer = await ocpp_box.call(call.Authorize(id_tag=CARD))
    assert answer.id_tag_info["status"] == "Accepted"


async def test_polled_box_treats_a_blocked_card_as_unknown(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    """The lock stays shut, the event is unknown_tag (blocked), the state unknown_tag."""
    entry: MockConfigEntry = await setup_entry(**{CONF_ENFORCE: True, CONF_RELEASE_CURRENT: 16})
    await hass.data[DOMAIN].tags.async_add(KnownTag(tag_id=CARD, name="Alice", blocked=True))
    unknown = async_capture_events(hass, EVENT_UNKNOWN_TAG)
    step = poll(entry)
    box = simulator.state
    box.plug_in()
    box.start_charging(11000)
    await step(10)
    box.present_tag(CARD)
    await step(10)
    assert box.current_limit_a == 0
    assert hass.states.get("sensor.garage_authorization").state == "unknown_tag"
    (event,) = unknown
    assert event.data["blocked"] is True
    assert "rejected" not in event.data  # a polled box decided itself; we only saw the card


async def test_card_priority_set_in_the_portal_stays_through_a_rename(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    """A card's site priority (0-10): set with the card, kept when the portal renames it."""
    assert await async_setup_component(hass, DOMAIN, {})
    client = await hass_ws_client(hass)
    added = await ws_call(
        client, type=f"{DOMAIN}/tags/add", tag_id=CARD, name="Doctor on call", priority=7
    )
    assert added["result"]["tag"]["priority"] == 7
    renamed = await ws_call(client, type=f"{DOMAIN}/tags/update", tag_id=CARD, name="Dr. B")
    assert renamed["result"]["tag"]["priority"] == 7
    lowered = await ws_call(
        client, type=f"{DOMAIN}/tags/update", tag_id=CARD, name="Dr. B", priority=0
    )
    assert lowered["result"]["tag"]["priority"] == 0
    refused = await ws_call(
        client, type=f"{DOMAIN}/tags/update", tag_id=CARD, name="Dr. B", priority=11
    )
    assert refused["error"]["code"] == "invalid_format"
    await hass.data[DOMAIN].tags.async_load()
    known = hass.data[DOMAIN].tags.registry.get(CARD)
    assert known is not None and known.priority == 0
