"""HTTP/JSON transport (go-eCharger API v2, OpenEVSE, Tesla Wall Connector, Salia, WARP).

The aiohttp session is injected so Home Assistant's shared session is used. Credentials go as
HTTP Basic, or as HTTP Digest (RFC 7616, aiohttp's middleware) where the profile says `digest`.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import logging
import math
import re
from datetime import UTC, datetime
from typing import Any

import aiohttp

from .client import WallboxClient
from .errors import (
    WallboxAuthError,
    WallboxConnectionError,
    WallboxResponseError,
    WallboxUnsupportedError,
)
from .http_token import PasswordGrantToken
from .model import DeviceIdentity, Reading
from .profile import (
    HttpWrite,
    ListMatch,
    ModbusWrite,
    PathStep,
    ValueSpec,
    WallboxProfile,
    apply_firmware_variants,
)
from .reading import convert_raw, reading_from_raw

_LOGGER = logging.getLogger(__name__)

REQUEST_TIMEOUT_S = 10.0

# JSON strings, or a bare not-a-number token outside them. Some firmware prints a float that has
# no value as `nan` (Tesla Wall Connector /api/1/lifetime), which is not JSON.
_STRING_OR_NOT_A_NUMBER = re.compile(
    r'"(?:[^"\\]|\\.)*"|[-+]?\b(?:nan|inf|infinity)\b', re.IGNORECASE
)


def _null_for_not_a_number(match: re.Match[str]) -> str:
    text = match.group()
    return text if text.startswith('"') else "null"


def _finite_or_none(text: str) -> float | None:
    value = float(text)
    return value if math.isfinite(value) else None


def parse_json(text: str) -> Any:
    """Parse a box's answer; `nan`, `NaN`, `Infinity` and overflowing numbers become None.

    A body missing only its closing brace is parsed with the brace added, as the Tesla Wall
    Connector library does (einarhauks/tesla-wall-connector `decode_response`: the box sends
    such bodies). Raises ValueError when the text is not JSON even then.
    """
    cleaned = _STRING_OR_NOT_A_NUMBER.sub(_null_for_not_a_number, text)
    try:
        return json.loads(cleaned, parse_float=_finite_or_none)
    except ValueError:
        if not cleaned.rstrip() or cleaned.rstrip().endswith("}"):
            raise
        return json.loads(cleaned + "}", parse_float=_finite_or_none)


def basic_auth_header(username: str, password: str) -> str:
    """The value of an HTTP Basic Authorization header (RFC 7617, UTF-8)."""
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def extract_path(document: Any, path: tuple[PathStep, ...]) -> Any:
    """Follow a JSON path (keys and list indexes); None when any step is missing.

    A string met before the path ends is read as the JSON it holds: Salia sends the card as
    a text holding a list, `["ISO14443", "9af18400"]` (evcc salia/types.go).
    """
    node = document
    for step in path:
        if isinstance(node, str):
            try:
                node = parse_json(node)
            except ValueError:
                return None
        if isinstance(step, ListMatch):
            candidates = node if isinstance(node, list) else []
            node = next(
                (
                    item
                    for item in candidates
                    if isinstance(item, dict) and item.get(step.key) == step.value
                ),
                None,
            )
            if node is None:
                return None
        elif isinstance(step, int) and isinstance(node, list) and -len(node) <= step < len(node):
            node = node[step]
        elif isinstance(node, dict) and str(step) in node:
            node = node[str(step)]
        else:
            return None
    return node


def _fill_body(body: Any, value: str | None) -> Any:
    """The write's JSON body with "{value}" and "{now}" (UTC, milliseconds) filled in."""
    if isinstance(body, dict):
        return {key: _fill_body(item, value) for key, item in body.items()}
    if isinstance(body, list):
        return [_fill_body(item, value) for item in body]
    if body == "{value}":
        return value
    if body == "{now}":
        now = datetime.now(UTC)
        return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
    return body


def _as_text(write: HttpWrite, value: Any) -> str:
    """A value as a query or form field: text as is, numbers as JSON or with fixed decimals."""
    if isinstance(value, (str, bool)):
        return value if isinstance(value, str) else json.dumps(value)
    if write.decimals is not None and isinstance(value, (int, float)):
        return f"{value:.{write.decimals}f}"
    return json.dumps(value)


class HttpWallboxClient(WallboxClient):
    """A wallbox read over its local HTTP API."""

    def __init__(
        self,
        profile: WallboxProfile,
        session: aiohttp.ClientSession,
        host: str,
        port: int,
        *,
        username: str | None = None,
        password: str | None = None,
        timeout: float = REQUEST_TIMEOUT_S,
    ) -> None:
        """Remember where the box is."""
        super().__init__(profile)
        self._session = session
        self._base = f"http://{host}:{port}"
        digest = username is not None and profile.http_auth == "digest"
        self._headers = (
            {"Authorization": basic_auth_header(username, password or "")}
            if username and not digest
            else {}
        )
        # One middleware per box: it keeps the server's nonce and counts its uses.
        self._middlewares = (
            (aiohttp.DigestAuthMiddleware(username or "", password or "", preemptive=True),)
            if digest
            else ()
        )
        self._token = (
            PasswordGrantToken(self._post_token_form, username, password or "")
            if username and profile.http_auth == "token"
            else None
        )
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        # A merged write reads, changes and posts back one document: one at a time.
        self._write_lock = asyncio.Lock()
        self.requests_sent = 0

    async def _post_token_form(self, form: dict[str, str]) -> Any:
        """POST a token request (no Authorization header) and return its JSON answer."""
        assert self.profile.token_path is not None
        return await self._send_request(
            "POST", self.profile.token_path, form=form, headers={}, read_answer=True
        )

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        payload: Any = None,
        form: dict[str, str] | None = None,
        missing_ok: bool = False,
        read_answer: bool = True,
    ) -> Any:
        """Send one request with the box's credentials; a refused token is renewed once."""
        send = functools.partial(
            self._send_request,
            method,
            path,
            params=params,
            payload=payload,
            form=form,
            missing_ok=missing_ok,
        )
        if self._token is None:
            return await send(headers=self._headers, read_answer=read_answer and form is None)
        for attempt in (1, 2):
            try:
                header = await self._token.header()
            except (ValueError, WallboxResponseError) as err:
                raise WallboxAuthError(f"{self.profile.token_path}: no token: {err}") from err
            try:
                return await send(headers={"Authorization": header}, read_answer=read_answer)
            except WallboxAuthError:
                if attempt == 2:
                    raise
                self._token.forget()
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send_request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str],
        params: dict[str, str] | None = None,
        payload: Any = None,
        form: dict[str, str] | None = None,
        missing_ok: bool = False,
        read_answer: bool = True,
    ) -> Any:
        """Send one request; return the parsed answer (None when empty, or 404 and missing_ok).

        The answer to a form is not read: openWB Pro documents none (evcc and openWB discard it).
        """
        self.requests_sent += 1
        try:
            async with self._session.request(
                method,
                self._base + path,
                params=params,
                json=payload,
                data=form,
                headers=headers,
                timeout=self._timeout,
                middlewares=self._middlewares,
            ) as response:
                if response.status in (401, 403):
                    raise WallboxAuthError(f"{path}: the box rejected the credentials")
                if response.status == 404 and missing_ok:
                    return None
                text = await response.text()
                if response.status >= 400:
                    # NRGkick says why in the body: {"Response": "Charging pause is blocked ..."}
                    reason = f": {text.strip()[:200]}" if text.strip() else ""
                    raise WallboxResponseError(f"{path}: HTTP {response.status}{reason}")
        except (TimeoutError, asyncio.CancelledError) as err:
            if isinstance(err, asyncio.CancelledError):
                raise
            raise WallboxConnectionError(f"{self._base}{path} did not answer in time") from err
        except aiohttp.ClientError as err:
            raise WallboxConnectionError(f"cannot reach {self._base}{path}: {err}") from err
        if not read_answer:
            return None
        try:
            return parse_json(text) if text.strip() else None
        except ValueError as err:
            raise WallboxResponseError(f"{path}: the answer is not JSON") from err

    async def _get_documents(self, specs: list[ValueSpec]) -> dict[str, Any]:
        """Fetch each endpoint the specs name.

        An endpoint whose answer is unusable (an HTTP error, not the JSON object or list its
        paths need) leaves only
        its own values unavailable for this poll; the poll fails when every endpoint did.
        A box that cannot be reached, or refuses the credentials, fails the poll at once.
        """
        documents: dict[str, Any] = {}
        failures: list[WallboxResponseError] = []
        for name in dict.fromkeys(spec.endpoint for spec in specs if spec.endpoint):
            path, query = self.profile.endpoints[name]
            body = self.profile.endpoint_bodies.get(name)
            try:
                document = await self._request(
                    "GET" if body is None else "POST",
                    path,
                    params=dict(query) or None,
                    payload=body,
                )
                # A list where the paths start with an index (WARP meter/all_values).
                wants_list = all(
                    not isinstance(spec.path[0], str) for spec in specs if spec.endpoint == name
                )
                if not isinstance(document, list if wants_list else dict):
                    shape = "list" if wants_list else "object"
                    raise WallboxResponseError(f"{path}: expected a JSON {shape}")
            except WallboxResponseError as err:
                _LOGGER.debug("%s: %s; its values are unavailable this poll", self._base, err)
                failures.append(err)
                document = {}
            documents[name] = document
        if failures and len(failures) == len(documents):
            raise failures[0]
        return documents

    async def read(self) -> Reading:
        """Fetch each endpoint once and pick the values (and the phases in use) out."""
        specs = list(self.profile.values.values())
        switch = self.profile.phase_switch
        phase_state = switch.state if switch is not None else None
        documents = await self._get_documents(
            specs if phase_state is None else [*specs, phase_state]
        )
        raw = {
            spec.name: extract_path(documents[spec.endpoint], spec.path)
            for spec in specs
            if spec.endpoint
        }
        if phase_state is not None:
            # go-e psm 0 (automatic) maps to nothing: the phases are then the box's choice.
            document = documents[phase_state.endpoint or ""]
            self.phases = convert_raw(phase_state, extract_path(document, phase_state.path))
        return reading_from_raw(self.profile, raw)

    async def read_identity(self) -> DeviceIdentity:
        """Read serial and firmware, where the API reports them; choose the firmware's variants."""
        specs = list(self.profile.identity.values())
        documents = await self._get_documents(specs)
        values = {
            spec.name: convert_raw(spec, extract_path(documents[spec.endpoint], spec.path))
            for spec in specs
            if spec.endpoint
        }
        serial, firmware = values.get("serial"), values.get("firmware")
        firmware_text = None if firmware is None else str(firmware)
        self.profile = apply_firmware_variants(self.profile, firmware_text)
        for label in self.profile.active_variants:
            self.notes.append(f"variant: {label}")
            _LOGGER.info("%s: %s", self.profile.name, label)
        extra = {"variant": "; ".join(self.profile.active_variants)}
        return DeviceIdentity(
            serial=None if serial is None else str(serial),
            firmware=firmware_text,
            extra=extra if self.profile.active_variants else {},
        )

    async def _send(self, write: HttpWrite, value: Any) -> None:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # profile numbers are floats; go-e takes psm=1, not psm=1.0
        if write.body is not None:
            body = _fill_body(write.body, _as_text(write, value) if value is not None else None)
            # SMA answers nothing to read (evcc discards it).
            await self._request(write.method, write.path, payload=body, read_answer=False)
        elif write.merge:
            await self._send_merged(write, value)
        elif write.method == "POST" and write.encoding == "form":
            await self._request("POST", write.path, form={write.param: _as_text(write, value)})
        elif write.method in ("POST", "PUT"):
            body = _as_text(write, value) if write.as_text else value
            answer = await self._request(write.method, write.path, payload={write.param: body})
            expect = write.expect
            if expect is not None and extract_path(answer, expect[0]) != expect[1]:
                # Salia answers {"result": "ok"}, or another result naming what went wrong.
                raise WallboxResponseError(
                    f"{write.path}: the box refused {write.param}: {str(answer)[:200]}"
                )
        else:
            text = _as_text(write, value)
            answer = await self._request("GET", write.path, params={write.param: text})
            # go-e http-en.md: the answer holds true per key, or a string saying what failed.
            if isinstance(answer, dict) and isinstance(answer.get(write.param), str):
                raise WallboxResponseError(
                    f"{write.path}: the box refused {write.param}: {answer[write.param]}"
                )

    async def _send_merged(self, write: HttpWrite, value: Any) -> None:
        """Change one key of a document the box replaces as a whole on every POST.

        OpenEVSE keeps one manual override; a POST with only the current would drop a
        "disabled" state set before (charging resumes), and vice versa. No override reads as
        404 on firmware before 5.0 and as {} since.
        """
        async with self._write_lock:
            document = await self._request("GET", write.path, missing_ok=True)
            if document is not None and not isinstance(document, dict):
                raise WallboxResponseError(f"{write.path}: expected a JSON object")
            merged = {**(document or {}), write.param: value}
            await self._request("POST", write.path, payload=merged)

    async def _write_current_limit(self, amps: float) -> None:
        assert self.profile.current_limit is not None
        write = self.profile.current_limit.write
        assert isinstance(write, HttpWrite)
        await self._send(write, round(amps / write.scale))

    async def _write_enabled(self, enabled: bool) -> None:
        write = self.profile.enable
        assert isinstance(write, HttpWrite)
        await self._send(write, write.on if enabled else write.off)

    async def _write_keepalive(self) -> None:
        assert self.profile.keepalive is not None
        write = self.profile.keepalive.write
        assert isinstance(write, HttpWrite)
        await self._send(write, write.value)

    async def _write_fixed(self, write: ModbusWrite | HttpWrite) -> None:
        assert isinstance(write, HttpWrite)
        await self._send(write, write.value)

    async def set_phases(self, phases: int) -> None:
        """Switch 1p/3p; the box pauses charging around the switch itself (go-e)."""
        switch = self.profile.phase_switch
        if switch is None:
            raise WallboxUnsupportedError(f"{self.profile.name} cannot switch phases")
        assert isinstance(switch.write, HttpWrite)
        await self._prepare_control()
        await self._send(switch.write, switch.one_phase if phases == 1 else switch.three_phase)
        self.phases = phases

    async def close(self) -> None:
        """The shared session belongs to Home Assistant; nothing to close."""
