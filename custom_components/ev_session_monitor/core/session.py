"""Charging-session tracking from a stream of readings.

Energy comes from the box's lifetime meter (delta since plug-in) when it has one, else from
its session counter, else from integrating power. Counter deltas survive polling gaps,
counter resets, reboots and meter wrap-around; physically impossible jumps are rejected.
Each energy increment is priced at the price in force when the interval began, so a session
across a tariff change is priced piecewise.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .model import ChargerStatus, Reading, SessionRecord

_LOGGER = logging.getLogger(__name__)

SOURCE_METER = "meter"
SOURCE_SESSION_COUNTER = "session_counter"
SOURCE_POWER = "power"
# Rounding of Wh registers and poll jitter must not look like an impossible jump.
PLAUSIBILITY_SLACK_WH = 10.0
PLAUSIBILITY_FACTOR = 1.1
# After this many impossible readings in a row the counter really moved (meter swap): rebase.
MAX_REJECTED_IN_A_ROW = 3
MIN_CHARGING_POWER_W = 50.0


@dataclass(slots=True)
class OpenSession:
    """A session in progress; persisted so it survives a Home Assistant restart."""

    session_id: str
    started_at: datetime
    last_at: datetime
    source: str
    energy_wh: float = 0.0
    cost: float = 0.0
    priced: bool = True  # False once any increment had no known price
    currency: str | None = None
    charging_s: float = 0.0
    peak_power_w: float | None = None
    tag_id: str | None = None
    gaps: int = 0
    last_lifetime_wh: float | None = None
    last_session_wh: float | None = None
    last_power_w: float | None = None
    last_charging: bool = False
    price_per_kwh: float | None = None
    rejected_in_a_row: int = 0
    restored: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serializable dict."""
        data = {name: getattr(self, name) for name in self.__slots__}
        data["started_at"] = self.started_at.isoformat()
        data["last_at"] = self.last_at.isoformat()
        del data["restored"]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OpenSession:
        """Inverse of to_dict; raises KeyError/ValueError/TypeError on a damaged record."""
        values = dict(data)
        values["started_at"] = datetime.fromisoformat(values["started_at"])
        values["last_at"] = datetime.fromisoformat(values["last_at"])
        known = set(cls.__slots__)
        session = cls(**{key: value for key, value in values.items() if key in known})
        session.restored = True
        return session


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


type SessionEvent = SessionStarted | SessionCompleted | TagPresented


@dataclass(slots=True)
class MeterSpec:
    """What the tracker must know about the box's counters."""

    max_power_w: float
    lifetime_wrap_wh: float | None = None  # value at which the lifetime register wraps
    finished_ends_session: bool = False


def _counter_delta(previous: float, current: float, wrap: float | None) -> tuple[float, str]:
    """Energy between two counter values, and how it was derived."""
    if current >= previous:
        return current - previous, "normal"
    if wrap is not None and previous > wrap * 0.9 and current < wrap * 0.1:
        return wrap - previous + current, "wrap"
    # The counter restarted from zero (reset, reboot, phase switch): it counted `current` since.
    return current, "reset"


@dataclass(slots=True)
class SessionTracker:
    """Turns readings into sessions for one wallbox."""

    charger_id: str
    charger_name: str
    meter: MeterSpec
    gap_s: float  # a poll interval longer than this is a gap
    open: OpenSession | None = None
    rejected: list[str] = field(default_factory=list)  # recent rejection reasons (diagnostics)
    # Energy and cost counted since this tracker was created (feeds the lifetime totals).
    counted_wh: float = 0.0
    counted_cost: float = 0.0

    def restore(self, session: OpenSession) -> None:
        """Adopt a session persisted before a restart; the next reading decides its fate."""
        self.open = session

    def update(
        self,
        reading: Reading,
        now: datetime,
        *,
        price_per_kwh: float | None,
        currency: str | None,
    ) -> list[SessionEvent]:
        """Feed one reading; return what happened."""
        events: list[SessionEvent] = []
        session = self.open
        if session is not None and session.restored:
            session.restored = False
            if not self._same_session(session, reading):
                events.append(SessionCompleted(self._close(session, session.last_at)))
                session = None
        if session is not None:
            self._account(session, reading, now, price_per_kwh)
            if self._ends(reading):
                events.append(SessionCompleted(self._close(session, now)))
                return events
            if session.tag_id is None and reading.tag:
                session.tag_id = reading.tag
                events.append(TagPresented(session, reading.tag))
            session.price_per_kwh = price_per_kwh
            if currency is not None:
                session.currency = currency
            return events
        if self._starts(reading):
            session = self._start(reading, now, price_per_kwh, currency)
            events.append(SessionStarted(session))
            if reading.tag:
                session.tag_id = reading.tag
                events.append(TagPresented(session, reading.tag))
        return events

    # --- lifecycle ---------------------------------------------------------------------

    def _starts(self, reading: Reading) -> bool:
        if reading.status is None:
            return (reading.power_w or 0) >= MIN_CHARGING_POWER_W
        if reading.status is ChargerStatus.FINISHED and self.meter.finished_ends_session:
            return False
        return reading.vehicle_present

    def _ends(self, reading: Reading) -> bool:
        if reading.status is ChargerStatus.IDLE:
            return True
        return reading.status is ChargerStatus.FINISHED and self.meter.finished_ends_session

    def _same_session(self, session: OpenSession, reading: Reading) -> bool:
        """After a restart: is the box still in the session we persisted?"""
        if not reading.vehicle_present:
            return False
        if session.tag_id and reading.tag and reading.tag != session.tag_id:
            return False
        if (
            session.source == SOURCE_SESSION_COUNTER
            and reading.session_energy_wh is not None
            and session.last_session_wh is not None
            and reading.session_energy_wh < session.last_session_wh
        ):
            return False
        return not (
            reading.lifetime_energy_wh is not None
            and session.last_lifetime_wh is not None
            and reading.lifetime_energy_wh < session.last_lifetime_wh
            and self.meter.lifetime_wrap_wh is None
        )

    def _start(
        self, reading: Reading, now: datetime, price: float | None, currency: str | None
    ) -> OpenSession:
        if reading.lifetime_energy_wh is not None:
            source = SOURCE_METER
        elif reading.session_energy_wh is not None:
            source = SOURCE_SESSION_COUNTER
        else:
            source = SOURCE_POWER
        session = OpenSession(
            session_id=uuid.uuid4().hex,
            started_at=now,
            last_at=now,
            source=source,
            currency=currency,
            last_lifetime_wh=reading.lifetime_energy_wh,
            last_session_wh=reading.session_energy_wh,
            last_power_w=reading.power_w,
            last_charging=reading.charging,
            peak_power_w=reading.power_w,
            price_per_kwh=price,
        )
        self.open = session
        return session

    def _close(self, session: OpenSession, ended_at: datetime) -> SessionRecord:
        self.open = None
        return to_record(session, ended_at, self.charger_id, self.charger_name)

    # --- energy ------------------------------------------------------------------------

    def _account(
        self, session: OpenSession, reading: Reading, now: datetime, price_now: float | None
    ) -> None:
        """Add the energy delivered since the previous reading."""
        elapsed_s = (now - session.last_at).total_seconds()
        if elapsed_s <= 0:
            return
        delta = self._energy_delta(session, reading, elapsed_s)
        if delta is None:
            return  # rejected: keep the old baseline, the next good reading covers this time
        if delta > 0:
            session.energy_wh += delta
            self.counted_wh += delta
            # The price in force when the interval began; if none was known then (a tag with
            # its own price shown only now, a price sensor just back), the price known now.
            price = session.price_per_kwh if session.price_per_kwh is not None else price_now
            if price is None:
                session.priced = False
            else:
                cost = delta / 1000 * price
                session.cost += cost
                self.counted_cost += cost
        # Energy flowed, or the box said "charging" at both ends: this interval was charging.
        if delta > 0 or (session.last_charging and reading.charging):
            session.charging_s += elapsed_s
        if reading.power_w is not None:
            session.peak_power_w = max(session.peak_power_w or 0.0, reading.power_w)
        session.last_power_w = reading.power_w
        session.last_charging = reading.charging
        session.last_at = now

    def _energy_delta(
        self, session: OpenSession, reading: Reading, elapsed_s: float
    ) -> float | None:
        """Energy for this interval from the session's source; None = reject the reading."""
        gap = elapsed_s > self.gap_s
        if session.source == SOURCE_POWER:
            if gap or session.last_power_w is None:
                session.gaps += 1 if gap else 0
                return 0.0
            return session.last_power_w * elapsed_s / 3600
        if session.source == SOURCE_METER:
            current, previous = reading.lifetime_energy_wh, session.last_lifetime_wh
            wrap = self.meter.lifetime_wrap_wh
        else:
            current, previous = reading.session_energy_wh, session.last_session_wh
            wrap = None
        if current is None:
            return None  # not available now; the counter keeps counting meanwhile
        if previous is None:
            self._rebase(session, reading)
            return 0.0
        delta, how = _counter_delta(previous, current, wrap)
        limit = self.meter.max_power_w * elapsed_s / 3600 * PLAUSIBILITY_FACTOR
        if delta > limit + PLAUSIBILITY_SLACK_WH:
            session.rejected_in_a_row += 1
            reason = (
                f"{session.source} jumped {previous:.0f} -> {current:.0f} Wh in {elapsed_s:.0f} s"
                f" ({how}); more than {self.meter.max_power_w:.0f} W can deliver"
            )
            self.rejected.append(reason)
            del self.rejected[:-20]
            _LOGGER.warning("%s: reading rejected: %s", self.charger_name, reason)
            if session.rejected_in_a_row >= MAX_REJECTED_IN_A_ROW:
                _LOGGER.warning("%s: counter moved for good; counting from here", self.charger_name)
                self._rebase(session, reading)
                session.gaps += 1
                return 0.0
            return None
        if how != "normal":
            _LOGGER.info("%s: %s counter %s detected", self.charger_name, session.source, how)
        session.rejected_in_a_row = 0
        self._rebase(session, reading)
        return delta

    @staticmethod
    def _rebase(session: OpenSession, reading: Reading) -> None:
        session.rejected_in_a_row = 0
        if reading.lifetime_energy_wh is not None:
            session.last_lifetime_wh = reading.lifetime_energy_wh
        if reading.session_energy_wh is not None:
            session.last_session_wh = reading.session_energy_wh


def time_to_full_s(remaining_wh: float | None, power_w: float | None) -> float | None:
    """Seconds until `remaining_wh` more energy is delivered at the present power."""
    if remaining_wh is None or power_w is None or power_w < MIN_CHARGING_POWER_W:
        return None
    return max(remaining_wh, 0.0) / power_w * 3600


def to_record(
    session: OpenSession, ended_at: datetime, charger_id: str, charger_name: str
) -> SessionRecord:
    """The record of a session ending at `ended_at` (also a live view of an open one)."""
    charging_h = session.charging_s / 3600
    return SessionRecord(
        session_id=session.session_id,
        charger_id=charger_id,
        charger_name=charger_name,
        started_at=session.started_at,
        ended_at=max(ended_at, session.started_at),
        charging_s=session.charging_s,
        energy_wh=session.energy_wh,
        cost=session.cost if session.priced else None,
        currency=session.currency,
        avg_power_w=session.energy_wh / charging_h if charging_h > 0 else None,
        peak_power_w=session.peak_power_w,
        tag_id=session.tag_id,
        tag_name=None,
        energy_source=session.source,
        gaps=session.gaps,
    )
