"""Hosts typed by the user are checked before any connection (issue 11 item 10)."""

from __future__ import annotations

import pytest

from custom_components.ev_session_monitor.core.host import InvalidHostError, validate_host


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("192.168.1.20", "192.168.1.20"),
        (" wallbox.local ", "wallbox.local"),
        ("fe80::1", "fe80::1"),
        ("[fe80::1]", "[fe80::1]"),
        ("garage-box", "garage-box"),
        ("my_box.fritz.box.", "my_box.fritz.box."),
        ("wallbox-ä.local", "wallbox-ä.local"),  # internationalized names encode to punycode
        ("a" * 63 + ".local", "a" * 63 + ".local"),
    ],
)
def test_usable_hosts(raw: str, expected: str) -> None:
    assert validate_host(raw) == expected


# The first three raised UnicodeEncodeError (idna: label too long) and ValueError (NUL) in the
# Modbus client, which reached the user as HTTP 500.
@pytest.mark.parametrize(
    "raw",
    [
        "a" * 64 + ".local",
        "x" * 10_000,
        "wall\0box",
        "",
        "   ",
        "wall box",
        "-garage",
        "garage-",
        "a..b",
        "http://wallbox",
        "wallbox:502",
        ".".join(["abcdefghij"] * 24),  # 263 characters
    ],
)
def test_unusable_hosts(raw: str) -> None:
    with pytest.raises(InvalidHostError):
        validate_host(raw)
