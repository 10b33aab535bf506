"""A card's name is the same in every view; odd card ids are unknown cards (issue 26 item 16)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.components.calendar import DOMAIN as CALENDAR_DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from custom_components.ev_session_monitor.const import DOMAIN
from custom_components.ev_session_monitor.core.model import SessionRecord
from custom_components.ev_session_monitor.core.tags import KnownTag
from tools.wallbox_simulator import WallboxSimulator

from .conftest import SetupEntry, TestClock, coordinator_of, stepper
from .test_sessions import collect


async def test_card_learned_after_its_session_has_one_name_everywhere(
    hass: HomeAssistant, setup_entry: SetupEntry, hass_ws_client: Any
) -> None:
    """Recorded while unknown (no name), learned later as "Van": the portal showed the raw id
    and the calendar "Van"."""
    entry = await setup_entry()
    coordinator = coordinator_of(entry)
    start = dt_util.utcnow().replace(microsecond=0) - timedelta(hours=3)
    await hass.data[DOMAIN].archive.async_add(
        SessionRecord(
            session_id="s1",
            charger_id=coordinator.charger_id,
            charger_name="Garage",
            started_at=start,
            ended_at=start + timedelta(hours=1),
            charging_s=3600.0,
            energy_wh=7000.0,
            cost=None,
            currency="EUR",
            avg_power_w=7000.0,
            peak_power_w=7000.0,
            tag_id="CAFE0001",
            tag_name=None,
            energy_source="meter",
            gaps=0,
        )
    )
    await hass.data[DOMAIN].tags.async_add(KnownTag("CAFE0001", "Van"))
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": f"{DOMAIN}/sessions"})
    sessions = (await client.receive_json())["result"]["sessions"]
    await client.send_json_auto_id({"type": f"{DOMAIN}/totals"})
    by_tag = (await client.receive_json())["result"]["by_tag"]
    events = await hass.services.async_call(
        CALENDAR_DOMAIN,
        "get_events",
        {
            "entity_id": "calendar.garage_charging_sessions",
            "start_date_time": start - timedelta(hours=1),
            "end_date_time": start + timedelta(hours=2),
        },
        blocking=True,
        return_response=True,
    )
    (event,) = events["calendar.garage_charging_sessions"]["events"]
    assert event["summary"].startswith("Van")
    assert [session["tag_name"] for session in sessions] == ["Van"]
    assert {row["tag_name"] for row in by_tag} == {"Van"}


async def test_card_id_with_an_odd_character_is_an_unknown_card(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, clock: TestClock
) -> None:
    """Before, "04A1?B2C3" read as no card at all: no unknown-card event, nothing counted."""
    unknown = collect(hass, f"{DOMAIN}_unknown_tag")
    entry = await setup_entry()
    step = stepper(hass, simulator, clock, entry)
    sim = simulator.state
    sim.plug_in()
    await step(10)
    sim.present_tag("04A1?B2C3")
    await step(10)
    assert [(event["tag_id"], event["attempts"]) for event in unknown] == [("04A1_B2C3", 1)]
    assert hass.states.get("sensor.garage_last_tag").state == "04A1_B2C3"
