"""OCPP 1.6J charge points as wallboxes: the ocpp library's own charge point over loopback.

The simulated charge point (tools/ocpp_charge_point) validates every answer of Home Assistant's
central system against the official OCPP 1.6 JSON schemas; the messages it sends here follow
OCPP 1.6 edition 2 (BootNotification, StatusNotification, Authorize, StartTransaction,
MeterValues, StopTransaction).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import PropertyMock, patch

import aiohttp
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_NAME, CONF_PASSWORD, Platform
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from ocpp.v16 import call
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.ev_session_monitor import PLATFORMS
from custom_components.ev_session_monitor.const import (
    CONF_CHARGE_POINT_ID,
    CONF_OCPP_PORT,
    CONF_PROFILE,
    CONF_TRANSPORT,
    DOMAIN,
    HOME_ASSISTANT_TAG_ID,
    TRANSPORT_OCPP,
)
from custom_components.ev_session_monitor.core.ocpp.wallbox import OCPP_PROFILE_ID
from custom_components.ev_session_monitor.core.tags import KnownTag
from tools.ocpp_charge_point.charge_point import SimulatedChargePoint, connect
from tools.ports import free_port

CHARGE_POINT_ID = "CP-1"
PASSWORD = "Zq8vL2mN4pR6sT1uW3yX"
KNOWN_CARD = "04A2B3C4D5"
UNKNOWN_CARD = "DEADBEEF99"


def _entry(port: int, **options: Any) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title="Carport",
        unique_id=f"ocpp_{CHARGE_POINT_ID}",
        data={
            CONF_TRANSPORT: TRANSPORT_OCPP,
            CONF_PROFILE: OCPP_PROFILE_ID,
            CONF_CHARGE_POINT_ID: CHARGE_POINT_ID,
            CONF_PASSWORD: PASSWORD,
        },
        options={CONF_OCPP_PORT: port, **options},
    )


async def set_up_entry(hass: HomeAssistant, port: int, **options: Any) -> MockConfigEntry:
    """An OCPP entry whose central system listens on `port`, added and set up."""
    config_entry = _entry(port, **options)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


@asynccontextmanager
async def booted_box(port: int) -> AsyncIterator[SimulatedChargePoint]:
    """The charge point, connected to the central system on `port` and booted."""
    async with connect(f"ws://127.0.0.1:{port}/{CHARGE_POINT_ID}", CHARGE_POINT_ID, PASSWORD) as cp:
        await _boot(cp)
        yield cp


@pytest.fixture
def port() -> int:
    """A free loopback port for the central system."""
    return free_port()


@pytest.fixture
async def entry(hass: HomeAssistant, port: int) -> MockConfigEntry:
    """An OCPP entry, set up; its central system listens on `port`."""
    return await set_up_entry(hass, port)


@pytest.fixture
async def box(
    hass: HomeAssistant, entry: MockConfigEntry, port: int
) -> AsyncIterator[SimulatedChargePoint]:
    """The charge point, connected and booted."""
    async with booted_box(port) as cp:
        yield cp


async def _boot(cp: SimulatedChargePoint) -> None:
    answer = await cp.call(
        call.BootNotification(
            charge_point_vendor="ACME",
            charge_point_model="Wallbox 7",
            charge_point_serial_number="SN-42",
            firmware_version="1.2.3",
        )
    )
    assert answer.status == "Accepted"
    await _until(lambda: cp.state.configuration["StopTransactionOnInvalidId"] == "true")


async def _until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(10):
        while not condition():  # noqa: ASYNC110 - state of the box or of Home Assistant, no event to wait on
            await asyncio.sleep(0.01)


def _time(start: datetime, seconds: float) -> str:
    return (start + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def _entity_id(hass: HomeAssistant, platform: str, key: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        platform, DOMAIN, f"ocpp_{CHARGE_POINT_ID}_{key}"
    )
    assert entity_id is not None
    return entity_id


def _energy(timestamp: str, wh: int, power_w: int, context: str) -> list[dict[str, Any]]:
    return [
        {
            "timestamp": timestamp,
            "sampled_value": [
                {"value": str(wh), "context": context, "unit": "Wh"},
                {
                    "value": str(power_w),
                    "context": context,
                    "measurand": "Power.Active.Import",
                    "unit": "W",
                },
            ],
        }
    ]


async def _status(cp: SimulatedChargePoint, status: str, timestamp: str) -> None:
    await cp.call(
        call.StatusNotification(
            connector_id=1, error_code="NoError", status=status, timestamp=timestamp
        )
    )


async def _start(cp: SimulatedChargePoint, start: datetime, card: str, meter: int) -> int:
    await _status(cp, "Preparing", _time(start, 0))
    authorized = await cp.call(call.Authorize(id_tag=card))
    assert authorized.id_tag_info["status"] == "Accepted"
    started = await cp.call(
        call.StartTransaction(
            connector_id=1, id_tag=card, meter_start=meter, timestamp=_time(start, 10)
        )
    )
    assert started.id_tag_info["status"] == "Accepted"
    await _status(cp, "Charging", _time(start, 11))
    return int(started.transaction_id)


async def test_add_through_the_config_flow(hass: HomeAssistant, port: int) -> None:
    """OCPP next to Modbus/HTTP; the generated password is shown once and then connects."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["network", "ocpp", "site"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "ocpp"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_NAME: "Carport", CONF_CHARGE_POINT_ID: "bad/id", CONF_OCPP_PORT: port},
    )
    assert result["errors"] == {CONF_CHARGE_POINT_ID: "invalid_charge_point_id"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_NAME: "Carport", CONF_CHARGE_POINT_ID: CHARGE_POINT_ID, CONF_OCPP_PORT: port},
    )
    assert result["step_id"] == "ocpp_password"
    password = result["description_placeholders"]["password"]
    assert len(password) == 20
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.options[CONF_OCPP_PORT] == port

    url = f"ws://127.0.0.1:{port}/{CHARGE_POINT_ID}"
    async with connect(url, CHARGE_POINT_ID, password) as cp:
        await _boot(cp)
        # The box now asks about every card and stops a transaction of a refused one.
        assert cp.state.configuration["AuthorizationCacheEnabled"] == "false"
        assert cp.state.configuration["LocalPreAuthorize"] == "false"
    (device,) = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    assert (device.manufacturer, device.model, device.serial_number, device.sw_version) == (
        "ACME",
        "Wallbox 7",
        "SN-42",
        "1.2.3",
    )
    with pytest.raises(aiohttp.WSServerHandshakeError):
        async with connect(url, CHARGE_POINT_ID, "wrong-password-0000"):
            pass

    # The same id again is the same box.
    again = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    again = await hass.config_entries.flow.async_configure(
        again["flow_id"], {"next_step_id": "ocpp"}
    )
    again = await hass.config_entries.flow.async_configure(
        again["flow_id"],
        {CONF_NAME: "Other", CONF_CHARGE_POINT_ID: CHARGE_POINT_ID, CONF_OCPP_PORT: port},
    )
    assert again["type"] is FlowResultType.ABORT
    assert again["reason"] == "already_configured"


async def test_reconfigure_sets_a_new_password(
    hass: HomeAssistant, entry: MockConfigEntry, port: int
) -> None:
    """The old password stops working, the new one connects."""
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure_ocpp"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: "short"}
    )
    assert result["errors"] == {CONF_PASSWORD: "invalid_ocpp_password"}
    new_password = "A-new-password-for-the-box"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: new_password}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    url = f"ws://127.0.0.1:{port}/{CHARGE_POINT_ID}"
    with pytest.raises(aiohttp.WSServerHandshakeError):
        async with connect(url, CHARGE_POINT_ID, PASSWORD):
            pass
    async with connect(url, CHARGE_POINT_ID, new_password) as cp:
        await _boot(cp)


async def test_metered_transaction_is_one_session_exact_to_the_wh(
    hass: HomeAssistant, entry: MockConfigEntry, box: SimulatedChargePoint
) -> None:
    """meterStop - meterStart is the session's energy; both readings are in the record."""
    await hass.data[DOMAIN].tags.async_add(KnownTag(tag_id=KNOWN_CARD, name="Alice"))
    completed = async_capture_events(hass, f"{DOMAIN}_session_completed")
    start = datetime.now(UTC) + timedelta(minutes=1)
    transaction_id = await _start(box, start, KNOWN_CARD, 1_000_000)
    await box.call(
        call.MeterValues(
            connector_id=1,
            transaction_id=transaction_id,
            meter_value=_energy(_time(start, 1800), 1_003_500, 7000, "Sample.Periodic"),
        )
    )
    await hass.async_block_till_done()
    assert hass.states.get(_entity_id(hass, "sensor", "power")).state == "7000"
    await box.call(
        call.StopTransaction(
            meter_stop=1_007_123,
            timestamp=_time(start, 3600),
            transaction_id=transaction_id,
            reason="EVDisconnected",
            id_tag=KNOWN_CARD,
        )
    )
    await _status(box, "Finishing", _time(start, 3601))
    await _status(box, "Available", _time(start, 3700))
    await hass.async_block_till_done()

    sessions = await hass.data[DOMAIN].archive.async_query()
    assert len(sessions) == 1
    (session,) = sessions
    assert session.energy_wh == 7123
    assert (session.meter_start_wh, session.meter_end_wh) == (1_000_000, 1_007_123)
    assert session.tag_id == KNOWN_CARD
    assert session.tag_name == "Alice"
    assert session.ended_at == datetime.fromisoformat(_time(start, 3700))
    assert len(completed) == 1
    assert completed[0].data["energy_kwh"] == 7.123


async def test_unknown_card_is_refused_with_an_event(
    hass: HomeAssistant, entry: MockConfigEntry, box: SimulatedChargePoint
) -> None:
    """Invalid for the box, unknown_tag (rejected) for automations; attempts counted."""
    unknown = async_capture_events(hass, f"{DOMAIN}_unknown_tag")
    suspicious = async_capture_events(hass, f"{DOMAIN}_suspicious_activity")
    for _ in range(3):
        answer = await box.call(call.Authorize(id_tag=UNKNOWN_CARD))
        assert answer.id_tag_info["status"] == "Invalid"
    await hass.async_block_till_done()
    assert [event.data["attempts"] for event in unknown] == [1, 2, 3]
    assert all(event.data["rejected"] is True for event in unknown)
    assert unknown[0].data["tag_id"] == UNKNOWN_CARD
    assert [event.data["reason"] for event in suspicious] == ["unknown_tag_attempts"]
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"suspicious_activity_{entry.entry_id}")

    # A known card allowed only at another wallbox is refused here too.
    await hass.data[DOMAIN].tags.async_add(
        KnownTag(tag_id=KNOWN_CARD, name="Bob", chargers=frozenset({"elsewhere"}))
    )
    answer = await box.call(call.Authorize(id_tag=KNOWN_CARD))
    assert answer.id_tag_info["status"] == "Invalid"
    # StartTransaction is checked as well (a box may skip Authorize).
    answer = await box.call(
        call.StartTransaction(
            connector_id=1,
            id_tag=UNKNOWN_CARD,
            meter_start=5,
            timestamp=_time(datetime.now(UTC), 0),
        )
    )
    assert answer.id_tag_info["status"] == "Invalid"


async def test_switch_and_number_send_ocpp_calls(
    hass: HomeAssistant, entry: MockConfigEntry, box: SimulatedChargePoint
) -> None:
    """Off: RemoteStopTransaction; on: RemoteStartTransaction; current: SetChargingProfile."""
    switch = _entity_id(hass, "switch", "charging_enabled")
    number = _entity_id(hass, "number", "charging_current")
    await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    assert box.state.remote_starts == [{"id_tag": HOME_ASSISTANT_TAG_ID, "connector_id": 1}]
    # The card it names is a known card, so the box's StartTransaction is accepted.
    assert hass.data[DOMAIN].tags.registry.get(HOME_ASSISTANT_TAG_ID).name == "Home Assistant"
    transaction_id = await _start(
        box, datetime.now(UTC) + timedelta(minutes=1), HOME_ASSISTANT_TAG_ID, 200
    )
    await hass.async_block_till_done()
    assert hass.states.get(switch).state == "on"

    await hass.services.async_call("switch", "turn_off", {"entity_id": switch}, blocking=True)
    assert box.state.remote_stops == [transaction_id]

    for amps in (16, 16, 10):
        await hass.services.async_call(
            "number", "set_value", {"entity_id": number, "value": amps}, blocking=True
        )
    limits = [
        (profile["connector_id"], profile["charging_schedule"]["charging_schedule_period"])
        for profile in box.state.charging_profiles
    ]
    assert limits == [
        (0, [{"start_period": 0, "limit": 16}]),
        (0, [{"start_period": 0, "limit": 10}]),
    ]
    assert box.state.charging_profiles[0]["charging_profile_purpose"] == "TxDefaultProfile"
    assert box.state.charging_profiles[0]["charging_schedule"]["charging_rate_unit"] == "A"

    box.state.refuse_remote_start = True
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    assert err.value.translation_key == "command_failed"
    assert "Rejected" in str(err.value.translation_placeholders)

    await hass.services.async_call(
        "button", "press", {"entity_id": _entity_id(hass, "button", "reset")}, blocking=True
    )
    assert box.state.resets == ["Soft"]


async def test_refused_configuration_key_is_a_repair(
    hass: HomeAssistant, entry: MockConfigEntry, port: int
) -> None:
    """A box that keeps its local pre-authorization can bypass the card check: say which key."""
    url = f"ws://127.0.0.1:{port}/{CHARGE_POINT_ID}"
    async with connect(url, CHARGE_POINT_ID, PASSWORD) as cp:
        cp.state.read_only.add("LocalPreAuthorize")
        await cp.call(call.BootNotification(charge_point_vendor="ACME", charge_point_model="7"))
        issue_id = f"ocpp_configuration_rejected_{entry.entry_id}"
        registry = ir.async_get(hass)
        await _until(lambda: registry.async_get_issue(DOMAIN, issue_id) is not None)
        issue = registry.async_get_issue(DOMAIN, issue_id)
        assert issue is not None
        assert issue.translation_placeholders["keys"] == "LocalPreAuthorize"


async def test_busy_port_is_a_repair_and_setup_retries(hass: HomeAssistant, port: int) -> None:
    """Another program on the port: the entry waits, a repair names the port."""
    with socket.socket() as taken:
        taken.bind(("", port))
        taken.listen()
        entry = _entry(port)
        entry.add_to_hass(hass)
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.SETUP_RETRY
        issue = ir.async_get(hass).async_get_issue(DOMAIN, f"ocpp_port_in_use_{port}")
        assert issue is not None
        assert issue.translation_placeholders == {"port": str(port)}
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"ocpp_port_in_use_{port}") is None


async def test_unload_stops_the_central_system(
    hass: HomeAssistant, entry: MockConfigEntry, box: SimulatedChargePoint, port: int
) -> None:
    """The last OCPP entry unloaded: nothing listens on the port any more."""
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(aiohttp.ClientConnectorError):
        async with connect(f"ws://127.0.0.1:{port}/{CHARGE_POINT_ID}", CHARGE_POINT_ID, PASSWORD):
            pass


@pytest.fixture
def all_entities_enabled() -> Iterator[None]:
    """Entities disabled by default (voltages, box counters) are in the snapshot too."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_entities_snapshot(
    hass: HomeAssistant,
    port: int,
    platform: Platform,
    snapshot: SnapshotAssertion,
    all_entities_enabled: None,
) -> None:
    """The entities of an OCPP wallbox, one platform at a time as the polled boxes' are kept."""
    registry = er.async_get(hass)
    with patch("custom_components.ev_session_monitor.PLATFORMS", [platform]):
        entry = await set_up_entry(hass, port)
        url = f"ws://127.0.0.1:{port}/{CHARGE_POINT_ID}"
        async with connect(url, CHARGE_POINT_ID, PASSWORD) as cp:
            await _boot(cp)
            await _status(cp, "Available", _time(datetime.now(UTC), 1))
            await hass.async_block_till_done()
            if er.async_entries_for_config_entry(registry, entry.entry_id):
                await snapshot_platform(
                    hass,
                    registry,
                    snapshot.use_extension(HomeAssistantSnapshotExtension),
                    entry.entry_id,
                )
            else:
                assert snapshot == []


async def test_unknown_id_that_keeps_knocking_is_offered(
    hass: HomeAssistant, entry: MockConfigEntry, port: int
) -> None:
    """Three refused connections of one unknown id: a discovery flow adds it in one go."""
    url = f"ws://127.0.0.1:{port}/CP-9"
    for _ in range(3):
        with pytest.raises(aiohttp.WSServerHandshakeError):
            async with connect(url, "CP-9", "any-password-at-all"):
                pass
    await hass.async_block_till_done()
    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == "integration_discovery"
    assert flow["step_id"] == "ocpp_confirm"
    result = await hass.config_entries.flow.async_configure(flow["flow_id"], {CONF_NAME: "Barn"})
    password = result["description_placeholders"]["password"]
    result = await hass.config_entries.flow.async_configure(flow["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].options[CONF_OCPP_PORT] == port
    await hass.async_block_till_done()
    async with connect(url, "CP-9", password) as cp:
        await _boot(cp)


async def test_diagnostics_hide_the_password(
    hass: HomeAssistant, entry: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    """The box's password never leaves Home Assistant in a diagnostics download."""
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diagnostics["entry"]["data"][CONF_PASSWORD] == "**REDACTED**"
    assert PASSWORD not in str(diagnostics)
    assert diagnostics["profile"]["transport"] == "ocpp"


async def test_stop_after_a_reconnect_is_recorded_once(
    hass: HomeAssistant, entry: MockConfigEntry, port: int
) -> None:
    """The box lost its connection mid-transaction and stops it on the next one."""
    await hass.data[DOMAIN].tags.async_add(KnownTag(tag_id=KNOWN_CARD, name="Alice"))
    url = f"ws://127.0.0.1:{port}/{CHARGE_POINT_ID}"
    start = datetime.now(UTC) + timedelta(minutes=1)
    async with connect(url, CHARGE_POINT_ID, PASSWORD) as cp:
        await _boot(cp)
        transaction_id = await _start(cp, start, KNOWN_CARD, 50_000)
    status = _entity_id(hass, "sensor", "charger_status")
    await _until(lambda: hass.states.get(status).state == "unavailable")
    async with connect(url, CHARGE_POINT_ID, PASSWORD) as cp:
        await _boot(cp)
        await cp.call(
            call.MeterValues(
                connector_id=1,
                transaction_id=transaction_id,
                meter_value=_energy(_time(start, 1200), 52_000, 6000, "Sample.Periodic"),
            )
        )
        await cp.call(
            call.StopTransaction(
                meter_stop=53_456, timestamp=_time(start, 1800), transaction_id=transaction_id
            )
        )
        await _status(cp, "Available", _time(start, 1900))
    await hass.async_block_till_done()
    (session,) = await hass.data[DOMAIN].archive.async_query()
    assert session.energy_wh == 3456
    assert (session.meter_start_wh, session.meter_end_wh) == (50_000, 53_456)
    registry = ir.async_get(hass)
    assert registry.async_get_issue(DOMAIN, f"ocpp_unknown_transaction_{entry.entry_id}") is None


async def test_stop_of_a_transaction_never_started_here_is_a_repair(
    hass: HomeAssistant, entry: MockConfigEntry, box: SimulatedChargePoint
) -> None:
    """Accepted (the box stops resending it), and the user hears of it."""
    answer = await box.call(
        call.StopTransaction(
            meter_stop=777, timestamp=_time(datetime.now(UTC), 5), transaction_id=4242
        )
    )
    assert answer.id_tag_info is None
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"ocpp_unknown_transaction_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders["transaction"] == "4242"


async def test_options_choose_port_and_start_card(
    hass: HomeAssistant, entry: MockConfigEntry, port: int
) -> None:
    """The central system moves to the new port; the switch starts with the chosen card."""
    new_port = free_port()
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "settings"}
    )
    assert "poll_interval" not in {str(key) for key in result["data_schema"].schema}
    settings = {
        CONF_OCPP_PORT: new_port,
        "price_source": "none",
        "suspicious_attempts": 3,
        "suspicious_window_min": 10,
        "requires_authorization": True,
        "enforce_authorization": False,
        "release_current": 16,
        "hash_unknown_tags": False,
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**settings, "remote_start_tag": "not a card!"}
    )
    assert result["errors"] == {"remote_start_tag": "invalid_tag"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**settings, "remote_start_tag": KNOWN_CARD}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    with pytest.raises(aiohttp.ClientConnectorError):
        async with connect(f"ws://127.0.0.1:{port}/{CHARGE_POINT_ID}", CHARGE_POINT_ID, PASSWORD):
            pass
    url = f"ws://127.0.0.1:{new_port}/{CHARGE_POINT_ID}"
    async with connect(url, CHARGE_POINT_ID, PASSWORD) as cp:
        await _boot(cp)
        await hass.services.async_call(
            "switch",
            "turn_on",
            {"entity_id": _entity_id(hass, "switch", "charging_enabled")},
            blocking=True,
        )
        assert cp.state.remote_starts == [{"id_tag": KNOWN_CARD, "connector_id": 1}]


async def test_error_code_from_status_notification(
    hass: HomeAssistant, entry: MockConfigEntry, box: SimulatedChargePoint
) -> None:
    """A fault reported by the box is the error sensor's value and the status "error"."""
    er.async_get(hass).async_update_entity(
        _entity_id(hass, "sensor", "error_code"), disabled_by=None
    )
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    url = f"ws://127.0.0.1:{entry.options[CONF_OCPP_PORT]}/{CHARGE_POINT_ID}"
    async with connect(url, CHARGE_POINT_ID, PASSWORD) as cp:
        await _boot(cp)
        await cp.call(
            call.StatusNotification(connector_id=1, error_code="GroundFailure", status="Faulted")
        )
        await hass.async_block_till_done()
        assert hass.states.get(_entity_id(hass, "sensor", "error_code")).state == "GroundFailure"
        assert hass.states.get(_entity_id(hass, "sensor", "charger_status")).state == "error"


async def test_stop_after_home_assistant_restarted_is_recorded_once(
    hass: HomeAssistant, entry: MockConfigEntry, port: int
) -> None:
    """The entry reloads mid-transaction; the box's late StopTransaction closes the session."""
    await hass.data[DOMAIN].tags.async_add(KnownTag(tag_id=KNOWN_CARD, name="Alice"))
    url = f"ws://127.0.0.1:{port}/{CHARGE_POINT_ID}"
    start = datetime.now(UTC) + timedelta(minutes=1)
    async with connect(url, CHARGE_POINT_ID, PASSWORD) as cp:
        await _boot(cp)
        transaction_id = await _start(cp, start, KNOWN_CARD, 80_000)
        await cp.call(
            call.MeterValues(
                connector_id=1,
                transaction_id=transaction_id,
                meter_value=_energy(_time(start, 600), 81_000, 6000, "Sample.Periodic"),
            )
        )
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    async with connect(url, CHARGE_POINT_ID, PASSWORD) as cp:
        await _boot(cp)
        await cp.call(
            call.StopTransaction(
                meter_stop=82_345, timestamp=_time(start, 1200), transaction_id=transaction_id
            )
        )
        await _status(cp, "Available", _time(start, 1300))
    await hass.async_block_till_done()
    (session,) = await hass.data[DOMAIN].archive.async_query()
    assert session.energy_wh == 2345
    assert (session.meter_start_wh, session.meter_end_wh) == (80_000, 82_345)
    registry = ir.async_get(hass)
    assert registry.async_get_issue(DOMAIN, f"ocpp_unknown_transaction_{entry.entry_id}") is None


async def test_one_central_system_for_the_entries_of_a_port(
    hass: HomeAssistant, entry: MockConfigEntry, port: int, hass_storage: dict[str, Any]
) -> None:
    """A second box on the same port shares the server; it stops with the last entry."""
    second = MockConfigEntry(
        domain=DOMAIN,
        title="Barn",
        unique_id="ocpp_CP-2",
        data={**entry.data, CONF_CHARGE_POINT_ID: "CP-2"},
        options={CONF_OCPP_PORT: port},
    )
    second.add_to_hass(hass)
    assert await hass.config_entries.async_setup(second.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(entry.entry_id)
    async with connect(f"ws://127.0.0.1:{port}/CP-2", "CP-2", PASSWORD) as cp:
        await _boot(cp)
        await cp.call(
            call.StartTransaction(
                connector_id=1,
                id_tag=KNOWN_CARD,
                meter_start=0,
                timestamp=_time(datetime.now(UTC), 0),
            )
        )
    stored = f"{DOMAIN}.ocpp_{second.entry_id}"
    assert hass_storage[stored]["data"]["transaction"]["meter_start_wh"] == 0
    # The unloaded entry's box is refused now: its id is unknown to the central system.
    with pytest.raises(aiohttp.WSServerHandshakeError):
        async with connect(f"ws://127.0.0.1:{port}/{CHARGE_POINT_ID}", CHARGE_POINT_ID, PASSWORD):
            pass
    await hass.config_entries.async_remove(second.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(aiohttp.ClientConnectorError):
        async with connect(f"ws://127.0.0.1:{port}/CP-2", "CP-2", PASSWORD):
            pass
    assert stored not in hass_storage


def _self_signed(directory: Path) -> tuple[Path, Path, ssl.SSLContext]:
    """A certificate for 127.0.0.1 and its key, and a client context that trusts it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "ocpp.crt", directory / "ocpp.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    client = ssl.create_default_context(cafile=str(cert_path))
    return cert_path, key_path, client


async def test_wss_with_the_users_certificate(
    hass: HomeAssistant, port: int, tmp_path: Path
) -> None:
    """Security profile 2: the box connects over TLS with the certificate and key named."""
    cert_path, key_path, client = await hass.async_add_executor_job(_self_signed, tmp_path)
    await set_up_entry(hass, port, ocpp_certificate=str(cert_path), ocpp_key=str(key_path))
    url = f"wss://127.0.0.1:{port}/{CHARGE_POINT_ID}"
    async with connect(url, CHARGE_POINT_ID, PASSWORD, ssl_context=client) as cp:
        await _boot(cp)
        assert cp.state.configuration["LocalPreAuthorize"] == "false"


async def test_unreadable_certificate_is_a_clear_error(
    hass: HomeAssistant, port: int, tmp_path: Path
) -> None:
    """A certificate that cannot be loaded stops the entry with a message naming it."""
    missing = tmp_path / "missing.crt"
    entry = _entry(port, ocpp_certificate=str(missing), ocpp_key=str(missing))
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert entry.reason is not None
    assert str(missing) in entry.reason
