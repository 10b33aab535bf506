"""The OCPP charge point as a wallbox: pushed OCPP 1.6 facts turned into one Reading.

Message contents follow OCPP 1.6 edition 2 (StatusNotification.req, Authorize.req,
StartTransaction.req, MeterValues.req, StopTransaction.req).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custom_components.ev_session_monitor.core.errors import (
    WallboxConnectionError,
    WallboxUnsupportedError,
)
from custom_components.ev_session_monitor.core.model import ChargerStatus, Reading
from custom_components.ev_session_monitor.core.ocpp.events import (
    STATUS_MAP,
    CardAttempt,
    CardDecision,
    StatusReport,
    TransactionStarted,
    TransactionStopped,
)
from custom_components.ev_session_monitor.core.ocpp.meter_values import MeterSample
from custom_components.ev_session_monitor.core.ocpp.transaction_meter import concurrent_session
from custom_components.ev_session_monitor.core.ocpp.wallbox import OcppWallboxClient, decide_card
from custom_components.ev_session_monitor.core.tags import KnownTag, TagRegistry


def _client() -> OcppWallboxClient:
    return OcppWallboxClient("CP-1", lambda: None)


def _status(status: str, connector: int = 1, error: str = "NoError", at: str | None = None):
    return StatusReport(connector, STATUS_MAP.get(status), status, error, at)


def test_status_and_error_of_the_charging_connector() -> None:
    client = _client()
    client.apply_status(_status("Charging", at="2026-12-07T10:00:00Z"))
    assert client.reading.status is ChargerStatus.CHARGING
    assert client.reading.error_code == "NoError"
    client.apply_status(_status("Faulted", error="GroundFailure"))
    assert (client.reading.status, client.reading.error_code) == (
        ChargerStatus.ERROR,
        "GroundFailure",
    )
    # Connector 0 is the whole box: its fault shows, its status does not replace the outlet's.
    client.apply_status(_status("Available", connector=0, error="PowerMeterFailure"))
    assert client.reading.status is ChargerStatus.ERROR
    assert client.reading.error_code == "PowerMeterFailure"


def test_a_plug_in_starts_a_session_counter_at_zero() -> None:
    client = _client()
    client.apply_status(_status("Preparing"))
    assert client.reading.session_energy_wh == 0.0
    assert client.reading.lifetime_energy_wh is None


def test_one_presentation_is_one_attempt() -> None:
    client = _client()
    client.apply_card(CardAttempt("04A2B3C4D5", CardDecision.ACCEPTED, "Authorize"))
    client.apply_card(CardAttempt("04A2B3C4D5", CardDecision.ACCEPTED, "StartTransaction"))
    client.apply_card(CardAttempt("04A2B3C4D5", CardDecision.ACCEPTED, "StopTransaction"))
    assert client.reading.tag_read_marker == 1
    # A box that skips Authorize: its StartTransaction is the presentation.
    client.apply_card(CardAttempt("0BADCAFE", CardDecision.INVALID, "StartTransaction"))
    assert (client.reading.tag, client.reading.tag_read_marker) == ("0BADCAFE", 2)


def test_transaction_meter_readings() -> None:
    client = _client()
    client.apply_start(
        TransactionStarted(1, 7, "04A2B3C4D5", 1_000, "2026-12-07T10:00:00Z", CardDecision.ACCEPTED)
    )
    assert client.reading.enabled is True
    client.apply_sample(
        MeterSample(
            1,
            7,
            "2026-12-07T10:30:00Z",
            "Sample.Periodic",
            Reading(
                power_w=3_600,
                currents_a=(16.0, None, None),
                voltages_v=(230.0, None, None),
                lifetime_energy_wh=2_800,
            ),
        )
    )
    assert client.reading.session_energy_wh == 1_800
    assert client.reading.currents_a == (16.0, None, None)
    client.apply_stop(TransactionStopped(7, 2_950, "2026-12-07T11:00:00Z", None, None, True))
    assert (client.reading.session_energy_wh, client.reading.enabled) == (1_950, False)
    meter = client.take_meter()
    assert meter is not None
    assert (meter.meter_start_wh, meter.meter_end_wh) == (1_000, 2_950)
    assert client.take_meter() is None
    assert client.reading_time is not None
    assert client.reading_time.isoformat() == "2026-12-07T11:00:00+00:00"


def test_stop_of_another_transaction_keeps_its_meter_only() -> None:
    client = _client()
    client.apply_stop(TransactionStopped(99, 5_000, "not a time", None, None, False))
    assert client.reading.lifetime_energy_wh == 5_000
    assert client.take_meter() is None
    assert client.reading_time is None


def test_concurrent_transaction_survives_a_restart_and_is_its_own_record() -> None:
    """Connector 2 starts while connector 1 charges: kept aside, stored, recorded alone."""
    client = _client()
    client.apply_start(
        TransactionStarted(1, 7, "04A2B3C4D5", 1_000, "2026-12-07T10:00:00Z", CardDecision.ACCEPTED)
    )
    client.apply_start(
        TransactionStarted(2, 8, "04B0B0B0B0", 9_000, "2026-12-07T10:10:00Z", CardDecision.ACCEPTED)
    )
    client.apply_sample(
        MeterSample(
            2, 8, "2026-12-07T10:40:00Z", "Sample.Periodic", Reading(lifetime_energy_wh=9_900)
        )
    )
    assert client.reading.lifetime_energy_wh == 1_000  # connector 2's meter is not the shown one
    restarted = _client()
    restarted.restore(client.stored())
    assert [meter.transaction_id for meter in restarted.running()] == [7, 8]
    stopped = restarted.stop_concurrent(
        TransactionStopped(8, 10_234, "2026-12-07T11:10:00Z", None, None, True)
    )
    assert stopped is not None
    record = concurrent_session(
        stopped, "2026-12-07T11:10:00Z", datetime(2026, 12, 7, 12, tzinfo=UTC), "box", "Carport"
    )
    assert (record.energy_wh, record.meter_start_wh, record.meter_end_wh) == (1_234, 9_000, 10_234)
    assert (record.started_at.isoformat(), record.duration_s) == ("2026-12-07T10:10:00+00:00", 3600)
    assert record.tag_id == "04B0B0B0B0"
    assert [meter.transaction_id for meter in restarted.running()] == [7]


async def test_away_box_cannot_be_read_or_controlled() -> None:
    client = _client()
    with pytest.raises(WallboxConnectionError):
        await client.read()
    with pytest.raises(WallboxConnectionError):
        await client.reset()
    with pytest.raises(WallboxUnsupportedError):
        await client.set_phases(1)
    assert (await client.read_identity()).serial is None


def test_cards_allowed_here_are_accepted() -> None:
    registry = TagRegistry()
    registry.add(KnownTag(tag_id="04A2B3C4D5", name="Alice"))
    registry.add(KnownTag(tag_id="0BADCAFE", name="Bob", chargers=frozenset({"elsewhere"})))
    assert decide_card(registry, "here", "04A2B3C4D5") is CardDecision.ACCEPTED
    assert decide_card(registry, "here", "0BADCAFE") is CardDecision.INVALID
    assert decide_card(registry, "elsewhere", "0BADCAFE") is CardDecision.ACCEPTED
    assert decide_card(registry, "here", "DEADBEEF") is CardDecision.INVALID
