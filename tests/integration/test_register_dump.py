"""ev_session_monitor.read_registers: an administrator's register dump, over real Modbus TCP.

The simulator serves the Webasto NEXT profile on loopback; what the action returns is compared
with what the simulated box answers for the same registers.
"""

from __future__ import annotations

import pytest
from homeassistant.auth.models import User
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError, Unauthorized

from custom_components.ev_session_monitor.const import DOMAIN
from tests.integration.conftest import SetupEntry
from tools.wallbox_simulator import WallboxSimulator


async def _dump(
    hass: HomeAssistant, user: User, entry_id: str, **fields: object
) -> dict[str, object]:
    response = await hass.services.async_call(
        DOMAIN,
        "read_registers",
        {"config_entry_id": entry_id, **fields},
        blocking=True,
        return_response=True,
        context=Context(user_id=user.id),
    )
    assert response is not None
    return dict(response)


async def test_admin_reads_registers_as_the_box_answers(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    hass_admin_user: User,
) -> None:
    entry = await setup_entry()
    simulator.state.plug_in()
    simulator.state.start_charging(11040)
    writes_before = len(simulator.box.register_writes)
    # 1000 to 1299: three requests of at most 125 registers.
    response = await _dump(hass, hass_admin_user, entry.entry_id, address=1000, count=300)
    expected = simulator.box.read_registers("holding", 1000, 300)
    assert isinstance(expected, list)
    assert response["words"] == expected
    assert response["hex"] == " ".join(f"{word:04X}" for word in expected)
    assert response["table"] == "holding"
    assert response["unit_id"] == simulator.unit_id
    assert any(expected)  # the box's values are in there, not an empty image
    assert len(simulator.box.register_writes) == writes_before  # read-only

    response = await _dump(hass, hass_admin_user, entry.entry_id, table="input", address=0, count=2)
    assert response["words"] == simulator.box.read_registers("input", 0, 2)


async def test_a_user_who_is_not_admin_is_refused(
    hass: HomeAssistant, setup_entry: SetupEntry, hass_read_only_user: User
) -> None:
    entry = await setup_entry()
    with pytest.raises(Unauthorized):
        await _dump(hass, hass_read_only_user, entry.entry_id, address=1000, count=10)


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"address": 0, "count": 1001}, "too_many_registers"),
        ({"address": 65500, "count": 100}, "registers_out_of_range"),
    ],
)
async def test_reads_beyond_the_bounds_are_refused(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    hass_admin_user: User,
    fields: dict[str, int],
    key: str,
) -> None:
    entry = await setup_entry()
    requests_before = simulator.box.requests
    with pytest.raises(ServiceValidationError) as err:
        await _dump(hass, hass_admin_user, entry.entry_id, **fields)
    assert err.value.translation_key == key
    assert simulator.box.requests == requests_before  # nothing was sent to the box


async def test_an_unknown_wallbox_is_refused(
    hass: HomeAssistant, setup_entry: SetupEntry, hass_admin_user: User
) -> None:
    await setup_entry()
    with pytest.raises(ServiceValidationError) as err:
        await _dump(hass, hass_admin_user, "not-an-entry", address=0)
    assert err.value.translation_key == "unknown_entry"


async def test_a_box_that_does_not_answer_fails_with_the_address(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    hass_admin_user: User,
) -> None:
    entry = await setup_entry()
    await simulator.stop()
    with pytest.raises(HomeAssistantError) as err:
        await _dump(hass, hass_admin_user, entry.entry_id, address=1000, count=10)
    assert err.value.translation_key == "register_read_failed"
    assert err.value.translation_placeholders["address"] == "1000"


@pytest.mark.parametrize("profile_id", ["go_echarger"])
async def test_an_http_wallbox_has_no_registers(
    hass: HomeAssistant, setup_entry: SetupEntry, hass_admin_user: User
) -> None:
    entry = await setup_entry()
    with pytest.raises(ServiceValidationError) as err:
        await _dump(hass, hass_admin_user, entry.entry_id, address=0)
    assert err.value.translation_key == "not_modbus"
