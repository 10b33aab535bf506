"""HTTP/JSON transport (go-eCharger API v2, OpenEVSE, Tesla Wall Connector).

The aiohttp session is injected so Home Assistant's shared session is used.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp

from .client import WallboxClient
from .errors import WallboxAuthError, WallboxConnectionError, WallboxResponseError
from .model import DeviceIdentity, Reading
from .profile import HttpWrite, ValueSpec, WallboxProfile
from .reading import convert_raw, reading_from_raw

REQUEST_TIMEOUT_S = 10.0


def extract_path(document: Any, path: tuple[str | int, ...]) -> Any:
    """Follow a JSON path (keys and list indexes); None when any step is missing."""
    node = document
    for step in path:
        if isinstance(step, int) and isinstance(node, list) and -len(node) <= step < len(node):
            node = node[step]
        elif isinstance(node, dict) and str(step) in node:
            node = node[str(step)]
        else:
            return None
    return node


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
        self._auth = aiohttp.BasicAuth(username, password or "") if username else None
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self.requests_sent = 0

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        payload: dict[str, Any] | None = None,
    ) -> Any:
        self.requests_sent += 1
        try:
            async with self._session.request(
                method,
                self._base + path,
                params=params,
                json=payload,
                auth=self._auth,
                timeout=self._timeout,
            ) as response:
                if response.status in (401, 403):
                    raise WallboxAuthError(f"{path}: the box rejected the credentials")
                if response.status >= 400:
                    raise WallboxResponseError(f"{path}: HTTP {response.status}")
                text = await response.text()
        except (TimeoutError, asyncio.CancelledError) as err:
            if isinstance(err, asyncio.CancelledError):
                raise
            raise WallboxConnectionError(f"{self._base}{path} did not answer in time") from err
        except aiohttp.ClientError as err:
            raise WallboxConnectionError(f"cannot reach {self._base}{path}: {err}") from err
        try:
            return json.loads(text) if text.strip() else None
        except ValueError as err:
            raise WallboxResponseError(f"{path}: the answer is not JSON") from err

    async def _get_documents(self, specs: list[ValueSpec]) -> dict[str, Any]:
        documents: dict[str, Any] = {}
        for name in dict.fromkeys(spec.endpoint for spec in specs if spec.endpoint):
            path, query = self.profile.endpoints[name]
            document = await self._request("GET", path, params=dict(query) or None)
            if not isinstance(document, dict):
                raise WallboxResponseError(f"{path}: expected a JSON object")
            documents[name] = document
        return documents

    async def read(self) -> Reading:
        """Fetch each endpoint once and pick the values out."""
        specs = list(self.profile.values.values())
        documents = await self._get_documents(specs)
        raw = {
            spec.name: extract_path(documents[spec.endpoint], spec.path)
            for spec in specs
            if spec.endpoint
        }
        return reading_from_raw(self.profile, raw)

    async def read_identity(self) -> DeviceIdentity:
        """Read serial and firmware, where the API reports them."""
        specs = list(self.profile.identity.values())
        documents = await self._get_documents(specs)
        values = {
            spec.name: convert_raw(spec, extract_path(documents[spec.endpoint], spec.path))
            for spec in specs
            if spec.endpoint
        }
        serial, firmware = values.get("serial"), values.get("firmware")
        return DeviceIdentity(
            serial=None if serial is None else str(serial),
            firmware=None if firmware is None else str(firmware),
        )

    async def _send(self, write: HttpWrite, value: Any) -> None:
        if write.method == "POST":
            await self._request("POST", write.path, payload={write.param: value})
        else:
            text = value if isinstance(value, str) else json.dumps(value)
            await self._request("GET", write.path, params={write.param: text})

    async def _write_current_limit(self, amps: float) -> None:
        assert self.profile.current_limit is not None
        write = self.profile.current_limit.write
        assert isinstance(write, HttpWrite)
        await self._send(write, round(amps))

    async def _write_enabled(self, enabled: bool) -> None:
        write = self.profile.enable
        assert isinstance(write, HttpWrite)
        await self._send(write, write.on if enabled else write.off)

    async def _write_keepalive(self) -> None:
        """HTTP boxes in our profiles need no keepalive (the schema allows Modbus only)."""

    async def close(self) -> None:
        """The shared session belongs to Home Assistant; nothing to close."""
