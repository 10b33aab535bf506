"""Serve a register image written by hand (tests/reference/modbus/*.yaml) over Modbus TCP.

python -m tools.wallbox_simulator.images tests/reference/modbus/keba_p30.yaml charging --port 1502

An image file names its profile, its source document and cases; each case gives raw 16-bit
registers as {first address: [words]} per table, `illegal` address ranges the firmware lacks,
`one_value_per_read` for boxes that answer one value per request, and `units` for registers
on other unit ids of the same address. Nothing is derived from
a profile, so a profile can be checked against it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .servers import ModbusSimServer, RawImageBox


def raw_box(case: Mapping[str, Any]) -> RawImageBox:
    """Build the box one case of an image file describes."""
    return RawImageBox(
        case.get("holding", {}),
        case.get("input", {}),
        illegal=[(int(start), int(end)) for start, end in case.get("illegal", [])],
        one_value_per_read=bool(case.get("one_value_per_read", False)),
    )


def other_units(case: Mapping[str, Any]) -> dict[int, RawImageBox]:
    """Boxes on other unit ids of the same address (Alfen: the station registers on 200)."""
    return {int(unit): raw_box(image) for unit, image in case.get("units", {}).items()}


def load_case(path: Path, name: str) -> tuple[str, dict[str, Any]]:
    """Return the profile id and the named case of an image file."""
    image = yaml.safe_load(path.read_text(encoding="utf-8"))
    for case in image["cases"]:
        if case["name"] == name:
            return str(image["profile"]), case
    names = ", ".join(case["name"] for case in image["cases"])
    raise KeyError(f"{path}: no case '{name}'; cases: {names}")


async def _serve(args: argparse.Namespace) -> None:
    profile_id, case = load_case(Path(args.image), args.case)
    server = ModbusSimServer(args.host, args.port)
    box = raw_box(case)
    server.add_box(args.unit_id, box)
    for unit, other in other_units(case).items():
        server.add_box(unit, other)
    await server.start()
    logging.info(
        "Serving image %s / %s (profile %s) on %s:%s, unit id %s",
        args.image,
        args.case,
        profile_id,
        args.host,
        server.port,
        args.unit_id,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.stop()
    for write in box.register_writes:
        logging.info("received FC%s at %s: %s", write.function, write.address, list(write.words))


def main() -> None:
    """Parse arguments and serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("image", help="image file (tests/reference/modbus/<profile>.yaml)")
    parser.add_argument("case", help="case name in the file, e.g. idle or charging")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--unit-id", type=int, default=255)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
