"""The portal's reports over HTTP and the websocket with real users' tokens (issue 24).

Sessions of the `site` fixture of test_access: Alice's card has 3 sessions in March 2026 (s0000 to
s0002), Bob's van 2; each 1,000 Wh + its index at 0.30 EUR. Alice is a non-administrator linked
to the person Alice; Carol has no person.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pypdf
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from .test_access import ALICE_CARD, BOB_CARD, Site, site  # noqa: F401 (the fixture)
from .test_report_actions import add_alices_second_card

STATEMENT = "/api/ev_session_monitor/statement"


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages)


async def command(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, token: str, **message: Any
) -> dict[str, Any]:
    client = await hass_ws_client(hass, token)
    await client.send_json_auto_id(message)
    answer: dict[str, Any] = await client.receive_json()
    return answer


async def test_statement_download_for_the_cards_a_user_may_see(
    hass: HomeAssistant,
    site: Site,  # noqa: F811
    hass_client: ClientSessionGenerator,
) -> None:
    alice = await hass_client(site.alice.token)
    response = await alice.get(f"{STATEMENT}?tag_id={ALICE_CARD}&month=2026-03")
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/pdf"
    body = await response.read()
    assert body.startswith(b"%PDF-")
    assert "Total: 3 sessions, 3.003 kWh, 0.90 EUR" in pdf_text(body)
    # Asked again with the same figures: the same filed statement.
    again = await alice.get(f"{STATEMENT}?tag_id={ALICE_CARD}&month=2026-03")
    assert again.headers["X-Statement-Reference"] == response.headers["X-Statement-Reference"]
    assert await again.read() == body

    # Another person's card, or any card for a user without a person: refused.
    assert (await alice.get(f"{STATEMENT}?tag_id={BOB_CARD}&month=2026-03")).status == 403
    carol = await hass_client(site.carol.token)
    assert (await carol.get(f"{STATEMENT}?tag_id={ALICE_CARD}&month=2026-03")).status == 403

    # The administrator may have any card's; a bad month is a clear 400.
    admin = await hass_client(site.admin.token)
    bob = await admin.get(f"{STATEMENT}?tag_id={BOB_CARD}&month=2026-03")
    assert "Total: 2 sessions, 2.007 kWh, 0.60 EUR" in pdf_text(await bob.read())
    assert (await admin.get(f"{STATEMENT}?tag_id={BOB_CARD}&month=2026-13")).status == 400


async def test_a_persons_statement_for_that_person_and_administrators(
    hass: HomeAssistant,
    site: Site,  # noqa: F811
    hass_client: ClientSessionGenerator,
) -> None:
    await add_alices_second_card(hass, site)
    alice = await hass_client(site.alice.token)
    response = await alice.get(f"{STATEMENT}?person=person.alice&month=2026-03")
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert "statement-person-alice-2026-03-" in response.headers["Content-Disposition"]
    text = " ".join(pdf_text(await response.read()).split())
    assert "Total Alice's car (04A1B2C3D4): 3 sessions, 3.003 kWh, 0.90 EUR" in text
    assert "Total Alice's own car (04A1A1A1A1): 2 sessions, 5.099 kWh, 1.53 EUR" in text
    assert "Total: 5 sessions, 8.102 kWh, 2.43 EUR" in text
    # Another person, or a user without a person: refused; neither or both: a clear 400.
    assert (await alice.get(f"{STATEMENT}?person=person.bob&month=2026-03")).status == 403
    carol = await hass_client(site.carol.token)
    assert (await carol.get(f"{STATEMENT}?person=person.alice&month=2026-03")).status == 403
    assert (await alice.get(f"{STATEMENT}?month=2026-03")).status == 400
    both = await alice.get(f"{STATEMENT}?tag_id={ALICE_CARD}&person=person.alice&month=2026-03")
    assert both.status == 400
    # The administrator may have anyone's; a person who owns no card is a clear 400.
    admin = await hass_client(site.admin.token)
    bob = await admin.get(f"{STATEMENT}?person=person.bob&month=2026-03")
    assert "Total: 2 sessions, 2.007 kWh, 0.60 EUR" in pdf_text(await bob.read())
    nobody = await admin.get(f"{STATEMENT}?person=person.nobody&month=2026-03")
    assert nobody.status == 400
    assert "owns no card" in (await nobody.json())["message"]
    assert (await admin.get(f"{STATEMENT}?person=light.bob&month=2026-03")).status == 400


async def test_reassigning_over_the_websocket_shows_in_the_audit_trail(
    hass: HomeAssistant,
    site: Site,  # noqa: F811
    hass_ws_client: WebSocketGenerator,
    hass_client: ClientSessionGenerator,
) -> None:
    admin, alice = site.admin.token, site.alice.token
    refused = await command(
        hass,
        hass_ws_client,
        alice,
        type="ev_session_monitor/sessions/correct",
        session_id="s0001",
        tag_id=BOB_CARD,
    )
    assert refused["error"]["code"] == "unauthorized"
    corrected = await command(
        hass,
        hass_ws_client,
        admin,
        type="ev_session_monitor/sessions/correct",
        session_id="s0001",
        tag_id=BOB_CARD,
        note="Bob's van on Alice's card",
    )
    assert corrected["success"], corrected
    assert corrected["result"]["session"]["tag_id"] == BOB_CARD
    trail = await command(
        hass,
        hass_ws_client,
        admin,
        type="ev_session_monitor/sessions/corrections",
        session_id="s0001",
    )
    assert [
        (item["user_name"], item["field"], item["before"], item["after"])
        for item in trail["result"]["corrections"]
    ] == [
        ("Admin", "tag", f"{ALICE_CARD} (Alice's car)", f"{BOB_CARD} (Bob's van)"),
        ("Admin", "note", None, "Bob's van on Alice's card"),
    ]
    # The session is Bob's now: Alice no longer sees it, nor its trail; her statement follows.
    hidden = await command(
        hass,
        hass_ws_client,
        alice,
        type="ev_session_monitor/sessions/corrections",
        session_id="s0001",
    )
    assert hidden["error"]["code"] == "unauthorized"
    own = await command(
        hass,
        hass_ws_client,
        alice,
        type="ev_session_monitor/sessions/corrections",
        session_id="s0000",
    )
    assert own["result"] == {"corrections": []}
    missing = await command(
        hass,
        hass_ws_client,
        admin,
        type="ev_session_monitor/sessions/corrections",
        session_id="nope",
    )
    assert missing["error"]["code"] == "not_found"
    client = await hass_client(alice)
    statement = await client.get(f"{STATEMENT}?tag_id={ALICE_CARD}&month=2026-03")
    assert "Total: 2 sessions, 2.002 kWh, 0.60 EUR" in pdf_text(await statement.read())


async def test_utilization_is_for_administrators(
    hass: HomeAssistant,
    site: Site,  # noqa: F811
    hass_ws_client: WebSocketGenerator,
) -> None:
    period = {"start": "2026-03-01T00:00:00+00:00", "end": "2026-03-08T00:00:00+00:00"}
    refused = await command(
        hass, hass_ws_client, site.alice.token, type="ev_session_monitor/utilization", **period
    )
    assert refused["error"]["code"] == "unauthorized"
    answer = await command(
        hass, hass_ws_client, site.admin.token, type="ev_session_monitor/utilization", **period
    )
    figures = answer["result"]
    assert figures["site"]["sessions"] == 5
    assert len(figures["site"]["occupancy"]) == 7 * 24
    assert figures["peaks"][0]["power_w"] == 1000.0
    backwards = await command(
        hass,
        hass_ws_client,
        site.admin.token,
        type="ev_session_monitor/utilization",
        start=period["end"],
        end=period["start"],
    )
    assert backwards["error"]["code"] == "home_assistant_error"


async def test_utilization_download_is_for_administrators(
    hass: HomeAssistant,
    site: Site,  # noqa: F811
    hass_client: ClientSessionGenerator,
) -> None:
    query = "start=2026-03-01T00:00:00%2B00:00&end=2026-03-08T00:00:00%2B00:00"
    admin = await hass_client(site.admin.token)
    response = await admin.get(f"/api/ev_session_monitor/download/utilization?{query}")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "ev-utilization-" in response.headers["Content-Disposition"]
    text = (await response.read()).decode("utf-8-sig")
    overview = list(csv.DictReader(io.StringIO(text.split("\r\n\r\n")[0])))
    # The figures get_utilization gives: 5 sessions, 10 h plugged in, 5 h charging, 5.01 kWh.
    assert [
        (row["scope"], row["sessions"], row["plugged_h"], row["blocking_h"], row["energy_kwh"])
        for row in overview
    ] == [("site", "5", "10.00", "5.00", "5.010"), ("wallbox", "5", "10.00", "5.00", "5.010")]
    workbook = await admin.get(f"/api/ev_session_monitor/download/utilization?{query}&format=xlsx")
    assert workbook.status == 200
    sheets = openpyxl.load_workbook(io.BytesIO(await workbook.read()))
    assert sheets.sheetnames == ["Utilization", "By month", "Occupancy"]
    assert sheets["Utilization"]["F2"].value == 5  # sessions, a number
    # Other users: refused, as utilization itself; a bad period: a clear 400.
    for account in (site.alice, site.carol):
        client = await hass_client(account.token)
        refused = await client.get(f"/api/ev_session_monitor/download/utilization?{query}")
        assert refused.status == 403
    backwards = await admin.get(
        "/api/ev_session_monitor/download/utilization?start=2026-03-08T00:00:00&end=2026-03-01"
    )
    assert backwards.status == 400
    nonsense = await admin.get("/api/ev_session_monitor/download/utilization?start=soon")
    assert nonsense.status == 400
