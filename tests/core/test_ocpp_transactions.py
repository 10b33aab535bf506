"""The transaction side of the OCPP central system, against a strictly validating client.

Every charge point here is `tools.ocpp_charge_point`: the `ocpp` library's own client, which
validates every CALL and CALLRESULT against the OCPP 1.6 JSON schemas, plus the strict
validator (formats, stray answers, CALLERROR codes); `connect()` fails a test whose central
system sent anything out of spec. Expected values come from OCPP 1.6 edition 2: the
configuration keys of its chapter on standard configuration keys, the MeterValue /
SampledValue data types (a value is a decimal string, Wh unless a unit is given), and the
StartTransaction / StopTransaction / MeterValues message definitions.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from ocpp.v16 import call

from custom_components.ev_session_monitor.core.ocpp.commands import (
    CommandError,
    change_availability,
    remote_start,
    remote_stop,
    reset,
)
from custom_components.ev_session_monitor.core.ocpp.events import CardDecision
from custom_components.ev_session_monitor.core.ocpp.handler import CentralChargePoint
from tests.core.ocpp_harness import (
    BLOCKED_CARD,
    CHARGE_POINT_ID,
    KNOWN_CARD,
    PASSWORD,
    RecordingSink,
    RunningCentralSystem,
    running,
    start_central_system,
)
from tools.ocpp_charge_point import StrictValidator, connect
from tools.ocpp_charge_point.charge_point import SimulatedChargePoint

BOOT = call.BootNotification(charge_point_model="Terra AC", charge_point_vendor="ABB")
UNKNOWN_CARD = "DEADBEEF01"


@pytest.fixture
async def central(tmp_path: Path) -> AsyncIterator[RunningCentralSystem]:
    async for value in running(tmp_path):
        yield value


def _sampled(value: str, measurand: str | None = None, **extra: str) -> dict[str, Any]:
    sampled: dict[str, Any] = {"value": value, **extra}
    if measurand is not None:
        sampled["measurand"] = measurand
    return sampled


def _element(timestamp: str, *sampled: dict[str, Any]) -> dict[str, Any]:
    return {"timestamp": timestamp, "sampledValue": list(sampled)}


async def _start(box: SimulatedChargePoint, card: str, meter_start: int) -> Any:
    return await box.call(
        call.StartTransaction(
            connector_id=1, id_tag=card, meter_start=meter_start, timestamp="2026-12-07T08:00:00Z"
        ),
        suppress=False,
    )


def _central_charge_point(central: RunningCentralSystem) -> CentralChargePoint:
    return central.system.charge_points[CHARGE_POINT_ID]


# --- configuration after boot -----------------------------------------------------------


async def test_boot_switches_off_the_box_card_cache_and_reads_it_back(
    central: RunningCentralSystem,
) -> None:
    async with connect(central.url(), CHARGE_POINT_ID, PASSWORD) as box:
        await box.call(BOOT, suppress=False)
        await asyncio.wait_for(central.sink.configured.wait(), 10)
    # The box's factory settings trusted its own cache; now it asks about every card.
    assert box.state.configuration == {
        "AuthorizationCacheEnabled": "false",
        "LocalPreAuthorize": "false",
        "AllowOfflineTxForUnknownId": "false",
        "StopTransactionOnInvalidId": "true",
        "MeterValueSampleInterval": "10",
        # Read for the local list, never changed.
        "LocalAuthListEnabled": "true",
        "LocalAuthListMaxLength": "100",
        "SendLocalListMaxLength": "20",
    }
    (report,) = central.sink.configurations
    assert report.rejected == ()
    assert report.read_back == box.state.configuration


async def test_a_box_that_reconnects_already_configured_is_only_read(
    central: RunningCentralSystem,
) -> None:
    """After a restart 500 boxes reconnect at once: one GetConfiguration each, no changes."""
    async with connect(central.url(), CHARGE_POINT_ID, PASSWORD) as box:
        box.state.configuration |= {
            "AuthorizationCacheEnabled": "False",  # another case, the same value
            "LocalPreAuthorize": "false",
            "AllowOfflineTxForUnknownId": "false",
            "StopTransactionOnInvalidId": "true",
            "MeterValueSampleInterval": "10",
        }
        await box.call(BOOT, suppress=False)
        await asyncio.wait_for(central.sink.configured.wait(), 10)
    assert box.state.configuration_changes == []
    (report,) = central.sink.configurations
    assert report.rejected == ()
    assert len(report.accepted) == 5


async def test_only_the_keys_that_differ_are_changed(central: RunningCentralSystem) -> None:
    async with connect(central.url(), CHARGE_POINT_ID, PASSWORD) as box:
        box.state.configuration |= {
            "AuthorizationCacheEnabled": "false",
            "LocalPreAuthorize": "false",
            "StopTransactionOnInvalidId": "true",
        }
        await box.call(BOOT, suppress=False)
        await asyncio.wait_for(central.sink.configured.wait(), 10)
    assert box.state.configuration_changes == [
        ("AllowOfflineTxForUnknownId", "false"),
        ("MeterValueSampleInterval", "10"),
    ]
    assert central.sink.configurations[0].rejected == ()


async def test_keys_the_box_refuses_or_lacks_are_named_in_the_report(
    central: RunningCentralSystem,
) -> None:
    async with connect(central.url(), CHARGE_POINT_ID, PASSWORD) as box:
        box.state.read_only.add("LocalPreAuthorize")
        del box.state.configuration["AllowOfflineTxForUnknownId"]
        await box.call(BOOT, suppress=False)
        await asyncio.wait_for(central.sink.configured.wait(), 10)
    (report,) = central.sink.configurations
    assert set(report.rejected) == {"LocalPreAuthorize", "AllowOfflineTxForUnknownId"}
    assert report.read_back["LocalPreAuthorize"] == "true"
    assert report.read_back["AllowOfflineTxForUnknownId"] is None
    assert "AuthorizationCacheEnabled" in report.accepted


async def test_a_key_accepted_but_not_stored_is_reported(central: RunningCentralSystem) -> None:
    async with connect(central.url(), CHARGE_POINT_ID, PASSWORD) as box:
        # A box that says Accepted and keeps its old value (seen as a firmware bug).
        original = box.route_map["ChangeConfiguration"]["_on_action"]

        def forgetful(key: str, value: str, **kwargs: Any) -> Any:
            answer = original(key=key, value=value, **kwargs)
            if key == "StopTransactionOnInvalidId":
                box.state.configuration[key] = "false"
            return answer

        box.route_map["ChangeConfiguration"]["_on_action"] = forgetful
        await box.call(BOOT, suppress=False)
        await asyncio.wait_for(central.sink.configured.wait(), 10)
    assert central.sink.configurations[0].rejected == ("StopTransactionOnInvalidId",)


# --- cards ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("card", "status"),
    [(KNOWN_CARD, "Accepted"), (UNKNOWN_CARD, "Invalid"), (BLOCKED_CARD, "Blocked")],
)
async def test_cards_are_answered_from_the_registry(
    central: RunningCentralSystem, card: str, status: str
) -> None:
    async with connect(central.url(), CHARGE_POINT_ID, PASSWORD) as box:
        authorized = await box.call(call.Authorize(id_tag=card), suppress=False)
        started = await _start(box, card, 100)
    assert authorized.id_tag_info["status"] == status
    assert started.id_tag_info["status"] == status
    assert [(a.id_tag, a.action, a.decision.value) for a in central.sink.cards] == [
        (card, "Authorize", status),
        (card, "StartTransaction", status),
    ]
    assert all(a.rejected is (status != "Accepted") for a in central.sink.cards)
    assert central.sink.started[0].decision == CardDecision(status)


# --- a metered transaction --------------------------------------------------------------


async def test_a_metered_transaction_hands_over_exact_wh(central: RunningCentralSystem) -> None:
    energy = "Energy.Active.Import.Register"
    async with connect(central.url(), CHARGE_POINT_ID, PASSWORD) as box:
        started = await _start(box, KNOWN_CARD, 1_234_567)
        transaction_id = started.transaction_id
        elements = [
            _element(
                "2026-12-07T08:00:00Z",
                _sampled("1234567", energy, context="Transaction.Begin", unit="Wh"),
            ),
            _element(
                "2026-12-07T08:00:10Z",
                _sampled("1235.067", energy, context="Sample.Periodic", unit="kWh"),
                _sampled("11040", "Power.Active.Import", context="Sample.Periodic", unit="W"),
                *(
                    _sampled(amps, "Current.Import", context="Sample.Periodic", phase=phase)
                    for amps, phase in (("16.0", "L1"), ("15.9", "L2"), ("16.1", "L3"))
                ),
                *(
                    _sampled(volts, "Voltage", context="Sample.Periodic", phase=phase, unit="V")
                    for volts, phase in (("230.1", "L1-N"), ("229.8", "L2-N"), ("231.0", "L3-N"))
                ),
                _sampled("57", "SoC", context="Sample.Periodic", unit="Percent", location="EV"),
            ),
            # No measurand and no unit: Energy.Active.Import.Register in Wh.
            _element("2026-12-07T08:15:00Z", _sampled("1237000", context="Sample.Clock")),
        ]
        await box.call(
            call.MeterValues(connector_id=1, transaction_id=transaction_id, meter_value=elements),
            suppress=False,
        )
        stopped = await box.call(
            call.StopTransaction(
                meter_stop=1_241_000,
                timestamp="2026-12-07T08:40:00Z",
                transaction_id=transaction_id,
                id_tag=KNOWN_CARD,
                reason="EVDisconnected",
                transaction_data=[
                    _element(
                        "2026-12-07T08:40:00Z",
                        _sampled("1241.000", energy, context="Transaction.End", unit="kWh"),
                    )
                ],
            ),
            suppress=False,
        )
    assert stopped.id_tag_info["status"] == "Accepted"
    samples = central.sink.samples
    assert [s.context for s in samples] == [
        "Transaction.Begin",
        "Sample.Periodic",
        "Sample.Clock",
        "Transaction.End",
    ]
    assert [s.reading.lifetime_energy_wh for s in samples] == [
        1_234_567,
        1_235_067,
        1_237_000,
        1_241_000,
    ]
    assert [s.reading.session_energy_wh for s in samples] == [0, 500, 2433, 6433]
    periodic = samples[1]
    assert periodic.reading.power_w == 11040
    assert periodic.reading.currents_a == (16.0, 15.9, 16.1)
    assert periodic.reading.voltages_v == (230.1, 229.8, 231.0)
    # SoC is measured by the EV: kept although the energy of an EV meter is not.
    assert periodic.soc_percent is None or periodic.soc_percent == 57
    assert not any(s.counter_reset for s in samples)
    (event,) = central.sink.stopped
    assert event.known
    assert (event.meter_start_wh, event.meter_stop_wh, event.energy_wh) == (
        1_234_567,
        1_241_000,
        6433,
    )
    assert event.reason == "EVDisconnected"
    assert event.connector_id == 1


async def test_a_register_that_jumps_back_is_a_counter_reset_not_negative_energy(
    central: RunningCentralSystem,
) -> None:
    async with connect(central.url(), CHARGE_POINT_ID, PASSWORD) as box:
        started = await _start(box, KNOWN_CARD, 50_000)
        await box.call(
            call.MeterValues(
                connector_id=1,
                transaction_id=started.transaction_id,
                meter_value=[
                    _element("2026-12-07T08:00:10Z", _sampled("52000")),
                    _element("2026-12-07T08:00:20Z", _sampled("12")),
                    _element("2026-12-07T08:00:30Z", _sampled("40")),
                ],
            ),
            suppress=False,
        )
        await box.call(
            call.StopTransaction(
                meter_stop=60,
                timestamp="2026-12-07T08:01:00Z",
                transaction_id=started.transaction_id,
            ),
            suppress=False,
        )
    assert [s.counter_reset for s in central.sink.samples] == [False, True, False]
    assert [s.reading.session_energy_wh for s in central.sink.samples] == [2000, None, None]
    # The register values themselves are kept, flagged, not thrown away.
    assert [s.reading.lifetime_energy_wh for s in central.sink.samples] == [52000, 12, 40]
    (event,) = central.sink.stopped
    assert event.counter_reset
    assert event.energy_wh is None
    assert event.meter_stop_wh == 60


# --- transactions across a restart -------------------------------------------------------


async def test_transaction_ids_and_starts_survive_a_restart(tmp_path: Path) -> None:
    first = await start_central_system(tmp_path)
    try:
        async with connect(first.url(), CHARGE_POINT_ID, PASSWORD) as box:
            started = await _start(box, KNOWN_CARD, 7_000)
            # Persisted before the answer: the file already holds it.
            stored = json.loads((tmp_path / "ocpp_transactions.json").read_text())
            assert stored["open"][str(started.transaction_id)]["meter_start_wh"] == 7_000
    finally:
        await first.system.stop()
    second = await start_central_system(tmp_path)
    try:
        async with connect(second.url(), CHARGE_POINT_ID, PASSWORD) as box:
            again = await _start(box, KNOWN_CARD, 9_000)
            await box.call(
                call.StopTransaction(
                    meter_stop=8_250,
                    timestamp="2026-12-07T09:00:00Z",
                    transaction_id=started.transaction_id,
                ),
                suppress=False,
            )
    finally:
        await second.system.stop()
    assert again.transaction_id != started.transaction_id
    (event,) = second.sink.stopped
    assert event.known
    assert event.id_tag == KNOWN_CARD
    assert event.energy_wh == 1_250


async def test_a_stop_for_an_unknown_id_is_accepted_and_reported_once(
    central: RunningCentralSystem,
) -> None:
    stop = call.StopTransaction(
        meter_stop=10, timestamp="2026-12-07T09:00:00Z", transaction_id=4711
    )
    async with connect(central.url(), CHARGE_POINT_ID, PASSWORD) as box:
        first = await box.call(stop, suppress=False)
        again = await box.call(stop, suppress=False)
    assert first.id_tag_info is None and again.id_tag_info is None
    (event,) = central.sink.stopped
    assert (event.transaction_id, event.known, event.energy_wh) == (4711, False, None)


async def test_messages_queued_while_down_are_accepted_after_it_returns_once(
    tmp_path: Path,
) -> None:
    first = await start_central_system(tmp_path)
    try:
        async with connect(first.url(), CHARGE_POINT_ID, PASSWORD) as box:
            started = await _start(box, KNOWN_CARD, 100_000)
    finally:
        await first.system.stop()
    # While the central system is down the box queues a MeterValues and the stop; after
    # the restart it sends them, and then once more (it lost the answers).
    meter_values = call.MeterValues(
        connector_id=1,
        transaction_id=started.transaction_id,
        meter_value=[_element("2026-12-07T08:30:00Z", _sampled("103500"))],
    )
    stop = call.StopTransaction(
        meter_stop=104_000,
        timestamp="2026-12-07T08:45:00Z",
        transaction_id=started.transaction_id,
        id_tag=KNOWN_CARD,
    )
    sink = RecordingSink()
    for _ in range(2):
        second = await start_central_system(tmp_path, sink=sink)
        try:
            async with connect(second.url(), CHARGE_POINT_ID, PASSWORD) as box:
                assert (await box.call(meter_values, suppress=False)) is not None
                answer = await box.call(stop, suppress=False)
                assert answer.id_tag_info["status"] == "Accepted"
                # A resend within the same run.
                await box.call(meter_values, suppress=False)
                await box.call(stop, suppress=False)
        finally:
            await second.system.stop()
    assert [s.reading.session_energy_wh for s in sink.samples] == [3_500]
    assert [(e.transaction_id, e.energy_wh, e.timestamp) for e in sink.stopped] == [
        (started.transaction_id, 4_000, "2026-12-07T08:45:00Z")
    ]


# --- commands ---------------------------------------------------------------------------


async def test_commands_reach_the_box(central: RunningCentralSystem) -> None:
    async with connect(central.url(), CHARGE_POINT_ID, PASSWORD) as box:
        await box.call(call.Heartbeat(), suppress=False)
        charge_point = _central_charge_point(central)
        await remote_start(charge_point, "HA-CARD", connector_id=1)
        await remote_stop(charge_point, 42)
        await change_availability(charge_point, 0, operative=False)
        await reset(charge_point, hard=True)
    assert box.state.remote_starts == [{"id_tag": "HA-CARD", "connector_id": 1}]
    assert box.state.remote_stops == [42]
    assert box.state.availability == [(0, "Inoperative")]
    assert box.state.resets == ["Hard"]


async def test_the_current_limit_is_sent_only_when_it_changes(
    central: RunningCentralSystem,
) -> None:
    async with connect(central.url(), CHARGE_POINT_ID, PASSWORD) as box:
        await box.call(call.Heartbeat(), suppress=False)
        charge_point = _central_charge_point(central)
        sent = [await charge_point.set_current_limit(1, limit) for limit in (16, 16.0, 10.5, 10.5)]
    assert sent == [True, False, True, False]
    assert [p["charging_profile_purpose"] for p in box.state.charging_profiles] == [
        "TxDefaultProfile",
        "TxDefaultProfile",
    ]
    schedules = [p["charging_schedule"] for p in box.state.charging_profiles]
    assert [s["charging_rate_unit"] for s in schedules] == ["A", "A"]
    assert [s["charging_schedule_period"][0]["limit"] for s in schedules] == [16, 10.5]


async def test_stale_meter_values_are_triggered(central: RunningCentralSystem) -> None:
    async with connect(central.url(), CHARGE_POINT_ID, PASSWORD) as box:
        await box.call(call.Heartbeat(), suppress=False)
        charge_point = _central_charge_point(central)
        assert await charge_point.trigger_if_stale(60, connector_id=1)
        await box.call(
            call.MeterValues(
                connector_id=1, meter_value=[_element("2026-12-07T08:00:00Z", _sampled("5"))]
            ),
            suppress=False,
        )
        assert not await charge_point.trigger_if_stale(60, connector_id=1)
    assert box.state.triggers == ["MeterValues"]


async def test_a_refused_command_is_a_clear_error(central: RunningCentralSystem) -> None:
    async with connect(central.url(), CHARGE_POINT_ID, PASSWORD) as box:
        await box.call(call.Heartbeat(), suppress=False)
        charge_point = _central_charge_point(central)
        box.state.refuse_remote_start = True
        box.state.refuse_charging_profile = True
        with pytest.raises(CommandError) as refused:
            await remote_start(charge_point, "HA-CARD")
        with pytest.raises(CommandError, match="SetChargingProfile with Rejected"):
            await charge_point.set_current_limit(1, 16)
        box.state.refuse_charging_profile = False
        # The refused limit was not taken as sent.
        assert await charge_point.set_current_limit(1, 16)
    assert str(refused.value) == "the charge point answered RemoteStartTransaction with Rejected"
    assert (refused.value.action, refused.value.status) == ("RemoteStartTransaction", "Rejected")


# --- the strict validator itself ---------------------------------------------------------


def test_the_strict_validator_catches_what_the_library_lets_through() -> None:
    strict = StrictValidator()
    strict.sent('[2,"b-1","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}]')
    strict.check('[3,"b-1",{"currentTime":"yesterday","interval":300,"status":"Accepted"}]')
    strict.check('[3,"never-sent",{}]')
    strict.sent('[2,"h-1","Heartbeat",{}]')
    strict.check('[4,"h-1","WeirdError","",{}]')
    strict.check('[2,"c-1","Reset",{"type":"Sideways"}]')
    assert len(strict.violations) == 4
    assert "date-time" in strict.violations[0]
    assert "no outstanding call" in strict.violations[1]
    assert "CALLERROR" in strict.violations[2]
    assert "Sideways" in strict.violations[3]
