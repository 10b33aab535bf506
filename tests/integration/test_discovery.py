"""Discovery (zeroconf, DHCP) and model detection on a typed host, against the simulator.

Announcements are written by hand after Home Assistant core's tests and manifests
(openevse: `_openevse._tcp` with an `id` property; tesla_wall_connector: host name
teslawallconnector_* from MAC prefix DC:44:27:1x) and the IEEE MAC registry (KEBA GmbH
00:60:B5). Register images come from vendor documents, named beside each.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from ipaddress import ip_address
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.config_entries import SOURCE_DHCP, SOURCE_IGNORE, SOURCE_ZEROCONF
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ev_session_monitor import storage
from custom_components.ev_session_monitor.const import CONF_PROFILE, CONF_UNIT_ID, DOMAIN
from custom_components.ev_session_monitor.core.probe import detect_models, dhcp_candidates
from custom_components.ev_session_monitor.core.profile import (
    BUILTIN_PROFILE_DIR,
    ProfileCatalog,
    load_profiles,
)
from tools.wallbox_simulator import WallboxSimulator
from tools.wallbox_simulator.images import load_case, raw_box
from tools.wallbox_simulator.servers import ModbusSimServer, RawImageBox

from .conftest import start_network_flow

INTEGRATION = "custom_components.ev_session_monitor"
REFERENCE = Path(__file__).parent.parent / "reference" / "modbus"
CATALOG = load_profiles(BUILTIN_PROFILE_DIR)


def text_words(text: str, registers: int) -> list[int]:
    """ASCII, two characters per register, big-endian, NUL-padded."""
    data = text.encode("ascii").ljust(2 * registers, b"\0")
    return [data[i] << 8 | data[i + 1] for i in range(0, len(data), 2)]


class DroppingBox(RawImageBox):
    """A box that drops the connection on any register outside its image (evcc: Mennekes
    4You on 730/740, Vestel before 3.156.0 on its RFID registers)."""

    def read_registers(self, table: str, address: int, count: int) -> list[int] | int | None:
        """Registers of the image, else drop the connection."""
        image = self.tables[table]
        if not all(address + i in image for i in range(count)):
            return None
        return super().read_registers(table, address, count)


@pytest.fixture
async def modbus_server() -> AsyncIterator[ModbusSimServer]:
    """A Modbus TCP server on a loopback port; tests add boxes by unit id."""
    server = ModbusSimServer()
    await server.start()
    yield server
    await server.stop()


def keba_box() -> RawImageBox:
    """KEBA P30 'idle' image (tests/reference/modbus/keba_p30.yaml: Programmers Guide V1.04)."""
    profile_id, case = load_case(REFERENCE / "keba_p30.yaml", "idle")
    assert profile_id == "keba_p30"
    return raw_box(case)


# --- detection on a typed host (core) -------------------------------------------------------


async def test_detects_keba_among_all_models(modbus_server: ModbusSimServer) -> None:
    modbus_server.add_box(255, keba_box())
    found = await detect_models("127.0.0.1", CATALOG.profiles.values(), port=modbus_server.port)
    assert found.reachable
    assert found.matches == ("keba_p30",)


async def test_detects_alfen_by_its_station_registers(modbus_server: ModbusSimServer) -> None:
    # Alfen NG9xx Modbus Slave TCP/IP v2.3: unit 200 holds the station registers, 117 the
    # manufacturer (5 registers); socket 1 is unit 1.
    modbus_server.add_box(200, RawImageBox({117: text_words("Alfen NV", 5)}))
    modbus_server.add_box(1, RawImageBox({1201: text_words("A", 5)}))
    found = await detect_models("127.0.0.1", CATALOG.profiles.values(), port=modbus_server.port)
    assert found.matches == ("alfen_eve",)


@pytest.mark.parametrize(
    ("current_register", "expected"),
    [
        # evcc phoenix-ev-eth.go: 528 reads 0.1 A on Wallbe firmware (>= 60), A on Phoenix's.
        (160, ("wallbe", "phoenix_ev_cc")),
        (16, ("phoenix_ev_cc",)),
    ],
)
async def test_tells_wallbe_firmware_from_phoenix(
    modbus_server: ModbusSimServer, current_register: int, expected: tuple[str, ...]
) -> None:
    # Input 100: IEC state as a letter in the low byte ('A' = 0x41, no vehicle).
    modbus_server.add_box(255, RawImageBox({528: [current_register]}, {100: [0x0041]}))
    found = await detect_models("127.0.0.1", CATALOG.profiles.values(), port=modbus_server.port)
    assert found.matches == expected


async def test_box_that_drops_foreign_reads_is_still_found(
    modbus_server: ModbusSimServer,
) -> None:
    _, case = load_case(REFERENCE / "keba_p30.yaml", "idle")
    modbus_server.add_box(255, DroppingBox(case["holding"]))
    found = await detect_models("127.0.0.1", CATALOG.profiles.values(), port=modbus_server.port)
    assert found.matches == ("keba_p30",)


async def test_box_answering_zeros_matches_nothing(modbus_server: ModbusSimServer) -> None:
    for unit in (1, 200, 255):
        modbus_server.add_box(unit, RawImageBox({}))
    found = await detect_models("127.0.0.1", CATALOG.profiles.values(), port=modbus_server.port)
    assert found.reachable
    assert found.matches == ()


def test_dhcp_matchers_follow_home_assistant_rules() -> None:
    profiles = CATALOG.profiles.values()
    # Tesla: host name AND MAC prefix must both fit.
    assert dhcp_candidates(profiles, "TeslaWallConnector_ABC123", "dc:44:27:1a:bb:cc") == [
        "tesla_wall_connector_gen3"
    ]
    assert dhcp_candidates(profiles, "teslawallconnector_abc123", "aa:bb:cc:dd:ee:ff") == []
    assert dhcp_candidates(profiles, "go-echarger_123456", "aa:bb:cc:dd:ee:ff") == ["go_echarger"]
    assert dhcp_candidates(profiles, "", "0060b5123456") == ["keba_p30"]
    assert dhcp_candidates(profiles, "printer", "001122334455") == []


# --- config flow -----------------------------------------------------------------------------


@pytest.fixture
async def no_setup(hass: HomeAssistant) -> AsyncIterator[None]:
    """Created entries are not connected (their box listens on a test port, not 80 or 502)."""
    with (
        patch(f"{INTEGRATION}.async_setup_entry", return_value=True),
        patch(f"{INTEGRATION}.async_unload_entry", return_value=True),
    ):
        yield
        for entry in hass.config_entries.async_entries(DOMAIN):
            await hass.config_entries.async_unload(entry.entry_id)


def catalog_with_ports(monkeypatch: pytest.MonkeyPatch, **ports: int) -> None:
    """The profiles' default ports moved to where the simulated boxes listen."""
    profiles = {
        profile_id: dataclasses.replace(profile, default_port=ports[profile_id])
        if profile_id in ports
        else profile
        for profile_id, profile in CATALOG.profiles.items()
    }

    async def load(hass: HomeAssistant) -> ProfileCatalog:
        return ProfileCatalog(profiles=profiles)

    # The one place the shared data is built (storage.async_domain_data) loads the catalog.
    monkeypatch.setattr(storage, "async_load_catalog", load)


def openevse_announcement(port: int) -> ZeroconfServiceInfo:
    return ZeroconfServiceInfo(
        ip_address=ip_address("127.0.0.1"),
        ip_addresses=[ip_address("127.0.0.1")],
        hostname="openevse-deadbeeffeed.local.",
        name="openevse-deadbeeffeed._openevse._tcp.local.",
        port=port,
        properties={"id": "deadbeeffeed", "type": "openevse"},
        type="_openevse._tcp.local.",
    )


def nrgkick_announcement(port: int) -> ZeroconfServiceInfo:
    """The mDNS answer of DiniTech's "NRGkick Gen2 Local API Documentation" (2024)."""
    return ZeroconfServiceInfo(
        ip_address=ip_address("127.0.0.1"),
        ip_addresses=[ip_address("127.0.0.1")],
        hostname="nrgkick.local.",
        name="NRGkick._nrgkick._tcp.local.",
        port=port,
        properties={
            "serial_number": "T2332500000000000S1D2",
            "model_type": "NRGkick Gen2 SIM",
            "json_api_enabled": "1",
            "json_api_version": "v1",
            "modbus_api_enabled": "1",
            "modbus_api_version": "v1",
        },
        type="_nrgkick._tcp.local.",
    )


@pytest.mark.parametrize("profile_id", ["nrgkick_gen2_json"])
async def test_zeroconf_offers_nrgkick_identified_by_its_serial(
    hass: HomeAssistant, simulator: WallboxSimulator
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=nrgkick_announcement(simulator.port)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    assert result["description_placeholders"] == {
        "model": "NRGkick Gen2 (local JSON API)",
        "host": "127.0.0.1",
    }
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Carport"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_PROFILE] == "nrgkick_gen2_json"
    # The serial the box reports in /info general.serial_number (here the simulator's).
    assert result["result"].unique_id == "dinitech_sim0001"  # manufacturer + serial
    await hass.async_block_till_done()


def tesla_dhcp(ip: str = "127.0.0.1") -> DhcpServiceInfo:
    return DhcpServiceInfo(ip=ip, hostname="teslawallconnector_abc123", macaddress="dc44271abbcc")


@pytest.mark.parametrize("profile_id", ["openevse"])
async def test_zeroconf_offers_openevse_with_model_chosen(
    hass: HomeAssistant, simulator: WallboxSimulator
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=openevse_announcement(simulator.port)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    assert result["description_placeholders"] == {
        "model": "OpenEVSE (WiFi gateway 4.1.9+)",
        "host": "127.0.0.1",
    }
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Carport"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Carport"
    assert result["data"] == {
        CONF_HOST: "127.0.0.1",
        CONF_PROFILE: "openevse",
        CONF_PORT: simulator.port,
    }
    await hass.async_block_till_done()

    # Announced again: the box is configured, nothing is offered.
    again = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=openevse_announcement(simulator.port)
    )
    assert again["type"] is FlowResultType.ABORT
    assert again["reason"] == "already_configured"


@pytest.mark.parametrize("profile_id", ["tesla_wall_connector_gen3"])
@pytest.mark.usefixtures("no_setup")
async def test_dhcp_tesla_is_identified_then_followed_to_a_new_address(
    hass: HomeAssistant, simulator: WallboxSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog_with_ports(monkeypatch, tesla_wall_connector_gen3=simulator.port)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=tesla_dhcp()
    )
    assert result["step_id"] == "discovery_confirm"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Garage"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    # The simulator's serial number: the same unique id the user step gives this box.
    assert entry.unique_id == "tesla_sim0001"

    # The box moved: the entry had an old address; DHCP sees it at its new one.
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_HOST: "192.0.2.7"})
    moved = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=tesla_dhcp()
    )
    assert moved["type"] is FlowResultType.ABORT
    assert moved["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == "127.0.0.1"


@pytest.mark.parametrize("profile_id", ["tesla_wall_connector_gen3"])
async def test_ignored_box_is_not_offered_again(
    hass: HomeAssistant, simulator: WallboxSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog_with_ports(monkeypatch, tesla_wall_connector_gen3=simulator.port)
    first = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=tesla_dhcp()
    )
    (progress,) = hass.config_entries.flow.async_progress()
    unique_id = progress["context"]["unique_id"]
    hass.config_entries.flow.async_abort(first["flow_id"])
    ignored = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_IGNORE}, data={"unique_id": unique_id, "title": "x"}
    )
    assert ignored["type"] is FlowResultType.CREATE_ENTRY
    again = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=tesla_dhcp()
    )
    assert again["type"] is FlowResultType.ABORT
    assert again["reason"] == "already_configured"


async def test_box_configured_at_that_address_is_not_offered(hass: HomeAssistant) -> None:
    MockConfigEntry(
        domain=DOMAIN,
        unique_id="openevse_127.0.0.1_80_1",
        data={CONF_HOST: "127.0.0.1", CONF_PROFILE: "openevse"},
    ).add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=openevse_announcement(80)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


@pytest.mark.usefixtures("no_setup")
async def test_dhcp_keba_mac_prefix_is_probed_then_offered(
    hass: HomeAssistant, modbus_server: ModbusSimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    modbus_server.add_box(255, keba_box())
    catalog_with_ports(monkeypatch, keba_p30=modbus_server.port)
    keba = DhcpServiceInfo(ip="127.0.0.1", hostname="", macaddress="0060b5a1b2c3")
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=keba
    )
    assert result["step_id"] == "discovery_confirm"
    assert result["description_placeholders"]["model"] == "KEBA KeContact P30 / P40 (Modbus TCP)"
    # Nothing was written to the box before the user confirmed.
    assert modbus_server.boxes[255].register_writes == []
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Garage"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # Serial 22334455 in the image (KEBA register 1014).
    assert result["result"].unique_id == "keba_22334455"


async def test_dhcp_device_that_is_no_wallbox_is_dropped(
    hass: HomeAssistant, modbus_server: ModbusSimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A KEBA MAC prefix, but the box answers zeros (a KEBA controller that is no charger).
    modbus_server.add_box(255, RawImageBox({}))
    catalog_with_ports(monkeypatch, keba_p30=modbus_server.port)
    other = DhcpServiceInfo(ip="127.0.0.1", hostname="plc", macaddress="0060b5000001")
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=other
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_identified"


def typed(port: int, **extra: Any) -> dict[str, Any]:
    return {CONF_NAME: "Garage", CONF_HOST: "127.0.0.1", CONF_PORT: port, **extra}


async def test_user_step_detects_the_model(
    hass: HomeAssistant, modbus_server: ModbusSimServer
) -> None:
    modbus_server.add_box(255, keba_box())
    result = await start_network_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], typed(modbus_server.port)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "detected"
    assert result["description_placeholders"]["models"] == ("KEBA KeContact P30 / P40 (Modbus TCP)")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PROFILE: "keba_p30"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        CONF_HOST: "127.0.0.1",
        CONF_PORT: modbus_server.port,
        CONF_PROFILE: "keba_p30",
    }
    await hass.async_block_till_done()
    assert hass.states.get("sensor.garage_status").state == "idle"


async def test_user_step_says_when_no_model_matched(
    hass: HomeAssistant, modbus_server: ModbusSimServer
) -> None:
    modbus_server.add_box(255, RawImageBox({}))
    result = await start_network_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], typed(modbus_server.port, **{CONF_UNIT_ID: 255})
    )
    assert result["step_id"] == "network"
    assert result["errors"] == {CONF_PROFILE: "no_model_detected"}

    await modbus_server.stop()  # nothing listens any more
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], typed(modbus_server.port)
    )
    assert result["errors"] == {"base": "cannot_connect"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], typed(modbus_server.port, **{CONF_HOST: "bad host!"})
    )
    assert result["errors"] == {CONF_HOST: "invalid_host"}
