"""Numbers that are not numbers (issue 26 item 12): refused where entered, harmless where stored."""

from __future__ import annotations

from typing import Any

import probatio as vol
import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError

from custom_components.ev_session_monitor.const import (
    CONF_BATTERY_CAPACITY,
    CONF_ENFORCE,
    CONF_FIXED_PRICE,
    CONF_PRICE_SOURCE,
    CONF_RELEASE_CURRENT,
    DOMAIN,
    PRICE_FIXED,
)
from tools.wallbox_simulator import WallboxSimulator

from .conftest import SetupEntry, TestClock, coordinator_of, stepper

NAN = float("nan")


async def test_nan_saved_by_an_older_release_is_harmless(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    clock: TestClock,
) -> None:
    """Options and a card price saved as NaN: the box loads, the card charges, nothing is NaN.

    Before, the NaN release current held the box at 0 A for a known card, the NaN price made the
    session's cost NaN so it was never archived, and the card with the NaN price was dropped.
    """
    hass.config.currency = "EUR"
    hass_storage[f"{DOMAIN}.tags"] = {
        "version": 1,
        "key": f"{DOMAIN}.tags",
        "data": {"tags": [{"tag_id": "04A1B2C3D4", "name": "Van", "price_per_kwh": NAN}]},
    }
    entry = await setup_entry(
        **{
            CONF_PRICE_SOURCE: PRICE_FIXED,
            CONF_FIXED_PRICE: NAN,
            CONF_ENFORCE: True,
            CONF_RELEASE_CURRENT: NAN,
            CONF_BATTERY_CAPACITY: NAN,
        }
    )
    assert entry.state is ConfigEntryState.LOADED
    van = hass.data[DOMAIN].tags.registry.get("04A1B2C3D4")
    assert van is not None and van.price_per_kwh is None
    step = stepper(hass, simulator, clock, entry)
    sim = simulator.state
    sim.plug_in()
    sim.start_charging(11000)
    sim.present_tag("04A1B2C3D4")
    await step(10)
    assert sim.current_limit_a == simulator.profile.current_limit.max_a  # released
    await step(600)
    sim.unplug()
    await step(10)
    coordinator = coordinator_of(entry)
    assert coordinator.recorder.unarchived == []  # archived
    assert coordinator.recorder.last_session is not None
    assert coordinator.recorder.last_session.energy_wh == pytest.approx(1833, abs=5)
    assert coordinator.recorder.last_session.cost is None  # unpriced, said so; not NaN
    assert coordinator.recorder.last_session.unpriced_wh == pytest.approx(1833, abs=5)
    assert hass.states.get("sensor.garage_total_charging_cost").state == "0.0"
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def test_nan_is_refused_where_it_is_entered(
    hass: HomeAssistant,
    setup_entry: SetupEntry,
    hass_ws_client: Any,
) -> None:
    """The portal's websocket, the number entities and the plan_charging action.

    "NaN" (a string: JSON has no NaN) is coerced to float NaN, which passes every range check.
    """
    entry = await setup_entry()
    client = await hass_ws_client(hass)

    async def ws(**message: Any) -> dict[str, Any]:
        await client.send_json_auto_id(message)
        answer: dict[str, Any] = await client.receive_json()
        return answer

    added = await ws(type=f"{DOMAIN}/tags/add", tag_id="CAFE0001", name="C", price_per_kwh="NaN")
    assert added["error"]["code"] == "invalid_format"
    assert len(hass.data[DOMAIN].tags.registry) == 0
    control = await ws(type=f"{DOMAIN}/wallboxes/control", entry_id=entry.entry_id, current_a="NaN")
    assert control["error"]["code"] == "invalid_format"
    for entity_id in ("number.garage_charging_current", "number.garage_session_target_energy"):
        before = hass.states.get(entity_id).state
        with pytest.raises(ServiceValidationError) as err:
            await hass.services.async_call(
                "number", "set_value", {"entity_id": entity_id, "value": "NaN"}, blocking=True
            )
        assert err.value.translation_key == "not_a_number"
        assert hass.states.get(entity_id).state == before
    with pytest.raises(vol.Invalid, match="finite number"):
        await hass.services.async_call(
            DOMAIN,
            "plan_charging",
            {
                "config_entry_id": entry.entry_id,
                "departure": "07:00",
                "energy_kwh": "NaN",
                "prices": [0.3],
            },
            blocking=True,
            return_response=True,
        )
