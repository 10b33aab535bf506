"""Diagnostics show what the box said beyond its readings (fallbacks in use, variants chosen)."""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from tools.wallbox_simulator import WallboxSimulator

from .conftest import SetupEntry, coordinator_of


@pytest.mark.parametrize("profile_id", ["etrel_inch"])
async def test_diagnostics_say_session_energy_comes_from_power(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    entry = await setup_entry()
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diagnostics["notes"] == []
    # Etrel firmware whose session counter (input 30) stays at 0 kWh while 11 kW flow
    # (evcc issue #5346): polls at 0 while charging until the counter is called stuck.
    simulator.state.plug_in()
    simulator.state.start_charging(11000)
    for _ in range(4):
        simulator.state.reset_session_counter()
        await coordinator_of(entry).async_refresh()
        await hass.async_block_till_done()
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert len(diagnostics["notes"]) == 1
    assert "integrated from power" in diagnostics["notes"][0]


@pytest.mark.parametrize("profile_id", ["amperfied_connect"])
async def test_diagnostics_name_the_variant_chosen(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    # The box reports a phase state in input 5001 (1 or 3): the phase-switching variant.
    entry = await setup_entry()
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diagnostics["notes"] == ["variant: 1p/3p switching (phase state reported in 5001)"]
