"""Repairs (damaged history, suspicious activity), device triggers and logbook sentences."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import async_get_device_automations
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ev_session_monitor.const import (
    DOMAIN,
    EVENT_CARD_WITHDRAWN,
    EVENT_SESSION_COMPLETED,
    EVENT_SESSION_STARTED,
    EVENT_SITE_PAUSED,
    EVENT_SITE_RESUMED,
    EVENT_SUSPICIOUS_ACTIVITY,
    EVENT_TAG_ACCEPTED,
    EVENT_TYPES,
    EVENT_UNKNOWN_TAG,
    HISTORY_FILE,
)
from custom_components.ev_session_monitor.core.durations import duration_text
from custom_components.ev_session_monitor.logbook import async_describe_events
from tools.wallbox_simulator import WallboxSimulator

from .conftest import SetupEntry


async def test_damaged_history_is_kept_and_reported(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry
) -> None:
    path = Path(hass.config.path(HISTORY_FILE))
    path.parent.mkdir(parents=True)
    garbage = b"this is not a database" * 100
    path.write_bytes(garbage)
    await setup_entry()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "history_corrupt")
    assert issue is not None
    kept = Path(issue.translation_placeholders["kept"])
    assert kept.read_bytes() == garbage  # nothing already recorded is lost
    assert await hass.data[DOMAIN].archive.async_query() == []  # a fresh history works


async def test_suspicious_issue_is_acknowledged(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    poll,
    hass_client: ClientSessionGenerator,
) -> None:
    assert await async_setup_component(hass, "repairs", {})
    entry = await setup_entry(suspicious_attempts=1)
    step = poll(entry)
    simulator.state.plug_in()
    await step(10)
    simulator.state.present_tag("DEADBEEF01")
    await step(10)
    issue_id = f"suspicious_activity_{entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    client = await hass_client()
    response = await client.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id}
    )
    flow = await response.json()
    assert flow["step_id"] == "confirm"
    response = await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}", json={})
    assert (await response.json())["type"] == "create_entry"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_device_triggers_listed(hass: HomeAssistant, setup_entry: SetupEntry) -> None:
    entry = await setup_entry()
    triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, entry.runtime_data.device_id
    )
    ours = {trigger["type"] for trigger in triggers if trigger["domain"] == DOMAIN}
    assert ours == set(EVENT_TYPES)


def test_logbook_sentences(hass: HomeAssistant) -> None:
    described: dict[str, object] = {}
    async_describe_events(hass, lambda domain, event_type, fn: described.update({event_type: fn}))

    def say(event_type: str, **data: object) -> str:
        describe = described[event_type]
        return describe(Event(event_type, {"charger": "Garage", **data}))["message"]  # type: ignore[operator]

    assert say(EVENT_SESSION_STARTED) == "started a charging session"
    # Every entry of the integration has an icon in the logbook.
    for event_type, describe in described.items():
        icon = describe(Event(event_type, {"charger": "Garage"}))["icon"]  # type: ignore[operator]
        assert icon.startswith("mdi:"), event_type
    assert set(described) == {
        EVENT_SESSION_STARTED,
        EVENT_SESSION_COMPLETED,
        EVENT_TAG_ACCEPTED,
        EVENT_UNKNOWN_TAG,
        EVENT_SUSPICIOUS_ACTIVITY,
        EVENT_SITE_PAUSED,
        EVENT_SITE_RESUMED,
        EVENT_CARD_WITHDRAWN,
    }
    assert (
        say(
            EVENT_SESSION_COMPLETED,
            energy_kwh=5.5,
            duration_s=3600,
            cost=1.65,
            currency="EUR",
            tag_name="Alice",
        )
        == "completed a charging session by Alice: 5.50 kWh in 1 h 00 min for 1.65 EUR"
    )
    assert say(EVENT_TAG_ACCEPTED, tag_name="Alice") == "accepted tag Alice"
    assert say(EVENT_UNKNOWN_TAG, tag_id="DEADBEEF01", attempts=2) == (
        "saw unknown tag DEADBEEF01 (attempt 2)"
    )
    assert "3 unknown-tag attempts" in say(EVENT_SUSPICIOUS_ACTIVITY, attempts=3)
    assert "without a tag" in say(EVENT_SUSPICIOUS_ACTIVITY, reason="charging_without_tag")


def test_logbook_says_what_the_calendar_says(hass: HomeAssistant) -> None:
    """A 20 s session: the calendar's duration_text says 1 min, and so does the logbook."""
    described: dict[str, Any] = {}
    async_describe_events(hass, lambda domain, event_type, fn: described.update({event_type: fn}))
    event = Event(
        EVENT_SESSION_COMPLETED, {"charger": "Garage", "energy_kwh": 0.01, "duration_s": 20}
    )
    assert f"in {duration_text(20)}" in described[EVENT_SESSION_COMPLETED](event)["message"]
    assert "in 1 min" in described[EVENT_SESSION_COMPLETED](event)["message"]
