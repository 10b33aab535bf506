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
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from custom_components.ev_session_monitor.core.decode import decode_number
from custom_components.ev_session_monitor.core.profile import (
    HttpWrite,
    ModbusWrite,
    PhaseSwitch,
    WallboxProfile,
    apply_firmware_variants,
    apply_variant,
)

from .encode import encode_registers, json_documents, register_image
from .state import Faults, WallboxState

_LOGGER = logging.getLogger(__name__)

ILLEGAL_FUNCTION = 1
ILLEGAL_ADDRESS = 2
ILLEGAL_VALUE = 3
GATEWAY_TARGET_FAILED = 0x0B
COIL_ON = 0xFF00  # function code 5: the value that switches a coil on


@dataclass(frozen=True, slots=True)
class RegisterWrite:
    """One write a box received: which function code, where, which words (tests check these)."""

    function: int
    address: int
    words: tuple[int, ...]


class SimulatedBox:
    """A profile plus its state, as one unit behind a server."""

    def __init__(self, profile: WallboxProfile, state: WallboxState, seed: int = 1) -> None:
        """Bind a state to a profile."""
        self.profile = profile
        self.state = state
        self.rng = random.Random(seed)
        self.requests = 0
        self.register_writes: list[RegisterWrite] = []
        self.holding_overrides: dict[int, int] = {}  # plain registers written (phases, locks)
        self._plain_addresses = _plain_write_addresses(profile)
        self._phase_switches = _phase_switches(profile)

    @property
    def faults(self) -> Faults:
        """Return the misbehaviour to inject."""
        return self.state.faults

    def read_registers(self, table: str, address: int, count: int) -> list[int] | int | None:
        """Registers, an exception code, or None to drop the connection."""
        if any(
            address <= end and address + count - 1 >= start for start, end in self.profile.forbidden
        ):
            return None  # some firmware drops the connection on these registers
        image = register_image(self.profile, self.state, self.rng)[table]
        for switch in self._phase_switches:  # the phases in use, where the box reports them
            spec = switch.state
            if spec is not None and spec.table == table and spec.value_map:
                raw = next(k for k, v in spec.value_map.items() if v == self.state.phases)
                for offset, word in enumerate(encode_registers(spec, raw)):
                    image[spec.address + offset] = word  # type: ignore[operator]
        if table == "holding":
            image.update(self.holding_overrides)
        return [image.get(address + i, 0) for i in range(count)]

    def write_registers(self, function: int, address: int, words: list[int]) -> bool:
        """Record a write and apply it; False when nothing is writable there."""
        self.register_writes.append(RegisterWrite(function, address, tuple(words)))
        if function == 5:
            return self.apply_modbus_write(address, [int(words[0] == COIL_ON)], coil=True)
        return self.apply_modbus_write(address, words)

    def apply_modbus_write(self, address: int, words: list[int], *, coil: bool = False) -> bool:
        """Route a register (or coil) write to the matching control; False if none is there."""
        profile = self.profile
        controls: list[tuple[str, ModbusWrite]] = []
        if profile.current_limit and isinstance(profile.current_limit.write, ModbusWrite):
            controls.append(("current_limit", profile.current_limit.write))
        if isinstance(profile.enable, ModbusWrite):
            controls.append(("enable", profile.enable))
        if profile.keepalive is not None:
            controls.append(("keepalive", profile.keepalive.write))
        if profile.failsafe_current is not None:
            controls.append(("failsafe_current", profile.failsafe_current))
        for name, write in controls:
            if (write.function == 5) != coil:
                continue
            if address in write.also:
                return True  # the same value again (innogy's per-phase copies)
            if write.address != address:
                continue
            size = {"uint16": 1, "int16": 1}.get(write.data_type, 2)
            value = float(decode_number(words[:size], write.data_type, word_order=write.word_order))
            if name == "current_limit":
                self.state.write_current_limit(value * write.scale)
                if profile.failsafe_setting is not None:
                    # Alfen: each setpoint written restarts its validity time.
                    self.state.write_keepalive()
            elif name == "enable":
                self.state.write_enabled(value == write.on)
            elif name == "failsafe_current":
                self.state.write_failsafe_current(value * write.scale)
            else:
                keepalive = profile.keepalive
                if keepalive is not None and keepalive.value_is_timeout and keepalive.timeout:
                    # KEBA: the heartbeat is the failsafe timeout itself (5018, read at 1602).
                    self.state.watchdog_timeout_s = value * keepalive.timeout.spec.scale
                self.state.write_keepalive()
            return True
        if coil:
            return False
        for switch in self._phase_switches:
            if isinstance(switch.write, ModbusWrite) and switch.write.address == address:
                self.state.phases = 1 if words[0] == switch.one_phase else 3
                return True
        if address in self._plain_addresses:
            for offset, word in enumerate(words):
                self.holding_overrides[address + offset] = word
            return True
        return False


def _phase_switches(profile: WallboxProfile) -> list[PhaseSwitch]:
    """The phase switching of the profile and of each of its variants."""
    candidates = (profile, *(apply_variant(profile, v) for v in profile.variants))
    return [c.phase_switch for c in candidates if c.phase_switch is not None]


def _plain_write_addresses(profile: WallboxProfile) -> set[int]:
    """Registers written as they are (start-up, wake-up, phases), in any variant of the box."""
    addresses: set[int] = set()
    for candidate in (profile, *(apply_variant(profile, v) for v in profile.variants)):
        writes = [*candidate.on_start]
        if candidate.wake_up is not None:
            writes.append(candidate.wake_up.write)
        if candidate.phase_switch is not None:
            if isinstance(candidate.phase_switch.write, ModbusWrite):
                writes.append(candidate.phase_switch.write)
            if candidate.phase_switch.trigger is not None:
                writes.append(candidate.phase_switch.trigger)
        addresses.update(write.address for write in writes)
    return addresses


class RawImageBox:
    """A box that serves a fixed register image written by hand from a vendor document.

    Nothing is derived from a profile. Registers missing from the image read 0 (as Bender and
    others answer for gaps); the `illegal` ranges answer "illegal data address", as a box does
    for registers its firmware lacks. Every write is recorded with its function code and
    stored, so it reads back.
    """

    def __init__(
        self,
        holding: dict[int, list[int]],
        input_registers: dict[int, list[int]] | None = None,
        *,
        illegal: list[tuple[int, int]] | None = None,
        one_value_per_read: bool = False,
    ) -> None:
        """Serve registers given as {first address: [16-bit words from there on]}."""
        self.tables: dict[str, dict[int, int]] = {"holding": {}, "input": {}}
        self.coils: dict[int, bool] = {}
        for table, runs in (("holding", holding), ("input", input_registers or {})):
            for start, words in runs.items():
                for offset, word in enumerate(words):
                    self.tables[table][start + offset] = word
        self.illegal = list(illegal or ())
        self.one_value_per_read = one_value_per_read
        self.requests = 0
        self.register_writes: list[RegisterWrite] = []
        self.faults = Faults()

    def _is_illegal(self, address: int, count: int) -> bool:
        return any(address <= end and address + count - 1 >= start for start, end in self.illegal)

    def read_registers(self, table: str, address: int, count: int) -> list[int] | int | None:
        """Registers, or ILLEGAL_ADDRESS for registers the firmware lacks."""
        if self._is_illegal(address, count):
            return ILLEGAL_ADDRESS
        if self.one_value_per_read and count > 2:
            return ILLEGAL_ADDRESS  # KEBA: one uint32 per request
        image = self.tables[table]
        return [image.get(address + i, 0) for i in range(count)]

    def write_registers(self, function: int, address: int, words: list[int]) -> bool:
        """Record and store a write."""
        if self._is_illegal(address, len(words)):
            return False
        self.register_writes.append(RegisterWrite(function, address, tuple(words)))
        if function == 5:
            self.coils[address] = words[0] == COIL_ON
            return True
        for offset, word in enumerate(words):
            self.tables["holding"][address + offset] = word
        return True


type ServedBox = SimulatedBox | RawImageBox


class ModbusSimServer:
    """Modbus TCP server hosting one or more simulated boxes (by unit id)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Prepare the server; call start()."""
        self.host = host
        self.port = port
        self.boxes: dict[int, ServedBox] = {}
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._handlers: set[asyncio.Task[None]] = set()

    def add_box(self, unit_id: int, box: ServedBox) -> None:
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
        if any(box.faults.refuse_connections for box in self.boxes.values()):
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
        faults = box.faults
        if faults.drop_next_request:
            faults.drop_next_request = False
            return None
        if faults.delay_s:
            await asyncio.sleep(faults.delay_s)
        if function in (3, 4):
            address, count = struct.unpack(">HH", pdu[1:5])
            if not 1 <= count <= 125:
                return bytes([function | 0x80, ILLEGAL_VALUE])
            words = box.read_registers("holding" if function == 3 else "input", address, count)
            if words is None:
                return None
            if isinstance(words, int):
                return bytes([function | 0x80, words])
            return bytes([function, 2 * count]) + struct.pack(f">{count}H", *words)
        if function in (5, 6):  # a coil (0xFF00 on, 0 off) or one register
            address, value = struct.unpack(">HH", pdu[1:5])
            if function == 5 and value not in (0, COIL_ON):
                return bytes([function | 0x80, ILLEGAL_VALUE])
            if not box.write_registers(function, address, [value]):
                return bytes([function | 0x80, ILLEGAL_ADDRESS])
            return pdu[:5]
        if function == 16:
            address, count, size = struct.unpack(">HHB", pdu[1:6])
            words = list(struct.unpack(f">{count}H", pdu[6 : 6 + size]))
            if not box.write_registers(16, address, words):
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
        if path == box.profile.token_path and request.method == "POST":
            # OAuth 2.0 password grant (SMA): any form gets a token.
            return web.json_response(
                {"access_token": "simulated", "expires_in": 3600, "refresh_token": "again"}
            )
        for name, (endpoint_path, _query) in box.profile.endpoints.items():
            method = "POST" if name in box.profile.endpoint_bodies else "GET"
            if path == endpoint_path and request.method == method and not self._is_write(request):
                document = json_documents(box.profile, box.state, box.rng)[name]
                return web.json_response(document)
        write = await self._apply_write(request)
        if write is not None:
            # The answer the profile checks for ({"result": "ok"}), else a plain one.
            if write.expect is not None:
                return web.json_response({str(write.expect[0][0]): write.expect[1]})
            return web.json_response({"ok": True})
        raise web.HTTPNotFound

    def _firmware_profile(self) -> WallboxProfile:
        """The profile as the client sees this box: the variants its firmware chooses."""
        return apply_firmware_variants(self.box.profile, self.box.state.firmware)

    def _writes(self) -> list[tuple[str, HttpWrite]]:
        profile = self._firmware_profile()
        writes: list[tuple[str, HttpWrite]] = []
        if profile.current_limit and isinstance(profile.current_limit.write, HttpWrite):
            writes.append(("current_limit", profile.current_limit.write))
        if isinstance(profile.enable, HttpWrite):
            writes.append(("enable", profile.enable))
        if profile.keepalive is not None and isinstance(profile.keepalive.write, HttpWrite):
            writes.append(("keepalive", profile.keepalive.write))
        writes += [
            ("fixed", write) for write in profile.on_first_control if isinstance(write, HttpWrite)
        ]
        return writes

    def _is_write(self, request: web.Request) -> bool:
        return any(
            request.path == write.path and write.param in request.query
            for _, write in self._writes()
        )

    async def _apply_write(self, request: web.Request) -> HttpWrite | None:
        payload: dict[str, Any] = {}
        body: Any = None
        fields: Any = request.query
        if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
            fields = await request.post()
        elif request.method in ("POST", "PUT"):
            fields = {}
            with contextlib.suppress(ValueError):
                body = await request.json()
                payload = body if isinstance(body, dict) else {}
        for key, text in fields.items():
            if isinstance(text, str):
                try:
                    payload[key] = json.loads(text)
                except ValueError:
                    payload[key] = text
        handled: HttpWrite | None = None
        for name, write in self._writes():
            if request.path != write.path or write.method != request.method:
                continue
            if write.body is not None:
                value = _template_value(write.body, body)
                if value is _MISSING:
                    continue
            elif write.param not in payload:
                continue
            else:
                value = payload[write.param]
            if name == "current_limit":
                self.box.state.write_current_limit(float(value) * write.scale)
            elif name == "enable":
                self.box.state.write_enabled(value == write.on)
            elif name == "keepalive":
                self.box.state.write_keepalive()
            handled = write
        return handled


_MISSING = object()


def _template_value(template: Any, body: Any) -> Any:
    """What a request body holds where the write's template says "{value}".

    _MISSING when the body does not fit the template (another SMA parameter).
    """
    if template == "{value}":
        return body
    if isinstance(template, dict):
        if not isinstance(body, dict):
            return _MISSING
        found: Any = None
        for key, item in template.items():
            if key not in body:
                return _MISSING
            inner = _template_value(item, body[key])
            if inner is _MISSING:
                return _MISSING
            if inner is not None:
                found = inner
        return found
    if isinstance(template, list):
        if not isinstance(body, list) or len(body) != len(template):
            return _MISSING
        results = [_template_value(item, part) for item, part in zip(template, body, strict=True)]
        if any(result is _MISSING for result in results):
            return _MISSING
        return next((result for result in results if result is not None), None)
    if template in ("{now}", body):
        return None
    return _MISSING
