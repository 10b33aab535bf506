"""Every built-in profile can be added through the config flow and reports a charging car."""

from __future__ import annotations

import pytest
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er

from custom_components.ev_session_monitor.const import CONF_PROFILE, CONF_UNIT_ID, DOMAIN
from custom_components.ev_session_monitor.core.profile import BUILTIN_PROFILE_DIR, load_profiles
from tools.wallbox_simulator import WallboxSimulator

PROFILES = sorted(load_profiles(BUILTIN_PROFILE_DIR).profiles)


@pytest.mark.parametrize("profile_id", PROFILES)
async def test_add_and_read_every_profile(hass: HomeAssistant, profile_id: str) -> None:
    async with WallboxSimulator(profile_id) as sim:
        sim.state.lifetime_wh = 50_000
        sim.state.plug_in()
        sim.state.start_charging(7200)
        sim.state.advance(60)
        result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
        data = {
            CONF_NAME: "Box",
            CONF_PROFILE: profile_id,
            CONF_HOST: "127.0.0.1",
            CONF_PORT: sim.port,
        }
        if sim.profile.transport == "modbus":
            data[CONF_UNIT_ID] = sim.unit_id
        result = await hass.config_entries.flow.async_configure(result["flow_id"], data)
        assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
        entry = result["result"]
        await hass.async_block_till_done()
        status = hass.states.get("sensor.box_status")
        assert status is not None
        assert status.state == "charging"
        power = hass.states.get("sensor.box_power")
        assert power is not None
        assert float(power.state) == pytest.approx(7200, abs=10)
        entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        assert len(entities) >= 10
        assert await hass.config_entries.async_unload(entry.entry_id)
