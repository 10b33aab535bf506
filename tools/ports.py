"""TCP ports for the Home Assistant processes that tests and benchmarks start."""

from __future__ import annotations

import random
import socket
from pathlib import Path

_PORTS_GIVEN: set[int] = set()


def free_port() -> int:
    """A free TCP port below the kernel's ephemeral range, never given twice in this process.

    A port the kernel picks (bind to 0) comes from the range it also takes the local ports of
    outgoing connections from: between picking it and Home Assistant binding it, a Modbus
    client's connection took one once, and that Home Assistant started without HTTP. Ports
    below the range are only ever taken on purpose.
    """
    ephemeral_low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    candidates = list(range(max(1024, ephemeral_low - 10_000), ephemeral_low))
    random.shuffle(candidates)
    for port in candidates:
        if port in _PORTS_GIVEN:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("", port))
            except OSError:
                continue
        _PORTS_GIVEN.add(port)
        return port
    raise OSError("no free TCP port below the ephemeral range")
