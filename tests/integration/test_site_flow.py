"""Adding a site in the UI and changing it in its options (real config flow, real wallboxes)."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ev_session_monitor.const import (
    CONF_CONTROLS_ADMIN_ONLY,
    DOMAIN,
    EVENT_SITE_PAUSED,
    EVENT_SITE_RESUMED,
)
from custom_components.ev_session_monitor.logbook import _message
from custom_components.ev_session_monitor.site_config import (
    CONF_FALLBACK,
    CONF_GRID_SOURCE,
    CONF_KIND,
    CONF_LIMIT,
    CONF_MARGIN,
    CONF_STABLE,
    CONF_WALLBOXES,
    GRID_CURRENT,
    GRID_NONE,
    KIND_SITE,
)
from tools.wallbox_simulator import WallboxSimulator

from .conftest import SetupEntry


def main_form(entry_ids: list[str], **changes: Any) -> dict[str, Any]:
    return {
        CONF_NAME: "Carport",
        CONF_LIMIT: 16,
        CONF_MARGIN: 1,
        CONF_STABLE: 60,
        CONF_WALLBOXES: entry_ids,
        CONF_CONTROLS_ADMIN_ONLY: False,
        CONF_GRID_SOURCE: GRID_NONE,
        **changes,
    }


async def start_site_flow(hass: HomeAssistant) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    assert "site" in result["menu_options"]
    return dict(
        await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": "site"})
    )


async def test_no_site_without_a_controllable_wallbox(hass: HomeAssistant) -> None:
    result = await start_site_flow(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_controllable_wallboxes"


async def test_site_flow_creates_a_site_with_wiring(
    hass: HomeAssistant, setup_entry: SetupEntry
) -> None:
    box = await setup_entry()
    result = await start_site_flow(hass)
    assert result["type"] is FlowResultType.FORM and result["step_id"] == "site"
    result = dict(
        await hass.config_entries.flow.async_configure(
            result["flow_id"], main_form([box.entry_id], **{CONF_GRID_SOURCE: GRID_CURRENT})
        )
    )
    assert result["step_id"] == "site_box"
    assert result["description_placeholders"] == {"wallbox": "Garage"}
    result = dict(
        await hass.config_entries.flow.async_configure(
            result["flow_id"], {"l1_phase": "1", "phases": "1", "priority": 2}
        )
    )
    assert result["step_id"] == "site_grid"
    hass.states.async_set("sensor.grid_l1", "3", {"unit_of_measurement": "A"})
    result = dict(
        await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {
                "current_l1": "sensor.grid_l1",
                "current_l2": "sensor.missing",
                "current_l3": "sensor.grid_l1",
            },
        )
    )
    assert result["errors"] == {"current_l2": "entity_not_found"}
    hass.states.async_set("sensor.grid_l2", "3")
    hass.states.async_set("sensor.grid_l3", "3")
    result = dict(
        await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {
                "current_l1": "sensor.grid_l1",
                "current_l2": "sensor.grid_l2",
                "current_l3": "sensor.grid_l3",
                CONF_FALLBACK: 8,
            },
        )
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Carport"
    assert result["data"] == {CONF_KIND: KIND_SITE}
    assert result["options"][CONF_WALLBOXES] == {
        box.entry_id: {"l1_phase": 1, "phases": 1, "priority": 2}
    }
    assert result["options"][CONF_FALLBACK] == 8
    await hass.async_block_till_done()
    assert hass.states.get("number.carport_site_limit") is not None
    assert hass.states.get("sensor.carport_garage_allocated_current") is not None
    # A second site of the same name, or with the same box, is refused.
    again = await start_site_flow(hass)
    again = dict(
        await hass.config_entries.flow.async_configure(
            again["flow_id"], main_form([box.entry_id], **{CONF_NAME: "Other"})
        )
    )
    assert again["errors"] == {CONF_WALLBOXES: "wallbox_on_other_site"}


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({CONF_LIMIT: float("nan")}, {CONF_LIMIT: "not_a_number"}),
        ({CONF_MARGIN: 11}, {CONF_MARGIN: "margin_too_large"}),
        ({CONF_STABLE: float("nan")}, {CONF_STABLE: "not_a_number"}),
        ({CONF_WALLBOXES: []}, {CONF_WALLBOXES: "no_wallboxes"}),
        ({CONF_NAME: ""}, {CONF_NAME: "invalid_name"}),
    ],
)
async def test_site_form_errors(
    hass: HomeAssistant,
    setup_entry: SetupEntry,
    changes: dict[str, Any],
    errors: dict[str, str],
) -> None:
    box = await setup_entry()
    result = await start_site_flow(hass)
    result = dict(
        await hass.config_entries.flow.async_configure(
            result["flow_id"], main_form([box.entry_id], **changes)
        )
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors


async def test_priority_must_be_whole(hass: HomeAssistant, setup_entry: SetupEntry) -> None:
    box = await setup_entry()
    result = await start_site_flow(hass)
    result = dict(
        await hass.config_entries.flow.async_configure(result["flow_id"], main_form([box.entry_id]))
    )
    result = dict(
        await hass.config_entries.flow.async_configure(
            result["flow_id"], {"l1_phase": "0", "phases": "3", "priority": 1.5}
        )
    )
    assert result["errors"] == {"priority": "whole_number"}
    result = dict(
        await hass.config_entries.flow.async_configure(
            result["flow_id"], {"l1_phase": "0", "phases": "3", "priority": 0}
        )
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


def site_entry(box_id: str, **options: Any) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title="Carport",
        unique_id="site_carport",
        data={CONF_KIND: KIND_SITE},
        options={
            CONF_LIMIT: 16,
            CONF_MARGIN: 1,
            CONF_STABLE: 60,
            CONF_GRID_SOURCE: GRID_NONE,
            CONF_WALLBOXES: {box_id: {"l1_phase": 0, "phases": 3, "priority": 0}},
            **options,
        },
    )


async def test_options_change_the_site(hass: HomeAssistant, setup_entry: SetupEntry) -> None:
    box = await setup_entry()
    site = site_entry(box.entry_id)
    site.add_to_hass(hass)
    assert await hass.config_entries.async_setup(site.entry_id)
    await hass.async_block_till_done()
    result = dict(await hass.config_entries.options.async_init(site.entry_id))
    assert result["step_id"] == "site"
    form = main_form([box.entry_id], **{CONF_LIMIT: 25})
    form.pop(CONF_NAME)
    result = dict(
        await hass.config_entries.options.async_configure(
            result["flow_id"], {**form, CONF_MARGIN: 20}
        )
    )
    assert result["errors"] == {CONF_MARGIN: "margin_too_large"}
    result = dict(await hass.config_entries.options.async_configure(result["flow_id"], form))
    assert result["step_id"] == "site_box"
    result = dict(
        await hass.config_entries.options.async_configure(
            result["flow_id"], {"l1_phase": "2", "phases": "3", "priority": 1}
        )
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert site.options[CONF_LIMIT] == 25
    assert site.options[CONF_WALLBOXES][box.entry_id]["l1_phase"] == 2
    # Reloaded with the new fuse: the limit entity offers it.
    state = hass.states.get("number.carport_site_limit")
    assert state is not None and float(state.state) == 25
    # A site is changed in its options, not reconfigured.
    result = dict(
        await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": site.entry_id}
        )
    )
    assert result["reason"] == "site_in_options"


async def test_site_diagnostics_redact_the_meter(
    hass: HomeAssistant, setup_entry: SetupEntry, hass_client: ClientSessionGenerator
) -> None:
    box = await setup_entry()
    hass.states.async_set("sensor.smith_p1_l1", "1")
    site = site_entry(
        box.entry_id,
        **{
            CONF_GRID_SOURCE: GRID_CURRENT,
            "current_l1": "sensor.smith_p1_l1",
            "current_l2": "sensor.smith_p1_l1",
            "current_l3": "sensor.smith_p1_l1",
        },
    )
    site.add_to_hass(hass)
    assert await hass.config_entries.async_setup(site.entry_id)
    await hass.async_block_till_done()
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, site)
    assert diagnostics["options"]["current_l1"] == "**REDACTED**"
    assert diagnostics["limit_a"] == 16
    assert diagnostics["boxes"][box.entry_id]["reason"] == "idle"
    assert "sensor.smith" not in str(diagnostics)


async def test_non_admin_cannot_lower_a_guarded_site_limit(
    hass: HomeAssistant, setup_entry: SetupEntry, hass_read_only_user: Any
) -> None:
    box = await setup_entry()
    site = site_entry(box.entry_id, **{CONF_CONTROLS_ADMIN_ONLY: True})
    site.add_to_hass(hass)
    assert await hass.config_entries.async_setup(site.entry_id)
    await hass.async_block_till_done()
    await refused_to_lower(hass, hass_read_only_user.id)
    assert site.runtime_data.controller.limit_a == 16


async def refused_to_lower(hass: HomeAssistant, user_id: str) -> None:
    """This user's call to lower the site limit to 10 A is refused."""
    from homeassistant.core import Context
    from homeassistant.exceptions import HomeAssistantError

    with pytest.raises(HomeAssistantError):
        await hass.services.async_call(
            "number",
            "set_value",
            {"entity_id": "number.carport_site_limit", "value": 10},
            blocking=True,
            context=Context(user_id=user_id),
        )


def test_logbook_tells_pause_and_resume() -> None:
    paused = _message(
        EVENT_SITE_PAUSED, {"site": "Carport", "reason": "paused_for_priority", "current_a": 0}
    )
    assert paused == "was paused by the site Carport for a car of higher priority"
    resumed = _message(EVENT_SITE_RESUMED, {"site": "Carport", "current_a": 7.0})
    assert resumed == "may charge again at 7 A (site Carport)"


async def test_wallbox_actions_refuse_a_site(
    hass: HomeAssistant, setup_entry: SetupEntry, simulator: WallboxSimulator
) -> None:
    from homeassistant.exceptions import ServiceValidationError

    box = await setup_entry()
    site = site_entry(box.entry_id)
    site.add_to_hass(hass)
    assert await hass.config_entries.async_setup(site.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN,
            "learn_last_tag",
            {"config_entry_id": site.entry_id},
            blocking=True,
            return_response=True,
        )
    # The site's unload leaves the box to its own controls.
    coordinator = box.runtime_data.coordinator
    assert await hass.config_entries.async_unload(site.entry_id)
    assert coordinator.enforcement.site_limit_a is None
    assert simulator.state.current_limit_a == 0  # the site's last share (no car) stays


async def test_site_limit_for_administrators_only_is_kept(
    hass: HomeAssistant, setup_entry: SetupEntry, hass_read_only_user: Any
) -> None:
    """The form's switch guards the site limit: a non-administrator cannot lower it then."""
    box = await setup_entry()
    result = await start_site_flow(hass)
    result = dict(
        await hass.config_entries.flow.async_configure(
            result["flow_id"], main_form([box.entry_id], **{CONF_CONTROLS_ADMIN_ONLY: True})
        )
    )
    result = dict(
        await hass.config_entries.flow.async_configure(
            result["flow_id"], {"l1_phase": "0", "phases": "3", "priority": 0}
        )
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["options"][CONF_CONTROLS_ADMIN_ONLY] is True
    await hass.async_block_till_done()
    await refused_to_lower(hass, hass_read_only_user.id)
