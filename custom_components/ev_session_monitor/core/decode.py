"""Turn Modbus registers into values and back, for every data type a profile can declare."""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from typing import Literal

type DataType = Literal[
    "uint16", "int16", "uint32", "int32", "float32", "float64", "uint64", "string", "bytes"
]
type Order = Literal["big", "little"]

# Registers one value of each numeric type spans.
TYPE_REGISTERS: dict[str, int] = {
    "uint16": 1,
    "int16": 1,
    "uint32": 2,
    "int32": 2,
    "float32": 2,
    "float64": 4,
    "uint64": 4,
}
_STRUCT: dict[str, str] = {
    "uint16": ">H",
    "int16": ">h",
    "uint32": ">I",
    "int32": ">i",
    "float32": ">f",
    "float64": ">d",
    "uint64": ">Q",
}


class DecodeError(ValueError):
    """Registers that cannot be what the profile says they are."""


def registers_to_bytes(
    registers: Sequence[int], *, word_order: Order = "big", byte_order: Order = "big"
) -> bytes:
    """Concatenate registers into bytes, most significant first."""
    # One struct call and one bytes object: this runs for every value of every poll.
    words = registers if word_order == "big" else registers[::-1]
    try:
        return struct.pack(f"{'<' if byte_order == 'little' else '>'}{len(words)}H", *words)
    except struct.error as err:
        bad = next((word for word in words if not 0 <= word <= 0xFFFF), words)
        raise DecodeError(f"register value {bad} is not a 16-bit word") from err


def bytes_to_registers(
    data: bytes, *, word_order: Order = "big", byte_order: Order = "big"
) -> list[int]:
    """Inverse of registers_to_bytes (data length must be even)."""
    words = []
    for index in range(0, len(data), 2):
        pair = data[index : index + 2]
        if byte_order == "little":
            pair = pair[::-1]
        words.append(int.from_bytes(pair, "big"))
    if word_order == "little":
        words.reverse()
    return words


def decode_number(
    registers: Sequence[int],
    data_type: DataType,
    *,
    word_order: Order = "big",
    byte_order: Order = "big",
) -> int | float:
    """Decode a numeric value; floats may come back as NaN or infinity."""
    expected = TYPE_REGISTERS[data_type]
    if len(registers) != expected:
        raise DecodeError(f"{data_type} needs {expected} registers, got {len(registers)}")
    raw = registers_to_bytes(registers, word_order=word_order, byte_order=byte_order)
    value: int | float = struct.unpack(_STRUCT[data_type], raw)[0]
    return value


def encode_number(
    value: float,
    data_type: DataType,
    *,
    word_order: Order = "big",
    byte_order: Order = "big",
) -> list[int]:
    """Encode a numeric value into registers (integers are rounded and clamped to the type)."""
    fmt = _STRUCT[data_type]
    if data_type.startswith("float"):
        raw = struct.pack(fmt, float(value))
    else:
        bits = TYPE_REGISTERS[data_type] * 16
        signed = data_type.startswith("int")
        low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
        raw = struct.pack(fmt, min(max(round(value), low), high))
    return bytes_to_registers(raw, word_order=word_order, byte_order=byte_order)


def decode_string(
    registers: Sequence[int], *, byte_order: Order = "big", chars_per_register: int = 2
) -> str:
    """Decode text: two ASCII bytes per register, or one character per register.

    The text ends at its first NUL: what follows may be left over from a longer earlier value
    (openWB's Modbus server writes only the registers a new tag needs and zeroes only the first
    register for "no tag"). Space padding is stripped; bytes that are not printable ASCII are
    dropped, so a garbled register never yields control characters.
    """
    if chars_per_register == 1:
        codes = list(registers)
    else:
        codes = list(registers_to_bytes(registers, byte_order=byte_order))
    if 0 in codes:
        codes = codes[: codes.index(0)]
    return "".join(chr(code) for code in codes if 0x20 <= code < 0x7F).strip()


def encode_string(
    text: str, count: int, *, byte_order: Order = "big", chars_per_register: int = 2
) -> list[int]:
    """Encode text into `count` registers, NUL padded (inverse of decode_string)."""
    data = text.encode("ascii", errors="replace")
    if chars_per_register == 1:
        return [*(b for b in data[:count]), *([0] * max(0, count - len(data)))]
    padded = data[: count * 2].ljust(count * 2, b"\0")
    return bytes_to_registers(padded, byte_order=byte_order)


def decode_hex(registers: Sequence[int], *, byte_order: Order = "big") -> str:
    """Raw bytes as uppercase hex; trailing zero bytes (padding of short UIDs) are dropped."""
    raw = registers_to_bytes(registers, byte_order=byte_order).rstrip(b"\0")
    return raw.hex().upper()


def encode_hex(text: str, count: int, *, byte_order: Order = "big") -> list[int]:
    """Inverse of decode_hex."""
    raw = bytes.fromhex(text)[: count * 2].ljust(count * 2, b"\0")
    return bytes_to_registers(raw, byte_order=byte_order)


def is_not_a_number(value: float) -> bool:
    """Return True for NaN and infinities (float32 'not available' markers)."""
    return isinstance(value, float) and not math.isfinite(value)
