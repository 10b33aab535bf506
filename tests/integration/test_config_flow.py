"""Config, reconfigure, reauth and options flows against the simulator."""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

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
from tools.wallbox_simulator import WallboxSimulator

from .conftest import SetupEntry, entry_for


def user_input(sim: WallboxSimulator, **changes: object) -> dict[str, object]:
    return {
        CONF_NAME: "Garage",
        CONF_PROFILE: sim.profile.profile_id,
        CONF_HOST: "127.0.0.1",
        CONF_PORT: sim.port,
        **changes,
    }


async def test_user_flow_creates_entry(hass: HomeAssistant, simulator: WallboxSimulator) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
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
    again = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    again = await hass.config_entries.flow.async_configure(
        again["flow_id"], user_input(simulator, **{CONF_NAME: "Other"})
    )
    assert again["type"] is FlowResultType.ABORT
    assert again["reason"] == "already_configured"


async def test_user_flow_errors_then_recovers(
    hass: HomeAssistant, simulator: WallboxSimulator
) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
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
        result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
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
        result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
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


async def test_options_settings(hass: HomeAssistant, setup_entry: SetupEntry) -> None:
    entry = await setup_entry()
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "settings"}
    )
    base = {CONF_POLL_INTERVAL: 5, "suspicious_attempts": 3, "suspicious_window_min": 10}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**base, CONF_PRICE_SOURCE: PRICE_SENSOR}
    )
    assert result["errors"] == {CONF_PRICE_ENTITY: "price_entity_required"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**base, CONF_PRICE_SOURCE: PRICE_FIXED}
    )
    assert result["errors"] == {CONF_FIXED_PRICE: "fixed_price_required"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**base, CONF_PRICE_SOURCE: PRICE_FIXED, CONF_FIXED_PRICE: 0.31}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options[CONF_FIXED_PRICE] == 0.31
    # The entry reloaded with the new poll interval.
    assert entry.runtime_data.coordinator.update_interval.total_seconds() == 5


async def test_options_manage_tags(hass: HomeAssistant, setup_entry: SetupEntry) -> None:
    entry = await setup_entry()
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
        {"tag_id": "04:a1:b2:c3:d4", "name": "Alice", "owner": "Alice", "price_per_kwh": 0.1},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert registry.get("04A1B2C3D4").name == "Alice"
    result = await step("add_tag")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"tag_id": "04a1b2c3d4", "name": "Again"}
    )
    assert result["errors"] == {"tag_id": "duplicate_tag"}

    result = await step("edit_tag")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"tag_id": "04A1B2C3D4"}
    )
    assert result["step_id"] == "edit_tag_details"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"name": "Alice (staff)", "chargers": [entry.unique_id]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    tag = registry.get("04A1B2C3D4")
    assert tag.name == "Alice (staff)"
    assert tag.owner is None
    assert tag.allowed_on(entry.unique_id)
    assert not tag.allowed_on("another_box")

    result = await step("remove_tag")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"tags": ["04A1B2C3D4"]}
    )
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
