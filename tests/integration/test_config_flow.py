"""Config, reconfigure, reauth and options flows against the simulator."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import probatio as vol
import pytest
import yaml
from homeassistant.config_entries import SOURCE_RECONFIGURE
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import config_validation as cv
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ev_session_monitor.const import (
    CONF_FIXED_PRICE,
    CONF_POLL_INTERVAL,
    CONF_PRICE_ENTITY,
    CONF_PRICE_SOURCE,
    CONF_PROFILE,
    CONF_UNIT_ID,
    DOMAIN,
    PRICE_FIXED,
    PRICE_SENSOR,
)
from custom_components.ev_session_monitor.core.tags import KnownTag
from tests import test_translations as translations
from tools.wallbox_simulator import WallboxSimulator

from .conftest import SetupEntry, entry_for, start_network_flow


def user_input(sim: WallboxSimulator, **changes: object) -> dict[str, object]:
    return {
        CONF_NAME: "Garage",
        CONF_PROFILE: sim.profile.profile_id,
        CONF_HOST: "127.0.0.1",
        CONF_PORT: sim.port,
        **changes,
    }


async def test_user_flow_creates_entry(hass: HomeAssistant, simulator: WallboxSimulator) -> None:
    result = await start_network_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Garage"
    assert result["data"] == {
        CONF_PROFILE: "webasto_next",
        CONF_HOST: "127.0.0.1",
        CONF_PORT: simulator.port,
    }
    entry = result["result"]
    # Webasto NEXT reports no serial number: the address identifies it.
    assert entry.unique_id == f"webasto_next_127.0.0.1_{simulator.port}_255"
    await hass.async_block_till_done()
    assert hass.states.get("sensor.garage_status").state == "idle"

    # The same box cannot be added twice.
    again = await start_network_flow(hass)
    again = await hass.config_entries.flow.async_configure(
        again["flow_id"], user_input(simulator, **{CONF_NAME: "Other"})
    )
    assert again["type"] is FlowResultType.ABORT
    assert again["reason"] == "already_configured"


async def test_user_flow_errors_then_recovers(
    hass: HomeAssistant, simulator: WallboxSimulator
) -> None:
    result = await start_network_flow(hass)
    # Nothing listens there.
    await simulator.stop()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator)
    )
    assert result["errors"] == {"base": "cannot_connect"}
    await simulator.start()
    # A unit id the box does not serve: it answers, but not as the model does.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator, **{CONF_UNIT_ID: 7})
    )
    assert result["errors"] == {"base": "invalid_response"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_reconfigure(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry
) -> None:
    entry = await setup_entry()
    moved = WallboxSimulator("webasto_next", state=simulator.state)
    await moved.start()
    try:
        result = await entry.start_reconfigure_flow(hass)
        assert result["step_id"] == "reconfigure"
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: 1}
        )
        assert result["errors"] == {"base": "cannot_connect"}
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: moved.port}
        )
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "reconfigure_successful"
        assert entry.data[CONF_PORT] == moved.port
        await hass.async_block_till_done()
        assert hass.states.get("sensor.garage_status").state == "idle"
        assert await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await moved.stop()


async def test_reconfigure_refuses_a_different_box(hass: HomeAssistant) -> None:
    """A box that reports its serial: another serial at the new address is refused."""
    async with WallboxSimulator("go_echarger") as sim:
        result = await start_network_flow(hass)
        result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input(sim))
        entry = result["result"]
        assert entry.unique_id == "go-e_sim0001"
        await hass.async_block_till_done()
        sim.state.serial = "OTHER"
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
        )
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: sim.port}
        )
        assert result["reason"] == "different_device"
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_reauth_for_http_box_with_password(hass: HomeAssistant) -> None:
    async with WallboxSimulator("openevse", credentials=("admin", "secret")) as sim:
        result = await start_network_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], user_input(sim, **{CONF_USERNAME: "admin", CONF_PASSWORD: "x"})
        )
        assert result["errors"] == {"base": "invalid_auth"}
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            user_input(sim, **{CONF_USERNAME: "admin", CONF_PASSWORD: "secret"}),
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        entry = result["result"]
        await hass.async_block_till_done()
        # The password changes on the box: the next poll starts a reauth flow.
        sim.server.credentials = ("admin", "new")  # type: ignore[union-attr]
        await entry.runtime_data.coordinator.async_refresh()
        await hass.async_block_till_done()
        flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        assert [flow["context"]["source"] for flow in flows] == ["reauth"]
        result = await hass.config_entries.flow.async_configure(
            flows[0]["flow_id"], {CONF_USERNAME: "admin", CONF_PASSWORD: "wrong"}
        )
        assert result["errors"] == {"base": "invalid_auth"}
        result = await hass.config_entries.flow.async_configure(
            flows[0]["flow_id"], {CONF_USERNAME: "admin", CONF_PASSWORD: "new"}
        )
        assert result["reason"] == "reauth_successful"
        await hass.async_block_till_done()
        assert await hass.config_entries.async_unload(entry.entry_id)


def fields(result: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The form's fields as the frontend receives them (serialized like the REST API does)."""
    serialized = vol.to_field_list(result["data_schema"], custom_serializer=cv.custom_serializer)
    return {field["name"]: field for field in serialized}


async def open_settings(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "settings"}
    )


SETTINGS = {CONF_POLL_INTERVAL: 5, "suspicious_attempts": 3, "suspicious_window_min": 10}


async def test_options_settings(hass: HomeAssistant, setup_entry: SetupEntry) -> None:
    """Numbers are typed in boxes with units; only the chosen price source's field is asked."""
    hass.config.currency = "EUR"
    entry = await setup_entry()
    result = await open_settings(hass, entry)
    shown = fields(result)
    # No price field before a source is chosen.
    assert CONF_FIXED_PRICE not in shown and CONF_PRICE_ENTITY not in shown
    units = {
        name: (
            field["selector"]["number"]["mode"],
            field["selector"]["number"].get("unit_of_measurement"),
        )
        for name, field in shown.items()
        if "number" in field.get("selector", {})
    }
    assert units == {
        CONF_POLL_INTERVAL: ("box", "s"),
        "idle_poll_interval": ("box", "s"),
        "suspicious_attempts": ("box", None),
        "suspicious_window_min": ("box", "min"),
        "release_current": ("box", "A"),
        "battery_capacity_kwh": ("box", "kWh"),
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**SETTINGS, CONF_POLL_INTERVAL: 2.5}
    )
    assert result["errors"] == {CONF_POLL_INTERVAL: "whole_number"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**SETTINGS, CONF_PRICE_SOURCE: PRICE_FIXED}
    )
    assert result["step_id"] == "fixed_price"
    assert list(fields(result)) == [CONF_FIXED_PRICE]
    assert fields(result)[CONF_FIXED_PRICE]["selector"]["number"]["unit_of_measurement"] == (
        "EUR/kWh"
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_FIXED_PRICE: 0.31}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options[CONF_FIXED_PRICE] == 0.31
    assert entry.options[CONF_POLL_INTERVAL] == 5
    assert isinstance(entry.options[CONF_POLL_INTERVAL], int)
    # The entry reloaded with the new poll interval.
    assert entry.runtime_data.coordinator.poll_interval.total_seconds() == 5


async def test_options_price_sensor_must_exist(
    hass: HomeAssistant, setup_entry: SetupEntry
) -> None:
    entry = await setup_entry()
    result = await open_settings(hass, entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**SETTINGS, CONF_PRICE_SOURCE: PRICE_SENSOR}
    )
    assert result["step_id"] == "price_sensor"
    assert list(fields(result)) == [CONF_PRICE_ENTITY]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_PRICE_ENTITY: "sensor.no_such_price"}
    )
    assert result["errors"] == {CONF_PRICE_ENTITY: "price_entity_not_found"}
    hass.states.async_set("sensor.price", "0.30", {"unit_of_measurement": "EUR/kWh"})
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_PRICE_ENTITY: "sensor.price"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_PRICE_SOURCE] == PRICE_SENSOR
    assert entry.options[CONF_PRICE_ENTITY] == "sensor.price"
    assert CONF_FIXED_PRICE not in entry.options
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_options_manage_tags(hass: HomeAssistant, setup_entry: SetupEntry) -> None:
    entry = await setup_entry()
    hass.states.async_set("person.alice", "home", {"friendly_name": "Alice"})
    registry = hass.data[DOMAIN].tags.registry

    async def step(next_step: str) -> dict:
        result = await hass.config_entries.options.async_init(entry.entry_id)
        return await hass.config_entries.options.async_configure(
            result["flow_id"], {"next_step_id": next_step}
        )

    result = await step("edit_tag")
    assert result["reason"] == "no_tags"
    result = await step("add_tag")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"tag_id": "12", "name": "Short"}
    )
    assert result["errors"] == {"tag_id": "invalid_tag"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "tag_id": "04:a1:b2:c3:d4",
            "name": "Alice",
            "person": "person.alice",
            "price_per_kwh": 0.1,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert registry.get("04A1B2C3D4").name == "Alice"
    # The person picked here is the link the portal shows and visibility follows.
    assert registry.get("04A1B2C3D4").person == "person.alice"
    result = await step("add_tag")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"tag_id": "04a1b2c3d4", "name": "Again"}
    )
    assert result["errors"] == {"tag_id": "duplicate_tag"}

    # An owner typed as text by an earlier release stays on the card when it is edited.
    await hass.data[DOMAIN].tags.async_update(
        replace(registry.get("04A1B2C3D4"), owner="Cost center 7")
    )
    result = await step("edit_tag")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"tag_id": "04A1B2C3D4"}
    )
    assert result["step_id"] == "edit_tag_details"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"name": "Alice (staff)", "person": "person.alice", "chargers": [entry.unique_id]},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    tag = registry.get("04A1B2C3D4")
    assert tag.name == "Alice (staff)"
    assert tag.owner == "Cost center 7"
    assert tag.person == "person.alice"
    assert tag.allowed_on(entry.unique_id)
    assert not tag.allowed_on("another_box")

    result = await step("remove_tag")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"tags": ["04A1B2C3D4"]}
    )
    assert result["step_id"] == "remove_tag_confirm"
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert registry.get("04A1B2C3D4") is None


async def test_reconfigure_with_a_removed_profile(
    hass: HomeAssistant, simulator: WallboxSimulator
) -> None:
    """The user deleted their own profile file: reconfigure says so instead of crashing."""
    entry = entry_for(simulator)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_PROFILE: "gone"})
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: simulator.port}
    )
    assert result["errors"] == {CONF_PROFILE: "unknown_profile"}


async def test_remove_tags_preselects_nothing_and_says_what_goes(
    hass: HomeAssistant, setup_entry: SetupEntry
) -> None:
    """Issue 11 item 1: ticking one tag removes that tag only, after saying which it is."""
    entry = await setup_entry()
    tags = hass.data[DOMAIN].tags
    for tag_id, name in (("0A0A0A0A", "Anna"), ("0B0B0B0B", "Ben"), ("0C0C0C0C", "Cleo")):
        await tags.async_add(KnownTag(tag_id=tag_id, name=name))
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "remove_tag"}
    )
    picker = fields(result)["tags"]
    # Nothing ticked: neither required (the frontend ticks the first option) nor a default.
    assert picker["required"] is False
    assert "default" not in picker
    assert "suggested_value" not in (picker.get("description") or {})
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["errors"] == {"tags": "no_tag_selected"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"tags": ["0B0B0B0B"]}
    )
    assert result["step_id"] == "remove_tag_confirm"
    assert result["description_placeholders"] == {"tags": "- Ben (0B0B0B0B)"}
    assert [tag.name for tag in tags.registry] == ["Anna", "Ben", "Cleo"]  # not yet
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert [tag.name for tag in tags.registry] == ["Anna", "Cleo"]


async def test_tag_names_are_bounded_in_the_options(
    hass: HomeAssistant, setup_entry: SetupEntry
) -> None:
    """Issue 11 item 12: a 100,000-character name is refused with a form error."""
    entry = await setup_entry()
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "add_tag"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"tag_id": "0A0A0A0A", "name": "x" * 100_000, "person": "person.nobody"}
    )
    assert result["errors"] == {"name": "invalid_tag_name", "person": "unknown_person"}
    assert len(hass.data[DOMAIN].tags.registry) == 0
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"tag_id": "0A0A0A0A", "name": "n" * 64}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "edit_tag"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"tag_id": "0A0A0A0A"}
    )
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"name": "   "})
    assert result["errors"] == {"name": "invalid_tag_name"}
    assert hass.data[DOMAIN].tags.registry.get("0A0A0A0A").name == "n" * 64


@pytest.fixture
def rest_flow(hass: HomeAssistant) -> Any:
    """Drive the config flow through the flow manager, as the REST API view does."""

    async def post(path: str, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if not path:
            result = await start_network_flow(hass)
        else:
            result = await hass.config_entries.flow.async_configure(path.lstrip("/"), data)
        return 200, dict(result)

    return post


@pytest.mark.parametrize(
    "host",
    ["a" * 64 + ".local", "x" * 10_000, "wall\0box.local", "wall box", "-bad.local", ""],
)
async def test_hostile_hosts_get_a_form_error(
    hass: HomeAssistant, simulator: WallboxSimulator, rest_flow: Any, host: str
) -> None:
    """Issue 11 item 10: an unusable host is a translated form error, never HTTP 500."""
    status, result = await rest_flow("", {"handler": DOMAIN})
    assert status == 200
    status, result = await rest_flow(
        f"/{result['flow_id']}", user_input(simulator, **{CONF_HOST: host})
    )
    assert status == 200, result
    assert result["errors"] == {CONF_HOST: "invalid_host"}


async def test_port_must_be_a_whole_number(
    hass: HomeAssistant, simulator: WallboxSimulator, rest_flow: Any
) -> None:
    """Issue 11 item 10: port 1.5 is refused, not silently used as port 1."""
    status, result = await rest_flow("", {"handler": DOMAIN})
    status, result = await rest_flow(
        f"/{result['flow_id']}", user_input(simulator, **{CONF_PORT: 1.5, CONF_UNIT_ID: 2.5})
    )
    assert status == 200, result
    assert result["errors"] == {CONF_PORT: "whole_number", CONF_UNIT_ID: "whole_number"}
    status, result = await rest_flow(
        f"/{result['flow_id']}",
        user_input(simulator, **{CONF_PORT: float(simulator.port), CONF_HOST: " 127.0.0.1 "}),
    )
    assert result["type"] == "create_entry"
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    assert entry.data[CONF_PORT] == simulator.port
    assert isinstance(entry.data[CONF_PORT], int)
    assert entry.data[CONF_HOST] == "127.0.0.1"
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_reauth_refuses_credentials_of_another_box(hass: HomeAssistant) -> None:
    """Issue 11 item 10: another box answering at the address does not take over the entry."""
    async with WallboxSimulator("go_echarger", credentials=("admin", "secret")) as sim:
        result = await start_network_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            user_input(sim, **{CONF_USERNAME: "admin", CONF_PASSWORD: "secret"}),
        )
        entry = result["result"]
        assert entry.unique_id == "go-e_sim0001"
        await hass.async_block_till_done()
        # A different box now answers at this address, with a password of its own.
        sim.state.serial = "OTHER"
        sim.server.credentials = ("admin", "other")  # type: ignore[union-attr]
        await entry.runtime_data.coordinator.async_refresh()
        await hass.async_block_till_done()
        flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        assert [flow["context"]["source"] for flow in flows] == ["reauth"]
        result = await hass.config_entries.flow.async_configure(
            flows[0]["flow_id"], {CONF_USERNAME: "admin", CONF_PASSWORD: "other"}
        )
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "different_device"
        assert entry.data[CONF_PASSWORD] == "secret"
        assert await hass.config_entries.async_unload(entry.entry_id)


def assert_shown(result: Mapping[str, Any], kind: str) -> None:
    """Everything the frontend shows for this flow result has a translation that renders."""
    strings = translations.load()
    placeholders = dict(result.get("description_placeholders") or {})
    step = result.get("step_id")
    kind_type = result["type"]
    if kind_type is FlowResultType.ABORT:
        translations.render(
            translations.lookup(strings, f"{kind}.abort.{result['reason']}"), placeholders
        )
        return
    if kind_type is FlowResultType.CREATE_ENTRY:
        return
    base = f"{kind}.step.{step}"
    if kind_type is FlowResultType.MENU:
        for option in result["menu_options"]:
            translations.render(translations.lookup(strings, f"{base}.menu_options.{option}"))
        return
    assert kind_type is FlowResultType.FORM
    for part in ("title", "description"):
        try:
            text = translations.lookup(strings, f"{base}.{part}")
        except KeyError:
            continue
        translations.render(text, placeholders)
    for name, field in fields(result).items():
        translations.render(translations.lookup(strings, f"{base}.data.{name}"))
        translations.render(translations.lookup(strings, f"{base}.data_description.{name}"))
        select = field.get("selector", {}).get("select", {})
        if select.get("translation_key"):
            for option in select["options"]:
                translations.render(
                    translations.lookup(
                        strings, f"selector.{select['translation_key']}.options.{option}"
                    )
                )
    for error in (result.get("errors") or {}).values():
        translations.render(translations.lookup(strings, f"{kind}.error.{error}"), placeholders)


async def test_new_user_walk_shows_no_raw_key(
    hass: HomeAssistant, simulator: WallboxSimulator
) -> None:
    """Every step and error of adding a wallbox, its options and its tags renders fully."""
    flow = hass.config_entries.flow
    result = await start_network_flow(hass)
    assert_shown(result, "config")
    for bad in ({CONF_HOST: "x" * 70}, {CONF_PORT: 1.5}, {CONF_PORT: 1}, {CONF_UNIT_ID: 7}):
        result = await flow.async_configure(result["flow_id"], user_input(simulator, **bad))
        assert result["errors"]
        assert_shown(result, "config")
    result = await flow.async_configure(result["flow_id"], user_input(simulator))
    entry = result["result"]
    await hass.async_block_till_done()
    result = await start_network_flow(hass)
    result = await flow.async_configure(result["flow_id"], user_input(simulator))
    assert_shown(result, "config")  # already configured

    options = hass.config_entries.options

    async def menu(step: str) -> dict[str, Any]:
        result = await options.async_init(entry.entry_id)
        assert_shown(result, "options")
        result = await options.async_configure(result["flow_id"], {"next_step_id": step})
        assert_shown(result, "options")
        return result

    for step in ("edit_tag", "remove_tag"):
        assert (await menu(step))["reason"] == "no_tags"
    result = await menu("settings")
    result = await options.async_configure(result["flow_id"], {**SETTINGS, CONF_POLL_INTERVAL: 2.5})
    assert_shown(result, "options")
    result = await options.async_configure(
        result["flow_id"], {**SETTINGS, CONF_PRICE_SOURCE: PRICE_FIXED}
    )
    assert_shown(result, "options")
    await options.async_configure(result["flow_id"], {CONF_FIXED_PRICE: 0.3})
    await hass.async_block_till_done()
    result = await menu("settings")
    result = await options.async_configure(
        result["flow_id"], {**SETTINGS, CONF_PRICE_SOURCE: PRICE_SENSOR}
    )
    assert_shown(result, "options")
    result = await options.async_configure(result["flow_id"], {CONF_PRICE_ENTITY: "sensor.none"})
    assert_shown(result, "options")
    result = await menu("add_tag")
    for bad in (
        {"tag_id": "12", "name": "Short"},
        {"tag_id": "0A0A0A0A", "name": " ", "person": "person.nobody"},
    ):
        result = await options.async_configure(result["flow_id"], bad)
        assert result["errors"]
        assert_shown(result, "options")
    await options.async_configure(result["flow_id"], {"tag_id": "0A0A0A0A", "name": "Anna"})
    result = await menu("add_tag")
    result = await options.async_configure(result["flow_id"], {"tag_id": "0a0a0a0a", "name": "A"})
    assert result["errors"] == {"tag_id": "duplicate_tag"}
    assert_shown(result, "options")
    result = await menu("edit_tag")
    result = await options.async_configure(result["flow_id"], {"tag_id": "0A0A0A0A"})
    assert_shown(result, "options")
    result = await menu("remove_tag")
    result = await options.async_configure(result["flow_id"], {})
    assert_shown(result, "options")
    result = await options.async_configure(result["flow_id"], {"tags": ["0A0A0A0A"]})
    assert_shown(result, "options")
    assert "Anna (0A0A0A0A)" in translations.render(
        translations.lookup(translations.load(), "options.step.remove_tag_confirm.description"),
        result["description_placeholders"],
    )

    result = await flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    assert_shown(result, "config")
    result = await flow.async_configure(result["flow_id"], {CONF_HOST: "bad host"})
    assert_shown(result, "config")
    result = await flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: simulator.port}
    )
    assert_shown(result, "config")
    await hass.async_block_till_done()
    entry.async_start_reauth(hass)
    await hass.async_block_till_done()
    (reauth,) = flow.async_progress_by_handler(DOMAIN)
    result = await flow.async_configure(reauth["flow_id"])
    assert result["step_id"] == "reauth_confirm"
    assert_shown(result, "config")
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_readme_dashboard_example_works_for_any_wallbox_name(
    hass: HomeAssistant, simulator: WallboxSimulator
) -> None:
    """Issue 11 item 8: the README's rule turns the example into ids that exist."""
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Blueprints and dashboard") :]
    assert '"Car port" has `sensor.car_port_status`' in section
    # The card example is device-based; the ids the rule names must exist for "Car port".
    card = yaml.safe_load(section.split("```yaml\n")[1].split("```")[0])
    assert card["type"] == "custom:ev-session-card"
    assert "device_id" in card
    ids = sorted(set(re.findall(r"`(sensor\.car_port_[a-z_]+)`", section)))
    assert len(ids) >= 2
    result = await start_network_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator, **{CONF_NAME: "Car port"})
    )
    await hass.async_block_till_done()
    assert [entity_id for entity_id in ids if hass.states.get(entity_id) is None] == []
    assert await hass.config_entries.async_unload(result["result"].entry_id)


def initial_value(field: Mapping[str, Any]) -> Any:
    """What the frontend puts in a field when the form opens.

    The rule of home-assistant/frontend `src/components/ha-form/compute-initial-ha-form-data.ts`:
    the suggested value, else the default, else nothing for an optional field; a required
    number selector starts at its minimum (0 without one).
    """
    suggested = (field.get("description") or {}).get("suggested_value")
    if suggested is not None:
        return suggested
    if "default" in field:
        return field["default"]
    if not field.get("required"):
        return None
    number = field.get("selector", {}).get("number")
    return number.get("min", 0) if number is not None else None


async def test_fixed_price_box_does_not_start_at_the_minimum(
    hass: HomeAssistant, setup_entry: SetupEntry
) -> None:
    """Issue 26 item 15: the box opened with -10 in it, so typing 0.32 gave -100.32."""
    entry = await setup_entry()
    result = await open_settings(hass, entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**SETTINGS, CONF_PRICE_SOURCE: PRICE_FIXED}
    )
    assert initial_value(fields(result)[CONF_FIXED_PRICE]) is None  # empty: what is typed counts
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["errors"] == {CONF_FIXED_PRICE: "price_required"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_FIXED_PRICE: 0.32}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options[CONF_FIXED_PRICE] == 0.32
    # Changing it later starts from the price in force.
    result = await open_settings(hass, entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**SETTINGS, CONF_PRICE_SOURCE: PRICE_FIXED}
    )
    assert initial_value(fields(result)[CONF_FIXED_PRICE]) == 0.32


@pytest.mark.parametrize("not_a_number", [float("nan"), "NaN", float("inf")])
async def test_options_refuse_numbers_that_are_not_numbers(
    hass: HomeAssistant, setup_entry: SetupEntry, not_a_number: Any
) -> None:
    """Issue 26 item 12: NaN passes every range check; each number field says so instead.

    Infinity is out of every bounded selector's range already; NaN ("NaN" is coerced to it) is
    not: before, it was saved and made every cost NaN, and a tag price of NaN was an HTTP 500.
    """
    entry = await setup_entry()
    options = hass.config_entries.options
    for field in ("release_current", "battery_capacity_kwh"):
        result = await open_settings(hass, entry)
        try:
            result = await options.async_configure(
                result["flow_id"], {**SETTINGS, field: not_a_number}
            )
        except vol.Invalid:
            assert not_a_number == float("inf")  # the selector's range refused it
            continue
        assert result["errors"] == {field: "not_a_number"}
    result = await open_settings(hass, entry)
    result = await options.async_configure(
        result["flow_id"], {**SETTINGS, CONF_PRICE_SOURCE: PRICE_FIXED}
    )
    try:
        result = await options.async_configure(result["flow_id"], {CONF_FIXED_PRICE: not_a_number})
    except vol.Invalid:
        assert not_a_number == float("inf")
    else:
        assert result["errors"] == {CONF_FIXED_PRICE: "not_a_number"}
    result = await options.async_init(entry.entry_id)
    result = await options.async_configure(result["flow_id"], {"next_step_id": "add_tag"})
    try:
        result = await options.async_configure(
            result["flow_id"],
            {"tag_id": "0A0A0A0A", "name": "Van", "price_per_kwh": not_a_number},
        )
    except vol.Invalid:
        assert not_a_number == float("inf")
    else:
        assert result["errors"] == {"price_per_kwh": "not_a_number"}
    assert len(hass.data[DOMAIN].tags.registry) == 0
    assert CONF_FIXED_PRICE not in entry.options
    assert translations.load()["options"]["error"]["not_a_number"]


async def test_wallbox_names_are_bounded_and_a_box_added_again_takes_its_new_name(
    hass: HomeAssistant, simulator: WallboxSimulator
) -> None:
    """Issue 26 item 14: a 300-character name was accepted, and its entity ids came back when
    the same box was added again as "Car port" (so sensor.car_port_status did not exist)."""
    flow = hass.config_entries.flow
    result = await start_network_flow(hass)
    result = await flow.async_configure(
        result["flow_id"], user_input(simulator, **{CONF_NAME: "g" * 300})
    )
    assert result["errors"] == {CONF_NAME: "invalid_name"}
    result = await flow.async_configure(
        result["flow_id"], user_input(simulator, **{CONF_NAME: "g" * 64})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    first = result["result"]
    assert hass.states.get(f"sensor.{'g' * 64}_status") is not None
    assert await hass.config_entries.async_remove(first.entry_id)
    await hass.async_block_till_done()
    result = await start_network_flow(hass)
    result = await flow.async_configure(
        result["flow_id"], user_input(simulator, **{CONF_NAME: "Car port"})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert result["result"].unique_id == first.unique_id  # the same box
    assert hass.states.get("sensor.car_port_status") is not None
    assert hass.states.get(f"sensor.{'g' * 64}_status") is None
    assert await hass.config_entries.async_unload(result["result"].entry_id)
