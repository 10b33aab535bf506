"""Protocol servers for the simulator: Modbus TCP (MBAP framing) and HTTP (aiohttp).

The Modbus side is a small asyncio server of our own rather than pymodbus' server: it
computes registers from the live state on every request and lets faults act per request
(drop the connection, delay, refuse). The integration's client is pymodbus, so the wire
format is checked against an independent implementation.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import struct
from typing import Any

from aiohttp import web

from custom_components.ev_session_monitor.core.decode import decode_number
from custom_components.ev_session_monitor.core.profile import (
    HttpWrite,
    ModbusWrite,
    WallboxProfile,
)

from .encode import json_documents, register_image
from .state import WallboxState

_LOGGER = logging.getLogger(__name__)

ILLEGAL_FUNCTION = 1
ILLEGAL_ADDRESS = 2
ILLEGAL_VALUE = 3
GATEWAY_TARGET_FAILED = 0x0B


class SimulatedBox:
    """A profile plus its state, as one unit behind a server."""

    def __init__(self, profile: WallboxProfile, state: WallboxState, seed: int = 1) -> None:
        """Bind a state to a profile."""
        self.profile = profile
        self.state = state
        self.rng = random.Random(seed)
        self.requests = 0

    def apply_modbus_write(self, address: int, words: list[int]) -> bool:
        """Route a register write to the matching control; False if no control is there."""
        profile = self.profile
        controls: list[tuple[str, ModbusWrite]] = []
        if profile.current_limit and isinstance(profile.current_limit.write, ModbusWrite):
            controls.append(("current_limit", profile.current_limit.write))
        if isinstance(profile.enable, ModbusWrite):
            controls.append(("enable", profile.enable))
        if profile.keepalive is not None:
            controls.append(("keepalive", profile.keepalive.write))
        for name, write in controls:
            if write.address != address:
                continue
            size = {"uint16": 1, "int16": 1}.get(write.data_type, 2)
            value = float(decode_number(words[:size], write.data_type, word_order=write.word_order))
            if name == "current_limit":
                self.state.write_current_limit(value * write.scale)
            elif name == "enable":
                self.state.write_enabled(value == write.on)
            else:
                self.state.write_keepalive()
            return True
        return False


class ModbusSimServer:
    """Modbus TCP server hosting one or more simulated boxes (by unit id)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Prepare the server; call start()."""
        self.host = host
        self.port = port
        self.boxes: dict[int, SimulatedBox] = {}
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._handlers: set[asyncio.Task[None]] = set()

    def add_box(self, unit_id: int, box: SimulatedBox) -> None:
        """Serve a box under a unit id."""
        self.boxes[unit_id] = box

    async def start(self) -> None:
        """Listen; with port 0 the OS picks a free port (see .port)."""
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close the listener and every connection."""
        self.drop_connections()
        for task in list(self._handlers):
            task.cancel()
        if self._handlers:
            await asyncio.gather(*self._handlers, return_exceptions=True)
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def drop_connections(self) -> None:
        """Close every open connection (as a rebooting box does)."""
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if any(box.state.faults.refuse_connections for box in self.boxes.values()):
            writer.close()
            return
        self._writers.add(writer)
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            while True:
                header = await reader.readexactly(7)
                transaction, protocol, length, unit = struct.unpack(">HHHB", header)
                pdu = await reader.readexactly(length - 1)
                if protocol != 0:
                    break
                reply = await self._respond(unit, pdu)
                if reply is None:  # fault: drop the connection instead of answering
                    break
                writer.write(struct.pack(">HHHB", transaction, 0, len(reply) + 1, unit) + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self._handlers.discard(task)
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _respond(self, unit: int, pdu: bytes) -> bytes | None:
        function = pdu[0]
        box = self.boxes.get(unit)
        if box is None:
            return bytes([function | 0x80, GATEWAY_TARGET_FAILED])
        box.requests += 1
        faults = box.state.faults
        if faults.drop_next_request:
            faults.drop_next_request = False
            return None
        if faults.delay_s:
            await asyncio.sleep(faults.delay_s)
        if function in (3, 4):
            address, count = struct.unpack(">HH", pdu[1:5])
            if not 1 <= count <= 125:
                return bytes([function | 0x80, ILLEGAL_VALUE])
            if any(
                address <= end and address + count - 1 >= start
                for start, end in box.profile.forbidden
            ):
                return None  # some firmware drops the connection on these registers
            table = register_image(box.profile, box.state, box.rng)[
                "holding" if function == 3 else "input"
            ]
            words = [table.get(address + i, 0) for i in range(count)]
            return bytes([function, 2 * count]) + struct.pack(f">{count}H", *words)
        if function == 6:
            address, value = struct.unpack(">HH", pdu[1:5])
            if not box.apply_modbus_write(address, [value]):
                return bytes([function | 0x80, ILLEGAL_ADDRESS])
            return pdu[:5]
        if function == 16:
            address, count, size = struct.unpack(">HHB", pdu[1:6])
            words = list(struct.unpack(f">{count}H", pdu[6 : 6 + size]))
            if not box.apply_modbus_write(address, words):
                return bytes([function | 0x80, ILLEGAL_ADDRESS])
            return pdu[:5]
        return bytes([function | 0x80, ILLEGAL_FUNCTION])


class HttpSimServer:
    """HTTP server answering a profile's endpoints and control requests."""

    def __init__(
        self,
        box: SimulatedBox,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        """Prepare the server; call start()."""
        self.box = box
        self.host = host
        self.port = port
        self.credentials = credentials
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None

    async def start(self) -> None:
        """Listen; with port 0 the OS picks a free port (see .port)."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, self.host, self.port)
        await self._site.start()
        server = self._site._server
        assert isinstance(server, asyncio.Server)
        self.port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def drop_connections(self) -> None:
        """HTTP is connectionless enough: nothing to drop."""

    def _authorized(self, request: web.Request) -> bool:
        if self.credentials is None:
            return True
        header = request.headers.get("Authorization", "")
        try:
            from aiohttp import BasicAuth  # noqa: PLC0415

            auth = BasicAuth.decode(header)
        except ValueError:
            return False
        return (auth.login, auth.password) == self.credentials

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        box = self.box
        faults = box.state.faults
        if faults.refuse_connections or faults.drop_next_request:
            faults.drop_next_request = False
            if request.transport is not None:
                request.transport.close()
            raise web.HTTPServiceUnavailable
        if faults.delay_s:
            await asyncio.sleep(faults.delay_s)
        if not self._authorized(request):
            raise web.HTTPUnauthorized
        box.requests += 1
        path = request.path
        for name, (endpoint_path, _query) in box.profile.endpoints.items():
            if path == endpoint_path and request.method == "GET" and not self._is_write(request):
                document = json_documents(box.profile, box.state, box.rng)[name]
                return web.json_response(document)
        if await self._apply_write(request):
            return web.json_response({"ok": True})
        raise web.HTTPNotFound

    def _writes(self) -> list[tuple[str, HttpWrite]]:
        profile = self.box.profile
        writes: list[tuple[str, HttpWrite]] = []
        if profile.current_limit and isinstance(profile.current_limit.write, HttpWrite):
            writes.append(("current_limit", profile.current_limit.write))
        if isinstance(profile.enable, HttpWrite):
            writes.append(("enable", profile.enable))
        return writes

    def _is_write(self, request: web.Request) -> bool:
        return any(
            request.path == write.path and write.param in request.query
            for _, write in self._writes()
        )

    async def _apply_write(self, request: web.Request) -> bool:
        payload: dict[str, Any] = {}
        if request.method == "POST":
            with contextlib.suppress(ValueError):
                body = await request.json()
                payload = body if isinstance(body, dict) else {}
        else:
            for key, text in request.query.items():
                try:
                    payload[key] = json.loads(text)
                except ValueError:
                    payload[key] = text
        handled = False
        for name, write in self._writes():
            if request.path != write.path or write.method != request.method:
                continue
            if write.param not in payload:
                continue
            value = payload[write.param]
            if name == "current_limit":
                self.box.state.write_current_limit(float(value))
            else:
                self.box.state.write_enabled(value == write.on)
            handled = True
        return handled
