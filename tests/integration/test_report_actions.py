"""The statement, correction and utilization actions (issue 24), with real users.

Sessions of the `site` fixture of test_access: Alice's card has 3 sessions in March 2026, Bob's
van 2; each 1,000 Wh + its index at 0.30 EUR.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import probatio as vol
import pypdf
import pytest
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.util import dt as dt_util

from custom_components.ev_session_monitor.const import DOMAIN
from custom_components.ev_session_monitor.core.history.reports import cents
from custom_components.ev_session_monitor.core.tags import KnownTag

from .test_access import ALICE_CARD, BOB_CARD, Site, session, site  # noqa: F401 (the fixture)

ALICE_SECOND_CARD = "04A1A1A1A1"


async def call(hass: HomeAssistant, service: str, user_id: str | None, **data: Any) -> Any:
    return await hass.services.async_call(
        DOMAIN,
        service,
        data,
        blocking=True,
        return_response=True,
        context=Context(user_id=user_id),
    )


async def test_a_statement_is_written_for_the_notify_attachment(
    hass: HomeAssistant,
    site: Site,  # noqa: F811
) -> None:
    answer = await call(hass, "create_statement", None, tag_id=ALICE_CARD, month="2026-03")
    assert answer["path"].startswith("ev_session_monitor/statements/statement-04A1B2C3D4-2026-03-")
    assert (answer["sessions"], answer["energy_kwh"], answer["cost"]) == (3, 3.003, 0.9)
    assert answer["supersedes"] is None
    pdf = Path(hass.config.path(answer["path"])).read_bytes()
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Charging statement March 2026" in text
    assert "Alice" in text  # the card's person
    assert "Total: 3 sessions, 3.003 kWh, 0.90 EUR" in text
    assert answer["reference"] in text

    # The same figures again: nothing to replace. A session moved to Bob: the new statement
    # says which one it replaces, and the totals follow.
    again = await call(
        hass, "create_statement", site.admin.user.id, tag_id=ALICE_CARD, month="2026-03"
    )
    assert again["supersedes"] is None and again["reference"] == answer["reference"]
    assert again["path"] == answer["path"]  # built once: the same file stands
    corrected = await call(
        hass,
        "correct_session",
        site.admin.user.id,
        session_id="s0001",
        tag_id=BOB_CARD,
        note="Bob's van on Alice's card",
    )
    assert corrected["session"]["tag_id"] == BOB_CARD
    assert [c["field"] for c in corrected["corrections"]] == ["tag", "note"]
    assert corrected["corrections"][0]["user_name"] == "Admin"
    after = await call(hass, "create_statement", None, tag_id=ALICE_CARD, month="2026-03")
    assert (after["sessions"], after["energy_kwh"]) == (2, 2.002)
    assert after["supersedes"] == answer["path"]
    bob = await call(hass, "get_sessions", None, tag_id=BOB_CARD)
    assert "s0001" in {s["session_id"] for s in bob["sessions"]}


async def add_alices_second_card(hass: HomeAssistant, site: Site) -> None:  # noqa: F811
    """Alice's second card (her private car) with two March sessions of odd Wh and cents."""
    await hass.data[DOMAIN].tags.async_add(
        KnownTag(ALICE_SECOND_CARD, "Alice's own car", person="person.alice")
    )
    charger_id = site.entry.unique_id
    assert charger_id is not None
    for index, energy_wh, cost in ((5, 4_321.4, 1.2965), (6, 777.6, 0.2345)):
        record = replace(
            session(index, ALICE_CARD, charger_id),
            started_at=session(index, ALICE_CARD, charger_id).started_at + timedelta(minutes=30),
            tag_id=ALICE_SECOND_CARD,
            tag_name="Alice's own car",
            energy_wh=energy_wh,
            cost=cost,
        )
        await hass.data[DOMAIN].archive.async_add(record)


def flowing_text(pdf: bytes) -> str:
    """The PDF's text with its line breaks as spaces (a table cell may wrap)."""
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


def total_text(rows: list[dict[str, Any]]) -> str:
    """ "N sessions, X kWh, Y EUR" of get_sessions rows: kWh to the Wh, each cost to the cent."""
    energy = sum(Decimal(str(row["energy_wh"])) for row in rows) / 1000
    cost = sum((cents(row["cost"]) for row in rows), Decimal(0))
    return f"{len(rows)} sessions, {energy:.3f} kWh, {cost:.2f} EUR"


async def test_a_persons_statement_lists_all_their_cards(
    hass: HomeAssistant,
    site: Site,  # noqa: F811
) -> None:
    await add_alices_second_card(hass, site)
    answer = await call(hass, "create_statement", None, person="person.alice", month="2026-03")
    assert answer["path"].startswith(
        "ev_session_monitor/statements/statement-person-alice-2026-03-"
    )
    text = flowing_text(Path(hass.config.path(answer["path"])).read_bytes())
    # The history's figures for March, as get_sessions gives them.
    history = await call(
        hass,
        "get_sessions",
        None,
        tag_id=[ALICE_CARD, ALICE_SECOND_CARD],
        start="2026-03-01T00:00:00",
        end="2026-04-01T00:00:00",
    )
    rows = sorted(history["sessions"], key=lambda row: row["started_at"])
    assert {row["tag_id"] for row in rows} == {ALICE_CARD, ALICE_SECOND_CARD}
    labels = {
        ALICE_CARD: "Alice's car (04A1B2C3D4)",
        ALICE_SECOND_CARD: "Alice's own car (04A1A1A1A1)",
    }
    for row in rows:
        started = dt_util.as_local(datetime.fromisoformat(row["started_at"]))
        started_text = started.strftime("%Y-%m-%d %H:%M")  # in Home Assistant's time zone
        # Each session: its start, card, wallbox, meter readings, kWh, price and cost.
        line = (
            rf"{started_text} {re.escape(labels[row['tag_id']])} Garage not read not read "
            rf"{row['energy_wh'] / 1000:.3f} [0-9.]+ {cents(row['cost']):.2f}"
        )
        assert re.search(line, text), line
    for tag_id, label in labels.items():
        mine = [row for row in rows if row["tag_id"] == tag_id]
        assert f"Total {label}: {total_text(mine)}" in text
    assert f"Total: {total_text(rows)}" in text
    assert "Total: 5 sessions, 8.102 kWh, 2.43 EUR" in text  # the same, by hand
    assert text.count("signature of the person charging") == 1
    assert (answer["sessions"], answer["energy_kwh"], answer["cost"]) == (5, 8.102, 2.43)
    assert "Person Alice" in text
    # Filed once: asked again with the same figures, the same file.
    again = await call(hass, "create_statement", None, person="person.alice", month="2026-03")
    assert again["path"] == answer["path"]


async def test_a_statement_is_of_a_card_or_a_person(
    hass: HomeAssistant,
    site: Site,  # noqa: F811
) -> None:
    for data in ({}, {"tag_id": ALICE_CARD, "person": "person.alice"}):
        with pytest.raises(ServiceValidationError) as either:
            await call(hass, "create_statement", None, month="2026-03", **data)
        assert either.value.translation_key == "statement_card_or_person"
    # Bob's card handed to no one: Bob owns no card; nor does a person who is not there.
    await hass.data[DOMAIN].tags.async_update(KnownTag(BOB_CARD, "Bob's van"))
    for person in ("person.bob", "person.nobody"):
        with pytest.raises(ServiceValidationError) as cardless:
            await call(hass, "create_statement", None, person=person, month="2026-03")
        assert cardless.value.translation_key == "person_without_cards"
        assert cardless.value.translation_placeholders == {"person": person}
    with pytest.raises(vol.Invalid):
        await call(hass, "create_statement", None, person="sensor.alice", month="2026-03")
    assert not Path(hass.config.path("ev_session_monitor/statements")).exists()


async def test_only_administrators_and_automations_create_and_correct(
    hass: HomeAssistant,
    site: Site,  # noqa: F811
) -> None:
    for user in (site.alice, site.carol):
        with pytest.raises(Unauthorized):
            await call(hass, "create_statement", user.user.id, tag_id=ALICE_CARD)
        with pytest.raises(Unauthorized):
            await call(hass, "create_statement", user.user.id, person="person.alice")
        with pytest.raises(Unauthorized):
            await call(hass, "correct_session", user.user.id, session_id="s0000", note="x")
        with pytest.raises(Unauthorized):
            await call(hass, "get_utilization", user.user.id)
    assert not Path(hass.config.path("ev_session_monitor/statements")).exists()


async def test_bad_input_is_a_clear_error(hass: HomeAssistant, site: Site) -> None:  # noqa: F811
    with pytest.raises(ServiceValidationError) as month:
        await call(hass, "create_statement", None, tag_id=ALICE_CARD, month="2026-13")
    assert month.value.translation_key == "invalid_month"
    with pytest.raises(ServiceValidationError) as card:
        await call(hass, "create_statement", None, tag_id="../../etc")
    assert card.value.translation_key == "invalid_tag_id"
    with pytest.raises(ServiceValidationError) as unknown:
        await call(hass, "correct_session", None, session_id="nope", note="x")
    assert unknown.value.translation_key == "unknown_session"


async def test_utilization_over_a_period(hass: HomeAssistant, site: Site) -> None:  # noqa: F811
    figures = await call(
        hass,
        "get_utilization",
        None,
        start="2026-03-01T00:00:00+00:00",
        end="2026-03-08T00:00:00+00:00",
    )
    (box,) = figures["wallboxes"]
    # Five sessions of 2 h plugged in, 1 h charging each.
    assert (box["sessions"], box["plugged_h"], box["charging_h"], box["blocking_h"]) == (
        5,
        10,
        5,
        5,
    )
    assert figures["site"]["energy_kwh"] == 5.01
    (peak,) = figures["peaks"]
    assert peak["power_w"] == 1000.0


async def test_utilization_exported_as_csv_and_xlsx_by_the_action(
    hass: HomeAssistant,
    site: Site,  # noqa: F811
) -> None:
    period = {"start": "2026-03-01T00:00:00+00:00", "end": "2026-03-08T00:00:00+00:00"}
    answer = await call(hass, "get_utilization", site.admin.user.id, export="csv", **period)
    assert answer["path"].startswith("ev_session_monitor/exports/utilization-")
    assert answer["path"].endswith(".csv")
    assert answer["file"] == hass.config.path(answer["path"])
    text = Path(answer["file"]).read_text(encoding="utf-8-sig")
    site_row = text.splitlines()[1].split(",")
    assert site_row[2:6] == ["site", "", "", str(answer["site"]["sessions"])]
    workbook = await call(hass, "get_utilization", None, export="xlsx", **period)
    assert Path(workbook["file"]).read_bytes().startswith(b"PK")  # a zip: the XLSX
    assert workbook["site"] == answer["site"]
    with pytest.raises(Unauthorized):
        await call(hass, "get_utilization", site.alice.user.id, export="csv")
    with pytest.raises(vol.Invalid):
        await call(hass, "get_utilization", None, export="pdf")


async def test_xlsx_download_is_scoped_like_the_csv(
    hass: HomeAssistant,
    site: Site,  # noqa: F811
    hass_client: Any,
) -> None:
    import openpyxl

    for account, expected in ((site.admin, 5), (site.alice, 3), (site.carol, 0)):
        client = await hass_client(account.token)
        response = await client.get("/api/ev_session_monitor/download/sessions?format=xlsx")
        assert response.status == 200, account.user.name
        assert response.headers["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        workbook = openpyxl.load_workbook(io.BytesIO(await response.read()))
        sessions = workbook["Sessions"]
        assert sessions.max_row - 1 == expected, account.user.name
        if expected:
            assert isinstance(sessions["G2"].value, float)  # energy_kwh: a number
    client = await hass_client(site.admin.token)
    bad = await client.get("/api/ev_session_monitor/download/sessions?format=pdf")
    assert bad.status == 400
