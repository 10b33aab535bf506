"""Modbus TCP connections on pymodbus' asyncio client.

One connection per host:port, shared by every unit id on it, with requests serialized, a
timeout per request, and reconnection with backoff.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pymodbus.client import AsyncModbusTcpClient
from pymodbus.exceptions import ModbusException

from .errors import WallboxConnectionError, WallboxResponseError

REQUEST_TIMEOUT_S = 5.0
BACKOFF_MAX_SKIPPED_POLLS = 15


class ModbusLink:
    """One TCP connection to host:port, shared by every unit id behind it."""

    def __init__(self, host: str, port: int, *, timeout: float = REQUEST_TIMEOUT_S) -> None:
        """Prepare (but do not open) the connection."""
        self.host = host
        self.port = port
        self.timeout = timeout
        self.users = 0
        self._lock = asyncio.Lock()
        self._client: AsyncModbusTcpClient | None = None
        self._failures = 0
        self._skip = 0  # reads to fail fast before the next connection attempt
        self.requests = 0  # for benchmarks and tests: requests sent on this link

    async def _connected_client(self) -> AsyncModbusTcpClient:
        if self._client is not None and self._client.connected:
            return self._client
        if self._skip:
            self._skip -= 1
            raise WallboxConnectionError(
                f"{self.host}:{self.port} unreachable, next attempt in {self._skip + 1} polls"
            )
        self._drop()
        # pymodbus' own reconnect loop is disabled: we reconnect on the next poll, with backoff.
        client = AsyncModbusTcpClient(
            self.host, port=self.port, timeout=self.timeout, retries=0, reconnect_delay=0
        )
        try:
            async with asyncio.timeout(self.timeout):
                connected = await client.connect()
        except (TimeoutError, OSError, ModbusException, ValueError):
            # ValueError: a host name the resolver refuses (label over 63 characters: idna's
            # UnicodeError; NUL). The config flow rejects those first; an old entry may not.
            connected = False
        if not connected:
            client.close()
            self._failed()
            raise WallboxConnectionError(f"cannot connect to {self.host}:{self.port}")
        self._client = client
        return client

    def _failed(self) -> None:
        # Back off in polls, not seconds (the poll interval sets the pace): retry on the next
        # two polls, then skip 1, 3, 7 and at most 15 polls between attempts.
        self._failures += 1
        self._skip = min((1 << max(self._failures - 2, 0)) - 1, BACKOFF_MAX_SKIPPED_POLLS)

    def _drop(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    async def _request(self, call: str, address: int, unit: int, **kwargs: Any) -> Any:
        """Send one request; reconnect once if the box dropped the connection."""
        for attempt in (1, 2):
            client = await self._connected_client()
            self.requests += 1
            deadline = asyncio.timeout(self.timeout)
            try:
                async with deadline:
                    response = await getattr(client, call)(address, device_id=unit, **kwargs)
            except (TimeoutError, ModbusException, OSError) as err:
                self._drop()
                # pymodbus turns our timeout's cancellation into its own exception.
                if isinstance(err, TimeoutError) or deadline.expired():
                    self._failed()
                    raise WallboxConnectionError(
                        f"{self.host}:{self.port} did not answer within {self.timeout:g} s"
                    ) from err
                if attempt == 2:
                    self._failed()
                    raise WallboxConnectionError(
                        f"connection to {self.host}:{self.port} lost: {err}"
                    ) from err
                continue  # the box dropped the connection: reconnect once
            if response.isError():
                raise WallboxResponseError(
                    f"{call} at {address} (unit {unit}) refused by the box: {response}"
                )
            self._failures = 0
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    async def read(self, table: str, address: int, count: int, unit: int) -> list[int]:
        """Read `count` registers from the holding or input table."""
        call = "read_input_registers" if table == "input" else "read_holding_registers"
        async with self._lock:
            response = await self._request(call, address, unit, count=count)
        registers: list[int] = list(response.registers)
        if len(registers) != count:
            raise WallboxResponseError(
                f"asked for {count} registers at {address}, got {len(registers)}"
            )
        return registers

    async def write(self, address: int, values: list[int], unit: int, function: int = 16) -> None:
        """Write registers (function code 16), one register (6) or one coil (5, on if not 0)."""
        async with self._lock:
            if function == 5:
                await self._request("write_coil", address, unit, value=values[0] != 0)
            elif function == 6:
                await self._request("write_register", address, unit, value=values[0])
            else:
                await self._request("write_registers", address, unit, values=values)

    def close(self) -> None:
        """Close the connection."""
        self._drop()


class ModbusLinkPool:
    """Shares one ModbusLink per host:port between wallboxes (unit ids) on it."""

    def __init__(self) -> None:
        """Start empty."""
        self._links: dict[tuple[str, int], ModbusLink] = {}

    def acquire(self, host: str, port: int) -> ModbusLink:
        """Return the link for host:port, creating it on first use."""
        link = self._links.get((host, port))
        if link is None:
            link = self._links[(host, port)] = ModbusLink(host, port)
        link.users += 1
        return link

    def release(self, link: ModbusLink) -> None:
        """Give a link back; the last user closes it."""
        link.users -= 1
        if link.users <= 0:
            link.close()
            self._links.pop((link.host, link.port), None)
