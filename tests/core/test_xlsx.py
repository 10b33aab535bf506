"""The .xlsx writer, read back with openpyxl (an independent reader of the format)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from custom_components.ev_session_monitor.core.xlsx import Sheet, render_xlsx

BERLIN = ZoneInfo("Europe/Berlin")


def _open(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_numbers_are_numbers_and_dates_are_dates_in_the_users_time_zone() -> None:
    started = datetime(2026, 11, 2, 7, 30, tzinfo=UTC)  # 08:30 in Berlin
    data = render_xlsx(
        [
            Sheet(
                "Sessions",
                ["Start", "Day", "Energy (kWh)", "Sessions", "Cost", "Card", "Uncertain"],
                [[started, date(2026, 11, 2), 22.125, 3, None, "Fleet 1", True]],
            )
        ],
        BERLIN,
    )
    sheet = _open(data)["Sessions"]
    assert [cell.value for cell in sheet[1]] == [
        "Start",
        "Day",
        "Energy (kWh)",
        "Sessions",
        "Cost",
        "Card",
        "Uncertain",
    ]
    assert sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"
    start, day, energy, sessions, cost, card, uncertain = (cell.value for cell in sheet[2])
    assert start == datetime(2026, 11, 2, 8, 30)
    assert sheet["A2"].number_format == "yyyy-mm-dd hh:mm"
    assert day == datetime(2026, 11, 2)
    assert sheet["B2"].number_format == "yyyy-mm-dd"
    assert energy == 22.125
    assert sessions == 3
    assert cost is None
    assert card == "Fleet 1"
    assert uncertain is True


def test_hostile_text_stays_text() -> None:
    data = render_xlsx(
        [
            Sheet(
                'Cards: [guest]/*?"',
                ["Card"],
                [
                    ['=HYPERLINK("http://evil","x")'],
                    ["<b>&amp;\x00\x07 bell"],
                    [float("nan")],
                ],
            ),
            Sheet('Cards: [guest]/*?"', ["Card"], []),
        ],
        BERLIN,
    )
    workbook = _open(data)
    assert workbook.sheetnames == ['Cards   guest    "', 'Cards   guest    " 2']
    sheet = workbook.worksheets[0]
    assert sheet["A2"].value == '=HYPERLINK("http://evil","x")'
    assert sheet["A2"].data_type == "s"
    assert sheet["A3"].value == "<b>&amp; bell"
    assert sheet["A4"].value is None


def test_many_columns_and_long_sheet_names() -> None:
    header = [f"c{n}" for n in range(30)]
    data = render_xlsx([Sheet("x" * 40, header, [list(range(30))])], BERLIN)
    sheet = _open(data).worksheets[0]
    assert sheet.title == "x" * 31
    assert sheet["AD1"].value == "c29"
    assert sheet["AD2"].value == 29


def test_malformed_tables_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one sheet"):
        render_xlsx([], BERLIN)
    with pytest.raises(ValueError, match="row 2 of 'T' has 1 cells, not 2"):
        render_xlsx([Sheet("T", ["a", "b"], [[1]])], BERLIN)


def test_the_history_workbook_has_the_csv_columns_with_typed_cells() -> None:
    from dataclasses import replace

    from custom_components.ev_session_monitor.core.history import (
        CSV_CHARGER_TOTALS_HEADER,
        CSV_HEADER,
        CSV_TOTALS_HEADER,
        charger_totals,
        render_report_xlsx,
        totals,
    )
    from custom_components.ev_session_monitor.core.model import SessionRecord

    record = SessionRecord(
        session_id="s1",
        charger_id="box-1",
        charger_name="Garage",
        started_at=datetime(2026, 11, 2, 17, tzinfo=UTC),
        ended_at=datetime(2026, 11, 2, 19, tzinfo=UTC),
        charging_s=3600,
        energy_wh=11_000.4,
        cost=3.3001,
        currency="EUR",
        avg_power_w=11_000.4,
        peak_power_w=11_100,
        tag_id="04A1",
        tag_name="Anna",
        energy_source="meter",
    )
    record = replace(record, meter_start_wh=500_000, meter_end_wh=511_000.4)
    workbook = _open(
        render_report_xlsx(
            [record], totals([record], BERLIN), charger_totals([record], BERLIN), BERLIN
        )
    )
    assert workbook.sheetnames == ["Sessions", "Cards by month", "Wallboxes by month"]
    sessions, cards, boxes = workbook.worksheets
    assert tuple(cell.value for cell in sessions[1]) == CSV_HEADER
    assert tuple(cell.value for cell in cards[1]) == CSV_TOTALS_HEADER
    assert tuple(cell.value for cell in boxes[1]) == CSV_CHARGER_TOTALS_HEADER
    row = dict(zip(CSV_HEADER, (cell.value for cell in sessions[2]), strict=True))
    assert row["start"] == datetime(2026, 11, 2, 18, 0)  # Berlin time
    assert row["energy_kwh"] == 11.0
    assert row["cost"] == 3.3
    assert row["price_per_kwh"] == 0.3
    assert (row["meter_start_kwh"], row["meter_end_kwh"]) == (500.0, 511.0)
    assert row["tag_name"] == "Anna"
    card = dict(zip(CSV_TOTALS_HEADER, (cell.value for cell in cards[2]), strict=True))
    assert (card["month"], card["sessions"], card["cost"]) == ("2026-11", 1, 3.3)
