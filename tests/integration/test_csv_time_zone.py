"""The CSV's times, days and months are Home Assistant's (Settings → System → General).

Not UTC, and not the zone of the server's process (the TZ environment): a business in Auckland
whose Home Assistant runs on a machine set to Los Angeles bills its sessions by Auckland's days.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ev_session_monitor.const import DOMAIN
from custom_components.ev_session_monitor.core.model import SessionRecord

from .conftest import SetupEntry

HOME_ZONE = "Pacific/Auckland"  # UTC+13 in summer (January)
# 20:00 UTC on 31 January is 09:00 on 1 February in Auckland and noon on 31 January in
# Los Angeles: the month and the day differ in each of the three zones' readings.
STARTED = datetime(2026, 1, 31, 20, 0, tzinfo=UTC)


@pytest.fixture
def server_in_los_angeles(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's own zone (what datetime.astimezone() without a zone would use)."""
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def night_record() -> SessionRecord:
    return SessionRecord(
        session_id="auckland-morning",
        charger_id="box_a",
        charger_name="Garage",
        started_at=STARTED,
        ended_at=STARTED + timedelta(hours=1),
        charging_s=3600.0,
        energy_wh=7000.0,
        cost=2.1,
        currency="EUR",
        avg_power_w=7000.0,
        peak_power_w=7000.0,
        tag_id=None,
        tag_name=None,
        energy_source="meter",
        gaps=0,
    )


def blocks(text: str) -> list[list[dict[str, str]]]:
    """The tables of a CSV download (separated by blank lines), each as rows by column."""
    body = text.removeprefix("\ufeff")
    return [list(csv.DictReader(io.StringIO(block))) for block in body.split("\r\n\r\n")]


@pytest.mark.usefixtures("server_in_los_angeles")
async def test_csv_times_days_and_months_are_home_assistants(
    hass: HomeAssistant,
    setup_entry: SetupEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    await hass.config.async_set_time_zone(HOME_ZONE)
    assert datetime(2026, 1, 31, 20, tzinfo=UTC).astimezone().utcoffset() == timedelta(hours=-8)
    await setup_entry()
    await hass.data[DOMAIN].archive.async_add(night_record())
    client = await hass_client()

    response = await client.get(f"/api/{DOMAIN}/download/sessions")
    assert response.status == 200
    sessions, month_totals = blocks(await response.text())
    assert [(row["start"], row["end"]) for row in sessions] == [
        ("2026-02-01T09:00:00+13:00", "2026-02-01T10:00:00+13:00")
    ]
    assert [row["month"] for row in month_totals] == ["2026-02"]

    # A day without an offset (as the portal sends it) is Home Assistant's day.
    first_of_february = {"start": "2026-02-01T00:00:00", "end": "2026-02-02T00:00:00"}
    that_day = await client.get(f"/api/{DOMAIN}/download/sessions", params=first_of_february)
    assert [row["session_id"] for row in blocks(await that_day.text())[0]] == ["auckland-morning"]
    january = {"start": "2026-01-01T00:00:00", "end": "2026-02-01T00:00:00"}
    day_before = await client.get(f"/api/{DOMAIN}/download/sessions", params=january)
    assert blocks(await day_before.text())[0] == []

    totals = await client.get(f"/api/{DOMAIN}/download/totals")
    by_card, by_wallbox = blocks(await totals.text())
    assert [row["month"] for row in by_card] == ["2026-02"]
    assert [row["month"] for row in by_wallbox] == ["2026-02"]


@pytest.mark.usefixtures("server_in_los_angeles")
async def test_export_action_writes_home_assistants_times(
    hass: HomeAssistant, setup_entry: SetupEntry
) -> None:
    await hass.config.async_set_time_zone(HOME_ZONE)
    await setup_entry()
    await hass.data[DOMAIN].archive.async_add(night_record())
    answer = await hass.services.async_call(
        DOMAIN,
        "export_sessions",
        {"path": "zone.csv", "start": "2026-02-01T00:00:00"},
        blocking=True,
        return_response=True,
    )
    assert answer is not None
    assert answer["sessions"] == 1
    text = (Path(hass.config.config_dir) / str(answer["path"])).read_bytes().decode("utf-8")
    sessions, month_totals = blocks(text)
    assert sessions[0]["start"] == "2026-02-01T09:00:00+13:00"
    assert [row["month"] for row in month_totals] == ["2026-02"]
