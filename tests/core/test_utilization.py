"""Utilization figures, against sessions whose hours are counted by hand."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.ev_session_monitor.core.model import SessionRecord
from custom_components.ev_session_monitor.core.utilization import HOURS_PER_WEEK, utilization
from custom_components.ev_session_monitor.core.utilization_export import (
    render_utilization_csv,
    render_utilization_xlsx,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOVEMBER = (datetime(2026, 11, 1, tzinfo=BERLIN), datetime(2026, 12, 1, tzinfo=BERLIN))


def _session(
    charger: str,
    start: datetime,
    plugged_h: float,
    charging_h: float,
    energy_kwh: float,
    cost: float | None = None,
) -> SessionRecord:
    charging_s = charging_h * 3600
    return SessionRecord(
        session_id=f"{charger}-{start.isoformat()}",
        charger_id=charger,
        charger_name=f"Box {charger}",
        started_at=start.astimezone(UTC),
        ended_at=(start + timedelta(hours=plugged_h)).astimezone(UTC),
        charging_s=charging_s,
        energy_wh=energy_kwh * 1000,
        cost=cost,
        currency="EUR" if cost is not None else None,
        avg_power_w=energy_kwh * 1000 / charging_h if charging_h else None,
        peak_power_w=None,
        tag_id=None,
        tag_name=None,
        energy_source="meter",
    )


def test_plugged_charging_blocking_and_occupancy_of_one_session() -> None:
    # Monday 2 November 08:00-12:00 local, charging the first 2 hours.
    record = _session("a", datetime(2026, 11, 2, 8, tzinfo=BERLIN), 4, 2, 22, cost=6.6)
    result = utilization([record], *NOVEMBER, BERLIN)
    (box,) = result.wallboxes
    assert (box.plugged_h, box.charging_h, box.blocking_h) == (4, 2, 2)
    assert box.sessions == 1
    assert box.sessions_per_day == pytest.approx(1 / 30)
    assert (box.energy_wh, box.revenue) == (22000, 6.6)
    occupancy = box.occupancy(result.hours_in_period)
    # November 2026 has five Mondays: each of 08-12 was occupied on one of them.
    assert [occupancy[hour] for hour in range(7, 13)] == [0, 0.2, 0.2, 0.2, 0.2, 0]
    assert sum(occupancy) == pytest.approx(0.8)
    figures = result.to_dict()
    assert figures["site"]["blocking_h"] == 2
    assert figures["wallboxes"][0]["months"] == [
        {
            "month": "2026-11",
            "sessions": 1,
            "energy_kwh": 22.0,
            "revenue": 6.6,
            "plugged_h": 4.0,
            "charging_h": 2.0,
        }
    ]


def test_site_occupancy_is_per_wallbox_and_peak_power_sums_what_overlaps() -> None:
    monday = datetime(2026, 11, 2, tzinfo=BERLIN)
    records = [
        # 11 kW from 08:00 to 10:00, and 7.4 kW from 09:00 to 10:00: 18.4 kW from 09:00.
        _session("a", monday + timedelta(hours=8), 3, 2, 22),
        _session("b", monday + timedelta(hours=9), 1, 1, 7.4),
        # Later one box hands over to another at 14:00 exactly: never two at once.
        _session("a", monday + timedelta(hours=12), 2, 2, 20),
        _session("b", monday + timedelta(hours=14), 2, 2, 20),
    ]
    result = utilization(records, *NOVEMBER, BERLIN)
    ((peak),) = result.peaks
    assert peak.month == "2026-11"
    assert peak.power_w == pytest.approx(18400)
    assert peak.at == (monday + timedelta(hours=9)).astimezone(UTC)
    # Two boxes: the site's 09:00 hour on one Monday out of five had both busy.
    site_occupancy = result.site.occupancy(result.hours_in_period)
    assert site_occupancy[9] == pytest.approx(2 / (5 * 2))
    assert site_occupancy[8] == pytest.approx(1 / (5 * 2))
    assert result.site.sessions == 4
    assert [box.charger_id for box in result.wallboxes] == ["a", "b"]


def test_a_session_across_the_period_start_counts_only_its_hours_inside() -> None:
    # Plugged in 31 October 22:00, left 1 November 02:00 (local); charging 22:00-01:00.
    record = _session("a", datetime(2026, 10, 31, 22, tzinfo=BERLIN), 4, 3, 30, cost=9)
    (box,) = utilization([record], *NOVEMBER, BERLIN).wallboxes
    assert box.plugged_h == pytest.approx(2)
    assert box.charging_h == pytest.approx(1)
    assert (box.sessions, box.energy_wh, box.revenue) == (0, 0, 0)


def test_hours_of_the_week_follow_local_time_through_a_clock_change() -> None:
    # 25 October 2026: Berlin's clocks go back, 02:00-03:00 happens twice.
    start = datetime(2026, 10, 25, tzinfo=BERLIN)
    end = datetime(2026, 10, 26, tzinfo=BERLIN)
    record = _session("a", start, 24, 0, 0)
    result = utilization([record], start, end, BERLIN)
    sunday = 6 * 24
    assert sum(result.hours_in_period) == 25
    assert result.hours_in_period[sunday + 2] == 2
    assert result.wallboxes[0].plugged_h == 25
    assert result.wallboxes[0].occupancy(result.hours_in_period)[sunday : sunday + 24] == [1.0] * 24
    assert len(result.hours_in_period) == HOURS_PER_WEEK


def test_sessions_outside_the_period_and_empty_periods() -> None:
    record = _session("a", datetime(2026, 12, 5, 8, tzinfo=BERLIN), 4, 2, 22)
    result = utilization([record], *NOVEMBER, BERLIN)
    assert result.wallboxes == []
    assert result.peaks == []
    assert result.to_dict()["site"]["sessions"] == 0
    with pytest.raises(ValueError, match="end after it starts"):
        utilization([], NOVEMBER[1], NOVEMBER[0], BERLIN)


def test_the_csv_and_xlsx_give_the_figures_per_wallbox_month_and_hour() -> None:
    monday = datetime(2026, 11, 2, tzinfo=BERLIN)
    records = [
        # As above: 18.4 kW at once on Monday 2 November from 09:00.
        _session("a", monday + timedelta(hours=8), 3, 2, 22, cost=6.6),
        _session("b", monday + timedelta(hours=9), 1, 1, 7.4, cost=2.22),
    ]
    result = utilization(records, *NOVEMBER, BERLIN)
    text = render_utilization_csv(result, BERLIN)
    overview, months, hours = (
        list(csv.DictReader(io.StringIO(part))) for part in text.split("\r\n\r\n")
    )
    assert overview[0] == {
        "start": "2026-11-01T00:00:00+01:00",
        "end": "2026-12-01T00:00:00+01:00",
        "scope": "site",
        "charger_id": "",
        "charger": "",
        "sessions": "2",
        "sessions_per_day": "0.067",
        "plugged_h": "4.00",
        "charging_h": "3.00",
        "blocking_h": "1.00",
        "energy_kwh": "29.400",
        "revenue": "8.82",
    }
    assert [(row["scope"], row["charger"], row["blocking_h"]) for row in overview[1:]] == [
        ("wallbox", "Box a", "1.00"),
        ("wallbox", "Box b", "0.00"),
    ]
    assert months[0] == {
        "month": "2026-11",
        "scope": "site",
        "charger_id": "",
        "charger": "",
        "sessions": "2",
        "energy_kwh": "29.400",
        "revenue": "8.82",
        "plugged_h": "4.00",
        "charging_h": "3.00",
        "peak_power_kw": "18.40",
        "peak_at": "2026-11-02T09:00:00+01:00",
    }
    assert [row["peak_power_kw"] for row in months[1:]] == ["", ""]  # the site's only
    assert len(hours) == HOURS_PER_WEEK
    nine_on_monday = hours[9]
    assert nine_on_monday == {
        "weekday": "1",
        "hour": "9",
        # Five Mondays in November; both boxes busy at 09-10 on one: 0.2 each, 0.2 for the site.
        "occupancy site": "0.2000",
        "occupancy Box a": "0.2000",
        "occupancy Box b": "0.2000",
    }
    assert hours[8]["occupancy site"] == "0.1000"  # one of two boxes
    workbook = zipfile.ZipFile(io.BytesIO(render_utilization_xlsx(result, BERLIN)))
    names = [name for name in workbook.namelist() if name.startswith("xl/worksheets/")]
    assert len(names) == 3
    overview_xml = workbook.read("xl/worksheets/sheet1.xml").decode()
    assert "<v>29.4</v>" in overview_xml  # a number, not text
