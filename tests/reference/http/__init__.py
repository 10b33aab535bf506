"""Answers of HTTP wallboxes, written by hand from vendor documents, and what they mean.

Nothing here is generated from our profiles: each body was typed from the document or driver
its comment names, and each expected value was worked out by hand from that document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ReferenceCase:
    """One state of a box: the bodies it answers per path and what a user must see."""

    case_id: str
    # path -> (HTTP status, body text); a path not listed answers 404.
    bodies: dict[str, tuple[int, str]]
    # Reading field -> value; every field not listed must be None (or all-None phases).
    expected: dict[str, Any] = field(default_factory=dict)
