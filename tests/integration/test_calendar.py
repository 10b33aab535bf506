"""The sessions calendar through Home Assistant's calendar API: get_events and /api/calendars.

Sessions are played on the simulated wallbox at dates months apart (the test clock jumps between
them); two more are written straight into the history file, as another wallbox or an older
version would have left them. Expected texts are worked out by hand: 7.2 kW for N seconds is
2 Wh per second, priced at 0.30 EUR/kWh.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ev_session_monitor.const import (
    CONF_FIXED_PRICE,
    CONF_PRICE_SOURCE,
    DOMAIN,
    PRICE_FIXED,
)
from custom_components.ev_session_monitor.core.model import SessionRecord
from custom_components.ev_session_monitor.core.tags import KnownTag
from tools.wallbox_simulator import WallboxSimulator

from .conftest import SetupEntry, TestClock

CALENDAR = "calendar.garage_charging_sessions"
ALICE = "04A1B2C3D4"


async def charge(
    simulator: WallboxSimulator, step, clock: TestClock, when: str, tag: str | None, seconds: int
) -> None:
    """At `when`: plug in, (present a card,) charge at 7.2 kW for `seconds`, unplug."""
    clock.move_to(when)
    simulator.state.plug_in()
    await step(10)
    if tag:
        simulator.state.present_tag(tag)
    simulator.state.start_charging(7200)
    await step(seconds)
    simulator.state.unplug()
    await step(10)


def local(text: str) -> datetime:
    """A Berlin wall-clock time."""
    moment = dt_util.parse_datetime(f"{text}+01:00")
    assert moment is not None
    return moment


async def get_events(hass: HomeAssistant, start: str, end: str) -> list[dict[str, Any]]:
    """The calendar.get_events action over [start, end) in Berlin time."""
    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {"start_date_time": local(start), "end_date_time": local(end)},
        target={"entity_id": CALENDAR},
        blocking=True,
        return_response=True,
    )
    events: list[dict[str, Any]] = response[CALENDAR]["events"]  # type: ignore[index]
    return events


@pytest.fixture
async def garage(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll, clock
):
    """A wallbox at 0.30 EUR/kWh in Berlin, Alice's card known, four sessions over five months."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    hass.config.currency = "EUR"
    clock.move_to("2025-11-20T17:00:00+00:00")
    entry = await setup_entry(**{CONF_PRICE_SOURCE: PRICE_FIXED, CONF_FIXED_PRICE: 0.30})
    await hass.data[DOMAIN].tags.async_add(KnownTag(ALICE, "Alice", None, None, frozenset()))
    step = poll(entry)
    # A year back: 1 h, 7.2 kWh.
    await charge(simulator, step, clock, "2025-11-20T17:00:00+00:00", ALICE, 3600)
    # From 23:30 on 31 January into 1 February (Berlin): 2 h, 14.4 kWh.
    await charge(simulator, step, clock, "2026-01-31T22:30:00+00:00", ALICE, 7200)
    # A card nobody registered: 30 min, 3.6 kWh.
    await charge(simulator, step, clock, "2026-02-14T08:00:00+00:00", "DEADBEEF01", 1800)
    # No card at all: 15 min, 1.8 kWh.
    await charge(simulator, step, clock, "2026-03-03T12:00:00+00:00", None, 900)
    archive = hass.data[DOMAIN].archive
    # Another wallbox's session in the same month: not this calendar's.
    await archive.async_add(
        SessionRecord(
            session_id="carport-1",
            charger_id="carport",
            charger_name="Carport",
            started_at=local("2026-02-10T10:00:00"),
            ended_at=local("2026-02-10T11:00:00"),
            charging_s=3600,
            energy_wh=11000,
            cost=3.3,
            currency="EUR",
            avg_power_w=11000,
            peak_power_w=11000,
            tag_id=ALICE,
            tag_name="Alice",
            energy_source="meter",
        )
    )
    # The vehicle left while Home Assistant was down: the end is only known to lie in a span.
    await archive.async_add(
        SessionRecord(
            session_id="estimated-1",
            charger_id=entry.unique_id,
            charger_name="Garage",
            started_at=local("2026-03-10T18:00:00"),
            ended_at=local("2026-03-10T19:00:00"),
            charging_s=3000,
            energy_wh=5000,
            cost=None,
            currency=None,
            avg_power_w=6000,
            peak_power_w=7000,
            tag_id=ALICE,
            tag_name="Alice",
            energy_source="meter",
            unpriced_wh=5000,
            end_latest=local("2026-03-10T21:00:00"),
        )
    )
    return entry


async def test_months_come_from_the_history(hass: HomeAssistant, garage) -> None:
    """Each month shows the sessions that overlap it, this wallbox's only, a year back too."""
    november = await get_events(hass, "2025-11-01T00:00:00", "2025-12-01T00:00:00")
    assert [event["summary"] for event in november] == ["Alice · 7.2 kWh · 2.16 EUR"]
    assert await get_events(hass, "2025-12-01T00:00:00", "2026-01-01T00:00:00") == []
    january = await get_events(hass, "2026-01-01T00:00:00", "2026-02-01T00:00:00")
    february = await get_events(hass, "2026-02-01T00:00:00", "2026-03-01T00:00:00")
    # The session across midnight belongs to both months.
    assert [event["summary"] for event in january] == ["Alice · 14.4 kWh · 4.32 EUR"]
    assert [event["summary"] for event in february] == [
        "Alice · 14.4 kWh · 4.32 EUR",
        "Unknown card · 3.6 kWh · 1.08 EUR",
    ]
    crossing = february[0]
    assert dt_util.parse_datetime(crossing["start"]) == local("2026-01-31T23:30:10")
    assert dt_util.parse_datetime(crossing["end"]) == local("2026-02-01T01:30:20")
    assert crossing["description"].splitlines() == [
        "Card: Alice",
        "Start: 2026-01-31 23:30",
        "End: 2026-02-01 01:30",
        "Energy: 14.400 kWh",
        "Cost: 4.32 EUR",
        "Duration: 2 h 00 min",
        "Charging time: 2 h 00 min",
        "Average power: 7.20 kW",
        "Peak power: 7.20 kW",
        "Measured by: meter",
    ]
    assert "Card ID: DEADBEEF01" in february[1]["description"]
    half_year = await get_events(hass, "2025-11-01T00:00:00", "2026-05-01T00:00:00")
    assert [event["summary"] for event in half_year] == [
        "Alice · 7.2 kWh · 2.16 EUR",
        "Alice · 14.4 kWh · 4.32 EUR",
        "Unknown card · 3.6 kWh · 1.08 EUR",
        "No card · 1.8 kWh · 0.54 EUR",
        "Alice · 5.0 kWh",
    ]


async def test_estimated_end_and_unpriced_energy(hass: HomeAssistant, garage) -> None:
    (event,) = await get_events(hass, "2026-03-10T00:00:00", "2026-03-11T00:00:00")
    lines = event["description"].splitlines()
    assert (
        "End: between 2026-03-10 19:00 and 2026-03-10 21:00"
        " (estimated: Home Assistant was not running when the vehicle left)"
    ) in lines
    assert "Cost: no price known" in lines
    assert "Unpriced energy: 5.000 kWh" in lines


async def test_rest_view_matches_the_action(
    hass: HomeAssistant, garage, hass_client: ClientSessionGenerator
) -> None:
    """The calendar panel's REST view lists the same events as the action."""
    client = await hass_client()
    listed = await client.get("/api/calendars")
    assert {"entity_id": CALENDAR, "name": "Garage Charging sessions"}.items() <= next(
        item for item in await listed.json() if item["entity_id"] == CALENDAR
    ).items()
    query = urlencode(
        {
            "start": local("2026-01-15T00:00:00").isoformat(),
            "end": local("2026-03-15T00:00:00").isoformat(),
        }
    )
    response = await client.get(f"/api/calendars/{CALENDAR}?{query}")
    assert response.status == 200
    events = await response.json()
    action = await get_events(hass, "2026-01-15T00:00:00", "2026-03-15T00:00:00")
    assert [event["summary"] for event in events] == [event["summary"] for event in action]
    assert len(events) == 4
    assert events[0]["start"] == {"dateTime": "2026-01-31T23:30:10+01:00"}
    assert all(event["uid"] for event in events)


async def test_running_session_is_an_ongoing_event(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    garage,
    poll,
    clock: TestClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The calendar's state compares with dt_util.now(): let it follow the test clock too.
    monkeypatch.setattr(
        dt_util,
        "now",
        lambda time_zone=None: clock().astimezone(time_zone or dt_util.get_default_time_zone()),
    )
    step = poll(garage)
    assert hass.states.get(CALENDAR).state == STATE_OFF
    clock.move_to("2026-03-20T10:00:00+00:00")
    simulator.state.plug_in()
    await step(10)
    simulator.state.present_tag(ALICE)
    simulator.state.start_charging(7200)
    await step(600)
    state = hass.states.get(CALENDAR)
    assert state.state == STATE_ON
    assert state.attributes["message"] == "Alice · in progress"
    events = await get_events(hass, "2026-03-20T00:00:00", "2026-03-21T00:00:00")
    assert [event["summary"] for event in events] == ["Alice · 1.2 kWh · 0.36 EUR"]
    assert "End: still plugged in" in events[0]["description"]
    assert dt_util.parse_datetime(events[0]["end"]) == local("2026-03-20T11:11:00")
    simulator.state.unplug()
    await step(10)
    assert hass.states.get(CALENDAR).state == STATE_OFF
    events = await get_events(hass, "2026-03-20T00:00:00", "2026-03-21T00:00:00")
    assert [event["summary"] for event in events] == ["Alice · 1.2 kWh · 0.36 EUR"]
    assert "End: 2026-03-20 11:10" in events[0]["description"]
