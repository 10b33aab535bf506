"""The PDF statement, read back with pypdf: its figures are the history's to the Wh and the cent."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pypdf
import pytest

from custom_components.ev_session_monitor.core.history import totals
from custom_components.ev_session_monitor.core.model import PricePart, SessionRecord
from custom_components.ev_session_monitor.core.statement import (
    MeterInfo,
    Statement,
    render_statement,
)

BERLIN = ZoneInfo("Europe/Berlin")
TRANSLATIONS = (
    Path(__file__).parents[2] / "custom_components/ev_session_monitor/translations/en.json"
)
LABELS = json.loads(TRANSLATIONS.read_text())["selector"]["statement_label"]["options"]
ISSUED = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


def _record(day: int, energy_wh: float, cost: float | None, meter_start_wh: float) -> SessionRecord:
    start = datetime(2026, 11, day, 18, 0, tzinfo=BERLIN).astimezone(UTC)
    return SessionRecord(
        session_id=f"s{day}",
        charger_id="box-1",
        charger_name="Garage Łódź",
        started_at=start,
        ended_at=start + timedelta(hours=3),
        charging_s=7200,
        energy_wh=energy_wh,
        cost=cost,
        currency="EUR" if cost is not None else None,
        avg_power_w=energy_wh / 2,
        peak_power_w=11000,
        tag_id="04A1B2",
        tag_name="Company car",
        energy_source="meter",
        meter_start_wh=meter_start_wh,
        meter_end_wh=meter_start_wh + energy_wh,
        meter_serial="KEBA-123",
    )


RECORDS = [
    _record(3, 12_345.0, 3.7035, 1_000_000.0),
    _record(10, 8_001.0, 2.675, 1_012_345.0),  # half a cent: 2.68, as an invoice rounds
    _record(24, 999.0, None, 1_020_346.0),
]


def _text(statement: Statement) -> str:
    reader = pypdf.PdfReader(io.BytesIO(render_statement(statement)))
    return "\n".join(page.extract_text() for page in reader.pages)


def _statement(**changes: object) -> Statement:
    fields: dict[str, object] = {
        "month": "2026-11",
        "records": RECORDS,
        "labels": LABELS,
        "language": "en",
        "tz": BERLIN,
        "issued_at": ISSUED,
        "holder": "Jürgen Пётр",
        "cards": ["Company car"],
        "vehicle": "B-EV 123",
        "tariff": "Fixed 0.30 EUR/kWh",
        "meters": {"box-1": MeterInfo(calibration="MID")},
    }
    fields.update(changes)
    return Statement(**fields)  # type: ignore[arg-type]


def test_every_session_and_the_totals_match_the_history() -> None:
    text = _text(_statement())
    rows = totals(RECORDS, BERLIN)
    # 3.70 + 2.68: the per-card total of the portal and the CSV (the unpriced session apart).
    assert sorted(rows, key=lambda row: row.cost is None)[0].cost == 6.38
    energy_kwh = sum(row.energy_wh for row in rows) / 1000
    assert "Charging statement November 2026" in text
    assert "Jürgen Пётр" in text
    assert "B-EV 123" in text
    assert "Garage Łódź: KEBA-123 (calibrated meter: MID)" in text
    for line in (
        "2026-11-03 18:00",
        "1000.000",
        "1012.345",
        "12.345",
        "3.70",
        "8.001",
        "2.68",
        "0.999",
        "Without price",
    ):
        assert line in text
    assert f"Total: 3 sessions, {energy_kwh:.3f} kWh, 6.38 EUR" in text
    assert "Without price: 0.999 kWh" in text
    assert re.search(r"Reference [0-9A-F]{12}", text)
    assert "signature of the company" in text


def test_language_and_a_changed_session_change_the_statement() -> None:
    german = _text(_statement(language="de"))
    assert "12,345" in german
    assert "6,38 EUR" in german
    first = _statement()
    second = _statement(records=RECORDS[:2], supersedes=ISSUED)
    assert first.reference != second.reference
    text = _text(second)
    assert "Replaces the statement of 2026-12-01 07:00" in text


def test_an_empty_month_and_hostile_names() -> None:
    text = _text(_statement(records=[], holder="Eve\x00\x1b[31m", cards=[]))
    assert "No charging sessions in this month." in text
    assert "Eve[31m" in text
    with pytest.raises(ValueError, match="labels missing: title"):
        _statement(labels={key: value for key, value in LABELS.items() if key != "title"})


def test_a_session_whose_price_changed_lists_its_parts() -> None:
    # A dynamic tariff: 18:00-19:00 at 0.3120, 19:00-20:00 at 0.2790 EUR/kWh (Berlin).
    start = datetime(2026, 11, 5, 18, 0, tzinfo=BERLIN).astimezone(UTC)
    dynamic = replace(
        _record(5, 11_000.0, 6.0 * 0.312 + 5.0 * 0.279, 2_000_000.0),
        price_parts=(
            PricePart(start, 6_000.0, 0.312),
            PricePart(start + timedelta(hours=1), 5_000.0, 0.279),
        ),
    )
    records = [RECORDS[0], dynamic]
    lines = _text(_statement(records=records)).splitlines()
    session = next(line for line in lines if line.startswith("2026-11-05 18:00"))
    # The session's line: its energy, the average price and its cost, as before.
    assert session.split()[-3:] == ["11.000", f"{dynamic.price_per_kwh:.4f}", "3.27"]
    assert "· from 18:00 6.000 0.3120" in lines
    assert "· from 19:00 5.000 0.2790" in lines
    # The parts add no session to the total.
    assert any(line.startswith("Total: 2 sessions, 23.345 kWh, 6.97 EUR") for line in lines)


def test_a_persons_statement_lists_each_cards_sessions_and_totals() -> None:
    # Jürgen's company car card and his private one: the second card's two sessions are new.
    van = [
        replace(_record(day, energy_wh, cost, meter), session_id=f"v{day}", tag_id="04B0B0")
        for day, energy_wh, cost, meter in (
            (4, 4_321.0, 1.2963, 1_000_000.0 + 12_345.0),  # 1.30
            (12, 7_777.0, 2.3331, 1_020_346.0 + 999.0),  # 2.33
        )
    ]
    cards = {"04A1B2": "Company car (04A1B2)", "04B0B0": "Private van (04B0B0)"}
    text = _text(_statement(records=[*RECORDS, *van], cards=list(cards.values()), per_card=cards))
    flowing = " ".join(text.split())  # a table cell may wrap
    # Each session's row names its card; both cards' sessions are in the one table, by date.
    for row in (
        "2026-11-03 18:00 Company car (04A1B2) Garage Łódź 1000.000 1012.345 12.345 0.3000 3.70",
        "2026-11-04 18:00 Private van (04B0B0) Garage Łódź 1012.345 1016.666 4.321 0.3000 1.30",
        "2026-11-10 18:00 Company car (04A1B2) Garage Łódź 1012.345 1020.346 8.001 0.3343 2.68",
        "2026-11-12 18:00 Private van (04B0B0) Garage Łódź 1021.345 1029.122 7.777 0.3000 2.33",
        "2026-11-24 18:00 Company car (04A1B2) Garage Łódź 1020.346 1021.345 0.999 - Without",
    ):
        assert row in flowing, row
    # A total per card (its sessions' costs rounded to the cent, added), then of both.
    assert "Total Company car (04A1B2): 3 sessions, 21.345 kWh, 6.38 EUR" in text
    assert "Total Private van (04B0B0): 2 sessions, 12.098 kWh, 3.63 EUR" in text
    assert "Total: 5 sessions, 33.443 kWh, 10.01 EUR" in text
    # One statement, one place to sign.
    assert text.count("signature of the person charging") == 1
