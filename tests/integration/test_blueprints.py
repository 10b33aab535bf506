"""The shipped blueprints are valid and send the notification a user expects."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

BLUEPRINTS = Path(__file__).parents[2] / "blueprints" / "automation" / "ev_session_monitor"


@pytest.mark.parametrize(
    ("name", "event_type", "data", "message"),
    [
        (
            "notify_session_completed",
            "ev_session_monitor_session_completed",
            {
                "charger": "Garage",
                "energy_kwh": 5.5,
                "duration_s": 3600,
                "cost": 1.65,
                "currency": "EUR",
                "tag_name": "Alice",
            },
            "5.5 kWh in 60 min, 1.65 EUR (Alice)",
        ),
        (
            "notify_unknown_tag",
            "ev_session_monitor_unknown_tag",
            {"charger": "Garage", "tag_id": "DEADBEEF01", "attempts": 2},
            "Unknown card DEADBEEF01 (attempt 2)",
        ),
    ],
)
async def test_blueprint_notifies(
    hass: HomeAssistant, name: str, event_type: str, data: dict, message: str
) -> None:
    """Loaded through the automation integration (which validates the blueprint), the phone
    gets the expected text. The notify service is the one mock: a phone cannot exist here.
    """
    target = Path(hass.config.path("blueprints/automation/ev_session_monitor"))
    target.mkdir(parents=True)
    shutil.copy(BLUEPRINTS / f"{name}.yaml", target)
    phone_entry = MockConfigEntry(domain="mobile_app")
    phone_entry.add_to_hass(hass)
    phone = dr.async_get(hass).async_get_or_create(
        config_entry_id=phone_entry.entry_id, identifiers={("mobile_app", "p1")}, name="My Phone"
    )
    sent: list[ServiceCall] = []
    hass.services.async_register("notify", "mobile_app_my_phone", sent.append)
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {
                    "path": f"ev_session_monitor/{name}.yaml",
                    "input": {"notify_device": phone.id},
                }
            }
        },
    )
    hass.bus.async_fire(event_type, data)
    await hass.async_block_till_done()
    assert len(sent) == 1
    assert " ".join(sent[0].data["message"].split()) == message
