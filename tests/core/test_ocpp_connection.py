"""Who may connect to the OCPP central system, and what hostile input gets.

Expectations from OCPP-J 1.6 (URL, subprotocol, frames, CALLERROR codes)
and security profile 1 of the OCPP 1.6 security whitepaper (HTTP Basic auth, user = the
charge point id). The client is the `ocpp` library's own charge point.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from ocpp.messages import unpack
from ocpp.v16 import call
from yarl import URL

from custom_components.ev_session_monitor.core.ocpp.identity import (
    IdentityError,
    identity_from_path,
)
from custom_components.ev_session_monitor.core.ocpp.server import PortInUseError
from tests.core.ocpp_harness import (
    CHARGE_POINT_ID,
    PASSWORD,
    RunningCentralSystem,
    running,
    start_central_system,
)
from tools.ocpp_charge_point import basic_auth, connect

BOOT = call.BootNotification(charge_point_model="Eve Single", charge_point_vendor="Alfen BV")


@pytest.fixture
async def central(tmp_path: Path) -> AsyncIterator[RunningCentralSystem]:
    async for value in running(tmp_path):
        yield value


@pytest.mark.parametrize(
    "path",
    [
        f"/{CHARGE_POINT_ID}",
        f"/ocpp/{CHARGE_POINT_ID}",
        f"/steve/websocket/CentralSystemService/{CHARGE_POINT_ID}",
    ],
)
async def test_known_box_with_its_password_boots(central: RunningCentralSystem, path: str) -> None:
    async with connect(central.url(path), CHARGE_POINT_ID, PASSWORD) as box:
        result = await box.call(BOOT, suppress=False)
    assert result.status == "Accepted"
    assert result.interval == 120
    assert central.sink.boots[0].vendor == "Alfen BV"
    assert central.system.refusals == {}


async def _handshake_status(url: str, user: str, password: str | None) -> int:
    headers = basic_auth(user, password) if password is not None else None
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(url, protocols=("ocpp1.6",), headers=headers)
    return refused.value.status


async def test_wrong_or_missing_password_is_refused_at_the_upgrade(
    central: RunningCentralSystem, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    assert await _handshake_status(central.url(), CHARGE_POINT_ID, "guess") == 401
    assert await _handshake_status(central.url(), CHARGE_POINT_ID, "guess-again") == 401
    assert await _handshake_status(central.url(), CHARGE_POINT_ID, None) == 401
    # The user name must be the charge point id itself.
    assert await _handshake_status(central.url(), "someone-else", PASSWORD) == 401
    assert central.system.refusals == {"wrong user or password": 3, "no password given": 1}
    assert central.sink.boots == []
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    # Logged once per source and reason, not once per knock.
    assert len(refusals) == 2


async def test_unknown_id_is_refused_and_reported_for_discovery(
    central: RunningCentralSystem,
) -> None:
    assert await _handshake_status(central.url("/NEW-BOX-7"), "NEW-BOX-7", "x") == 404
    assert central.unknown_ids == [("NEW-BOX-7", "127.0.0.1")]
    assert central.system.refusals == {"unknown charge point id": 1}


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/a%2Fb", "contains '/'"),
        ("/ocpp/..", "contains '..'"),
        ("/x%00y", "NUL"),
        ("/x%07y", "control character"),
        ("/" + "A" * 1000, "1000 characters"),
        ("/other/prefix/CP-1", "the path is not"),
        ("/ocpp/", "names no charge point id"),
        ("/%ff", "not UTF-8"),
    ],
)
async def test_hostile_ids_are_refused_with_a_reason(
    central: RunningCentralSystem, path: str, reason: str
) -> None:
    async with aiohttp.ClientSession() as session:
        # encoded=True: send the path as written (yarl would resolve "..").
        response = await session.get(URL(central.url(path), encoded=True))
        assert response.status == 400
        assert reason in await response.text()
    with pytest.raises(IdentityError, match=reason):
        identity_from_path(path)
    assert central.unknown_ids == []


def test_identity_of_48_characters_is_allowed_and_query_ignored() -> None:
    assert identity_from_path("/ocpp/" + "B" * 48 + "?x=1") == "B" * 48
    assert identity_from_path("/box%20one") == "box one"


async def test_a_box_without_the_ocpp16_subprotocol_is_closed(
    central: RunningCentralSystem,
) -> None:
    async with aiohttp.ClientSession() as session:
        socket = await session.ws_connect(
            central.url(),
            protocols=("ocpp2.0.1",),
            headers=basic_auth(CHARGE_POINT_ID, PASSWORD),
        )
        assert socket.protocol is None
        message = await socket.receive()
    assert message.type is aiohttp.WSMsgType.CLOSE
    assert central.system.refusals == {"no ocpp1.6 subprotocol": 1}


async def _raw_socket(
    session: aiohttp.ClientSession, central: RunningCentralSystem
) -> aiohttp.ClientWebSocketResponse:
    return await session.ws_connect(
        central.url(), protocols=("ocpp1.6",), headers=basic_auth(CHARGE_POINT_ID, PASSWORD)
    )


async def _answer(socket: aiohttp.ClientWebSocketResponse, frame: str) -> list[Any]:
    await socket.send_str(frame)
    message = await socket.receive(timeout=10)
    assert message.type is aiohttp.WSMsgType.TEXT, message
    unpack(message.data)  # a well-formed OCPP-J frame
    return list(json.loads(message.data))


async def test_oversize_message_closes_the_connection(central: RunningCentralSystem) -> None:
    async with aiohttp.ClientSession() as session:
        socket = await _raw_socket(session, central)
        payload = {"vendorId": "x", "data": "A" * 70_000}
        await socket.send_str(json.dumps([2, "big-1", "DataTransfer", payload]))
        message = await socket.receive(timeout=10)
    assert message.type is aiohttp.WSMsgType.CLOSE
    assert message.data == aiohttp.WSCloseCode.MESSAGE_TOO_BIG


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        # A CALL with a unique id but no action and payload: incomplete.
        ('[2,"m-1"]', "ProtocolError"),
        ('[2,"m-2","WalkTheDog",{}]', "NotImplemented"),
        # A 1.6 action this central system does not handle.
        ('[2,"m-3","DiagnosticsStatusNotification",{"status":"Idle"}]', "NotSupported"),
        (
            '[2,"m-4","BootNotification",{"chargePointVendor":5,"chargePointModel":"M"}]',
            "TypeConstraintViolation",
        ),
        (
            '[2,"m-5","BootNotification",{"chargePointVendor":"V","chargePointModel":"M","colour":"red"}]',
            "FormationViolation",
        ),
        ('[2,"m-6","Heartbeat",[]]', "TypeConstraintViolation"),
        (
            '[2,"m-7","StartTransaction",{"connectorId":1,"idTag":"'
            + "X" * 21
            + '","meterStart":0,"timestamp":"2026-12-07T00:00:00Z"}]',
            "TypeConstraintViolation",
        ),
    ],
)
async def test_bad_calls_get_the_ocpp_j_error(
    central: RunningCentralSystem, frame: str, code: str
) -> None:
    async with aiohttp.ClientSession() as session:
        socket = await _raw_socket(session, central)
        answer = await _answer(socket, frame)
    assert answer[0] == 4
    assert answer[1] == json.loads(frame)[1]
    assert answer[2] == code
    assert central.sink.started == []


async def test_frames_without_a_usable_id_are_dropped_and_the_box_stays_connected(
    central: RunningCentralSystem,
) -> None:
    async with aiohttp.ClientSession() as session:
        socket = await _raw_socket(session, central)
        for frame in ("{not json", '{"a": 1}', "[]", '[2, 17, "Heartbeat", {}]', "[9]"):
            await socket.send_str(frame)
        answer = await _answer(socket, '[2,"after","Heartbeat",{}]')
    assert answer[:2] == [3, "after"]
    assert "currentTime" in answer[2]


async def test_a_flood_is_cut_off_and_other_boxes_are_still_answered(tmp_path: Path) -> None:
    central = await start_central_system(
        tmp_path, passwords={CHARGE_POINT_ID: PASSWORD, "CP-2": "other-password"}
    )
    try:
        async with (
            connect(central.url("/CP-2"), "CP-2", "other-password") as quiet_box,
            aiohttp.ClientSession() as session,
        ):
            socket = await _raw_socket(session, central)
            for number in range(500):
                await socket.send_str(f'[2,"flood-{number}","Heartbeat",{{}}]')
            answers = 0
            while (message := await socket.receive(timeout=10)).type is aiohttp.WSMsgType.TEXT:
                answers += 1
            assert message.type is aiohttp.WSMsgType.CLOSE
            assert message.data == aiohttp.WSCloseCode.POLICY_VIOLATION
            assert answers < 100
            result = await quiet_box.call(call.Heartbeat(), suppress=False)
            assert result.current_time
        assert central.system.rate_limited == {CHARGE_POINT_ID: 1}
    finally:
        await central.system.stop()


async def test_a_busy_port_raises_port_in_use(
    central: RunningCentralSystem, tmp_path: Path
) -> None:
    with pytest.raises(PortInUseError) as busy:
        await start_central_system(tmp_path, port=central.system.port)
    assert busy.value.port == central.system.port
