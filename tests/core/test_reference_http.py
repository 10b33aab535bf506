"""HTTP profiles against answers written by hand from vendor documents (tests/reference/http).

A loopback aiohttp server answers exactly the bodies of a reference case; the integration's
client reads them through the built-in profile and must show what the document says.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from custom_components.ev_session_monitor.core.errors import (
    WallboxAuthError,
    WallboxResponseError,
    WallboxUnsupportedError,
)
from custom_components.ev_session_monitor.core.http import HttpWallboxClient, parse_json
from custom_components.ev_session_monitor.core.http_token import PasswordGrantToken
from custom_components.ev_session_monitor.core.model import ChargerStatus, Reading
from custom_components.ev_session_monitor.core.profile import ProfileError, parse_profile
from tests.reference.http import (
    ReferenceCase,
    go_echarger,
    hardybarth_salia,
    nrgkick_gen2_json,
    openevse,
    openwb_pro,
    sma_ev_charger,
    tesla_wall_connector_gen3,
    tinkerforge_warp,
)
from tools.wallbox_simulator import builtin_profile

MODULES = {
    "go_echarger": go_echarger,
    "hardybarth_salia": hardybarth_salia,
    "nrgkick_gen2_json": nrgkick_gen2_json,
    "openevse": openevse,
    "openwb_pro": openwb_pro,
    "sma_ev_charger": sma_ev_charger,
    "tesla_wall_connector_gen3": tesla_wall_connector_gen3,
    "tinkerforge_warp": tinkerforge_warp,
}
CASES = [
    pytest.param(profile_id, case, id=f"{profile_id}-{case.case_id}")
    for profile_id, module in MODULES.items()
    for case in module.CASES
]
NUMBERS = ("power_w", "session_energy_wh", "lifetime_energy_wh", "tag_read_marker")
PHASES = ("currents_a", "voltages_v")
OTHERS = ("status", "tag", "error_code", "current_limit_a", "enabled")


@dataclass
class Served:
    """What the loopback box answered and was asked."""

    port: int
    requests: list[tuple[str, str, dict[str, str], str]] = field(default_factory=list)


type Serve = Callable[[web.Application | dict[str, tuple[int, str]]], Awaitable[Served]]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """Start a loopback HTTP server: fixed bodies per path, or a whole application."""
    runners: list[web.AppRunner] = []

    async def start(source: web.Application | dict[str, tuple[int, str]]) -> Served:
        served = Served(0)
        if isinstance(source, web.Application):
            app = source
        else:
            bodies = source

            async def answer(request: web.Request) -> web.Response:
                served.requests.append(
                    (request.method, request.path, dict(request.query), await request.text())
                )
                status, body = bodies.get(request.path, (404, '{"msg":"Not found"}'))
                return web.Response(status=status, text=body, content_type="application/json")

            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", answer)
        runner = web.AppRunner(app)
        await runner.setup()
        runners.append(runner)
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        served.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return served

    yield start
    for runner in runners:
        await runner.cleanup()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A client session like Home Assistant's shared one."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


def client_for(
    profile_id: str, session: aiohttp.ClientSession, served: Served, **kwargs: Any
) -> HttpWallboxClient:
    """The integration's client for a built-in profile, pointed at the loopback box."""
    return HttpWallboxClient(
        builtin_profile(profile_id), session, "127.0.0.1", served.port, **kwargs
    )


def assert_reading(reading: Reading, expected: dict[str, Any]) -> None:
    """Every field as the reference says; fields the reference leaves out are unavailable."""
    for name in NUMBERS:
        value = expected.get(name)
        assert getattr(reading, name) == (None if value is None else pytest.approx(value)), name
    for name in PHASES:
        values = expected.get(name, (None, None, None))
        shown = getattr(reading, name)
        assert len(shown) == 3
        for phase, (got, want) in enumerate(zip(shown, values, strict=True)):
            assert got == (None if want is None else pytest.approx(want)), f"{name}[{phase}]"
    for name in OTHERS:
        assert getattr(reading, name) == expected.get(name), name


@pytest.mark.parametrize(("profile_id", "case"), CASES)
async def test_profile_reads_reference_answer(
    profile_id: str, case: ReferenceCase, serve: Serve, session: aiohttp.ClientSession
) -> None:
    served = await serve(case.bodies)
    reading = await client_for(profile_id, session, served).read()
    assert_reading(reading, case.expected)


@pytest.mark.parametrize("profile_id", sorted(MODULES))
async def test_truncated_answer_fails_the_poll(
    profile_id: str, serve: Serve, session: aiohttp.ClientSession
) -> None:
    module = MODULES[profile_id]
    served = await serve(module.TRUNCATED)
    with pytest.raises(WallboxResponseError, match="not JSON"):
        await client_for(profile_id, session, served).read()


@pytest.mark.parametrize("profile_id", sorted(MODULES))
async def test_identity_from_reference_answer(
    profile_id: str, serve: Serve, session: aiohttp.ClientSession
) -> None:
    bodies, serial, firmware = MODULES[profile_id].IDENTITY
    served = await serve(bodies)
    identity = await client_for(profile_id, session, served).read_identity()
    assert (identity.serial, identity.firmware) == (serial, firmware)


async def test_tesla_split_phase_power(serve: Serve, session: aiohttp.ClientSession) -> None:
    """North American box: grid_v x vehicle_current_a (7345.8 W), not the 7458.9 W sum."""
    served = await serve(tesla_wall_connector_gen3.SPLIT_PHASE)
    reading = await client_for("tesla_wall_connector_gen3", session, served).read()
    assert reading.power_w == pytest.approx(tesla_wall_connector_gen3.SPLIT_PHASE_POWER_W, abs=1)


async def test_tesla_lifetime_missing_its_closing_brace_is_read(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    served = await serve(tesla_wall_connector_gen3.MISSING_END_BRACE)
    reading = await client_for("tesla_wall_connector_gen3", session, served).read()
    assert reading.lifetime_energy_wh == tesla_wall_connector_gen3.MISSING_END_BRACE_LIFETIME_WH
    assert reading.status is not None


async def test_one_bad_endpoint_leaves_the_others_values(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    """Tesla: a cut-off lifetime answer blanks the lifetime energy only, for that poll."""
    served = await serve(tesla_wall_connector_gen3.LIFETIME_CUT_OFF)
    reading = await client_for("tesla_wall_connector_gen3", session, served).read()
    charging = tesla_wall_connector_gen3.CASES[1].expected
    assert reading.status == charging["status"]
    assert reading.power_w == pytest.approx(charging["power_w"])
    assert reading.session_energy_wh == pytest.approx(charging["session_energy_wh"])
    assert reading.lifetime_energy_wh is None


async def test_an_endpoint_answering_an_http_error_leaves_the_others_values(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    bodies = dict(tesla_wall_connector_gen3.CASES[1].bodies)
    bodies[tesla_wall_connector_gen3.LIFETIME] = (500, "")
    served = await serve(bodies)
    reading = await client_for("tesla_wall_connector_gen3", session, served).read()
    assert reading.power_w == pytest.approx(22080.0)
    assert reading.lifetime_energy_wh is None


def test_not_a_number_tokens_only_outside_strings() -> None:
    document = parse_json('{"a": nan, "b": "nan, inf", "c": [-Infinity, 1.5], "d": "x\\"nan"}')
    assert document == {"a": None, "b": "nan, inf", "c": [None, 1.5], "d": 'x"nan'}
    with pytest.raises(ValueError):
        parse_json('{"a": nanx}')


# Errors a profile could be written with; each must fail against the reference answers.
WRONG_PROFILES = [
    # NRGkick: charge_pause read the wrong way round (1 = pause).
    ("nrgkick_gen2_json", "paused_car_plugged", ("values", "enabled", "map"), {0: False, 1: True}),
    # NRGkick: total_charged_energy taken as kWh.
    ("nrgkick_gen2_json", "charging_three_phase", ("values", "lifetime_energy", "scale"), 1000),
    # NRGkick: the average voltage read as phase 1.
    (
        "nrgkick_gen2_json",
        "document_example_standby",
        ("values", "voltage_l1", "path"),
        "powerflow.charging_voltage",
    ),
    # openWB Pro: the car's ISO 15118 id taken for the card (openWB core reads vehicle_id).
    ("openwb_pro", "openwb_core_sample_2023", ("values", "tag", "path"), "vehicle_id"),
    # openWB Pro: imported taken as kWh.
    ("openwb_pro", "charging_with_card", ("values", "lifetime_energy", "scale"), 1000),
    # openWB Pro: plugged in read from charge_state (a stopped car would read unplugged).
    ("openwb_pro", "stopped_car_plugged", ("values", "plug", "path"), "charge_state"),
    # Salia: active_total taken as W (evcc divides it by 10).
    ("hardybarth_salia", "charging_with_card", ("values", "power", "scale"), 1),
    # Salia: the card's protocol ("ISO14443") taken for the card.
    (
        "hardybarth_salia",
        "charging_with_card",
        ("values", "tag", "path"),
        "secc.port0.rfid.authorization_request.0",
    ),
    # Salia: the limit read from grid_current_limit on firmware 2 (it stays at 16 A while stopped).
    (
        "hardybarth_salia",
        "stopped_car_plugged",
        ("values", "current_limit", "path"),
        "secc.port0.grid_current_limit",
    ),
    # WARP: energy_abs taken as Wh (it is kWh).
    ("tinkerforge_warp", "charging_with_card", ("values", "lifetime_energy", "scale"), 1),
    # WARP: the external current taken as A (it is mA).
    ("tinkerforge_warp", "charging_with_card", ("values", "current_limit", "scale"), 1),
    # WARP: all_values read as currents first (evcc: voltages at 0-2, currents at 3-5).
    ("tinkerforge_warp", "charging_with_card", ("values", "current_l1", "path"), "0"),
    # WARP: charger_state (0 none, 1 waiting, 2 ready, 3 charging, 4 error) read as the
    # IEC 61851 state.
    ("tinkerforge_warp", "stopped_car_plugged", ("values", "status", "path"), "charger_state"),
    # SMA: the phase currents taken with the box's sign (negative).
    ("sma_ev_charger", "charging", ("values", "current_l1", "scale"), 1),
    # SMA: the session channel read as the lifetime meter.
    (
        "sma_ev_charger",
        "charging",
        ("values", "lifetime_energy", "path"),
        "[channelId=Measurement.ChaSess.WhIn].values.0.value",
    ),
    # SMA: optimised charging (4719) read as stopped.
    (
        "sma_ev_charger",
        "optimised_waiting",
        ("values", "enabled", "map"),
        {4718: True, 4719: False, 4721: False},
    ),
    # Salia: numbers taken as they come (text): the scale is not applied (110400 W).
    ("hardybarth_salia", "charging_with_card", ("values", "power", "number_in_text"), False),
]


@pytest.mark.parametrize(("profile_id", "case_id", "path", "wrong"), WRONG_PROFILES)
async def test_a_wrong_profile_fails(
    profile_id: str,
    case_id: str,
    path: tuple[Any, ...],
    wrong: Any,
    serve: Serve,
    session: aiohttp.ClientSession,
) -> None:
    raw = copy.deepcopy(dict(builtin_profile(profile_id).raw))
    node = raw
    for step in path[:-1]:
        node = node[step]
    if wrong is None:
        del node[path[-1]]
    else:
        node[path[-1]] = wrong
    profile = parse_profile(profile_id, raw, "wrong.yaml")
    (case,) = [case for case in MODULES[profile_id].CASES if case.case_id == case_id]
    served = await serve(case.bodies)
    reading = await HttpWallboxClient(profile, session, "127.0.0.1", served.port).read()
    with pytest.raises(AssertionError):
        assert_reading(reading, case.expected)


# --- controls ---------------------------------------------------------------------------------


async def test_go_e_controls_use_api_set(serve: Serve, session: aiohttp.ClientSession) -> None:
    # http-en.md "Setting values": GET /api/set?key=<json value>; frc 1 = Off, 2 = On.
    served = await serve({"/api/set": (200, '{"amp":true}')})
    client = client_for("go_echarger", session, served)
    await client.set_current_limit(16)
    await client.set_enabled(False)
    await client.set_enabled(True)
    assert [(method, path, query) for method, path, query, _ in served.requests] == [
        ("GET", "/api/set", {"amp": "16"}),
        ("GET", "/api/set", {"frc": "1"}),
        ("GET", "/api/set", {"frc": "2"}),
    ]


@pytest.mark.parametrize(("body", "phases"), go_echarger.PHASE_MODES)
async def test_go_e_phase_mode_read_from_psm(
    body: str, phases: int | None, serve: Serve, session: aiohttp.ClientSession
) -> None:
    served = await serve({go_echarger.STATUS: (200, body)})
    client = client_for("go_echarger", session, served)
    await client.read()
    assert client.phases == phases
    # One request: psm comes with the status answer, asked for in the filter.
    assert len(served.requests) == 1
    assert "psm" in served.requests[0][2]["filter"].split(",")


async def test_go_e_phase_switch_writes_psm(serve: Serve, session: aiohttp.ClientSession) -> None:
    served = await serve({"/api/set": (200, '{"psm":true}')})
    client = client_for("go_echarger", session, served)
    await client.set_phases(1)
    assert client.phases == 1
    await client.set_phases(3)
    assert client.phases == 3
    assert [(method, path, query) for method, path, query, _ in served.requests] == [
        ("GET", "/api/set", {"psm": "1"}),
        ("GET", "/api/set", {"psm": "2"}),
    ]


async def test_go_e_refused_setting_fails(serve: Serve, session: aiohttp.ClientSession) -> None:
    served = await serve({"/api/set": (200, go_echarger.SET_REFUSED)})
    client = client_for("go_echarger", session, served)
    with pytest.raises(WallboxResponseError, match="value not allowed"):
        await client.set_phases(1)
    assert client.phases is None


async def test_boxes_without_phase_switching_refuse(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    served = await serve({})
    client = client_for("openevse", session, served)
    with pytest.raises(WallboxUnsupportedError):
        await client.set_phases(1)
    with pytest.raises(WallboxUnsupportedError):
        await client.wake_up()
    assert served.requests == []


def test_http_phase_switch_cannot_ask_for_a_pause() -> None:
    # The HTTP client has no pause around a switch (go-e pauses itself): a profile asking for
    # one must fail to load rather than switch without it.
    raw = copy.deepcopy(dict(builtin_profile("go_echarger").raw))
    raw["controls"]["phase_switch"]["pause_s"] = 5
    with pytest.raises(ProfileError, match="pause_s"):
        parse_profile("go_echarger", raw, "test")


class OpenEvseFirmware:
    """/override and /status as the OpenEVSE gateway firmware handles them.

    Written from OpenEVSE/openevse_esp32_firmware (1797b7a; tags v4.1.9, v5.0.0):
    src/web_server.cpp handleOverrideGet/Post/Delete: POST parses a new EvseProperties from the
    body and claims it, replacing the whole override (201 {"msg":"Created"}); GET answers the
    override, or when there is none 404 {"msg":"No manual override"} up to 4.x and 200 {}
    from 5.0. src/evse_man.cpp EvseProperties: keys state, charge_current, max_current,
    auto_release; serialize() leaves out unset keys but always writes auto_release.
    src/manual.cpp claim(): auto_release defaults to true. /status: status "disabled" and
    state 255 while the override disables, pilot = the override's charge_current.
    """

    KEYS = ("state", "charge_current", "max_current", "auto_release")

    def __init__(self, *, before_5_0: bool, max_current: int = 32) -> None:
        """No override yet; the EVSE allows max_current."""
        self.before_5_0 = before_5_0
        self.max_current = max_current
        self.override: dict[str, Any] | None = None
        self.posts: list[dict[str, Any]] = []

    def app(self) -> web.Application:
        """The gateway's routes."""
        app = web.Application()
        app.router.add_get("/override", self.get_override)
        app.router.add_post("/override", self.post_override)
        app.router.add_get("/status", self.status)
        return app

    async def get_override(self, request: web.Request) -> web.Response:
        """The override, or the firmware's answer for none."""
        if self.override is not None:
            return web.json_response(self.override)
        if self.before_5_0:
            return web.json_response({"msg": "No manual override"}, status=404)
        return web.Response(text="{}", content_type="application/json")

    async def post_override(self, request: web.Request) -> web.Response:
        """Replace the whole override with the body's properties."""
        body = json.loads(await request.text())
        self.posts.append(body)
        props = {key: body[key] for key in self.KEYS if key in body}
        props.setdefault("auto_release", True)
        self.override = props
        return web.json_response({"msg": "Created"}, status=201)

    async def status(self, request: web.Request) -> web.Response:
        """The part of /status the state of the override shows in."""
        override = self.override or {}
        disabled = override.get("state") == "disabled"
        return web.json_response(
            {
                "state": 255 if disabled else 2,
                "status": "disabled" if disabled else "active",
                "vehicle": 1,
                "amp": 0,
                "voltage": 240,
                "power": 0,
                "pilot": override.get("charge_current", self.max_current),
                "session_energy": 0,
                "total_energy": 1.0,
            }
        )


@pytest.mark.parametrize("before_5_0", [True, False], ids=["gateway_4", "gateway_5"])
async def test_openevse_current_and_enable_survive_each_other(
    before_5_0: bool, serve: Serve, session: aiohttp.ClientSession
) -> None:
    firmware = OpenEvseFirmware(before_5_0=before_5_0)
    served = await serve(firmware.app())
    client = client_for("openevse", session, served)

    await client.set_enabled(False)
    await client.set_current_limit(10)
    # Setting the current must not resume charging.
    assert firmware.override is not None
    assert firmware.override["state"] == "disabled"
    assert firmware.override["charge_current"] == 10
    reading = await client.read()
    assert reading.enabled is False
    assert reading.current_limit_a == 10

    await client.set_enabled(True)
    # Enabling must keep the current.
    assert firmware.override["state"] == "active"
    assert firmware.override["charge_current"] == 10
    assert firmware.posts[-1]["charge_current"] == 10
    reading = await client.read()
    assert reading.enabled is True
    assert reading.current_limit_a == 10


async def test_openevse_override_set_elsewhere_is_kept(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    firmware = OpenEvseFirmware(before_5_0=False)
    # Another controller (evcc writes max_current) holds the override, without auto release.
    firmware.override = {"state": "active", "max_current": 20, "auto_release": False}
    served = await serve(firmware.app())
    await client_for("openevse", session, served).set_enabled(False)
    assert firmware.override == {"state": "disabled", "max_current": 20, "auto_release": False}


async def test_openevse_override_that_is_not_an_object(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    served = await serve({"/override": (200, "[1]")})
    with pytest.raises(WallboxResponseError, match="JSON object"):
        await client_for("openevse", session, served).set_enabled(False)
    assert [method for method, *_ in served.requests] == ["GET"]  # nothing posted


async def test_nrgkick_controls_use_get_control(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    # Document "2. Device Control": GET /control?current_set=<A>, charge_pause 1 pauses, 0
    # resumes, phase_count 1-3.
    served = await serve({"/control": (200, nrgkick_gen2_json.DOC_CONTROL)})
    client = client_for("nrgkick_gen2_json", session, served)
    await client.set_current_limit(16)
    await client.set_enabled(False)
    await client.set_enabled(True)
    await client.set_phases(1)
    await client.set_phases(3)
    assert [(method, path, query) for method, path, query, _ in served.requests] == [
        ("GET", "/control", {"current_set": "16"}),
        ("GET", "/control", {"charge_pause": "1"}),
        ("GET", "/control", {"charge_pause": "0"}),
        ("GET", "/control", {"phase_count": "1"}),
        ("GET", "/control", {"phase_count": "3"}),
    ]
    assert client.profile.current_limit is not None
    assert client.profile.current_limit.min_a == 6


@pytest.mark.parametrize(("raw", "phases"), nrgkick_gen2_json.PHASE_MODES)
async def test_nrgkick_phases_read_from_control(
    raw: int, phases: int | None, serve: Serve, session: aiohttp.ClientSession
) -> None:
    served = await serve(
        {
            nrgkick_gen2_json.VALUES: (200, nrgkick_gen2_json.IDLE_VALUES),
            nrgkick_gen2_json.CONTROL: (200, nrgkick_gen2_json.control_body(6, 0, raw)),
        }
    )
    client = client_for("nrgkick_gen2_json", session, served)
    await client.read()
    assert client.phases == phases


async def test_nrgkick_refusal_fails_with_the_reason(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    served = await serve({"/control": nrgkick_gen2_json.REFUSED})
    client = client_for("nrgkick_gen2_json", session, served)
    with pytest.raises(WallboxResponseError, match="blocked by solar-charging"):
        await client.set_enabled(False)


async def test_openwb_pro_controls_are_form_posts(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    # evcc openwb-pro.go: POST /connect.php, application/x-www-form-urlencoded, "ampere=%.1f",
    # ampere 0 stops; "phasetarget=%d". The answer is not read (it is not JSON).
    served = await serve({"/connect.php": (200, "OK")})
    client = client_for("openwb_pro", session, served)
    await client.set_current_limit(16)
    await client.set_enabled(False)
    await client.set_enabled(True)
    await client.set_phases(1)
    await client.set_phases(3)
    assert [(method, path, body) for method, path, _, body in served.requests] == [
        ("POST", "/connect.php", "ampere=16.0"),
        ("POST", "/connect.php", "ampere=0.0"),
        ("POST", "/connect.php", "ampere=32.0"),
        ("POST", "/connect.php", "phasetarget=1"),
        ("POST", "/connect.php", "phasetarget=3"),
    ]
    assert client.phases == 3


async def test_openwb_pro_phases_read_back_from_phases_target(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    (case,) = [case for case in openwb_pro.CASES if case.case_id == "stopped_car_plugged"]
    served = await serve(case.bodies)
    client = client_for("openwb_pro", session, served)
    await client.read()
    assert client.phases == 1


# --- authentication ---------------------------------------------------------------------------


async def test_basic_auth_sent_as_authorization_header(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    # RFC 7617: "Basic " + base64("admin:pw"); worked out by hand.
    expected_header = "Basic YWRtaW46cHc="
    seen: list[str | None] = []

    async def status(request: web.Request) -> web.Response:
        header = request.headers.get("Authorization")
        seen.append(header)
        if header != expected_header:
            return web.Response(status=401)
        return web.json_response({"state": 1, "vehicle": 0, "status": "active"})

    app = web.Application()
    app.router.add_get("/status", status)
    served = await serve(app)
    with pytest.raises(WallboxAuthError):
        await client_for("openevse", session, served, username="admin", password="wrong").read()
    reading = await client_for("openevse", session, served, username="admin", password="pw").read()
    assert reading.enabled is True
    with pytest.raises(WallboxAuthError):
        await client_for("openevse", session, served).read()
    assert seen == ["Basic YWRtaW46d3Jvbmc=", expected_header, None]


# --- Hardy Barth Salia ------------------------------------------------------------------------


class SaliaFirmware:
    """GET /api and the write endpoints as evcc's hardybarth-salia.go uses them.

    Writes are JSON objects {key: text}: PUT /api/secc before firmware 2.3.64, POST
    /save_mqtt.php from it; each is answered {"result": "ok"} (or another result: refused).
    """

    def __init__(self, firmware: str, *, result: str = "ok") -> None:
        """A box on `firmware`, charging at 16 A."""
        self.body = hardybarth_salia.api_body(
            pilot="C", offered_a=16, power_w=11040, amps=16, imported_wh=812345, firmware=firmware
        )
        self.result = result
        self.writes: list[tuple[str, str, dict[str, Any]]] = []

    def app(self) -> web.Application:
        """The box's routes."""
        app = web.Application()
        app.router.add_get("/api", self.api)
        app.router.add_put("/api/secc", self.write)
        app.router.add_post("/save_mqtt.php", self.write)
        return app

    async def api(self, request: web.Request) -> web.Response:
        """The whole document."""
        return web.Response(text=self.body, content_type="application/json")

    async def write(self, request: web.Request) -> web.Response:
        """Record the write; answer the result."""
        self.writes.append((request.method, request.path, json.loads(await request.text())))
        return web.json_response({"result": self.result})


@pytest.mark.parametrize(
    ("firmware", "method", "path"),
    [
        ("2.3.64", "POST", "/save_mqtt.php"),
        ("2.3.1", "PUT", "/api/secc"),
        (None, "PUT", "/api/secc"),
    ],
    ids=["2.3.64", "2.3.1", "unknown"],
)
async def test_salia_controls_as_evcc_writes_them(
    firmware: str | None, method: str, path: str, serve: Serve, session: aiohttp.ClientSession
) -> None:
    box = SaliaFirmware(firmware or "unreadable")
    served = await serve(box.app())
    client = client_for("hardybarth_salia", session, served)
    identity = await client.read_identity()
    assert identity.firmware == (firmware or "unreadable")
    assert box.writes == []  # a box that is only read keeps its charge mode
    await client.set_current_limit(16)
    await client.set_current_limit(0)
    await client.set_enabled(True)
    await client.keepalive()
    assert box.writes == [
        (method, path, {"salia/chargemode": "manual"}),
        (method, path, {"salia/pausecharging": "0"}),
        (method, path, {"grid_current_limit": "16"}),
        (method, path, {"grid_current_limit": "0"}),
        (method, path, {"grid_current_limit": "32"}),
        (method, path, {"salia/heartbeat": "alive"}),
    ]
    assert client.profile.keepalive is not None
    assert client.profile.keepalive.interval_s == 30


async def test_salia_refused_write_fails(serve: Serve, session: aiohttp.ClientSession) -> None:
    box = SaliaFirmware("2.3.64", result="error")
    served = await serve(box.app())
    client = client_for("hardybarth_salia", session, served)
    await client.read_identity()
    with pytest.raises(WallboxResponseError, match="refused salia/chargemode"):
        await client.set_current_limit(10)
    # Not in manual mode: the current is not sent, and the mode is asked for again next time.
    assert [body for _, _, body in box.writes] == [{"salia/chargemode": "manual"}]
    with pytest.raises(WallboxResponseError):
        await client.set_current_limit(10)
    assert len(box.writes) == 2


async def test_salia_before_2_0_reads_grid_current_limit(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    served = await serve({hardybarth_salia.API: (200, hardybarth_salia.OLD_FIRMWARE)})
    client = client_for("hardybarth_salia", session, served)
    assert (await client.read()).current_limit_a == 0  # offered_current_limit, before identity
    identity = await client.read_identity()
    assert identity.extra["variant"] == (
        "firmware before 2.3.64 (writes PUT /api/secc);"
        " firmware before 2.0 (the limit in force is grid_current_limit)"
    )
    assert (await client.read()).current_limit_a == 6


# --- TinkerForge WARP -------------------------------------------------------------------------


async def test_warp_current_is_posted_in_milliamperes(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    # evcc warp-ws.go setCurrent: POST evse/external_current {"current": A x 1000}; 0 stops.
    served = await serve({tinkerforge_warp.EXTERNAL: (200, "null")})
    client = client_for("tinkerforge_warp", session, served)
    await client.set_current_limit(16)
    await client.set_current_limit(6.5)
    await client.set_current_limit(3)  # never under the 6 A minimum
    await client.set_enabled(False)
    await client.set_enabled(True)
    assert [(method, path, json.loads(body)) for method, path, _, body in served.requests] == [
        ("POST", "/evse/external_current", {"current": 16000}),
        ("POST", "/evse/external_current", {"current": 6500}),
        ("POST", "/evse/external_current", {"current": 6000}),
        ("POST", "/evse/external_current", {"current": 0}),
        ("POST", "/evse/external_current", {"current": 32000}),
    ]


def digest_response(
    *,
    username: str,
    password: str,
    realm: str,
    method: str,
    uri: str,
    nonce: str,
    nc: str,
    cnonce: str,
    algorithm: str = "MD5",
) -> str:
    """The `response` of an RFC 7616 section 3.4.1 challenge with qop=auth."""
    digest = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}[algorithm]

    def hex_of(text: str) -> str:
        return digest(text.encode()).hexdigest()

    ha1 = hex_of(f"{username}:{realm}:{password}")
    ha2 = hex_of(f"{method}:{uri}")
    return hex_of(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")


def test_digest_checker_against_rfc_7616_example() -> None:
    # RFC 7616 section 3.9.1: Mufasa / "Circle of Life", GET /dir/index.html.
    example = {
        "username": "Mufasa",
        "password": "Circle of Life",
        "realm": "http-auth@example.org",
        "method": "GET",
        "uri": "/dir/index.html",
        "nonce": "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
        "nc": "00000001",
        "cnonce": "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
    }
    assert digest_response(**example) == "8ca523f5e9506fed4657c9700eebdbec"
    assert (
        digest_response(**example, algorithm="SHA-256")
        == "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
    )


class DigestBox:
    """A WARP-like box that takes HTTP Digest (qop=auth) and nothing else once a password is set."""

    REALM = "warp3-2Dnx"
    NONCE = "dcd98b7102dd2f0e8b11d0f600bfb0c093"

    def __init__(self, username: str, password: str, algorithm: str = "MD5") -> None:
        """The box's one user."""
        self.username = username
        self.password = password
        self.algorithm = algorithm
        self.seen: list[str | None] = []
        self.counts: list[str] = []

    def app(self) -> web.Application:
        """Every path behind the check; evse/state answers."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app

    def challenge(self) -> web.Response:
        """401 with the challenge."""
        header = (
            f'Digest realm="{self.REALM}", qop="auth", nonce="{self.NONCE}",'
            f' opaque="5ccc069c403ebaf9f0171e9517f40e41", algorithm={self.algorithm}'
        )
        return web.Response(status=401, headers={"WWW-Authenticate": header})

    async def handle(self, request: web.Request) -> web.Response:
        """Check the Authorization header as RFC 7616 section 3.4 says, then answer."""
        header = request.headers.get("Authorization")
        self.seen.append(header)
        if header is None or not header.startswith("Digest "):
            return self.challenge()
        pairs = (part.split("=", 1) for part in header[7:].split(","))
        fields = {key.strip(): value.strip().strip('"') for key, value in pairs}
        expected = digest_response(
            username=self.username,
            password=self.password,
            realm=self.REALM,
            method=request.method,
            uri=fields.get("uri", ""),
            nonce=self.NONCE,
            nc=fields.get("nc", ""),
            cnonce=fields.get("cnonce", ""),
            algorithm=self.algorithm,
        )
        if (
            fields.get("username") != self.username
            or fields.get("uri") != request.path_qs
            or fields.get("qop") != "auth"
            or fields.get("response") != expected
        ):
            return self.challenge()
        self.counts.append(fields["nc"])
        if request.path == tinkerforge_warp.EVSE:
            return web.json_response({"iec61851_state": 1})
        return web.json_response(None)


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-256"])
async def test_warp_digest_authentication(
    algorithm: str, serve: Serve, session: aiohttp.ClientSession
) -> None:
    box = DigestBox("admin", "s3cret", algorithm)
    served = await serve(box.app())
    client = client_for("tinkerforge_warp", session, served, username="admin", password="s3cret")
    reading = await client.read()
    assert reading.status is ChargerStatus.CONNECTED
    await client.set_current_limit(10)
    # Each request answered once the digest was right; the nonce count goes up.
    assert box.counts[:2] == ["00000001", "00000002"]
    assert len(box.counts) == 6  # five states and the write
    assert all(header is None or header.startswith("Digest ") for header in box.seen)

    wrong = client_for("tinkerforge_warp", session, served, username="admin", password="nope")
    with pytest.raises(WallboxAuthError):
        await wrong.read()


async def test_digest_profile_without_credentials_sends_none(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    # A WARP without a password asks for nothing; no header is sent.
    (case,) = [case for case in tinkerforge_warp.CASES if case.case_id == "idle"]
    served = await serve(case.bodies)
    reading = await client_for("tinkerforge_warp", session, served).read()
    assert reading.status is ChargerStatus.IDLE


async def test_warp_phase_list_answered_as_object_blanks_only_the_phases(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    (case,) = [case for case in tinkerforge_warp.CASES if case.case_id == "charging_with_card"]
    served = await serve({**case.bodies, tinkerforge_warp.PHASES: (200, '{"0": 230.0}')})
    reading = await client_for("tinkerforge_warp", session, served).read()
    assert reading.currents_a == (None, None, None)
    assert reading.voltages_v == (None, None, None)
    assert reading.power_w == 11040.0
    assert reading.tag == "04:A1:B2:C3"


# --- SMA EV Charger ---------------------------------------------------------------------------


class SmaBox:
    """The SMA EV Charger's /api/v1 as evcc's smaevcharger uses it, with its token check."""

    def __init__(self, username: str = "hauser", password: str = "pw") -> None:
        """A charging box with one web user."""
        self.username = username
        self.password = password
        self.bodies = sma_ev_charger.CASES[1].bodies
        self.tokens: list[dict[str, str]] = []
        self.valid: set[str] = set()
        self.writes: list[dict[str, Any]] = []
        self.refused = 0
        self.accepts_tokens = True

    def app(self) -> web.Application:
        """The box's routes."""
        app = web.Application()
        app.router.add_post(sma_ev_charger.TOKEN, self.token)
        app.router.add_post(sma_ev_charger.MEASUREMENTS, self.read)
        app.router.add_post(sma_ev_charger.PARAMETERS, self.read)
        app.router.add_put(sma_ev_charger.WRITE, self.write)
        return app

    async def token(self, request: web.Request) -> web.Response:
        """Password or refresh grant (RFC 6749 sections 4.3 and 6)."""
        form = {key: str(value) for key, value in (await request.post()).items()}
        self.tokens.append(form)
        grant = form.get("grant_type")
        ok = (
            grant == "password"
            and (form.get("username"), form.get("password"))
            == (
                self.username,
                self.password,
            )
        ) or (grant == "refresh_token" and form.get("refresh_token") == "r1")
        if not ok:
            return web.json_response({"error": "invalid_grant"}, status=401)
        access = f"a{len(self.tokens)}"
        self.valid.add(access)
        return web.json_response(
            {
                "access_token": access,
                "expires_in": 3600,
                "token_type": "Bearer",
                "refresh_token": "r1",
            }
        )

    def _authorized(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        if self.accepts_tokens and header.removeprefix("Bearer ") in self.valid:
            return True
        self.refused += 1
        return False

    async def read(self, request: web.Request) -> web.Response:
        """The answer for the path, only with a valid token and evcc's request body."""
        if not self._authorized(request):
            return web.Response(status=401)
        body = json.loads(await request.text())
        if request.path == sma_ev_charger.MEASUREMENTS:
            assert body == [{"componentId": "IGULD:SELF"}]
        else:
            assert body == {"queryItems": [{"componentId": "IGULD:SELF"}]}
        return web.Response(text=self.bodies[request.path][1], content_type="application/json")

    async def write(self, request: web.Request) -> web.Response:
        """Record a parameter write; the box answers an empty body."""
        if not self._authorized(request):
            return web.Response(status=401)
        self.writes.append(json.loads(await request.text()))
        return web.Response(status=204)


async def test_sma_logs_in_reads_and_renews_a_refused_token(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    box = SmaBox()
    served = await serve(box.app())
    client = client_for("sma_ev_charger", session, served, username="hauser", password="pw")
    reading = await client.read()
    assert_reading(reading, sma_ev_charger.CASES[1].expected)
    await client.read()
    assert box.tokens == [{"grant_type": "password", "username": "hauser", "password": "pw"}]
    assert client.requests_sent == 5  # the login, then two requests a poll
    # The box forgets its tokens (a restart): the request is refused, a new token got, and sent.
    box.valid.clear()
    assert (await client.read()).status is ChargerStatus.CHARGING
    assert box.tokens[-1]["grant_type"] == "password"
    assert box.refused == 1


async def test_sma_wrong_password_is_an_auth_error(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    served = await serve(SmaBox().app())
    client = client_for("sma_ev_charger", session, served, username="hauser", password="nope")
    with pytest.raises(WallboxAuthError):
        await client.read()


async def test_sma_controls_as_evcc_writes_them(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    box = SmaBox()
    served = await serve(box.app())
    client = client_for("sma_ev_charger", session, served, username="hauser", password="pw")
    await client.set_current_limit(16)
    await client.set_current_limit(0)  # charge stop, never under 6 A
    await client.set_current_limit(10.5)
    sent = [
        [(item["channelId"], item["value"]) for item in write["values"]] for write in box.writes
    ]
    assert sent == [
        [("Parameter.Chrg.ChrgLok", "1130"), ("Parameter.Chrg.ChrgApv", "5171")],
        [("Parameter.Inverter.AcALim", "16.00")],
        [("Parameter.Chrg.ActChaMod", "4721")],
        [("Parameter.Inverter.AcALim", "10.00")],
        [("Parameter.Chrg.ActChaMod", "4718")],
    ]
    # evcc's TimestampFormat, "2006-01-02T15:04:05.000Z".
    stamp = box.writes[1]["values"][0]["timestamp"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", stamp)


async def test_token_is_refreshed_before_it_expires() -> None:
    now = [0.0]
    sent: list[dict[str, str]] = []

    async def post(form: dict[str, str]) -> Any:
        sent.append(form)
        if form["grant_type"] == "refresh_token" and len(sent) > 3:
            raise ValueError("not JSON")
        return {"access_token": f"t{len(sent)}", "expires_in": 100, "refresh_token": "r"}

    token = PasswordGrantToken(post, "u", "p", clock=lambda: now[0])
    assert await token.header() == "Bearer t1"
    now[0] = 60.0
    assert await token.header() == "Bearer t1"  # still 40 s left, more than the margin
    now[0] = 80.0
    assert await token.header() == "Bearer t2"  # refreshed 30 s before expiry
    assert sent[1] == {"grant_type": "refresh_token", "refresh_token": "r"}
    now[0] = 200.0
    assert await token.header() == "Bearer t3"
    now[0] = 400.0
    # The refresh answers no token: a new login.
    assert await token.header() == "Bearer t5"
    assert sent[-1]["grant_type"] == "password"
    assert token.logins == 2


async def test_sma_box_without_the_gridms_channels_reads_no_power(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    # A box that reports only evcc's fallback channels (...TotWIn.ChaSta): not read (kept on
    # record in docs/profiles.md), so power and lifetime energy are unavailable, not 0.
    bodies = dict(sma_ev_charger.CASES[1].bodies)
    live = [
        item
        for item in json.loads(bodies[sma_ev_charger.MEASUREMENTS][1])
        if "GridMs.Tot" not in item["channelId"]
    ]
    live.append(sma_ev_charger.measurement("Measurement.Metering.GridMs.TotWIn.ChaSta", 11040))
    bodies[sma_ev_charger.MEASUREMENTS] = (200, json.dumps(live))
    served = await serve(bodies)
    reading = await client_for("sma_ev_charger", session, served).read()
    assert reading.status is ChargerStatus.CHARGING
    assert reading.power_w is None
    assert reading.lifetime_energy_wh is None
    assert reading.session_energy_wh == 1000.0


async def test_sma_token_answer_without_a_token_is_an_auth_error(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    served = await serve({sma_ev_charger.TOKEN: (200, '{"error": "busy"}')})
    client = client_for("sma_ev_charger", session, served, username="hauser", password="pw")
    with pytest.raises(WallboxAuthError, match="no token"):
        await client.read()


async def test_sma_token_refused_after_a_new_login_is_an_auth_error(
    serve: Serve, session: aiohttp.ClientSession
) -> None:
    box = SmaBox()
    box.accepts_tokens = False  # hands them out, then refuses every one
    served = await serve(box.app())
    client = client_for("sma_ev_charger", session, served, username="hauser", password="pw")
    with pytest.raises(WallboxAuthError):
        await client.read()
    assert [form["grant_type"] for form in box.tokens] == ["password", "password"]
