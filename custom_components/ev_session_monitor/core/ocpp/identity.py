"""The charge point's identity, read from the websocket URL path.

OCPP-J 1.6 (the connection URL) puts the charge point identity as the last path segment
of the central system's URL. Some boxes only accept a URL with a fixed prefix (SteVe's), so a few
prefixes are allowed before the identity.
"""

from __future__ import annotations

from urllib.parse import unquote

# OCPP limits a charge point identity to 48 characters (a CiString48).
MAX_IDENTITY_LENGTH = 48

PATH_PREFIXES: tuple[tuple[str, ...], ...] = (
    (),
    ("ocpp",),
    ("steve", "websocket", "CentralSystemService"),
)


class IdentityError(ValueError):
    """The URL path names no acceptable charge point identity; the message says why."""


def _check_identity(identity: str) -> str:
    if not identity:
        raise IdentityError("the path names no charge point id")
    if len(identity) > MAX_IDENTITY_LENGTH:
        raise IdentityError(
            f"the charge point id has {len(identity)} characters, "
            f"more than OCPP's {MAX_IDENTITY_LENGTH}"
        )
    if "/" in identity:
        raise IdentityError("the charge point id contains '/'")
    if ".." in identity:
        raise IdentityError("the charge point id contains '..'")
    if "\x00" in identity:
        raise IdentityError("the charge point id contains a NUL character")
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in identity):
        raise IdentityError("the charge point id contains a control character")
    return identity


def validate_charge_point_id(identity: str) -> str:
    """Return `identity` if a charge point may connect with it; else raise IdentityError."""
    return _check_identity(identity)


def identity_from_path(raw_path: str) -> str:
    """Return the charge point id in a raw (still percent-encoded) request path."""
    path = raw_path.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/"):
        raise IdentityError("the path does not start with '/'")
    segments = path[1:].split("/")
    *prefix, encoded = segments
    if tuple(prefix) not in PATH_PREFIXES:
        raise IdentityError(
            "the path is not /<id>, /ocpp/<id> or /steve/websocket/CentralSystemService/<id>"
        )
    try:
        identity = unquote(encoded, errors="strict")
    except UnicodeDecodeError as err:
        raise IdentityError("the charge point id is not UTF-8") from err
    return _check_identity(identity)
