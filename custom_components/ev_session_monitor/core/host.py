"""Host names and addresses typed by the user, checked before any connection is tried.

Resolvers fail on bad names with exceptions no transport expects (idna's UnicodeError for a
label over 63 characters, ValueError for a NUL), so names are held to RFC 1123 first.
"""

from __future__ import annotations

import ipaddress
import re

__all__ = ["HOST_MAX_LENGTH", "InvalidHostError", "validate_host"]

HOST_MAX_LENGTH = 253  # RFC 1035: a full domain name in text form
# RFC 1123 labels; underscores too, as some home routers hand them out in DHCP names.
_LABEL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?")


class InvalidHostError(ValueError):
    """Not an IP address or a host name that can be resolved."""


def validate_host(raw: str) -> str:
    """Return the host without surrounding blanks; raise InvalidHostError saying what is wrong."""
    host = raw.strip()
    if not host:
        raise InvalidHostError("the host is empty")
    if len(host) > HOST_MAX_LENGTH + 2:  # room for IPv6 brackets or a final dot
        raise InvalidHostError(f"the host is longer than {HOST_MAX_LENGTH} characters")
    address = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        ipaddress.ip_address(address)
    except ValueError:
        pass
    else:
        return host
    name = host.removesuffix(".")
    try:
        ascii_name = name.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidHostError("the host is not a valid host name") from None
    if len(ascii_name) > HOST_MAX_LENGTH:
        raise InvalidHostError(f"the host is longer than {HOST_MAX_LENGTH} characters")
    if not all(_LABEL.fullmatch(label) for label in ascii_name.split(".")):
        raise InvalidHostError(
            "the host is not a valid host name (letters, digits and '-' between dots, at most"
            " 63 characters between two dots)"
        )
    return host
