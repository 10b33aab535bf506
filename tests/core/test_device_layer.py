"""Device layer: decoding, request planning, Modbus TCP and HTTP against the simulator."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from custom_components.ev_session_monitor.core import modbus as modbus_module
from custom_components.ev_session_monitor.core.decode import (
    DecodeError,
    decode_hex,
    decode_number,
    decode_string,
    encode_number,
    encode_string,
)
from custom_components.ev_session_monitor.core.errors import (
    WallboxAuthError,
    WallboxConnectionError,
    WallboxResponseError,
    WallboxUnsupportedError,
)
from custom_components.ev_session_monitor.core.http import HttpWallboxClient, extract_path
from custom_components.ev_session_monitor.core.modbus import ModbusWallboxClient
from custom_components.ev_session_monitor.core.modbus_link import ModbusLinkPool
from custom_components.ev_session_monitor.core.modbus_registers import decode_raw, plan_blocks
from custom_components.ev_session_monitor.core.model import ChargerStatus
from custom_components.ev_session_monitor.core.profile import (
    ValueSpec,
    WallboxProfile,
    parse_profile,
)
from custom_components.ev_session_monitor.core.reading import convert_raw
from tools.wallbox_simulator import WallboxSimulator, builtin_profile
from tools.wallbox_simulator.servers import ModbusSimServer, RawImageBox, SimulatedBox
from tools.wallbox_simulator.state import WallboxState

# --- decoding ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("registers", "data_type", "word_order", "byte_order", "expected"),
    [
        ([0x1234], "uint16", "big", "big", 0x1234),
        ([0xFFFE], "int16", "big", "big", -2),
        ([0x0001, 0x0002], "uint32", "big", "big", 0x00010002),
        ([0x0002, 0x0001], "uint32", "little", "big", 0x00010002),
        ([0x0100, 0x0200], "uint32", "big", "little", 0x00010002),
        ([0xFFFF, 0xFFFE], "int32", "big", "big", -2),
        ([0x4148, 0x0000], "float32", "big", "big", 12.5),
        ([0x0000, 0x4148], "float32", "little", "big", 12.5),
        ([0, 0, 0x0001, 0x0000], "uint64", "big", "big", 65536),
    ],
)
def test_decode_numbers(
    registers: list[int], data_type: Any, word_order: Any, byte_order: Any, expected: float
) -> None:
    value = decode_number(registers, data_type, word_order=word_order, byte_order=byte_order)
    assert value == expected
    assert (
        encode_number(value, data_type, word_order=word_order, byte_order=byte_order) == registers
    )


def test_decode_rejects_wrong_sizes() -> None:
    with pytest.raises(DecodeError):
        decode_number([1], "uint32")
    with pytest.raises(DecodeError):
        decode_number([0x10000], "uint16")


def test_strings_padding_swapping_and_garbage() -> None:
    # "AB12" NUL padded, two chars per register, big-endian bytes.
    assert decode_string([0x4142, 0x3132, 0x0000, 0x2020]) == "AB12"
    # Swapped bytes (Mennekes HCC3): "BA21" on the wire reads "AB12".
    assert decode_string([0x4241, 0x3231], byte_order="little") == "AB12"
    # One character per register (Vestel).
    assert decode_string([0x41, 0x42, 0x31, 0, 0], chars_per_register=1) == "AB1"
    # Control and non-ASCII bytes never reach the caller.
    assert decode_string([0x41FF, 0x0742]) == "AB"
    assert decode_hex([0x04A1, 0xB2C3, 0xD400, 0x0000]) == "04A1B2C3D4"
    assert encode_string("AB12", 3) == [0x4142, 0x3132, 0]


def test_sentinels_and_nan_mean_not_available() -> None:
    profile = builtin_profile("webasto_next")
    power = profile.values["power"]
    alfen_like = parse_profile(
        "x",
        {
            "name": "x",
            "manufacturer": "x",
            "model": "x",
            "source": "test",
            "transport": "modbus",
            "defaults": {"port": 502},
            "modbus": {"sentinels": {"uint16": [65535], "uint32": [4294967295]}},
            "values": {
                "status": {"address": 0, "map": {0: "idle"}},
                "power": {"address": 1, "type": "float32"},
                "lifetime_energy": {"address": 3, "type": "uint32"},
                "error_code": {"address": 5},
                "tag": {"address": 6, "type": "uint32", "as_hex": True},
            },
        },
        "x.yaml",
    )
    values = alfen_like.values
    assert decode_raw(values["power"], encode_number(math.nan, "float32")) is None
    assert decode_raw(values["lifetime_energy"], [0xFFFF, 0xFFFF]) is None
    assert decode_raw(values["error_code"], [0xFFFF]) is None
    assert decode_raw(values["tag"], [0, 0]) is None
    assert decode_raw(values["tag"], [0x0A1B, 0x2C3D]) == "0A1B2C3D"
    assert decode_raw(power, [0, 7200]) == 7200


# --- planning -------------------------------------------------------------------------------


def _specs(profile: WallboxProfile) -> list[Any]:
    return list(profile.values.values())


def test_plan_merges_neighbours_within_limits() -> None:
    profile = builtin_profile("webasto_next")
    blocks = plan_blocks(_specs(profile), max_registers=125, max_gap=2, one_value_per_read=False)
    # status, plug+error (gap 1), power, meter, session, tag, currents (input table).
    assert len(blocks) == 7
    single = plan_blocks(_specs(profile), max_registers=125, max_gap=0, one_value_per_read=True)
    assert len(single) == len(profile.values)
    wide = plan_blocks(_specs(profile), max_registers=125, max_gap=600, one_value_per_read=False)
    assert len(wide) == 3  # 1000-1037 and 1502-1609 (holding, 125 registers at most), input
    capped = plan_blocks(_specs(profile), max_registers=10, max_gap=600, one_value_per_read=False)
    assert all(block.count <= 10 for block in capped)
    avoided = plan_blocks(
        _specs(profile),
        max_registers=125,
        max_gap=600,
        one_value_per_read=False,
        forbidden=[(1100, 1200)],
    )
    assert all(
        not (block.address <= 1200 and block.address + block.count - 1 >= 1100) for block in avoided
    )


# --- Modbus TCP over loopback ---------------------------------------------------------------


@pytest.fixture
async def webasto() -> AsyncIterator[WallboxSimulator]:
    async with WallboxSimulator("webasto_next") as sim:
        yield sim


def client_for(sim: WallboxSimulator, pool: ModbusLinkPool | None = None) -> ModbusWallboxClient:
    return ModbusWallboxClient(
        sim.profile, pool or ModbusLinkPool(), sim.host, sim.port, sim.unit_id
    )


async def test_reading_and_request_count(webasto: WallboxSimulator) -> None:
    state = webasto.state
    state.lifetime_wh = 123_456
    state.plug_in()
    state.present_tag("04A1B2C3D4")
    state.start_charging(7200)
    state.advance(60)
    client = client_for(webasto)
    try:
        reading = await client.read()
        assert reading.status is ChargerStatus.CHARGING
        assert reading.power_w == 7200
        assert reading.currents_a[0] == pytest.approx(7200 / 690, abs=0.001)
        assert reading.lifetime_energy_wh == 123_576
        assert reading.session_energy_wh == 120
        assert reading.tag == "04A1B2C3D4"
        assert client.requests_sent == len(client.blocks) == 7
    finally:
        await client.close()


async def test_the_simulator_takes_a_current_written_to_each_phase() -> None:
    """innogy: the simulated box accepts the same current on 1012, 1014 and 1016, once."""
    async with WallboxSimulator("innogy_ebox") as sim:
        sim.state.plug_in()
        sim.state.start_charging(11040)
        client = client_for(sim)
        try:
            await client.set_current_limit(10)
            reading = await client.read()
        finally:
            await client.close()
        assert sim.state.writes == [("current_limit", 10)]
        assert reading.current_limit_a == 10
        assert reading.power_w == pytest.approx(6900, abs=1)  # 3 x 10 A x 230 V


async def test_units_share_one_connection_and_requests_are_serialized() -> None:
    profile = builtin_profile("webasto_next")
    server = ModbusSimServer()
    first, second = WallboxState(), WallboxState()
    second.start_charging(3600)
    server.add_box(1, SimulatedBox(profile, first))
    server.add_box(2, SimulatedBox(profile, second))
    await server.start()
    pool = ModbusLinkPool()
    one = ModbusWallboxClient(profile, pool, "127.0.0.1", server.port, 1)
    two = ModbusWallboxClient(profile, pool, "127.0.0.1", server.port, 2)
    try:
        assert one._link is two._link
        readings = await asyncio.gather(*(c.read() for c in (one, two, one, two)))
        assert [r.power_w for r in readings] == [0, 3600, 0, 3600]
        assert len(server._writers) == 1
    finally:
        await one.close()
        await two.close()
        await server.stop()


async def test_timeout_drop_refuse_and_recovery(webasto: WallboxSimulator) -> None:
    client = client_for(webasto)
    client._link.timeout = 0.5
    try:
        await client.read()
        webasto.state.faults.delay_s = 1.0
        with pytest.raises(WallboxConnectionError, match="did not answer"):
            await client.read()
        webasto.state.faults.delay_s = 0
        await asyncio.sleep(1)  # the box finishes the late answer
        assert (await client.read()).status is ChargerStatus.IDLE
        # The box drops the connection instead of answering (some do on a bad register):
        # this poll fails, the next one reconnects.
        webasto.state.faults.drop_next_request = True
        with pytest.raises(WallboxConnectionError):
            await client.read()
        assert (await client.read()).status is ChargerStatus.IDLE
        webasto.reboot()  # every connection drops
        await asyncio.sleep(0.1)  # a poll later, the client has seen the connection close
        assert (await client.read()).status is ChargerStatus.IDLE
        webasto.state.faults.refuse_connections = True
        webasto.drop_connections()
        for _ in range(3):
            with pytest.raises(WallboxConnectionError):
                await client.read()
        webasto.state.faults.refuse_connections = False
        # Backing off: the next poll fails fast without connecting, the one after recovers.
        with pytest.raises(WallboxConnectionError, match="next attempt"):
            await client.read()
        assert (await client.read()).status is ChargerStatus.IDLE
    finally:
        await client.close()


async def test_garbage_and_sentinels_never_crash(webasto: WallboxSimulator) -> None:
    client = client_for(webasto)
    try:
        webasto.state.faults.garbage = True
        for _ in range(20):
            try:
                reading = await client.read()
            except WallboxResponseError:
                continue
            assert reading.power_w is None or reading.power_w >= 0
        webasto.state.faults.garbage = False
        webasto.state.faults.sentinels = True
        reading = await client.read()
        assert reading.power_w is None or reading.power_w == 0xFFFFFFFF
    finally:
        await client.close()


async def test_unknown_unit_is_an_invalid_response(webasto: WallboxSimulator) -> None:
    client = ModbusWallboxClient(webasto.profile, ModbusLinkPool(), webasto.host, webasto.port, 9)
    try:
        with pytest.raises(WallboxResponseError):
            await client.read()
    finally:
        await client.close()


async def test_controls_reach_the_box(webasto: WallboxSimulator) -> None:
    client = client_for(webasto)
    try:
        await client.set_current_limit(40)  # clamped to the profile's 32 A
        assert webasto.state.current_limit_a == 32
        await client.set_current_limit(2)  # clamped up to 6 A
        assert webasto.state.current_limit_a == 6
        await client.set_enabled(False)  # no enable register: 0 A
        assert webasto.state.current_limit_a == 0
        await client.set_enabled(True)  # back to the last current, as evcc does
        assert webasto.state.current_limit_a == 6
        await client.keepalive()
        assert webasto.state.keepalives == 1
    finally:
        await client.close()


# --- HTTP -----------------------------------------------------------------------------------

HTTP_PROFILE = {
    "name": "Test HTTP box",
    "manufacturer": "Test",
    "model": "HTTP",
    "source": "test",
    "transport": "http",
    "defaults": {"port": 80},
    "http": {
        "auth": "basic",
        "endpoints": {"status": {"path": "/api/status", "query": {"filter": "car,nrg"}}},
    },
    "values": {
        "status": {"endpoint": "status", "path": "car", "map": {1: "idle", 2: "charging"}},
        "power": {"endpoint": "status", "path": "nrg.11"},
        "current_l1": {"endpoint": "status", "path": "nrg.4"},
        "lifetime_energy": {"endpoint": "status", "path": "eto"},
        "tag": {"endpoint": "status", "path": "lri"},
        "tag_read_marker": {"endpoint": "status", "path": "lrr"},
    },
    "identity": {"serial": {"endpoint": "status", "path": "sse"}},
    "controls": {
        "current_limit": {"path": "/api/set", "param": "amp", "min": 6, "max": 16},
        "enable": {"path": "/api/set", "param": "frc", "on": 2, "off": 1},
    },
}


@pytest.fixture
def http_profile() -> WallboxProfile:
    return parse_profile("test_http", HTTP_PROFILE, "test_http.yaml")


async def test_http_read_controls_and_auth(http_profile: WallboxProfile) -> None:
    async with (
        WallboxSimulator(http_profile, credentials=("admin", "pw")) as sim,
        aiohttp.ClientSession() as session,
    ):
        sim.state.plug_in()
        sim.state.present_tag("CAFE0001")
        sim.state.start_charging(7200)
        sim.state.advance(3600)
        anonymous = HttpWallboxClient(http_profile, session, sim.host, sim.port)
        with pytest.raises(WallboxAuthError):
            await anonymous.read()
        client = HttpWallboxClient(
            http_profile, session, sim.host, sim.port, username="admin", password="pw"
        )
        reading = await client.read()
        assert reading.status is ChargerStatus.CHARGING
        assert reading.power_w == 7200
        assert reading.lifetime_energy_wh == 7200
        assert reading.tag == "CAFE0001"
        assert reading.tag_read_marker == 1
        assert (await client.read_identity()).serial == "SIM0001"
        await client.set_current_limit(10)
        assert sim.state.current_limit_a == 10
        await client.set_enabled(False)
        assert sim.state.enabled is False
        assert client.requests_sent == 4


async def _serve(handler: Any) -> tuple[web.AppRunner, int]:
    app = web.Application()
    app.router.add_get("/api/status", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ("not json", 200, WallboxResponseError),
        ("[1, 2]", 200, WallboxResponseError),
        ("{}", 500, WallboxResponseError),
        ("{}", 401, WallboxAuthError),
    ],
)
async def test_http_bad_answers(
    http_profile: WallboxProfile, body: str, status: int, error: type[Exception]
) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(text=body, status=status)

    runner, port = await _serve(handler)
    try:
        async with aiohttp.ClientSession() as session:
            client = HttpWallboxClient(http_profile, session, "127.0.0.1", port)
            with pytest.raises(error):
                await client.read()
    finally:
        await runner.cleanup()


async def test_http_timeout_and_refused(http_profile: WallboxProfile) -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(1)
        return web.json_response({})

    runner, port = await _serve(slow)
    try:
        async with aiohttp.ClientSession() as session:
            client = HttpWallboxClient(http_profile, session, "127.0.0.1", port, timeout=0.2)
            with pytest.raises(WallboxConnectionError):
                await client.read()
    finally:
        await runner.cleanup()
    async with aiohttp.ClientSession() as session:
        client = HttpWallboxClient(http_profile, session, "127.0.0.1", port)
        with pytest.raises(WallboxConnectionError):
            await client.read()


def test_extract_path() -> None:
    document = {"nrg": [230, 231, 232, 0, 16.1], "a": {"b": "x"}}
    assert extract_path(document, ("nrg", 4)) == 16.1
    assert extract_path(document, ("a", "b")) == "x"
    assert extract_path(document, ("nrg", 40)) is None
    assert extract_path(document, ("missing",)) is None


async def test_read_only_box_refuses_controls() -> None:
    profile_data = {
        **HTTP_PROFILE,
        "controls": {},
        "http": {"endpoints": HTTP_PROFILE["http"]["endpoints"]},  # type: ignore[index]
    }
    profile = parse_profile("ro", profile_data, "ro.yaml")
    async with aiohttp.ClientSession() as session:
        client = HttpWallboxClient(profile, session, "127.0.0.1", 1)
        with pytest.raises(WallboxUnsupportedError):
            await client.set_current_limit(10)
        with pytest.raises(WallboxUnsupportedError):
            await client.set_enabled(True)
        with pytest.raises(WallboxUnsupportedError):
            await client.set_phases(3)
        await client.keepalive()  # nothing to feed: no error
        await client.refresh_setpoint()  # HTTP boxes keep their setpoint


# Requests per poll of each built-in profile: neighbouring registers merged as far as each box
# allows (KEBA: one value per request; Vestel and ABB: no gaps read; ABB's values from 0x4008
# to 0x401F have none).
REQUESTS_PER_POLL = {
    "abb_terra_ac": 1,
    "abl_em4": 1,
    "alfen_eve": 3,
    "amperfied_connect": 3,
    "bender_cc613": 4,
    "cfos_power_brain": 2,
    "compleo": 3,
    "daheimladen": 5,
    "etrel_inch": 5,
    "go_echarger": 1,
    "hardybarth_salia": 1,  # the whole document, GET /api
    "em2go": 5,  # 0-13, 28, 91-95, 109-113, the phases at 200
    "heidelberg_energy_control": 2,
    "innogy_ebox": 4,  # state, voltages and meter, currents, the limit (holding)
    "keba_p30": 14,
    "mennekes_amtron_xtra": 2,
    "nrgkick_gen2": 2,
    "nrgkick_gen2_json": 2,  # /values and /control
    "openevse": 1,
    "openwb_pro": 1,
    "openwb_series2": 2,
    "peblar": 2,
    "phoenix_charx": 1,
    "phoenix_ev_cc": 5,
    "schneider_evlink_pro": 6,
    "sma_ev_charger": 2,  # measurements/live and parameters/search (and the login, once)
    "sungrow_ac": 3,
    "tesla_wall_connector_gen3": 2,
    "tinkerforge_warp": 5,  # evse/state, meter/values, meter/all_values, external current, charge
    "vestel_evc04": 12,
    "victron_evcs": 1,
    "wallbe": 5,
    "webasto_next": 7,
    "weidmueller_ac_smart": 6,
}


@pytest.mark.parametrize("profile_id", sorted(REQUESTS_PER_POLL))
async def test_requests_per_poll(profile_id: str) -> None:
    profile = builtin_profile(profile_id)
    async with WallboxSimulator(profile) as sim, aiohttp.ClientSession() as session:
        client: ModbusWallboxClient | HttpWallboxClient
        if profile.transport == "modbus":
            client = client_for(sim)
        else:
            client = HttpWallboxClient(profile, session, sim.host, sim.port)
        await client.read()
        await client.read()
        assert client.requests_sent == 2 * REQUESTS_PER_POLL[profile_id]
        assert sim.requests == 2 * REQUESTS_PER_POLL[profile_id]
        await client.close()


def test_every_builtin_profile_has_a_request_budget() -> None:
    from custom_components.ev_session_monitor.core.profile import (
        BUILTIN_PROFILE_DIR,
        load_profiles,
    )

    assert set(load_profiles(BUILTIN_PROFILE_DIR).profiles) == set(REQUESTS_PER_POLL)


# --- quirks the references handle ---------------------------------------------------------


async def _raw_client(
    profile_id: str, holding: dict[int, list[int]], input_registers: dict[int, list[int]]
) -> tuple[ModbusSimServer, RawImageBox, ModbusWallboxClient]:
    box = RawImageBox(holding, input_registers)
    server = ModbusSimServer()
    profile = builtin_profile(profile_id)
    server.add_box(profile.default_unit_id, box)
    await server.start()
    client = ModbusWallboxClient(
        profile, ModbusLinkPool(), "127.0.0.1", server.port, profile.default_unit_id
    )
    return server, box, client


async def test_stuck_session_counter_falls_back_to_power(monkeypatch: pytest.MonkeyPatch) -> None:
    # Etrel: 11.04 kW flowing, register 30 stays 0.0 kWh (evcc issue #5346).
    now = [1000.0]
    monkeypatch.setattr(modbus_module, "time", SimpleNamespace(monotonic=lambda: now[0]))
    server, _box, client = await _raw_client(
        "etrel_inch", {}, {0: [4], 26: [0x4130, 0xA3D7], 30: [0, 0]}
    )
    try:
        seen = []
        for _ in range(4):
            seen.append((await client.read()).session_energy_wh)
            now[0] += 60
        # At 0 while charging: set aside (not available) until the third poll calls it stuck;
        # from then on, power integrated since the first poll, so no energy is lost.
        assert seen[:2] == [None, None]
        assert seen[2] == pytest.approx(11040 * 120 / 3600)
        assert seen[3] == pytest.approx(11040 * 180 / 3600)
        assert any("integrated from power" in note for note in client.notes)
    finally:
        await client.close()
        await server.stop()


async def test_a_working_session_counter_is_trusted() -> None:
    server, box, client = await _raw_client(
        "etrel_inch", {}, {0: [4], 26: [0x4130, 0xA3D7], 30: [0, 0]}
    )
    try:
        assert (await client.read()).session_energy_wh is None  # 0 while charging: wait
        box.tables["input"][30] = 0x4020  # 2.5 kWh: the counter moves
        for _ in range(4):
            assert (await client.read()).session_energy_wh == 2500
        box.tables["input"][0] = 1  # unplugged
        assert (await client.read()).session_energy_wh == 2500
        assert client.notes == []
    finally:
        await client.close()
        await server.stop()


async def test_wake_up_shows_connected_until_state_f_ends() -> None:
    # Heidelberg: locking (259 = 0) forces state F (10); evcc keeps showing B meanwhile.
    server, box, client = await _raw_client(
        "heidelberg_energy_control", {259: [1], 261: [160]}, {5: [10]}
    )
    try:
        assert (await client.read()).status is ChargerStatus.ERROR  # F without a wake-up
        await client.wake_up()
        assert [(w.function, w.address, w.words) for w in box.register_writes] == [
            (16, 259, (0,)),
            (16, 259, (1,)),
        ]
        assert (await client.read()).status is ChargerStatus.CONNECTED
        box.tables["input"][5] = 7  # C2: the car draws again
        assert (await client.read()).status is ChargerStatus.CHARGING
        box.tables["input"][5] = 10
        assert (await client.read()).status is ChargerStatus.ERROR
    finally:
        await client.close()
        await server.stop()


async def test_boxes_without_wake_up_or_phase_switching_refuse() -> None:
    server, _box, client = await _raw_client("webasto_next", {}, {})
    try:
        with pytest.raises(WallboxUnsupportedError):
            await client.wake_up()
        with pytest.raises(WallboxUnsupportedError):
            await client.set_phases(1)
        await client.refresh_setpoint()  # nothing written yet: nothing to refresh
    finally:
        await client.close()
        await server.stop()


async def test_simulated_keba_shows_the_first_four_bytes_of_a_tag() -> None:
    # KEBA's guide and evcc #14228: 1500 holds the first 4 bytes (047dafba7f823100 -> 047dafba).
    async with WallboxSimulator("keba_p30") as sim:
        sim.state.plug_in()
        sim.state.present_tag("047DAFBA7F823100")
        client = client_for(sim)
        try:
            assert (await client.read()).tag == "047DAFBA"
        finally:
            await client.close()


async def test_simulator_records_the_function_code_of_each_write(
    webasto: WallboxSimulator,
) -> None:
    client = client_for(webasto)
    try:
        await client.set_current_limit(16)
        await client.keepalive()
        # evcc: 5004 with function code 16, the life bit 6000 with function code 6.
        assert [(w.function, w.address) for w in webasto.box.register_writes] == [
            (16, 5004),
            (6, 6000),
        ]
    finally:
        await client.close()


async def test_a_probe_the_firmware_refuses_means_no_such_feature() -> None:
    # KEBA P30 whose firmware lacks the phase-switch registers: no 1p/3p, setup still works.
    box = RawImageBox(
        {1016: [0x0004, 0xCB09], 1018: [0x030A, 0x0D00]},
        illegal=[(1550, 1553)],
        one_value_per_read=True,
    )
    server = ModbusSimServer()
    server.add_box(255, box)
    await server.start()
    client = ModbusWallboxClient(
        builtin_profile("keba_p30"), ModbusLinkPool(), "127.0.0.1", server.port, 255
    )
    try:
        identity = await client.read_identity()
        assert identity.firmware == "3.10.13"
        assert client.profile.phase_switch is None
        assert identity.extra == {}
    finally:
        await client.close()
        await server.stop()


async def test_unknown_firmware_counts_as_old() -> None:
    # Without a readable firmware version the variant for old firmware (the safe one) applies.
    profile = parse_profile(
        "fw",
        {
            "name": "fw",
            "manufacturer": "x",
            "model": "x",
            "source": "test",
            "transport": "modbus",
            "defaults": {"port": 502, "unit_id": 1},
            "values": {
                "status": {"address": 0, "map": {0: "idle"}},
                "tag": {"address": 10, "type": "string", "count": 4},
            },
            "variants": [
                {
                    "id": "old",
                    "label": "old firmware",
                    "when": [{"firmware_below": "3.156.0"}],
                    "values": {"tag": None},
                }
            ],
        },
        "fw.yaml",
    )
    box = RawImageBox({0: [0]})
    server = ModbusSimServer()
    server.add_box(1, box)
    await server.start()
    client = ModbusWallboxClient(profile, ModbusLinkPool(), "127.0.0.1", server.port, 1)
    try:
        identity = await client.read_identity()
        assert identity.extra == {"variant": "old firmware"}
        assert "tag" not in client.profile.values
    finally:
        await client.close()
        await server.stop()


async def test_registers_a_box_refuses_later_do_not_break_polling() -> None:
    # KEBA P30 with phase switching, whose firmware refuses the phase state and the failsafe
    # timeout: the readings stand, the phases are unknown, the keepalive keeps its interval.
    box = RawImageBox(
        {1000: [0, 3], 1004: [0, 7], 1016: [0x0004, 0xCB09], 1550: [0, 3]},
        illegal=[(1552, 1553), (1602, 1603)],
        one_value_per_read=True,
    )
    server = ModbusSimServer()
    server.add_box(255, box)
    await server.start()
    client = ModbusWallboxClient(
        builtin_profile("keba_p30"), ModbusLinkPool(), "127.0.0.1", server.port, 255
    )
    try:
        await client.read_identity()
        assert client.profile.keepalive is not None
        assert client.profile.keepalive.interval_s == 30
        # The heartbeat re-writes a timeout it could not read: the site's 60 s, not 1 s.
        assert client.profile.keepalive.write.value == 60
        assert client.profile.phase_switch is not None
        assert (await client.read()).status is ChargerStatus.CHARGING
        assert client.phases is None
    finally:
        await client.close()
        await server.stop()


def test_numbers_sent_as_text() -> None:
    # Salia writes every number as a JSON string; text that is no finite number reads as none.
    spec = ValueSpec(name="power", endpoint="s", path=("p",), scale=0.1, number_in_text=True)
    assert convert_raw(spec, "110400") == pytest.approx(11040)
    assert convert_raw(spec, 110400) == pytest.approx(11040)
    assert convert_raw(spec, "n/a") is None
    assert convert_raw(spec, "nan") is None
