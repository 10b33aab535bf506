"""The option "card names for administrators only" where the calendar test does not look.

The logbook, the portal's Now tab ("who" is charging) and the last-tag sensors, read through
Home Assistant's real auth: an administrator and Alice, a user (not an administrator) whose
person owns the card, each with their own access token. A sensor's state is one for every user,
and so is the logbook's (described where the reader is not known): with the option both show
"Card 1" to the administrator as well, who has the name in the Now tab (and the portal).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.ev_session_monitor.const import CONF_CARD_NAMES_ADMIN_ONLY, DOMAIN
from custom_components.ev_session_monitor.core.tags import KnownTag
from tools.wallbox_simulator import WallboxSimulator

from .conftest import Poll, SetupEntry
from .test_access import Account, account

CARD = "04A1B2C3D4"
NAME = "Alice's car"
LAST_TAG = "sensor.garage_last_tag"
LAST_SESSION_TAG = "sensor.garage_last_session_tag"


@pytest.fixture
def auto_enable_custom_integrations(recorder_mock: None, enable_custom_integrations: None) -> None:
    """The logbook reads the recorder (SQLite), which must start before Home Assistant."""


async def now_tile(client: Any) -> dict[str, Any]:
    """The Now tab's tile of the one wallbox, once its session shows."""
    while True:
        message = await client.receive_json()
        if message.get("type") != "event":
            continue
        tile: dict[str, Any] = message["event"]["wallboxes"][0]
        if tile["session"] is not None:
            return tile


async def logbook_messages(hass: HomeAssistant, client: Any, since: datetime) -> list[str]:
    end = dt_util.utcnow() + timedelta(hours=1)
    response = await client.get(
        f"/api/logbook/{quote(since.isoformat())}", params={"end_time": end.isoformat()}
    )
    assert response.status == 200
    return [item["message"] for item in await response.json() if item.get("domain") == DOMAIN]


async def sensor_state(client: Any, entity_id: str) -> str:
    response = await client.get(f"/api/states/{entity_id}")
    assert response.status == 200
    state: str = (await response.json())["state"]
    return state


@pytest.mark.parametrize(("hidden", "alice_sees"), [(True, "Card 1"), (False, NAME)])
async def test_logbook_now_and_last_tag_sensors_follow_the_option(
    hidden: bool,
    alice_sees: str,
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    poll: Any,
    hass_client: ClientSessionGenerator,
    hass_ws_client: WebSocketGenerator,
) -> None:
    assert await async_setup_component(hass, "logbook", {})
    admin: Account = await account(hass, "Admin", admin=True)
    alice: Account = await account(hass, "Alice")
    assert await async_setup_component(
        hass, "person", {"person": [{"id": "alice", "name": "Alice", "user_id": alice.user.id}]}
    )
    since = datetime.now(UTC) - timedelta(minutes=1)  # events carry the real time
    entry = await setup_entry(**{CONF_CARD_NAMES_ADMIN_ONLY: hidden})
    await hass.data[DOMAIN].tags.async_add(KnownTag(CARD, NAME, person="person.alice"))
    step: Poll = poll(entry)

    simulator.state.plug_in()
    await step(10)
    simulator.state.present_tag(CARD)
    simulator.state.start_charging(7200)
    await step(60)
    # The Now tab: drawn for each user on their own connection.
    now_clients = {}
    for who, user in (("admin", admin), ("alice", alice)):
        now_clients[who] = await hass_ws_client(hass, user.token)
        await now_clients[who].send_json_auto_id({"type": f"{DOMAIN}/wallboxes/subscribe"})
    assert (await now_tile(now_clients["alice"]))["who"] == alice_sees
    assert (await now_tile(now_clients["admin"]))["who"] == NAME
    readers = {"admin": await hass_client(admin.token), "alice": await hass_client(alice.token)}
    # A state is the same for everyone: what a user may see is what everyone sees.
    for reader in readers.values():
        assert await sensor_state(reader, LAST_TAG) == alice_sees

    simulator.state.unplug()
    await step(10)
    for reader in readers.values():
        assert await sensor_state(reader, LAST_SESSION_TAG) == alice_sees

    await async_wait_recording_done(hass)
    # The logbook, like a state, reads the same for everyone (its history is described in the
    # recorder's thread, where the reader is not known).
    for who, reader in readers.items():
        messages = await logbook_messages(hass, reader, since)
        assert f"accepted tag {alice_sees}" in messages, (who, messages)
        assert any(
            m.startswith("completed a charging session") and f" by {alice_sees}:" in m
            for m in messages
        ), (who, messages)
        assert hidden == (not any(NAME in m for m in messages)), (who, messages)
