"""Authorization end to end: tags, unknown-tag events, suspicious activity, enforcement."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from homeassistant.components.automation import DOMAIN as AUTOMATION_DOMAIN
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.ev_session_monitor.const import (
    CONF_ENFORCE,
    CONF_HASH_UNKNOWN_TAGS,
    CONF_RELEASE_CURRENT,
    CONF_REQUIRES_AUTHORIZATION,
    DOMAIN,
    EVENT_SESSION_COMPLETED,
    EVENT_SUSPICIOUS_ACTIVITY,
    EVENT_TAG_ACCEPTED,
    EVENT_UNKNOWN_TAG,
)
from custom_components.ev_session_monitor.core.tags import KnownTag, hash_tag
from tools.wallbox_simulator import WallboxSimulator

from .conftest import SetupEntry, TestClock, coordinator_of
from .test_sessions import collect

STAFF = KnownTag(
    tag_id="04A1B2C3D4",
    name="Alice (staff)",
    owner="Alice",
    price_per_kwh=0.10,
    chargers=frozenset(),
)


async def add_known(hass: HomeAssistant, tag: KnownTag = STAFF) -> None:
    await hass.data[DOMAIN].tags.async_add(tag)


async def test_known_tag_starts_session_with_its_name_and_price(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    accepted = collect(hass, EVENT_TAG_ACCEPTED)
    completed = collect(hass, EVENT_SESSION_COMPLETED)
    entry = await setup_entry()
    await add_known(hass)
    step = poll(entry)
    sim = simulator.state
    sim.plug_in()
    await step(10)
    assert hass.states.get("sensor.garage_authorization").state == "not_required"
    sim.present_tag("04:a1:b2:c3:d4")
    sim.start_charging(7200)
    await step(10)
    assert [event["tag_name"] for event in accepted] == ["Alice (staff)"]
    assert hass.states.get("sensor.garage_authorization").state == "authorized"
    assert hass.states.get("sensor.garage_last_tag").state == "Alice (staff)"
    await step(500)
    sim.unplug()
    await step(10)
    assert completed[0]["tag_id"] == "04A1B2C3D4"
    assert completed[0]["tag_name"] == "Alice (staff)"
    # The staff rate applies (no tariff configured): 1 kWh at 0.10.
    assert completed[0]["energy_kwh"] == round(sim.delivered_this_plugin_wh / 1000, 3) == 1.02
    assert completed[0]["cost"] == 0.1
    assert hass.states.get("sensor.garage_last_session_tag").state == "Alice (staff)"


async def test_unknown_tag_event_per_attempt_and_suspicious_activity(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    unknown = collect(hass, EVENT_UNKNOWN_TAG)
    suspicious = collect(hass, EVENT_SUSPICIOUS_ACTIVITY)
    entry = await setup_entry()
    step = poll(entry)
    sim = simulator.state
    for attempt in range(1, 4):
        sim.plug_in()
        await step(10)
        sim.present_tag(f"DEADBEEF0{attempt}")
        await step(10)
        last_event = hass.states.get("event.garage_wallbox_events").attributes["event_type"]
        await step(10)  # still shown: no new attempt
        sim.unplug()
        await step(10)
        assert len(unknown) == attempt
    assert [event["attempts"] for event in unknown] == [1, 2, 3]
    first = unknown[0]
    assert first["tag_id"] == "DEADBEEF01"
    assert first["charger"] == "Garage"
    assert first["device_id"] == entry.runtime_data.device_id
    assert first["entry_id"] == entry.entry_id
    assert "time" in first
    assert len(suspicious) == 1
    assert suspicious[0]["attempts"] == 3
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"suspicious_activity_{entry.entry_id}")
    assert issue is not None and issue.is_fixable
    assert last_event == "suspicious_activity"


async def test_learn_last_unknown_tag(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    entry = await setup_entry()
    step = poll(entry)
    sim = simulator.state
    sim.plug_in()
    sim.present_tag("CAFE0001")
    await step(10)
    sim.unplug()
    await step(10)
    sim.plug_in()
    await step(10)
    sim.present_tag("CAFE0002")
    await step(10)
    assert hass.states.get("sensor.garage_authorization").state == "unknown_tag"
    response = await hass.services.async_call(
        DOMAIN,
        "learn_last_tag",
        {"config_entry_id": entry.entry_id, "name": "Guest 2"},
        blocking=True,
        return_response=True,
    )
    assert response == {"tag_id": "CAFE0002", "name": "Guest 2"}
    await step(10)
    assert hass.states.get("sensor.garage_authorization").state == "authorized"
    assert hass.states.get("sensor.garage_last_tag").state == "Guest 2"


async def test_learn_button(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    entry = await setup_entry()
    step = poll(entry)
    simulator.state.plug_in()
    await step(10)
    simulator.state.present_tag("CAFE0003")
    await step(10)
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.garage_learn_last_unknown_tag"}, blocking=True
    )
    assert hass.data[DOMAIN].tags.registry.get("CAFE0003") is not None
    with pytest.raises(Exception, match="No unknown tag"):
        await hass.services.async_call(
            "button", "press", {"entity_id": "button.garage_learn_last_unknown_tag"}, blocking=True
        )


async def test_unknown_tag_visible_to_automation(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    """A UI-style automation (device trigger) runs when an unknown card is presented."""
    calls: list[ServiceCall] = []
    hass.services.async_register("test", "notify", calls.append)
    entry = await setup_entry()
    device_id = entry.runtime_data.device_id
    assert await async_setup_component(
        hass,
        AUTOMATION_DOMAIN,
        {
            AUTOMATION_DOMAIN: [
                {
                    "trigger": {
                        "platform": "device",
                        "domain": DOMAIN,
                        "device_id": device_id,
                        "type": "unknown_tag",
                    },
                    "action": {
                        "service": "test.notify",
                        "data": {"tag": "{{ trigger.event.data.tag_id }}"},
                    },
                },
                {
                    "trigger": {"platform": "event", "event_type": EVENT_UNKNOWN_TAG},
                    "action": {"service": "test.notify", "data": {"via": "event"}},
                },
            ]
        },
    )
    step = poll(entry)
    simulator.state.plug_in()
    await step(10)
    simulator.state.present_tag("BADC0FFEE1")
    await step(10)
    assert sorted(str(call.data) for call in calls) == sorted(
        ["{'tag': 'BADC0FFEE1'}", "{'via': 'event'}"]
    )


async def test_hashed_unknown_tags(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    unknown = collect(hass, EVENT_UNKNOWN_TAG)
    entry = await setup_entry(**{CONF_HASH_UNKNOWN_TAGS: True})
    step = poll(entry)
    simulator.state.plug_in()
    await step(10)
    simulator.state.present_tag("BADC0FFEE1")
    await step(10)
    assert unknown[0]["tag_id"] == hash_tag("BADC0FFEE1")
    assert "BADC0FFEE1" not in str(hass.states.get("sensor.garage_last_tag").state)


async def test_charging_without_tag_is_suspicious_when_required(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    suspicious = collect(hass, EVENT_SUSPICIOUS_ACTIVITY)
    entry = await setup_entry(**{CONF_REQUIRES_AUTHORIZATION: True})
    step = poll(entry)
    simulator.state.plug_in()
    await step(10)
    assert hass.states.get("sensor.garage_authorization").state == "waiting_for_authorization"
    simulator.state.start_charging(3600)
    await step(10)
    await step(10)
    assert [event["reason"] for event in suspicious] == ["charging_without_tag"]


async def test_enforcement_locks_until_known_tag(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    poll,
    clock: TestClock,
) -> None:
    """0 A for unknown tags; the configured current for a known one; keepalive observed."""
    entry = await setup_entry(**{CONF_ENFORCE: True, CONF_RELEASE_CURRENT: 16})
    await add_known(hass)
    step = poll(entry)
    sim = simulator.state
    assert sim.current_limit_a == 0  # locked from the first poll on
    assert hass.states.get("binary_sensor.garage_charging_lock").state == "off"
    sim.plug_in()
    sim.start_charging(11000)
    await step(10)
    assert sim.power_w == 0
    assert hass.states.get("sensor.garage_authorization").state == "waiting_for_authorization"
    sim.present_tag("BADC0FFEE1")
    await step(10)
    assert sim.current_limit_a == 0
    assert sim.power_w == 0
    sim.present_tag("04A1B2C3D4")
    await step(10)
    assert sim.current_limit_a == 16
    assert sim.power_w == 11000  # released: the car draws what it wants below 16 A
    assert hass.states.get("binary_sensor.garage_charging_lock").state == "on"
    keepalives = sim.keepalives
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert sim.keepalives > keepalives
    sim.unplug()
    await step(10)
    assert sim.current_limit_a == 0  # locked again for the next car


async def test_enforcement_lost_is_reported(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    entry = await setup_entry(**{CONF_ENFORCE: True})
    step = poll(entry)
    simulator.state.faults.refuse_connections = True
    simulator.drop_connections()
    await step(10)
    issue_id = f"enforcement_lost_{entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    # Never claims "locked" while the box cannot be reached.
    assert hass.states.get("binary_sensor.garage_charging_lock").state == "unavailable"
    simulator.state.faults.refuse_connections = False
    await step(10)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert coordinator_of(entry).data.locked is True


async def test_card_added_in_options_while_waiting_is_admitted_at_once(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    """Issue 11 item 3: the waiting card becomes known; the box is released without replugging."""
    entry = await setup_entry(**{CONF_ENFORCE: True, CONF_RELEASE_CURRENT: 16})
    step = poll(entry)
    sim = simulator.state
    sim.plug_in()
    sim.start_charging(11000)
    await step(10)
    sim.present_tag("CAFE0042")
    await step(10)
    assert hass.states.get("sensor.garage_authorization").state == "unknown_tag"
    assert sim.current_limit_a == 0
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "add_tag"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"tag_id": "cafe0042", "name": "Guest"}
    )
    await hass.async_block_till_done()
    # No poll and no new card read in between: the change alone admits the card.
    assert hass.states.get("sensor.garage_authorization").state == "authorized"
    assert sim.current_limit_a == 16
    await step(10)
    assert sim.power_w == 11000
    assert hass.states.get("sensor.garage_authorization").state == "authorized"
    assert hass.states.get("sensor.garage_last_tag").state == "Guest"


async def test_learned_name_is_bounded_and_event_texts_stay_small(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    """Issue 11 item 12: a 100,000-character name is refused; event texts stay short."""
    unknown = collect(hass, EVENT_UNKNOWN_TAG)
    entry = await setup_entry()
    hass.config_entries.async_update_entry(entry, title="G" * 100_000)
    step = poll(entry)
    simulator.state.plug_in()
    await step(10)
    simulator.state.present_tag("CAFE0043")
    await step(10)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "learn_last_tag",
            {"config_entry_id": entry.entry_id, "name": "x" * 100_000},
            blocking=True,
        )
    assert err.value.translation_key == "invalid_tag_name"
    assert len(str(err.value)) < 100
    assert hass.data[DOMAIN].tags.registry.get("CAFE0043") is None
    assert len(unknown) == 1
    assert len(json.dumps(unknown[0])) < 1000
    assert unknown[0]["charger"].startswith("GGG")
