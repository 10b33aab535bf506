"""Modbus TCP transport on pymodbus' asyncio client.

Reads a profile's values in the fewest requests (neighbouring registers merged into blocks
within the profile's limits), over one connection per host:port shared by every unit id on
it, with requests serialized, a timeout per request, and reconnection with backoff.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pymodbus.client import AsyncModbusTcpClient
from pymodbus.exceptions import ModbusException

from .client import WallboxClient
from .decode import (
    TYPE_REGISTERS,
    DecodeError,
    decode_hex,
    decode_number,
    decode_string,
    encode_number,
)
from .errors import WallboxConnectionError, WallboxResponseError
from .model import DeviceIdentity, Reading
from .profile import ModbusWrite, ValueSpec, WallboxProfile
from .reading import convert_raw, reading_from_raw

_LOGGER = logging.getLogger(__name__)

REQUEST_TIMEOUT_S = 5.0
BACKOFF_MAX_SKIPPED_POLLS = 15


@dataclass(frozen=True, slots=True)
class ReadBlock:
    """One read request covering one or more values."""

    table: str
    address: int
    count: int
    specs: tuple[ValueSpec, ...]


def plan_blocks(
    specs: Iterable[ValueSpec],
    *,
    max_registers: int,
    max_gap: int,
    one_value_per_read: bool,
    forbidden: Sequence[tuple[int, int]] = (),
) -> list[ReadBlock]:
    """Group values into as few read requests as the profile's limits allow."""
    ordered = sorted(specs, key=lambda s: (s.table, s.address or 0, s.count))
    blocks: list[ReadBlock] = []
    for spec in ordered:
        assert spec.address is not None
        if blocks and not one_value_per_read:
            last = blocks[-1]
            end = last.address + last.count
            new_end = max(end, spec.end)
            gap_start, gap_end = end, spec.address - 1
            touches_forbidden = any(
                gap_start <= f_end and gap_end >= f_start for f_start, f_end in forbidden
            )
            if (
                spec.table == last.table
                and spec.address - end <= max_gap
                and new_end - last.address <= max_registers
                and not touches_forbidden
            ):
                blocks[-1] = ReadBlock(
                    last.table, last.address, new_end - last.address, (*last.specs, spec)
                )
                continue
        blocks.append(ReadBlock(spec.table, spec.address, spec.count, (spec,)))
    return blocks


def decode_raw(spec: ValueSpec, registers: Sequence[int]) -> Any:
    """Decode one value before map and scale; None when the box says "not available"."""
    if spec.data_type == "string":
        text = decode_string(
            registers, byte_order=spec.byte_order, chars_per_register=spec.chars_per_register
        )
        return text or None
    if spec.data_type == "bytes":
        return decode_hex(registers, byte_order=spec.byte_order) or None
    raw = decode_number(
        registers, spec.data_type, word_order=spec.word_order, byte_order=spec.byte_order
    )
    if isinstance(raw, float) and not math.isfinite(raw):
        return None
    if isinstance(raw, int) and raw in spec.sentinels:
        return None
    if spec.mask is not None and isinstance(raw, int):
        raw = (raw >> spec.shift) & spec.mask
    if spec.as_hex:
        return f"{int(raw):0{TYPE_REGISTERS[spec.data_type] * 4}X}" if raw else None
    return raw


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
        except (TimeoutError, OSError, ModbusException):
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

    async def write(self, address: int, values: list[int], unit: int) -> None:
        """Write holding registers (FC16, which every profiled box accepts)."""
        async with self._lock:
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


class ModbusWallboxClient(WallboxClient):
    """A wallbox read over Modbus TCP."""

    def __init__(
        self, profile: WallboxProfile, pool: ModbusLinkPool, host: str, port: int, unit_id: int
    ) -> None:
        """Plan the read blocks once; connect lazily."""
        super().__init__(profile)
        self._pool = pool
        self._link = pool.acquire(host, port)
        self.unit_id = unit_id
        self.blocks = self._plan(profile.values.values())
        self._identity_blocks = self._plan(profile.identity.values())

    def _plan(self, specs: Iterable[ValueSpec]) -> list[ReadBlock]:
        profile = self.profile
        return plan_blocks(
            specs,
            max_registers=profile.max_registers_per_read,
            max_gap=profile.max_gap,
            one_value_per_read=profile.one_value_per_read,
            forbidden=profile.forbidden,
        )

    @property
    def requests_sent(self) -> int:
        """Return requests sent on this box's connection (benchmarks)."""
        return self._link.requests

    async def _read_blocks(self, blocks: list[ReadBlock]) -> dict[str, Any]:
        """Read the blocks and return raw values by name."""
        values: dict[str, Any] = {}
        for index, block in enumerate(blocks):
            if index and self.profile.request_delay_s:
                await asyncio.sleep(self.profile.request_delay_s)
            registers = await self._link.read(block.table, block.address, block.count, self.unit_id)
            for spec in block.specs:
                offset = spec.address - block.address  # type: ignore[operator]
                try:
                    values[spec.name] = decode_raw(spec, registers[offset : offset + spec.count])
                except DecodeError as err:
                    raise WallboxResponseError(f"{spec.name}: {err}") from err
        return values

    async def read(self) -> Reading:
        """Poll every value."""
        raw = await self._read_blocks(self.blocks)
        return reading_from_raw(self.profile, raw)

    async def read_identity(self) -> DeviceIdentity:
        """Read serial and firmware strings."""
        raw = await self._read_blocks(self._identity_blocks)
        values = {name: convert_raw(self.profile.identity[name], v) for name, v in raw.items()}
        return DeviceIdentity(
            serial=_text(values.get("serial")), firmware=_text(values.get("firmware"))
        )

    async def _write(self, write: ModbusWrite, value: float) -> None:
        registers = encode_number(value, write.data_type, word_order=write.word_order)
        await self._link.write(write.address, registers, self.unit_id)

    async def _write_current_limit(self, amps: float) -> None:
        assert self.profile.current_limit is not None
        write = self.profile.current_limit.write
        assert isinstance(write, ModbusWrite)
        await self._write(write, amps / write.scale)

    async def _write_enabled(self, enabled: bool) -> None:
        write = self.profile.enable
        assert isinstance(write, ModbusWrite)
        await self._write(write, write.on if enabled else write.off)

    async def _write_keepalive(self) -> None:
        assert self.profile.keepalive is not None
        write = self.profile.keepalive.write
        await self._write(write, write.value)

    async def close(self) -> None:
        """Release the shared link."""
        self._pool.release(self._link)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
