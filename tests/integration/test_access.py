"""Who may read and change what, through Home Assistant's real auth (issue 26 items 1-3).

Three real users besides the harness's administrator, each with its own access token: Alice, a
non-administrator linked to the person Alice who owns one card; Carol, a non-administrator with
no person; and the administrator. Calls without a user (automations) are the fourth kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from homeassistant.auth.models import User
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import Unauthorized
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.ev_session_monitor.const import DOMAIN
from custom_components.ev_session_monitor.core.model import SessionRecord
from custom_components.ev_session_monitor.core.tags import KnownTag
from tools.wallbox_simulator import WallboxSimulator

from .conftest import SetupEntry, TestClock, stepper

ALICE_CARD = "04A1B2C3D4"
BOB_CARD = "04B0B0B0B0"
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


@dataclass
class Account:
    """A Home Assistant user and an access token of theirs."""

    user: User
    token: str


async def account(hass: HomeAssistant, name: str, *, admin: bool = False) -> Account:
    """A user in the users group (or the administrators) with a refresh and access token."""
    group = "system-admin" if admin else "system-users"
    user = await hass.auth.async_create_user(name, group_ids=[group])
    refresh = await hass.auth.async_create_refresh_token(user, "https://example.com/app")
    return Account(user, hass.auth.async_create_access_token(refresh))


@dataclass
class Site:
    """One wallbox, two cards with sessions, three users."""

    entry: MockConfigEntry
    admin: Account
    alice: Account
    carol: Account


def session(index: int, tag: str, charger_id: str) -> SessionRecord:
    start = T0 + timedelta(hours=6 * index)
    return SessionRecord(
        session_id=f"s{index:04d}",
        charger_id=charger_id,
        charger_name="Garage",
        started_at=start,
        ended_at=start + timedelta(hours=2),
        charging_s=3600.0,
        energy_wh=1000.0 + index,
        cost=0.3,
        currency="EUR",
        avg_power_w=1000.0,
        peak_power_w=1100.0,
        tag_id=tag,
        tag_name={ALICE_CARD: "Alice's car", BOB_CARD: "Bob's van"}[tag],
        energy_source="meter",
        gaps=0,
    )


@pytest.fixture
async def site(hass: HomeAssistant, setup_entry: SetupEntry) -> Site:
    """Alice's card has 3 sessions, Bob's 2; Alice is linked to her person, Carol to none."""
    hass.config.currency = "EUR"
    admin = await account(hass, "Admin", admin=True)
    alice = await account(hass, "Alice")
    carol = await account(hass, "Carol")
    assert await async_setup_component(
        hass,
        "person",
        {
            "person": [
                {"id": "alice", "name": "Alice", "user_id": alice.user.id},
                {"id": "bob", "name": "Bob"},
            ]
        },
    )
    entry = await setup_entry()
    tags = hass.data[DOMAIN].tags
    await tags.async_add(KnownTag(ALICE_CARD, "Alice's car", person="person.alice"))
    await tags.async_add(KnownTag(BOB_CARD, "Bob's van", person="person.bob"))
    charger_id = entry.unique_id
    assert charger_id is not None
    for index in range(3):
        await hass.data[DOMAIN].archive.async_add(session(index, ALICE_CARD, charger_id))
    for index in range(3, 5):
        await hass.data[DOMAIN].archive.async_add(session(index, BOB_CARD, charger_id))
    return Site(entry, admin, alice, carol)


async def get_sessions(hass: HomeAssistant, user_id: str | None, **data: Any) -> set[str]:
    response = await hass.services.async_call(
        DOMAIN,
        "get_sessions",
        data,
        blocking=True,
        return_response=True,
        context=Context(user_id=user_id),
    )
    return {row["tag_id"] for row in response["sessions"]}


# --- reading actions --------------------------------------------------------------------------


async def test_get_sessions_is_scoped_like_the_portal(hass: HomeAssistant, site: Site) -> None:
    """Before: every user got every card's sessions, whatever the tag_id filter."""
    assert await get_sessions(hass, site.admin.user.id) == {ALICE_CARD, BOB_CARD}
    assert await get_sessions(hass, None) == {ALICE_CARD, BOB_CARD}  # automations
    assert await get_sessions(hass, site.alice.user.id) == {ALICE_CARD}
    assert await get_sessions(hass, site.carol.user.id) == set()
    with pytest.raises(Unauthorized) as err:
        await get_sessions(hass, site.alice.user.id, tag_id=[BOB_CARD])
    assert err.value.translation_key == "not_your_cards"
    with pytest.raises(Unauthorized):
        await get_sessions(hass, site.carol.user.id, tag_id=[ALICE_CARD])


async def test_get_sessions_over_the_websocket_with_a_users_token(
    hass: HomeAssistant, site: Site, hass_ws_client: WebSocketGenerator
) -> None:
    for who, expected in ((site.alice, [ALICE_CARD] * 3), (site.carol, [])):
        client = await hass_ws_client(hass, who.token)
        await client.send_json_auto_id(
            {
                "type": "call_service",
                "domain": DOMAIN,
                "service": "get_sessions",
                "service_data": {},
                "return_response": True,
            }
        )
        answer = await client.receive_json()
        assert answer["success"], answer
        sessions = answer["result"]["response"]["sessions"]
        assert [row["tag_id"] for row in sessions] == expected
        assert answer["result"]["response"]["summary"]["sessions"] == len(expected)


async def test_actions_over_http_with_a_non_admin_token(
    hass: HomeAssistant, site: Site, hass_client: ClientSessionGenerator
) -> None:
    """Before: Carol (no person) got every session, a CSV of all of them and its absolute path."""
    client = await hass_client(site.carol.token)
    answer = await client.post(f"/api/services/{DOMAIN}/get_sessions?return_response", json={})
    assert answer.status == 200
    assert (await answer.json())["service_response"]["sessions"] == []
    answer = await client.post(
        f"/api/services/{DOMAIN}/export_sessions?return_response", json={"path": "mine.csv"}
    )
    assert answer.status == 200
    exported = (await answer.json())["service_response"]
    assert exported == {"path": "ev_session_monitor/exports/mine.csv", "sessions": 0}
    assert hass.config.config_dir not in str(exported)
    text = await hass.async_add_executor_job(open_text, hass.config.path(exported["path"]))
    assert "Bob's van" not in text and "Alice's car" not in text
    # Alice's own export holds her sessions only.
    client = await hass_client(site.alice.token)
    answer = await client.post(
        f"/api/services/{DOMAIN}/export_sessions?return_response", json={"path": "alice.csv"}
    )
    assert (await answer.json())["service_response"]["sessions"] == 3
    # The portal's download agrees.
    download = await client.get(f"/api/{DOMAIN}/download/sessions")
    body = await download.text()
    assert "Alice's car" in body and "Bob's van" not in body


def open_text(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


# --- changing actions -------------------------------------------------------------------------


@pytest.fixture
async def unknown_card(
    hass: HomeAssistant, site: Site, simulator: WallboxSimulator, clock: TestClock
) -> str:
    """An unknown card presented at the wallbox, ready to be learned."""
    step = stepper(hass, simulator, clock, site.entry)
    simulator.state.plug_in()
    await step(10)
    simulator.state.present_tag("CAFE0042")
    await step(10)
    return "CAFE0042"


async def test_learn_last_tag_is_for_administrators(
    hass: HomeAssistant, site: Site, unknown_card: str
) -> None:
    """Before: Carol admitted the unknown card."""
    data = {"config_entry_id": site.entry.entry_id}
    for who in (site.carol, site.alice):
        with pytest.raises(Unauthorized) as err:
            await hass.services.async_call(
                DOMAIN, "learn_last_tag", data, blocking=True, context=Context(user_id=who.user.id)
            )
        assert err.value.translation_key == "admin_required"
        assert str(err.value).startswith("Only an administrator may do this")
    assert hass.data[DOMAIN].tags.registry.get(unknown_card) is None
    learned = await hass.services.async_call(
        DOMAIN,
        "learn_last_tag",
        data,
        blocking=True,
        return_response=True,
        context=Context(user_id=site.admin.user.id),
    )
    assert learned["tag_id"] == unknown_card


async def test_learn_last_tag_over_http_and_from_automations(
    hass: HomeAssistant, site: Site, unknown_card: str, hass_client: ClientSessionGenerator
) -> None:
    client = await hass_client(site.carol.token)
    answer = await client.post(
        f"/api/services/{DOMAIN}/learn_last_tag", json={"config_entry_id": site.entry.entry_id}
    )
    assert answer.status == 401
    assert hass.data[DOMAIN].tags.registry.get(unknown_card) is None
    await hass.services.async_call(
        DOMAIN, "learn_last_tag", {"config_entry_id": site.entry.entry_id}, blocking=True
    )
    assert hass.data[DOMAIN].tags.registry.get(unknown_card) is not None


# --- controls ---------------------------------------------------------------------------------

SWITCH = "switch.garage_charging_enabled"
CURRENT = "number.garage_charging_current"
LEARN = "button.garage_learn_last_unknown_tag"


def allowed(simulator: WallboxSimulator) -> bool:
    """Whether the box may charge (this model switches by the current: 0 A is off)."""
    return simulator.state.enabled and simulator.state.current_limit_a != 0


async def turn_off(hass: HomeAssistant, user_id: str | None) -> None:
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": SWITCH}, blocking=True, context=Context(user_id=user_id)
    )


@pytest.fixture
async def locked_site(hass: HomeAssistant, site: Site) -> Site:
    """The same site with the wallbox's controls for administrators only."""
    hass.config_entries.async_update_entry(site.entry, options={"controls_admin_only": True})
    assert await hass.config_entries.async_reload(site.entry.entry_id)
    await hass.async_block_till_done()
    return site


async def test_controls_for_administrators_only(
    hass: HomeAssistant,
    locked_site: Site,
    simulator: WallboxSimulator,
    hass_client: ClientSessionGenerator,
) -> None:
    """Before: Carol (no person) stopped the charging session of someone else."""
    site = locked_site
    for who in (site.carol, site.alice):
        with pytest.raises(Unauthorized) as err:
            await turn_off(hass, who.user.id)
        assert err.value.translation_key == "controls_admin_only"
        assert "Garage" in str(err.value)
        with pytest.raises(Unauthorized):
            await hass.services.async_call(
                "number",
                "set_value",
                {"entity_id": CURRENT, "value": 6},
                blocking=True,
                context=Context(user_id=who.user.id),
            )
    assert simulator.state.current_limit_a is None  # nothing was written
    client = await hass_client(site.carol.token)
    answer = await client.post("/api/services/switch/turn_off", json={"entity_id": SWITCH})
    assert answer.status == 401
    assert allowed(simulator)
    await turn_off(hass, site.admin.user.id)
    assert not allowed(simulator)
    await hass.services.async_call("switch", "turn_on", {"entity_id": SWITCH}, blocking=True)
    assert allowed(simulator)  # automations: no user


async def test_controls_open_to_every_user_without_the_option(
    hass: HomeAssistant, site: Site, simulator: WallboxSimulator
) -> None:
    """Home Assistant's own rule: any user may control any entity."""
    await turn_off(hass, site.carol.user.id)
    assert not allowed(simulator)
    with pytest.raises(Unauthorized):  # admitting a card is always an administrator's job
        await hass.services.async_call(
            "button",
            "press",
            {"entity_id": LEARN},
            blocking=True,
            context=Context(user_id=site.carol.user.id),
        )


async def permissions(hass: HomeAssistant, hass_ws_client: WebSocketGenerator, token: str) -> Any:
    client = await hass_ws_client(hass, token)
    await client.send_json_auto_id({"type": f"{DOMAIN}/permissions"})
    answer = await client.receive_json()
    assert answer["success"], answer
    return answer["result"]


async def test_permissions_command(
    hass: HomeAssistant, site: Site, hass_ws_client: WebSocketGenerator
) -> None:
    everything = {"can_see_card_names": True, "controls_denied_entities": []}
    assert await permissions(hass, hass_ws_client, site.admin.token) == everything
    assert await permissions(hass, hass_ws_client, site.carol.token) == {
        "can_see_card_names": True,
        "controls_denied_entities": [LEARN],
    }
    hass.config_entries.async_update_entry(
        site.entry, options={"controls_admin_only": True, "card_names_admin_only": True}
    )
    await hass.async_block_till_done()
    assert await permissions(hass, hass_ws_client, site.admin.token) == everything
    assert await permissions(hass, hass_ws_client, site.alice.token) == {
        "can_see_card_names": False,
        "controls_denied_entities": [
            LEARN,
            CURRENT,
            "number.garage_session_target_energy",
            SWITCH,
        ],
    }


# --- card names -------------------------------------------------------------------------------


async def calendar_summaries(client: Any, hass: HomeAssistant) -> list[str]:
    answer = await client.get(
        "/api/calendars/calendar.garage_charging_sessions",
        params={"start": "2026-02-28T00:00:00+00:00", "end": "2026-03-03T00:00:00+00:00"},
    )
    assert answer.status == 200
    return sorted(event["summary"].split(" · ")[0] for event in await answer.json())


async def test_card_names_for_administrators_only(
    hass: HomeAssistant, site: Site, hass_client: ClientSessionGenerator
) -> None:
    """Before: every user saw every card's name in the calendar and on the card devices."""
    alice = await hass_client(site.alice.token)
    admin = await hass_client(site.admin.token)
    assert await calendar_summaries(alice, hass) == ["Alice's car"] * 3 + ["Bob's van"] * 2
    hass.config_entries.async_update_entry(site.entry, options={"card_names_admin_only": True})
    assert await hass.config_entries.async_reload(site.entry.entry_id)
    await hass.async_block_till_done()
    # Numbered in the order the cards were added; the numbers stay when a card is removed.
    assert await calendar_summaries(alice, hass) == ["Card 1"] * 3 + ["Card 2"] * 2
    assert await calendar_summaries(admin, hass) == ["Alice's car"] * 3 + ["Bob's van"] * 2
    devices = {
        device.name
        for device in dr.async_entries_for_config_entry(dr.async_get(hass), site.entry.entry_id)
        if any(value.startswith("tag_") for _, value in device.identifiers)
    }
    assert devices == {"Card 1", "Card 2"}
    await hass.data[DOMAIN].tags.async_remove(ALICE_CARD)
    await hass.async_block_till_done()
    assert hass.data[DOMAIN].tags.number(BOB_CARD) == 2
