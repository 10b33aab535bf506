"""Modbus registers to values: read requests planned from a profile, and raw values decoded.

Neighbouring registers are merged into as few read requests as the profile's limits allow.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .decode import TYPE_REGISTERS, decode_hex, decode_number, decode_string
from .profile import ValueSpec
from .reading import convert_raw


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
    size = TYPE_REGISTERS[spec.data_type]
    total: int | float = 0
    for start in range(0, spec.count, size):
        raw = decode_number(
            registers[start : start + size],
            spec.data_type,
            word_order=spec.word_order,
            byte_order=spec.byte_order,
        )
        if isinstance(raw, float) and not math.isfinite(raw):
            return None
        if isinstance(raw, int) and raw in spec.sentinels:
            return None
        total += raw
    raw = total
    if spec.mask is not None and isinstance(raw, int):
        raw = (raw >> spec.shift) & spec.mask
    if spec.as_hex:
        return f"{int(raw):0{TYPE_REGISTERS[spec.data_type] * 4}X}" if raw else None
    return raw


def identity_text(spec: ValueSpec, value: Any) -> str | None:
    """Serial or firmware as text; numeric firmware versions in dotted form."""
    if value is None:
        return None
    if isinstance(value, int) and spec.text_format == "version_bytes":
        # KEBA P30: one byte each for major, minor and patch (0x030A0D00 = 3.10.13).
        return ".".join(str(byte) for byte in value.to_bytes(4, "big")[:3])
    if isinstance(value, int) and spec.text_format == "version_decimal":
        # KEBA P40: major * 10000 + minor * 100 + patch (10201 = 1.2.1).
        return f"{value // 10000}.{value // 100 % 100}.{value % 100}"
    return _text(convert_raw(spec, value))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
