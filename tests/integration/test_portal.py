"""The Charging portal's backend: panel, websocket commands, CSV download and access rules.

Users come from Home Assistant's test harness: `hass_admin_user` (administrator) and
`hass_read_only_user` (not an administrator), each with its own access token. The read-only user
is linked to the person "Alice"; Alice's card is linked to that person, Bob's is not.
"""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from homeassistant.auth.models import User
from homeassistant.components import frontend
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.ev_session_monitor.const import DOMAIN
from custom_components.ev_session_monitor.core.model import SessionRecord
from custom_components.ev_session_monitor.core.tags import KnownTag
from custom_components.ev_session_monitor.panel import PANEL_URL_PATH
from tools.wallbox_simulator import WallboxSimulator

from .conftest import SetupEntry, entry_for

ALICE_TAG = "04A1B2C3D4"
BOB_TAG = "04B0B0B0B0"
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def record(index: int, *, charger: str = "box_a", tag: str | None = ALICE_TAG) -> SessionRecord:
    """A completed session; energy and cost grow with the index so orders are easy to state."""
    start = T0 + timedelta(hours=6 * index)
    return SessionRecord(
        session_id=f"s{index:04d}",
        charger_id=charger,
        charger_name="Garage" if charger == "box_a" else "Carport",
        started_at=start,
        ended_at=start + timedelta(hours=2),
        charging_s=3600.0,
        energy_wh=1000.0 + index,
        cost=0.3 * (1 + index / 1000),
        currency="EUR",
        avg_power_w=1000.0,
        peak_power_w=1100.0,
        tag_id=tag,
        tag_name={ALICE_TAG: "Alice", BOB_TAG: "Bob"}.get(tag or ""),
        energy_source="meter",
        gaps=index % 2,
    )


@pytest.fixture
async def portal(
    hass: HomeAssistant, setup_entry: SetupEntry, hass_read_only_user: User
) -> MockConfigEntry:
    """One wallbox, the persons Alice (the read-only user) and Bob, their cards, 30 sessions.

    Sessions 0-19 are Alice's (every other one at the Carport), 20-29 Bob's at the Garage.
    """
    hass.config.currency = "EUR"
    assert await async_setup_component(
        hass,
        "person",
        {
            "person": [
                {"id": "alice", "name": "Alice", "user_id": hass_read_only_user.id},
                {"id": "bob", "name": "Bob"},
            ]
        },
    )
    entry = await setup_entry()
    tags = hass.data[DOMAIN].tags
    await tags.async_add(KnownTag(ALICE_TAG, "Alice", person="person.alice"))
    await tags.async_add(KnownTag(BOB_TAG, "Bob", person="person.bob"))
    archive = hass.data[DOMAIN].archive
    for index in range(20):
        await archive.async_add(record(index, charger="box_a" if index % 2 else "box_b"))
    for index in range(20, 30):
        await archive.async_add(record(index, tag=BOB_TAG))
    return entry


async def ws_call(client: Any, **message: Any) -> dict[str, Any]:
    """Send one command and return the whole answer."""
    await client.send_json_auto_id(message)
    answer: dict[str, Any] = await client.receive_json()
    return answer


# --- the panel ------------------------------------------------------------------------------


async def test_panel_follows_the_wallboxes(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """The sidebar entry appears with the first wallbox and leaves with the last one."""
    assert PANEL_URL_PATH not in hass.data.get(frontend.DATA_PANELS, {})
    first = await setup_entry()
    panel = hass.data[frontend.DATA_PANELS][PANEL_URL_PATH]
    assert panel.sidebar_title == "Charging"
    assert panel.require_admin is False
    module_url = panel.config["_panel_custom"]["module_url"]
    client = await hass_client()
    bundle = await client.get(module_url)
    assert bundle.status == 200
    assert "ev-session-monitor-panel" in await bundle.text()

    second_box = WallboxSimulator("webasto_next")
    await second_box.start()
    try:
        second = entry_for(second_box, title="Carport")
        second.add_to_hass(hass)
        assert await hass.config_entries.async_setup(second.entry_id)
        assert await hass.config_entries.async_unload(first.entry_id)
        assert PANEL_URL_PATH in hass.data[frontend.DATA_PANELS]  # the Carport is still there
        assert await hass.config_entries.async_unload(second.entry_id)
        assert PANEL_URL_PATH not in hass.data[frontend.DATA_PANELS]
        assert await hass.config_entries.async_setup(first.entry_id)
        assert PANEL_URL_PATH in hass.data[frontend.DATA_PANELS]
        assert await hass.config_entries.async_unload(first.entry_id)
    finally:
        await second_box.stop()


async def test_two_wallboxes_set_up_together(
    hass: HomeAssistant, simulator: WallboxSimulator
) -> None:
    """At start-up every wallbox sets up at once: each loads, the sidebar has one entry."""
    second_box = WallboxSimulator("webasto_next")
    await second_box.start()
    try:
        entries = [entry_for(simulator), entry_for(second_box, title="Carport")]
        for entry in entries:
            entry.add_to_hass(hass)
        results = await asyncio.gather(
            *(hass.config_entries.async_setup(entry.entry_id) for entry in entries)
        )
        assert results == [True, True]
        assert [entry.state.name for entry in entries] == ["LOADED", "LOADED"]
        assert PANEL_URL_PATH in hass.data[frontend.DATA_PANELS]
        for entry in entries:
            assert await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await second_box.stop()


# --- sessions and totals ---------------------------------------------------------------------


async def test_sessions_are_paged_sorted_and_filtered_server_side(
    hass: HomeAssistant, portal: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    client = await hass_ws_client(hass)
    page = await ws_call(client, type=f"{DOMAIN}/sessions", limit=10, offset=10)
    assert page["success"]
    # Newest first by default: the 30 sessions are s0029 ... s0000.
    assert page["result"]["total"] == 30
    assert [s["session_id"] for s in page["result"]["sessions"]] == [
        f"s{i:04d}" for i in range(19, 9, -1)
    ]
    by_energy = await ws_call(
        client, type=f"{DOMAIN}/sessions", sort="energy_wh", descending=False, limit=3
    )
    assert [s["energy_wh"] for s in by_energy["result"]["sessions"]] == [1000.0, 1001.0, 1002.0]
    # Bob's sessions (s0020 starts 6 March 08:00, then every 6 h) on 6 and 7 March.
    filtered = await ws_call(
        client,
        type=f"{DOMAIN}/sessions",
        tag_id=[BOB_TAG],
        start="2026-03-06T00:00:00+00:00",
        end="2026-03-08T00:00:00+00:00",
    )
    ids = [s["session_id"] for s in filtered["result"]["sessions"]]
    assert ids == ["s0026", "s0025", "s0024", "s0023", "s0022", "s0021", "s0020"]
    by_person = await ws_call(client, type=f"{DOMAIN}/sessions", person="person.alice", limit=500)
    assert by_person["result"]["total"] == 20
    bad_sort = await ws_call(client, type=f"{DOMAIN}/sessions", sort="session_id; DROP")
    assert bad_sort["error"]["code"] == "invalid_format"
    backwards = await ws_call(
        client,
        type=f"{DOMAIN}/sessions",
        start="2026-03-08T00:00:00+00:00",
        end="2026-03-01T00:00:00+00:00",
    )
    assert backwards["error"]["message"] == "The end of the time range must be after its start"


async def test_totals_per_tag_and_per_wallbox(
    hass: HomeAssistant, portal: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    client = await hass_ws_client(hass)
    answer = await ws_call(client, type=f"{DOMAIN}/totals")
    by_tag = {row["tag_name"]: row for row in answer["result"]["by_tag"]}
    # Alice: 20 sessions of 1000 + i Wh (i = 0..19) = 20,190 Wh; one hour of charging each.
    assert by_tag["Alice"]["sessions"] == 20
    assert by_tag["Alice"]["energy_wh"] == 20190.0
    assert by_tag["Alice"]["charging_s"] == 72000.0
    assert by_tag["Bob"]["sessions"] == 10
    by_box = {row["charger_name"]: row for row in answer["result"]["by_charger"]}
    assert by_box["Garage"]["sessions"] == 20  # Alice's odd ones and Bob's ten
    assert by_box["Carport"]["sessions"] == 10
    assert answer["result"]["summary"]["sessions"] == 30


# --- access rules ----------------------------------------------------------------------------


async def test_non_admin_sees_only_their_own_sessions(
    hass: HomeAssistant,
    portal: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
) -> None:
    client = await hass_ws_client(hass, hass_read_only_access_token)
    info = await ws_call(client, type=f"{DOMAIN}/info")
    assert info["result"]["admin"] is False
    assert [tag["name"] for tag in info["result"]["tags"]] == ["Alice"]
    assert [p["entity_id"] for p in info["result"]["persons"]] == ["person.alice"]
    page = await ws_call(client, type=f"{DOMAIN}/sessions", limit=500)
    assert page["result"]["total"] == 20
    assert {s["tag_id"] for s in page["result"]["sessions"]} == {ALICE_TAG}
    totals = await ws_call(client, type=f"{DOMAIN}/totals")
    assert {row["tag_id"] for row in totals["result"]["by_tag"]} == {ALICE_TAG}
    assert totals["result"]["summary"]["sessions"] == 20
    for forbidden in ({"tag_id": [BOB_TAG]}, {"person": "person.bob"}):
        for command in ("sessions", "totals"):
            answer = await ws_call(client, type=f"{DOMAIN}/{command}", **forbidden)
            assert answer["error"]["code"] == "unauthorized", (command, forbidden)


async def test_user_without_a_person_sees_no_sessions(
    hass: HomeAssistant, portal: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    """A non-admin not linked to any person sees the wallboxes but no session at all."""
    user = await hass.auth.async_create_user("Guest", group_ids=["system-users"])
    refresh = await hass.auth.async_create_refresh_token(user, "https://example.com/")
    client = await hass_ws_client(hass, hass.auth.async_create_access_token(refresh))
    page = await ws_call(client, type=f"{DOMAIN}/sessions")
    assert page["result"] == {"sessions": [], "total": 0, "offset": 0}


@pytest.mark.parametrize(
    "command",
    [
        {"type": f"{DOMAIN}/tags"},
        {"type": f"{DOMAIN}/tags/add", "tag_id": "CAFE0001", "name": "Mallory"},
        {"type": f"{DOMAIN}/tags/update", "tag_id": BOB_TAG, "name": "Bobby"},
        {"type": f"{DOMAIN}/tags/remove", "tag_id": BOB_TAG},
        {"type": f"{DOMAIN}/attempts"},
        {"type": f"{DOMAIN}/attempts/admit", "tag_id": "CAFE0001"},
        {"type": f"{DOMAIN}/wallboxes/control", "entry_id": "x", "enabled": False},
    ],
)
async def test_non_admin_changes_nothing(
    hass: HomeAssistant,
    portal: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
    command: dict[str, Any],
) -> None:
    client = await hass_ws_client(hass, hass_read_only_access_token)
    answer = await ws_call(client, **command)
    assert answer["error"]["code"] == "unauthorized"
    registry = hass.data[DOMAIN].tags.registry
    assert [(tag.tag_id, tag.name) for tag in registry] == [(ALICE_TAG, "Alice"), (BOB_TAG, "Bob")]


# --- CSV download ----------------------------------------------------------------------------


def parse_sessions_csv(text: str) -> list[dict[str, str]]:
    """The session rows of a download (above the blank line before the totals)."""
    assert text.startswith("\ufeff")
    block = text[1:].split("\r\n\r\n")[0]
    return list(csv.DictReader(io.StringIO(block)))


async def test_download_matches_get_sessions(
    hass: HomeAssistant, portal: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    client = await hass_client()
    response = await client.get(
        f"/api/{DOMAIN}/download/sessions",
        params=[("tag_id", BOB_TAG), ("sort", "started_at"), ("descending", "false")],
    )
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = parse_sessions_csv(await response.text())
    expected = await hass.services.async_call(
        DOMAIN, "get_sessions", {"tag_id": [BOB_TAG]}, blocking=True, return_response=True
    )
    assert expected is not None
    sessions: list[dict[str, Any]] = expected["sessions"]  # type: ignore[assignment]
    assert sorted(row["session_id"] for row in rows) == sorted(s["session_id"] for s in sessions)
    assert [row["session_id"] for row in rows] == [f"s{i:04d}" for i in range(20, 30)]
    energies = {s["session_id"]: s["energy_wh"] / 1000 for s in sessions}
    assert all(
        float(row["energy_kwh"]) == pytest.approx(energies[row["session_id"]]) for row in rows
    )

    totals = await client.get(f"/api/{DOMAIN}/download/totals")
    text = (await totals.text())[1:]
    tag_block, charger_block = text.split("\r\n\r\n")
    tag_rows = list(csv.DictReader(io.StringIO(tag_block)))
    assert {(r["tag_name"], r["sessions"], r["charging_h"]) for r in tag_rows} == {
        ("Alice", "20", "20.00"),
        ("Bob", "10", "10.00"),
    }
    charger_rows = list(csv.DictReader(io.StringIO(charger_block)))
    assert {(r["charger"], r["sessions"]) for r in charger_rows} == {
        ("Garage", "20"),
        ("Carport", "10"),
    }


async def test_download_access_rules(
    hass: HomeAssistant,
    portal: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_read_only_access_token: str,
) -> None:
    anonymous = await hass_client_no_auth()
    assert (await anonymous.get(f"/api/{DOMAIN}/download/sessions")).status == 401
    reader = await hass_client(hass_read_only_access_token)
    others = await reader.get(f"/api/{DOMAIN}/download/sessions", params={"tag_id": BOB_TAG})
    assert others.status == 403
    bob = await reader.get(f"/api/{DOMAIN}/download/sessions", params={"person": "person.bob"})
    assert bob.status == 403
    own = await reader.get(f"/api/{DOMAIN}/download/sessions")
    rows = parse_sessions_csv(await own.text())
    assert len(rows) == 20
    assert {row["tag_id"] for row in rows} == {ALICE_TAG}
    admin = await hass_client()
    assert (await admin.get(f"/api/{DOMAIN}/download/sessions", params={"sort": "x"})).status == 400
    assert (await admin.get(f"/api/{DOMAIN}/download/other")).status == 404
    bad_date = await admin.get(f"/api/{DOMAIN}/download/totals", params={"start": "yesterday"})
    assert bad_date.status == 400


# --- cards -----------------------------------------------------------------------------------


async def test_tags_crud_validates_like_the_options_flow(
    hass: HomeAssistant, portal: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    client = await hass_ws_client(hass)
    add = f"{DOMAIN}/tags/add"
    charger = portal.unique_id
    assert (await ws_call(client, type=add, tag_id="12", name="x"))["error"]["code"] == (
        "invalid_tag"
    )
    duplicate = await ws_call(client, type=add, tag_id="04:a1:b2:c3:d4", name="Again")
    assert duplicate["error"]["code"] == "duplicate_tag"
    expensive = await ws_call(client, type=add, tag_id="CAFE0001", name="C", price_per_kwh=101)
    assert expensive["error"]["code"] == "invalid_format"
    elsewhere = await ws_call(client, type=add, tag_id="CAFE0001", name="C", chargers=["nope"])
    assert elsewhere["error"]["code"] == "invalid_format"
    blank = await ws_call(client, type=add, tag_id="CAFE0001", name="   ")
    assert blank["error"]["code"] == "invalid_format"
    # The owner is a person picked from Home Assistant's people, as in the options form: no
    # free text, no entity that is not a person.
    typed = await ws_call(client, type=add, tag_id="CAFE0001", name="C", owner="Carol")
    assert typed["error"]["code"] == "invalid_format"
    for person in ("person.nobody", "sensor.garage_power"):
        stranger = await ws_call(client, type=add, tag_id="CAFE0001", name="C", person=person)
        assert stranger["error"]["code"] == "invalid_format", person
    assert hass.data[DOMAIN].tags.registry.get("CAFE0001") is None
    added = await ws_call(
        client,
        type=add,
        tag_id="ca-fe-00-01",
        name=" Carol ",
        price_per_kwh=0.2,
        chargers=[charger],
        person="person.bob",
    )
    assert added["result"]["tag"]["tag_id"] == "CAFE0001"
    tag = hass.data[DOMAIN].tags.registry.get("CAFE0001")
    assert tag is not None
    assert (tag.name, tag.price_per_kwh, tag.chargers, tag.person) == (
        "Carol",
        0.2,
        frozenset({charger}),
        "person.bob",
    )
    # An owner typed as text by an earlier release stays on the card when it is changed.
    await hass.data[DOMAIN].tags.async_update(replace(tag, owner="Cost center 7"))
    renamed = await ws_call(
        client,
        type=f"{DOMAIN}/tags/update",
        tag_id="CAFE0001",
        name="Caro",
        person="person.alice",
    )
    assert renamed["success"]
    tag = hass.data[DOMAIN].tags.registry.get("CAFE0001")
    assert tag is not None
    assert (tag.name, tag.person, tag.owner) == ("Caro", "person.alice", "Cost center 7")
    listed = await ws_call(client, type=f"{DOMAIN}/tags")
    assert [t["name"] for t in listed["result"]["tags"]] == ["Alice", "Bob", "Caro"]
    assert (await ws_call(client, type=f"{DOMAIN}/tags/remove", tag_id="CAFE0001"))["success"]
    assert hass.data[DOMAIN].tags.registry.get("CAFE0001") is None
    for command in ("update", "remove"):
        gone = await ws_call(client, type=f"{DOMAIN}/tags/{command}", tag_id="CAFE0001", name="x")
        assert gone["error"]["code"] in ("not_found", "invalid_format")


async def test_unknown_card_attempt_is_logged_and_admitted(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    portal: MockConfigEntry,
    poll,
    clock,
    hass_ws_client: WebSocketGenerator,
) -> None:
    step = poll(portal)
    simulator.state.plug_in()
    await step(10)
    simulator.state.present_tag("0BADC0DE99")
    await step(10)
    client = await hass_ws_client(hass)
    attempts = (await ws_call(client, type=f"{DOMAIN}/attempts"))["result"]["attempts"]
    assert attempts[0]["tag_id"] == "0BADC0DE99"
    assert attempts[0]["charger"] == "Garage"
    assert attempts[0]["known"] is False
    admitted = await ws_call(client, type=f"{DOMAIN}/attempts/admit", tag_id="0BADC0DE99")
    assert admitted["result"]["tag"]["name"] == "Tag DC0DE99"[-10:] or admitted["success"]
    assert hass.data[DOMAIN].tags.registry.get("0BADC0DE99") is not None
    attempts = (await ws_call(client, type=f"{DOMAIN}/attempts"))["result"]["attempts"]
    assert attempts[0]["known"] is True
    # The car waiting at the box is now authorized, without another card read.
    assert portal.runtime_data.coordinator.auth.state == "authorized"
    again = await ws_call(client, type=f"{DOMAIN}/attempts/admit", tag_id="0BADC0DE99")
    assert again["error"]["code"] == "duplicate_tag"
    pseudonym = await ws_call(
        client, type=f"{DOMAIN}/attempts/admit", tag_id="sha256:0123456789abcdef"
    )
    assert pseudonym["error"]["code"] == "invalid_tag"


# --- now -------------------------------------------------------------------------------------


async def test_now_is_live_and_controls_the_box(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    portal: MockConfigEntry,
    poll,
    clock,
    hass_ws_client: WebSocketGenerator,
) -> None:
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": f"{DOMAIN}/wallboxes/subscribe"})
    assert (await client.receive_json())["success"]
    first = (await client.receive_json())["event"]["wallboxes"][0]
    assert first["title"] == "Garage"
    assert first["session"] is None
    assert first["current"]["max"] > first["current"]["min"]

    step = poll(portal)
    simulator.state.plug_in()
    await step(10)
    simulator.state.present_tag(ALICE_TAG)
    simulator.state.start_charging(7200)
    await step(60)  # pushed by the poll: the page does not ask
    tile = None
    while tile is None or tile["session"] is None or not tile["power_w"]:
        tile = (await client.receive_json())["event"]["wallboxes"][0]
    assert tile["status"] == "charging"
    assert tile["power_w"] == pytest.approx(7200, rel=0.05)
    assert tile["who"] == "Alice"
    assert tile["session"]["energy_wh"] > 0

    stop, pushed = await call_while_subscribed(
        client, type=f"{DOMAIN}/wallboxes/control", entry_id=portal.entry_id, enabled=False
    )
    assert stop["success"]
    assert simulator.state.status == "suspended_charger"  # the box stopped delivering
    if not any(event["wallboxes"][0]["enable"]["on"] is False for event in pushed):
        event = (await client.receive_json())["event"]  # the switch's change is pushed too
        assert event["wallboxes"][0]["enable"]["on"] is False
    current, _ = await call_while_subscribed(
        client, type=f"{DOMAIN}/wallboxes/control", entry_id=portal.entry_id, current_a=10
    )
    assert current["success"]
    assert simulator.state.current_limit_a == 10
    missing, _ = await call_while_subscribed(
        client, type=f"{DOMAIN}/wallboxes/control", entry_id="nope", enabled=True
    )
    assert missing["error"]["code"] == "not_found"


async def call_while_subscribed(
    client: Any, **message: Any
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Send a command; return its answer and the subscription events that came before it."""
    await client.send_json_auto_id(message)
    events = []
    while (answer := await client.receive_json()).get("type") == "event":
        events.append(answer["event"])
    return answer, events
