"""What the tracker reports after a reading: a session started, got its tag, completed."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import SessionRecord
from .state import OpenSession


@dataclass(frozen=True, slots=True)
class SessionStarted:
    """A vehicle was plugged in (or started charging)."""

    session: OpenSession


@dataclass(frozen=True, slots=True)
class SessionCompleted:
    """A session ended and is ready to be recorded."""

    record: SessionRecord


@dataclass(frozen=True, slots=True)
class TagPresented:
    """The session got its tag (first time the box showed one during the session)."""

    session: OpenSession
    tag_id: str


@dataclass(frozen=True, slots=True)
class LimitExceeded:
    """The box delivered more than the profile's limit, consistently: the limit is wrong."""

    measured_power_w: float
    limit_w: float  # the limit in force now (raised to fit what was measured)


type SessionEvent = SessionStarted | SessionCompleted | TagPresented | LimitExceeded
