"""The OCPP 1.6J central system: an aiohttp websocket server on its own port.

OCPP-J 1.6 (the websocket connection): the charge point connects to a URL ending in its
identity, offers the subprotocol `ocpp1.6`, and sends text frames. Security profile 1 of
the OCPP 1.6 security whitepaper: HTTP Basic authentication on the upgrade request, the
user name being the charge point identity.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import errno
import hmac
import logging
import ssl
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import WSMsgType, hdrs, web

from .handler import CentralChargePoint, ChargePointSettings
from .identity import IdentityError, identity_from_path

_LOGGER = logging.getLogger(__name__)

SUBPROTOCOL = "ocpp1.6"
DEFAULT_PORT = 9000
# OCPP sets no size limit; the largest ordinary 1.6 message (a StopTransaction with its
# transaction data) stays far below this.
MAX_MESSAGE_BYTES = 64 * 1024
# A charge point sends one CALL at a time and waits for the answer (OCPP-J 1.6 on
# synchronicity), so a burst of 20 and 5 messages a second are far above honest traffic.
RATE_BURST = 20
RATE_PER_SECOND = 5.0
# RFC 6455 close code 1008: policy violation.
CLOSE_POLICY_VIOLATION = 1008


class PortInUseError(OSError):
    """The central system's port is taken by another program."""

    def __init__(self, host: str, port: int) -> None:
        """Name the address that could not be bound."""
        super().__init__(errno.EADDRINUSE, f"port {port} on {host or 'all addresses'} is in use")
        self.host = host
        self.port = port


class ConnectionClosedError(Exception):
    """The charge point's websocket closed."""


class TokenBucket:
    """Allows `burst` messages at once and `rate` a second after that."""

    def __init__(self, burst: int, rate: float, clock: Callable[[], float]) -> None:
        """Start full."""
        self._capacity = float(burst)
        self._tokens = float(burst)
        self._rate = rate
        self._clock = clock
        self._last = clock()

    def take(self) -> bool:
        """Return True if one more message is allowed now."""
        now = self._clock()
        self._tokens = min(self._capacity, self._tokens + (now - self._last) * self._rate)
        self._last = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True


class WebSocketConnection:
    """The `recv()`/`send()` object the ocpp library reads from and writes to."""

    def __init__(
        self, socket: web.WebSocketResponse, charge_point_id: str, bucket: TokenBucket
    ) -> None:
        """Wrap an open websocket."""
        self._socket = socket
        self._charge_point_id = charge_point_id
        self._bucket = bucket
        self.rate_limited = False

    async def recv(self) -> str:
        """Return the next text frame; raise ConnectionClosedError when the socket ends."""
        while True:
            message = await self._socket.receive()
            if message.type is WSMsgType.TEXT:
                if not self._bucket.take():
                    # A flood: close instead of parsing it, so the loop stays free.
                    self.rate_limited = True
                    _LOGGER.warning(
                        "OCPP charge point %s sends too many messages; disconnected",
                        self._charge_point_id,
                    )
                    await self._socket.close(code=CLOSE_POLICY_VIOLATION, message=b"rate limit")
                    raise ConnectionClosedError
                return str(message.data)
            if message.type is WSMsgType.BINARY:
                _LOGGER.debug("%s: binary frame ignored (OCPP-J uses text)", self._charge_point_id)
                continue
            raise ConnectionClosedError

    async def close(self) -> None:
        """Close the websocket."""
        await self._socket.close()

    async def send(self, message: str) -> None:
        """Send a text frame."""
        if self._socket.closed:
            raise ConnectionClosedError
        await self._socket.send_str(message)


def decode_basic_auth(header: str) -> tuple[bytes, bytes] | None:
    """Return user and password (bytes) of a Basic Authorization header (RFC 7617)."""
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error:
        return None
    user, separator, password = decoded.partition(b":")
    return (user, password) if separator else None


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why an upgrade request was refused."""

    reason: str
    http_status: int


PasswordLookup = Callable[[str], str | None]
UnknownIdCallback = Callable[[str, str], None]
ConnectedCallback = Callable[[CentralChargePoint], Awaitable[None]]
DisconnectedCallback = Callable[[str], None]


class CentralSystem:
    """Accepts charge points on one port and keeps one handler per connected box."""

    def __init__(
        self,
        settings: ChargePointSettings,
        password_for: PasswordLookup,
        *,
        host: str = "",
        port: int = DEFAULT_PORT,
        on_unknown_id: UnknownIdCallback | None = None,
        on_disconnected: DisconnectedCallback | None = None,
        clock: Callable[[], float] | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """`password_for(id)` returns a known box's password, None for an unknown id."""
        self._settings = settings
        self._password_for = password_for
        self._host = host
        self.port = port
        self._on_unknown_id = on_unknown_id
        self._on_disconnected = on_disconnected
        # Security profile 2: wss:// with the user's certificate (TLS), still with Basic auth.
        self._ssl_context = ssl_context
        self._clock = clock
        self._runner: web.AppRunner | None = None
        self.charge_points: dict[str, CentralChargePoint] = {}
        self.refusals: Counter[str] = Counter()
        self.rate_limited: Counter[str] = Counter()
        self._logged: set[tuple[str, str]] = set()

    async def start(self) -> None:
        """Listen; raise PortInUseError if the port is taken."""
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._handle)
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self._host or None, self.port, ssl_context=self._ssl_context)
        try:
            await site.start()
        except OSError as err:
            await runner.cleanup()
            if err.errno == errno.EADDRINUSE:
                raise PortInUseError(self._host, self.port) from err
            raise
        self._runner = runner
        if self.port == 0:  # an ephemeral port (tests): report the one chosen
            self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Close every connection and stop listening."""
        for charge_point in list(self.charge_points.values()):
            charge_point.stop_background()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _refuse(
        self, request: web.Request, refusal: Refusal, charge_point_id: str | None
    ) -> web.Response:
        source = request.remote or "unknown"
        self.refusals[refusal.reason] += 1
        if (source, refusal.reason) not in self._logged:
            self._logged.add((source, refusal.reason))
            _LOGGER.warning(
                "OCPP connection from %s refused (%s): %s",
                source,
                charge_point_id or request.raw_path[:100],
                refusal.reason,
            )
        headers = (
            {hdrs.WWW_AUTHENTICATE: 'Basic realm="OCPP"'} if refusal.http_status == 401 else None
        )
        return web.Response(status=refusal.http_status, text=refusal.reason, headers=headers)

    def _check_password(
        self, request: web.Request, charge_point_id: str, known: str
    ) -> Refusal | None:
        header = request.headers.get(hdrs.AUTHORIZATION)
        if header is None:
            return Refusal("no password given", 401)
        credentials = decode_basic_auth(header)
        if credentials is None:
            return Refusal("malformed Authorization header", 401)
        user, password = credentials
        user_ok = hmac.compare_digest(user, charge_point_id.encode())
        password_ok = hmac.compare_digest(password, known.encode())
        if not (user_ok and password_ok):
            return Refusal("wrong user or password", 401)
        return None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        try:
            charge_point_id = identity_from_path(request.raw_path)
        except IdentityError as err:
            return self._refuse(request, Refusal(str(err), 400), None)
        known = self._password_for(charge_point_id)
        if known is None:
            if self._on_unknown_id is not None:
                self._on_unknown_id(charge_point_id, request.remote or "unknown")
            return self._refuse(request, Refusal("unknown charge point id", 404), charge_point_id)
        refusal = self._check_password(request, charge_point_id, known)
        if refusal is not None:
            return self._refuse(request, refusal, charge_point_id)
        socket = web.WebSocketResponse(
            protocols=(SUBPROTOCOL,), max_msg_size=MAX_MESSAGE_BYTES, autoping=True
        )
        await socket.prepare(request)
        if socket.ws_protocol != SUBPROTOCOL:
            # OCPP-J 1.6 (the subprotocol header): complete the handshake without the subprotocol
            # header, then close at once.
            self.refusals["no ocpp1.6 subprotocol"] += 1
            await socket.close(code=CLOSE_POLICY_VIOLATION, message=b"ocpp1.6 required")
            return socket
        await self._serve(charge_point_id, socket)
        return socket

    async def _serve(self, charge_point_id: str, socket: web.WebSocketResponse) -> None:
        loop = asyncio.get_running_loop()
        bucket = TokenBucket(RATE_BURST, RATE_PER_SECOND, self._clock or loop.time)
        connection = WebSocketConnection(socket, charge_point_id, bucket)
        charge_point = CentralChargePoint(charge_point_id, connection, self._settings)
        previous = self.charge_points.get(charge_point_id)
        self.charge_points[charge_point_id] = charge_point
        if previous is not None:
            # The box reconnected (its old connection is dead to it): the new one wins.
            await previous.connection.close()
        try:
            await charge_point.start()
        except ConnectionClosedError:
            pass
        finally:
            charge_point.stop_background()
            if self.charge_points.get(charge_point_id) is charge_point:
                del self.charge_points[charge_point_id]
                if self._on_disconnected is not None:
                    self._on_disconnected(charge_point_id)
            if connection.rate_limited:
                self.rate_limited[charge_point_id] += 1
            if not socket.closed:
                await socket.close()
