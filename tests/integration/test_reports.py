"""Reports: events in the recorder and logbook, get_sessions, CSV export."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ev_session_monitor.const import (
    CONF_FIXED_PRICE,
    CONF_PRICE_SOURCE,
    DOMAIN,
    PRICE_FIXED,
)
from custom_components.ev_session_monitor.core.tags import KnownTag
from tools.wallbox_simulator import WallboxSimulator

from .conftest import SetupEntry


@pytest.fixture
def auto_enable_custom_integrations(recorder_mock: None, enable_custom_integrations: None) -> None:
    """The real recorder (SQLite) must start before Home Assistant: every test here uses it."""


async def charge(simulator: WallboxSimulator, step, tag: str | None, seconds: int) -> None:
    """One session at 7.2 kW (2 Wh per second)."""
    simulator.state.plug_in()
    await step(10)
    if tag:
        simulator.state.present_tag(tag)
    simulator.state.start_charging(7200)
    await step(seconds)
    simulator.state.unplug()
    await step(10)


@pytest.fixture
async def two_sessions(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
):
    hass.config.currency = "EUR"
    entry = await setup_entry(**{CONF_PRICE_SOURCE: PRICE_FIXED, CONF_FIXED_PRICE: 0.25})
    await hass.data[DOMAIN].tags.async_add(
        KnownTag("04A1B2C3D4", "Alice", "Alice", None, frozenset())
    )
    step = poll(entry)
    await charge(simulator, step, "04A1B2C3D4", 500)  # 1 kWh
    await charge(simulator, step, "DEADBEEF01", 1000)  # 2 kWh
    return entry


async def test_events_recorded_and_in_logbook(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    poll,
    hass_client: ClientSessionGenerator,
) -> None:
    assert await async_setup_component(hass, "logbook", {})
    # Events carry the real time; the test clock only moves Home Assistant's utcnow.
    start = datetime.now(UTC) - timedelta(minutes=1)
    entry = await setup_entry(**{CONF_PRICE_SOURCE: PRICE_FIXED, CONF_FIXED_PRICE: 0.25})
    hass.config.currency = "EUR"
    await charge(simulator, poll(entry), None, 500)
    await async_wait_recording_done(hass)
    client = await hass_client()
    end = dt_util.utcnow() + timedelta(hours=1)
    response = await client.get(
        f"/api/logbook/{quote(start.isoformat())}", params={"end_time": end.isoformat()}
    )
    assert response.status == 200
    entries = await response.json()
    messages = [item["message"] for item in entries if item.get("domain") == DOMAIN]
    assert "started a charging session" in messages
    assert any(
        message.startswith("completed a charging session: 1.00 kWh") and "0.25 EUR" in message
        for message in messages
    )


async def test_get_sessions_filters_and_totals(hass: HomeAssistant, two_sessions) -> None:
    entry = two_sessions
    response = await hass.services.async_call(
        DOMAIN, "get_sessions", {}, blocking=True, return_response=True
    )
    # Newest first by default.
    assert [s["energy_wh"] for s in response["sessions"]] == [2000, 1000]
    assert response["summary"]["sessions"] == 2
    by_tag = {row["tag_id"]: row for row in response["totals"]}
    assert by_tag["04A1B2C3D4"]["energy_wh"] == 1000
    assert by_tag["04A1B2C3D4"]["tag_name"] == "Alice"
    assert by_tag["DEADBEEF01"]["cost"] == 0.5
    only_alice = await hass.services.async_call(
        DOMAIN,
        "get_sessions",
        {"tag_id": "04:a1:b2:c3:d4", "config_entry_id": entry.entry_id},
        blocking=True,
        return_response=True,
    )
    assert [s["tag_name"] for s in only_alice["sessions"]] == ["Alice"]
    future = await hass.services.async_call(
        DOMAIN,
        "get_sessions",
        {"start": dt_util.utcnow() + timedelta(days=1)},
        blocking=True,
        return_response=True,
    )
    assert future["sessions"] == []
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN,
            "get_sessions",
            {"config_entry_id": "nope"},
            blocking=True,
            return_response=True,
        )


async def test_export_csv(hass: HomeAssistant, two_sessions) -> None:
    response = await hass.services.async_call(
        DOMAIN,
        "export_sessions",
        {"path": "ev_session_monitor/exports/report.csv"},
        blocking=True,
        return_response=True,
    )
    # Relative to the config folder: the answer does not tell the server's layout (issue 26).
    assert response["path"] == "ev_session_monitor/exports/report.csv"
    path = Path(hass.config.path(response["path"]))
    assert response["sessions"] == 2
    text = path.read_text()
    rows = list(csv.reader(text.splitlines()))
    assert any("Alice" in row for row in rows)
    assert any("DEADBEEF01" in row for row in rows)
    for outside in ("/etc/passwd.csv", "../outside.csv", "ev_session_monitor/../../x.csv"):
        with pytest.raises(ServiceValidationError):
            await hass.services.async_call(
                DOMAIN, "export_sessions", {"path": outside}, blocking=True, return_response=True
            )


async def test_action_errors(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry
) -> None:
    entry = await setup_entry()
    now = dt_util.utcnow()
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "get_sessions",
            {"start": now, "end": now - timedelta(days=1)},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "invalid_range"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "learn_last_tag", {"config_entry_id": "nope"}, blocking=True
        )
    assert err.value.translation_key == "unknown_entry"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "learn_last_tag", {"config_entry_id": entry.entry_id}, blocking=True
        )
    assert err.value.translation_key == "no_unknown_tag"
    # A directory where the file should go: a clear error, nothing written.
    Path(hass.config.path("ev_session_monitor/exports/taken.csv")).mkdir(parents=True)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "export_sessions",
            {"path": "ev_session_monitor/exports/taken.csv"},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "export_failed"
    # Naive times are Home Assistant's local time; the default file name is used.
    response = await hass.services.async_call(
        DOMAIN,
        "export_sessions",
        {"start": "2026-01-01 00:00:00"},
        blocking=True,
        return_response=True,
    )
    assert Path(response["path"]).parent == Path("ev_session_monitor/exports")
    assert Path(hass.config.path(response["path"])).is_file()


async def test_get_sessions_newest_first_with_limit_and_entry_ids(
    hass: HomeAssistant, two_sessions
) -> None:
    """Issue 11 item 6: `limit` keeps the latest; records carry the id the filter takes."""
    entry = two_sessions
    latest = await hass.services.async_call(
        DOMAIN, "get_sessions", {"limit": 1}, blocking=True, return_response=True
    )
    assert [s["tag_id"] for s in latest["sessions"]] == ["DEADBEEF01"]  # the second session
    oldest = await hass.services.async_call(
        DOMAIN,
        "get_sessions",
        {"limit": 1, "order": "oldest_first"},
        blocking=True,
        return_response=True,
    )
    assert [s["tag_id"] for s in oldest["sessions"]] == ["04A1B2C3D4"]
    record = latest["sessions"][0]
    assert record["config_entry_id"] == entry.entry_id
    assert "charger_id" not in record
    # What a record says is what the filter takes.
    again = await hass.services.async_call(
        DOMAIN,
        "get_sessions",
        {"config_entry_id": record["config_entry_id"]},
        blocking=True,
        return_response=True,
    )
    assert len(again["sessions"]) == 2


@pytest.mark.parametrize(
    "name",
    [
        "a/" * 5000 + "deep.csv",  # RecursionError before
        "report\0.csv",  # ValueError before
        ".storage/core.csv",
        "../secrets.csv",
        "/config/secrets.csv",
        "ev_session_monitor/history.csv",
        "report.txt",  # was silently renamed to report.csv
        ".hidden.csv",
        "x" * 300 + ".csv",
    ],
)
async def test_export_refuses_names_that_are_not_plain_file_names(
    hass: HomeAssistant, two_sessions, name: str
) -> None:
    """Issue 11 item 11: a translated refusal; nothing is written anywhere."""
    name = name.replace("\\0", "\0")
    config_dir = Path(hass.config.config_dir)
    before = {path for path in config_dir.rglob("*") if path.is_file()}
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "export_sessions", {"path": name}, blocking=True, return_response=True
        )
    assert err.value.translation_key == "invalid_export_name"
    assert len(err.value.translation_placeholders["name"]) <= 60
    after = {path for path in config_dir.rglob("*") if path.is_file()}
    assert {path for path in after - before if path.suffix == ".csv"} == set()


async def test_export_plain_names_land_in_the_exports_folder(
    hass: HomeAssistant, two_sessions
) -> None:
    for name in ("secrets.csv", "Sessions 2026-11.CSV"):
        response = await hass.services.async_call(
            DOMAIN, "export_sessions", {"path": name}, blocking=True, return_response=True
        )
        assert response["path"] == f"ev_session_monitor/exports/{name}"
        assert Path(hass.config.path(response["path"])).is_file()
    assert not Path(hass.config.path("secrets.csv")).exists()


async def test_export_folder_linked_elsewhere_is_refused(
    hass: HomeAssistant, two_sessions, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    assert not outside.is_relative_to(hass.config.config_dir)
    exports = Path(hass.config.path("ev_session_monitor/exports"))
    exports.parent.mkdir(parents=True, exist_ok=True)
    exports.symlink_to(outside, target_is_directory=True)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "export_sessions", {"path": "r.csv"}, blocking=True, return_response=True
        )
    assert err.value.translation_key == "export_outside_folder"
    assert list(outside.iterdir()) == []
