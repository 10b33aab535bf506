"""OCPP controls: refresh the values (TriggerMessage) and take the box out of service
(ChangeAvailability), over loopback with the strict simulated charge point.

The simulated box (tools/ocpp_charge_point) answers TriggerMessage Accepted and then sends
the message asked for (OCPP 1.6 edition 2, 5.17), and ChangeAvailability Accepted (status
Unavailable for Inoperative) or Rejected when told to refuse.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from homeassistant.auth.models import User
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, Unauthorized

from custom_components.ev_session_monitor.const import CONF_CONTROLS_ADMIN_ONLY
from tools.ocpp_charge_point.charge_point import SimulatedChargePoint
from tools.ports import free_port

from .test_ocpp import (
    _entity_id,
    _until,
    booted_box,
    set_up_entry,
)


async def _box(hass: HomeAssistant, **options: object) -> AsyncIterator[SimulatedChargePoint]:
    port = free_port()
    await set_up_entry(hass, port, **options)
    async with booted_box(port) as cp:
        yield cp


@pytest.fixture
async def box(hass: HomeAssistant) -> AsyncIterator[SimulatedChargePoint]:
    """An OCPP box whose controls anyone may use."""
    async for cp in _box(hass):
        yield cp


@pytest.fixture
async def locked_box(hass: HomeAssistant) -> AsyncIterator[SimulatedChargePoint]:
    """An OCPP box whose controls are for administrators only."""
    async for cp in _box(hass, **{CONF_CONTROLS_ADMIN_ONLY: True}):
        yield cp


async def test_refresh_button_brings_the_box_values_now(
    hass: HomeAssistant, box: SimulatedChargePoint
) -> None:
    """The box sends StatusNotification and MeterValues when asked; the sensors show them."""
    box.state.status = "Preparing"
    box.state.meter_wh = 123_456
    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": _entity_id(hass, "button", "refresh_values")},
        blocking=True,
    )
    assert box.state.triggers == ["StatusNotification", "MeterValues"]
    status = _entity_id(hass, "sensor", "charger_status")
    lifetime = _entity_id(hass, "sensor", "lifetime_energy")
    # The lifetime counter is shown in kWh with one decimal.
    await _until(lambda: hass.states.get(lifetime).state == "123.5")
    assert hass.states.get(status).state == "connected"


async def test_availability_switch_sends_change_availability(
    hass: HomeAssistant, box: SimulatedChargePoint
) -> None:
    """Off: Inoperative for the whole box; on: Operative; a refusal is a clear error."""
    switch = _entity_id(hass, "switch", "operative")
    await hass.services.async_call("switch", "turn_off", {"entity_id": switch}, blocking=True)
    assert box.state.availability == [(0, "Inoperative")]
    assert hass.states.get(switch).state == "off"
    await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    assert box.state.availability[-1] == (0, "Operative")
    assert hass.states.get(switch).state == "on"

    box.state.refuse_availability = True
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call("switch", "turn_off", {"entity_id": switch}, blocking=True)
    assert err.value.translation_key == "command_failed"
    assert "ChangeAvailability with Rejected" in str(err.value.translation_placeholders)
    assert hass.states.get(switch).state == "on"


async def test_box_reporting_unavailable_shows_off(
    hass: HomeAssistant, box: SimulatedChargePoint
) -> None:
    """A box set inoperative from its own app says so with its status: the switch follows."""
    box.state.status = "Unavailable"
    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": _entity_id(hass, "button", "refresh_values")},
        blocking=True,
    )
    switch = _entity_id(hass, "switch", "operative")
    await _until(lambda: hass.states.get(switch).state == "off")


@pytest.mark.parametrize(
    ("platform", "key", "service"),
    [
        ("switch", "operative", "turn_off"),
        ("button", "refresh_values", "press"),
        ("button", "reset", "press"),
    ],
)
async def test_controls_for_administrators_only(
    hass: HomeAssistant,
    locked_box: SimulatedChargePoint,
    hass_owner_user: User,
    platform: str,
    key: str,
    service: str,
) -> None:
    """With controls_admin_only a non-administrator sends nothing to the box."""
    # A user of the "users" group may control entities, but is no administrator (nor, with
    # the owner there first, the owner).
    user = await hass.auth.async_create_user("Carol", group_ids=["system-users"])
    user_id = user.id
    assert not user.is_admin
    with pytest.raises(Unauthorized) as err:
        await hass.services.async_call(
            platform,
            service,
            {"entity_id": _entity_id(hass, platform, key)},
            blocking=True,
            context=Context(user_id=user_id),
        )
    assert err.value.translation_key == "controls_admin_only"
    assert (locked_box.state.availability, locked_box.state.triggers, locked_box.state.resets) == (
        [],
        [],
        [],
    )
