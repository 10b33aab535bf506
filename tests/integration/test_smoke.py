"""First end-to-end check: HA reads the simulated wallbox over Modbus TCP."""

from __future__ import annotations

from homeassistant.core import HomeAssistant

from tools.wallbox_simulator import WallboxSimulator

from .conftest import SetupEntry


async def test_power_and_status(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    """A charging box shows its power and status."""
    simulator.state.plug_in()
    simulator.state.start_charging(11000)
    entry = await setup_entry()
    await poll(entry)(60)
    assert hass.states.get("sensor.garage_power").state == "11000"
    assert hass.states.get("sensor.garage_status").state == "charging"
