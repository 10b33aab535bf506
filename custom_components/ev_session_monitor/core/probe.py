"""Finding which model a box is: discovery matchers, and a careful Modbus probe.

Discovery (zeroconf, DHCP) names candidate profiles from what the network announced. A box
that announces nothing is probed: for every Modbus profile that lists `probe` checks, only
those identification registers are read (a profile lists the registers its vendor documents
and that are safe to read; some boxes drop the connection on a register they lack), and the
profiles whose checks all hold are the matches. Nothing here writes to a box.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatch

from .decode import DecodeError
from .errors import WallboxError
from .modbus_link import ModbusLink
from .modbus_registers import decode_raw, identity_text
from .profile import ProbeCheck, WallboxProfile
from .reading import convert_raw

PROBE_TIMEOUT_S = 3.0


def zeroconf_candidates(profiles: Iterable[WallboxProfile], service_type: str) -> list[str]:
    """Return the ids of the profiles announcing this zeroconf service type."""
    return [
        profile.profile_id
        for profile in profiles
        if service_type.lower() in profile.discovery.zeroconf
    ]


def normalize_mac(macaddress: str) -> str:
    """Return a MAC address as Home Assistant's DHCP matchers see it: 12 upper-case hex digits."""
    return re.sub(r"[^0-9A-Fa-f]", "", macaddress).upper()


def dhcp_candidates(
    profiles: Iterable[WallboxProfile], hostname: str, macaddress: str
) -> list[str]:
    """Return the ids of the profiles whose DHCP matcher fits, as Home Assistant matches them.

    Host names compare in lower case, MAC addresses as upper-case hex without separators,
    both with shell-style wildcards; every field a matcher gives must fit.
    """
    host = hostname.lower()
    mac = normalize_mac(macaddress)
    found: list[str] = []
    for profile in profiles:
        for matcher in profile.discovery.dhcp:
            if matcher.hostname is not None and not fnmatch(host, matcher.hostname):
                continue
            if matcher.macaddress is not None and not fnmatch(mac, matcher.macaddress):
                continue
            found.append(profile.profile_id)
            break
    return found


@dataclass(frozen=True, slots=True)
class Detection:
    """What a probe of one host found."""

    matches: tuple[str, ...]  # profile ids, the most specific first
    reachable: bool  # something listened on at least one probed port


async def port_open(host: str, port: int, request_timeout_s: float = PROBE_TIMEOUT_S) -> bool:
    """Return whether a TCP connection to host:port opens (it is closed again at once)."""
    try:
        async with asyncio.timeout(request_timeout_s):
            _, writer = await asyncio.open_connection(host, port)
    except (OSError, TimeoutError, ValueError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


def _check_holds(check: ProbeCheck, raw: object) -> bool:
    if check.pattern is not None:
        text = "" if raw is None else str(raw)
        if not re.search(check.pattern, text, re.IGNORECASE):
            return False
    if check.minimum is None and check.maximum is None:
        return True
    number = convert_raw(check.spec, raw)
    if not isinstance(number, (int, float)) or isinstance(number, bool):
        return False
    if check.minimum is not None and number < check.minimum:
        return False
    return check.maximum is None or number <= check.maximum


async def _profile_matches(
    profile: WallboxProfile, host: str, port: int, unit_id: int, request_timeout_s: float
) -> bool:
    """Read this profile's probe registers, one request each, on a connection of its own."""
    link = ModbusLink(host, port, timeout=request_timeout_s)
    try:
        for check in profile.probe:
            spec = check.spec
            assert spec.address is not None
            unit = unit_id if check.unit_id is None else check.unit_id
            try:
                registers = await link.read(spec.table, spec.address, spec.count, unit)
                raw = decode_raw(spec, registers)
            except (WallboxError, DecodeError):
                return False  # refused, dropped or garbled: not this model
            if not _check_holds(check, raw):
                return False
        return True
    finally:
        link.close()


def _registers_checked(profile: WallboxProfile) -> int:
    return sum(check.spec.count for check in profile.probe)


async def detect_models(
    host: str,
    profiles: Iterable[WallboxProfile],
    *,
    port: int | None = None,
    unit_id: int | None = None,
    request_timeout_s: float = PROBE_TIMEOUT_S,
) -> Detection:
    """Probe a host for every Modbus profile with probe checks; return the ones that fit.

    Each profile is tried at `port` (else its default port) and `unit_id` (else its default
    unit id). A port nobody listens on is tried once, not once per profile.
    """
    candidates = [p for p in profiles if p.transport == "modbus" and p.probe]
    open_ports: dict[int, bool] = {}
    matches: list[WallboxProfile] = []
    for profile in candidates:
        target_port = port or profile.default_port
        if target_port not in open_ports:
            open_ports[target_port] = await port_open(host, target_port, request_timeout_s)
        if not open_ports[target_port]:
            continue
        unit = profile.default_unit_id if unit_id is None else unit_id
        if await _profile_matches(profile, host, target_port, unit, request_timeout_s):
            matches.append(profile)
    # More checks that held = a more specific match (Wallbe firmware before plain Phoenix); then
    # more registers that held (a 50-register Vestel firmware text before one Phoenix byte).
    matches.sort(key=lambda p: (-len(p.probe), -_registers_checked(p), p.name))
    return Detection(
        matches=tuple(p.profile_id for p in matches), reachable=any(open_ports.values())
    )


async def read_modbus_serial(
    profile: WallboxProfile,
    host: str,
    *,
    port: int | None = None,
    unit_id: int | None = None,
    request_timeout_s: float = PROBE_TIMEOUT_S,
) -> str | None:
    """Read only the serial number a Modbus profile names; None when it names none.

    Unlike the client's identification this runs no start-up writes: it is for a box that
    was discovered and that nobody has confirmed yet. Raises WallboxError when the read fails.
    """
    spec = profile.identity.get("serial")
    if spec is None or spec.address is None:
        return None
    link = ModbusLink(host, port or profile.default_port, timeout=request_timeout_s)
    try:
        unit = profile.default_unit_id if unit_id is None else unit_id
        if profile.identity_unit_id is not None:
            unit = profile.identity_unit_id  # the station unit of a box with several sockets
        registers = await link.read(spec.table, spec.address, spec.count, unit)
        try:
            return identity_text(spec, decode_raw(spec, registers))
        except DecodeError as err:
            raise WallboxError(f"serial: {err}") from err
    finally:
        link.close()
