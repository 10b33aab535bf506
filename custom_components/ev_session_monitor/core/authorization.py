"""Who is charging: tag attempts, authorization state, suspicious activity, enforcement.

No studied wallbox reports a rejected card, so the integration owns the list of known tags
and infers attempts: a new tag shown by the box (or a new card read, on boxes that expose
every read) is one attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .model import ChargerStatus, Reading
from .tags import AttemptWindow, KnownTag, TagRegistry


class AuthState(StrEnum):
    """The authorization state sensor's options."""

    NO_VEHICLE = "no_vehicle"
    WAITING = "waiting_for_authorization"
    AUTHORIZED = "authorized"
    UNKNOWN_TAG = "unknown_tag"
    NOT_REQUIRED = "not_required"


@dataclass(frozen=True, slots=True)
class TagAttempt:
    """A card was presented."""

    tag_id: str
    known: KnownTag | None  # None: not in the registry, blocked, or not allowed on this wallbox
    attempts_in_window: int  # unknown attempts within the window, this one included
    suspicious: bool  # this attempt crossed the suspicious-activity threshold
    blocked: bool = False  # a known card an administrator blocked (refused as an unknown one)


@dataclass(frozen=True, slots=True)
class UnauthorizedCharging:
    """Energy flows without a tag on a box that should require one."""


type AuthEvent = TagAttempt | UnauthorizedCharging


class AuthorizationMonitor:
    """Follows one wallbox's tags and decides what the authorization state is."""

    def __init__(
        self,
        charger_id: str,
        *,
        threshold: int,
        window: timedelta,
        requires_authorization: bool,
        enforce: bool,
    ) -> None:
        """Start without bearings: the first reading only records where the box is."""
        self.charger_id = charger_id
        self.requires_authorization = requires_authorization
        self.enforce = enforce
        self.window = AttemptWindow(threshold, window)
        self.state = AuthState.NO_VEHICLE
        self.session_tag: KnownTag | None = None
        self.last_tag_id: str | None = None
        self.last_unknown_tag_id: str | None = None
        self._bearings = False
        self._last_seen_tag: str | None = None
        self._last_marker: float | None = None
        self._unauthorized_reported = False
        # Boxes that show every card read keep showing the last one after unplugging; only a
        # read during this plug-in counts for them.
        self._presented: str | None = None
        self.current_tag: str | None = None  # the tag presented during this plug-in

    def update(self, reading: Reading, registry: TagRegistry, now: datetime) -> list[AuthEvent]:
        """Feed one reading (its tag already sanitized)."""
        events: list[AuthEvent] = []
        tag = reading.tag
        new_attempt = False
        if reading.tag_read_marker is not None:
            new_attempt = self._bearings and reading.tag_read_marker != self._last_marker
            self._last_marker = reading.tag_read_marker
        elif tag is not None:
            new_attempt = self._bearings and tag != self._last_seen_tag
        self._last_seen_tag = tag
        first_reading = not self._bearings
        self._bearings = True

        if tag is not None and (new_attempt or first_reading):
            known = registry.get(tag)
            blocked = known is not None and known.blocked
            if known is not None and not known.allowed_on(self.charger_id):
                known = None
            self.last_tag_id = tag
            self._presented = tag
            if known is not None:
                self.session_tag = known
            else:
                self.last_unknown_tag_id = tag
            if new_attempt:
                count = self.window.record(now) if known is None else self.window.attempts(now)
                events.append(
                    TagAttempt(
                        tag_id=tag,
                        known=known,
                        attempts_in_window=count,
                        suspicious=known is None and self.window.crossed,
                        blocked=blocked,
                    )
                )
        if not reading.vehicle_present:
            self.session_tag = None
            self._presented = None
            self._unauthorized_reported = False

        if not reading.vehicle_present:
            self.current_tag = None
        elif reading.tag_read_marker is None:
            self.current_tag = tag
        else:
            self.current_tag = self._presented
        self.state = self._state(reading)
        if (
            self.requires_authorization
            and reading.charging
            and self.session_tag is None
            and not self._unauthorized_reported
        ):
            self._unauthorized_reported = True
            events.append(UnauthorizedCharging())
        return events

    def _state(self, reading: Reading) -> AuthState:
        if not reading.vehicle_present:
            return AuthState.NO_VEHICLE
        if self.session_tag is not None:
            return AuthState.AUTHORIZED
        if self.current_tag is not None:
            return AuthState.UNKNOWN_TAG
        if (
            reading.status is ChargerStatus.WAITING_FOR_AUTHORIZATION
            or self.enforce
            or (self.requires_authorization and not reading.charging)
        ):
            return AuthState.WAITING
        return AuthState.NOT_REQUIRED

    def tag_learned(self, tag: KnownTag) -> None:
        """A card was just admitted: if it is the one presented now, the session is authorized."""
        if self.current_tag == tag.tag_id:
            self.session_tag = tag
            self.state = AuthState.AUTHORIZED
        if self.last_unknown_tag_id == tag.tag_id:
            self.last_unknown_tag_id = None

    def registry_changed(self, registry: TagRegistry) -> bool:
        """The known tags changed: admit the card waiting here if it is now known and allowed.

        Without this a card added while it waits at the box stays "unknown" until it is
        presented again, which a box that keeps showing the card never reports as a new read.
        Return True when the card waiting here became authorized.
        """
        if self.current_tag is None or self.session_tag is not None:
            return False
        known = registry.get(self.current_tag)
        if known is None or not known.allowed_on(self.charger_id):
            return False
        self.tag_learned(known)
        return True

    def release_allowed(self, reading: Reading) -> bool:
        """Enforcement: may the box deliver current now?"""
        return reading.vehicle_present and self.session_tag is not None
