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


@dataclass(frozen=True)
class SessionPoll:
    """What a box is doing at one poll of the played session (tests/core/test_reference_session).

    Each reference module turns this into the bodies its box answers, with a template typed
    from the same source as its cases; nothing here knows the profile.
    """

    second: int
    phase: str  # "idle", "plugged", "charging", "paused" (by the box, on our request)
    power_w: float
    current_a: float  # per phase in use
    session_wh: int
    lifetime_wh: int
    tag: str | None  # the card the box shows, if it reads cards


SESSION_POWER_W = 11_040  # 3 x 16 A x 230 V: 184 Wh a minute
SESSION_TAG = "04a1b2c3"
SESSION_LIFETIME_AT_PLUG_IN_WH = 1_234_000


def played_session(*, reads_cards: bool) -> list[SessionPoll]:
    """Plug in, (card,) charge 10 min, pause 5 min, charge 5 min, unplug: 2.76 kWh, 15 min."""
    start = SESSION_LIFETIME_AT_PLUG_IN_WH
    card = SESSION_TAG if reads_cards else None
    polls = [SessionPoll(-60, "idle", 0, 0, 0, start, None)]
    polls += [SessionPoll(0, "plugged", 0, 0, 0, start, None)]
    polls += [SessionPoll(30, "plugged", 0, 0, 0, start, card)]
    for minute in range(1, 12):
        wh = 184 * (minute - 1)
        polls.append(
            SessionPoll(60 * minute, "charging", SESSION_POWER_W, 16, wh, start + wh, card)
        )
    for minute in range(12, 17):
        polls.append(SessionPoll(60 * minute, "paused", 0, 0, 1840, start + 1840, card))
    for minute in range(17, 23):
        wh = 1840 + 184 * (minute - 17)
        polls.append(
            SessionPoll(60 * minute, "charging", SESSION_POWER_W, 16, wh, start + wh, card)
        )
    polls.append(SessionPoll(60 * 23, "plugged", 0, 0, 2760, start + 2760, card))
    polls.append(SessionPoll(60 * 24, "idle", 0, 0, 2760, start + 2760, None))
    return polls
