"""Charging-session tracking from a stream of readings.

Energy is counted on the finer of the box's counters: its lifetime meter (delta since plug-in)
or its session counter (the meter first when they are equally fine), else on integrated power.
The other counter is the cross-check: it proves or refutes a restart of the counting one and
covers for it when that one cannot explain an interval. The box's counters are the truth:
deltas survive polling gaps, Home Assistant downtime, counter resets, reboots and meter
wrap-around.

A reading that no trusted baseline can explain (garbage, a register read mid-update, a burst
of readings that all say 0) is set aside, never rebased onto: the baseline stays and the first
reading consistent with it and the time elapsed carries all the energy since. Readings set
aside are believed only when they count steadily from their new place, as a real counter does;
values that stand still prove nothing. Readings above the profile's power limit that keep
agreeing with each other over several polls are real: the energy is kept, and the tracker
reports the measured power so the limit can be corrected (LimitExceeded).

Each energy increment is priced at the price in force when the interval began, so a session
across a tariff change is priced piecewise; energy with no price is counted separately.
"""

from __future__ import annotations

import logging
import math
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import pairwise
from typing import Any

from .model import ChargerStatus, Reading, SessionRecord
from .profile import WallboxProfile

_LOGGER = logging.getLogger(__name__)

SOURCE_METER = "meter"
SOURCE_SESSION_COUNTER = "session_counter"
SOURCE_POWER = "power"
# Rounding of Wh registers and poll jitter must not look like an impossible jump.
PLAUSIBILITY_SLACK_WH = 10.0
PLAUSIBILITY_FACTOR = 1.1
# Implausible readings that agree with each other this many polls in a row are believed.
CONFIRM_POLLS = 3
# Steps between confirming readings may differ this much (charging power is steady, garbage not).
CONFIRM_SPREAD = 1.5
# No AC wallbox delivers more (3 phases x 80 A x 250 V, rounded up): beyond this, garbage.
ABSOLUTE_MAX_POWER_W = 60_000.0
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
    unpriced_wh: float = 0.0  # energy delivered while no price was known
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
    unseen_s: float = 0.0  # time no energy could be measured (boxes without counters)
    # The vehicle was already there when first seen (Home Assistant started or the box was
    # added during the session): the start lies before started_at.
    start_uncertain: bool = False
    # Energy the box had counted before the first poll saw the session; its charging time is
    # estimated at the session's peak power (it was not seen).
    seeded_wh: float = 0.0
    # The session counter still shows the previous session's value: its next drop is the box
    # starting this session's count, not a restart within it.
    session_counter_stale: bool = False
    # Not persisted: readings set aside since the last trusted one, as (time, value, power).
    suspects: list[tuple[datetime, float, float | None]] = field(default_factory=list)
    # When the counting counter first showed its baseline value (None: at last_at). A register
    # that froze shows no energy for a while, then all of it at once: what could flow since.
    baseline_since: datetime | None = None
    restored: bool = False  # adopted from the saved state; no reading since

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serializable dict."""
        data = {name: getattr(self, name) for name in _PERSISTED}
        for name, value in data.items():
            if isinstance(value, datetime):
                data[name] = value.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OpenSession:
        """Inverse of to_dict; raises KeyError/ValueError/TypeError on a damaged record."""
        if not isinstance(data, dict):
            raise TypeError(f"an open session is an object, not {type(data).__name__}")
        values: dict[str, Any] = {}
        for name, kind in _PERSISTED.items():
            if name not in data:
                if name in _REQUIRED:
                    raise KeyError(name)
                continue
            values[name] = kind(name, data[name])
        session = cls(**values)
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


@dataclass(frozen=True, slots=True)
class LimitExceeded:
    """The box delivered more than the profile's limit, consistently: the limit is wrong."""

    measured_power_w: float
    limit_w: float  # the limit in force now (raised to fit what was measured)


type SessionEvent = SessionStarted | SessionCompleted | TagPresented | LimitExceeded


@dataclass(slots=True)
class MeterSpec:
    """What the tracker must know about the box's counters."""

    max_power_w: float
    lifetime_wrap_wh: float | None = None  # value at which the lifetime register wraps
    finished_ends_session: bool = False
    # The step of each counter's register (Wh); 0 when it is continuous (floats, HTTP).
    lifetime_resolution_wh: float = 0.0
    session_resolution_wh: float = 0.0

    @classmethod
    def for_profile(cls, profile: WallboxProfile) -> MeterSpec:
        """What the profile says about the box's counters."""
        return cls(
            max_power_w=profile.max_power_w,
            lifetime_wrap_wh=_lifetime_wrap(profile),
            finished_ends_session=profile.finished_ends_session,
            lifetime_resolution_wh=_resolution(profile, "lifetime_energy"),
            session_resolution_wh=_resolution(profile, "session_energy"),
        )

    @property
    def tolerance_wh(self) -> float:
        """How far two honest readings of the box's counters may disagree."""
        return self.lifetime_resolution_wh + self.session_resolution_wh + PLAUSIBILITY_SLACK_WH


def _lifetime_wrap(profile: WallboxProfile) -> float | None:
    spec = profile.values.get("lifetime_energy")
    if spec is None or spec.data_type not in ("uint16", "uint32", "uint64"):
        return None
    return float(1 << (16 * spec.count)) * spec.scale


def _resolution(profile: WallboxProfile, name: str) -> float:
    """The step of an energy register in Wh (0 for floats and HTTP values, which have none)."""
    spec = profile.values.get(name)
    if profile.transport != "modbus" or spec is None:
        return 0.0
    return abs(spec.scale) if spec.data_type.startswith(("uint", "int")) else 0.0


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
    last_reading_at: datetime | None = None
    # The counters and price of the last reading without a session: what a new session's
    # seed is bounded by and priced at.
    idle_lifetime_wh: float | None = None
    idle_session_wh: float | None = None
    last_price: float | None = None

    def restore(self, session: OpenSession) -> None:
        """Adopt a session persisted before a restart; the next reading decides its fate."""
        self.open = session

    def set_limit(self, max_power_w: float) -> None:
        """Use a corrected power limit (a measured one stored for this wallbox)."""
        self.meter.max_power_w = max(self.meter.max_power_w, max_power_w)

    def update(
        self,
        reading: Reading,
        now: datetime,
        *,
        price_per_kwh: float | None,
        currency: str | None,
        first_sight: bool = False,
    ) -> list[SessionEvent]:
        """Feed one reading; return what happened.

        `first_sight`: the first reading since the wallbox was added or Home Assistant started,
        so a vehicle already present may have been charging for a while.
        """
        events: list[SessionEvent] = []
        since_last_s = (
            self.gap_s
            if self.last_reading_at is None
            else (now - self.last_reading_at).total_seconds()
        )
        price_before = self.last_price if self.last_reading_at is not None else price_per_kwh
        self.last_reading_at = now
        self.last_price = price_per_kwh
        seed_limit_wh = float("inf") if first_sight else self._limit_wh(since_last_s)
        lifetime_before = self.idle_lifetime_wh
        session = self.open
        if (
            session is not None
            and session.restored
            and not self._same_session(session, reading, now)
        ):
            # Another vehicle may be here now: what it got is bounded by what flowed since.
            seed_limit_wh = self._limit_wh((now - session.last_at).total_seconds())
            lifetime_before = session.last_lifetime_wh
            self.idle_session_wh = None  # the counter restarted for the new vehicle
            events.append(self._close_after_downtime(session, reading, now, price_per_kwh))
            session = None
        if session is not None:
            self._account(session, reading, now, price_per_kwh, events)
            session.restored = False
            if self._ends(reading):
                events.append(SessionCompleted(self._close(session, now)))
                self._remember_idle(reading)
                return events
            if session.tag_id is None and reading.tag:
                session.tag_id = reading.tag
                events.append(TagPresented(session, reading.tag))
            session.price_per_kwh = price_per_kwh
            if currency is not None:
                session.currency = currency
            return events
        if self._starts(reading):
            # What the box counted before this poll saw the vehicle: since the last poll (at
            # the price in force then), or all of it when this is the first look at the box.
            session = self._start(
                reading,
                now,
                price_per_kwh,
                currency,
                seed_limit_wh=seed_limit_wh,
                seed_price=price_per_kwh if first_sight else price_before,
                lifetime_before=lifetime_before,
            )
            session.start_uncertain = first_sight
            events.append(SessionStarted(session))
            if reading.tag:
                session.tag_id = reading.tag
                events.append(TagPresented(session, reading.tag))
        else:
            self._remember_idle(reading)
        return events

    def _remember_idle(self, reading: Reading) -> None:
        if reading.lifetime_energy_wh is not None:
            self.idle_lifetime_wh = reading.lifetime_energy_wh
        if reading.session_energy_wh is not None:
            self.idle_session_wh = reading.session_energy_wh

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

    def _same_session(self, session: OpenSession, reading: Reading, now: datetime) -> bool:
        """After a restart: is the box still in the session we persisted?"""
        if not reading.vehicle_present:
            return False
        if session.tag_id and reading.tag and reading.tag != session.tag_id:
            return False
        # A lifetime meter that went back says the box rebooted, not that the vehicle changed.
        return not self._session_counter_restarted(session, reading, now)

    def _session_counter_restarted(
        self, session: OpenSession, reading: Reading, now: datetime
    ) -> bool:
        """Does the box's session counter prove a new session began while we were away?"""
        current, previous = reading.session_energy_wh, session.last_session_wh
        if current is None or previous is None or session.session_counter_stale:
            return False
        flowed = self._lifetime_flow(session, reading, now)
        if flowed is not None:
            # The counter counted less than the meter delivered: it restarted on the way.
            counted = current - previous if current >= previous else -1.0
            return counted + self.meter.tolerance_wh < flowed or (
                counted < 0 and current <= flowed + self.meter.tolerance_wh
            )
        # Only the counter itself: a lower value (not a burst of zeros) is a new count.
        return 0 < current < previous

    def _lifetime_flow(self, session: OpenSession, reading: Reading, now: datetime) -> float | None:
        """Energy the lifetime meter proves since the session's last trusted reading."""
        if reading.lifetime_energy_wh is None or session.last_lifetime_wh is None:
            return None
        delta, how = _counter_delta(
            session.last_lifetime_wh, reading.lifetime_energy_wh, self.meter.lifetime_wrap_wh
        )
        if how == "reset" or delta > self._limit_wh(self._window_s(session, now)):
            return None
        return delta

    def _start(
        self,
        reading: Reading,
        now: datetime,
        price: float | None,
        currency: str | None,
        *,
        seed_limit_wh: float,
        seed_price: float | None,
        lifetime_before: float | None,
    ) -> OpenSession:
        lifetime, counter = reading.lifetime_energy_wh, reading.session_energy_wh
        if lifetime is not None and (
            counter is None or self.meter.session_resolution_wh >= self.meter.lifetime_resolution_wh
        ):
            source = SOURCE_METER
        elif counter is not None:
            source = SOURCE_SESSION_COUNTER
        else:
            source = SOURCE_POWER
        seed_wh = counter or 0.0
        # A counter still at the value it showed without a vehicle is the previous session's.
        stale = self.idle_session_wh is not None and 0 < self.idle_session_wh <= seed_wh
        if stale:
            seed_wh = 0.0
        # A counter above what could flow since the last poll, or above what the lifetime
        # meter delivered since, is the previous session's, still shown.
        if lifetime is not None and lifetime_before is not None and lifetime >= lifetime_before:
            seed_limit_wh = min(
                seed_limit_wh, lifetime - lifetime_before + self.meter.lifetime_resolution_wh
            )
        if seed_wh > seed_limit_wh:
            stale = stale or seed_wh > 0
            seed_wh = 0.0
        session = OpenSession(
            session_id=uuid.uuid4().hex,
            started_at=now,
            last_at=now,
            source=source,
            currency=currency,
            last_lifetime_wh=lifetime,
            last_session_wh=counter,
            last_power_w=reading.power_w,
            last_charging=reading.charging,
            peak_power_w=reading.power_w,
            price_per_kwh=price,
            session_counter_stale=stale,
        )
        self.open = session
        if seed_wh > 0:
            session.seeded_wh = seed_wh
            self._add_energy(session, seed_wh, seed_price)
        return session

    def _close_after_downtime(
        self, session: OpenSession, reading: Reading, now: datetime, price: float | None
    ) -> SessionCompleted:
        """Close a restored session whose vehicle left while Home Assistant was not looking.

        Its energy since the last durable reading is what the box's counters show now; the end
        lies somewhere between that reading and this one.
        """
        elapsed_s = self._window_s(session, now)
        delta: float | None = None
        flowed = self._lifetime_flow(session, reading, now)
        if reading.vehicle_present and flowed is not None:
            # Another vehicle is here now: its own count is its part of what the meter delivered.
            delta = max(flowed - (reading.session_energy_wh or 0.0), 0.0)
        elif not (
            reading.vehicle_present and self._session_counter_restarted(session, reading, now)
        ):
            current, previous, wrap = self._counter(session, reading)
            if session.source != SOURCE_POWER and current is not None and previous is not None:
                # A counter still showing the finished session counts; a jump no power
                # explains does not.
                step, how = _counter_delta(previous, current, wrap)
                if how != "reset" and step <= self._limit_wh(elapsed_s):
                    delta = self._stale_count(session, reading, step, elapsed_s)
                elif session.session_counter_stale and current <= self._limit_wh(elapsed_s):
                    delta = max(current, flowed or 0.0)  # it restarted for this session
            if delta is None:
                delta = flowed
        # else: the counter restarted for the vehicle here now and no meter says what this
        # session got before it left.
        if delta is None:
            session.unseen_s += max(elapsed_s, 0.0)
        elif delta > 0:
            self._add_energy(session, delta, price)
            session.charging_s += self._charging_time_s(session, delta, elapsed_s)
        record = self._close(session, session.last_at)
        return SessionCompleted(
            replace(record, end_latest=max(now, record.ended_at), end_uncertain=True)
        )

    def _charging_time_s(self, session: OpenSession, energy_wh: float, within_s: float) -> float:
        """How long `energy_wh` took at the power last seen (at most `within_s`)."""
        power = session.last_power_w or 0.0
        if power < MIN_CHARGING_POWER_W:
            power = session.peak_power_w or 0.0
        if power < MIN_CHARGING_POWER_W:
            power = self.meter.max_power_w
        return min(energy_wh / power * 3600, max(within_s, 0.0))

    def _counter(
        self, session: OpenSession, reading: Reading
    ) -> tuple[float | None, float | None, float | None]:
        """(reading now, trusted baseline, wrap value) of the counter the session counts on."""
        if session.source == SOURCE_METER:
            return (
                reading.lifetime_energy_wh,
                session.last_lifetime_wh,
                self.meter.lifetime_wrap_wh,
            )
        return reading.session_energy_wh, session.last_session_wh, None

    def _cross_check(
        self, session: OpenSession, reading: Reading, elapsed_s: float
    ) -> float | None:
        """Energy the other counter proves for this interval (None: it cannot say)."""
        limit = self._limit_wh(elapsed_s)
        if session.source == SOURCE_METER:
            current, previous = reading.session_energy_wh, session.last_session_wh
            if current is None or previous is None or session.session_counter_stale:
                return None
            delta, how = _counter_delta(previous, current, None)
        else:
            current, previous = reading.lifetime_energy_wh, session.last_lifetime_wh
            if current is None or previous is None:
                return None
            delta, how = _counter_delta(previous, current, self.meter.lifetime_wrap_wh)
        return delta if how != "reset" and delta <= limit else None

    @staticmethod
    def _other_baseline(session: OpenSession) -> float | None:
        """The trusted value of the counter the session does not count on."""
        if session.source == SOURCE_METER:
            return session.last_session_wh
        return session.last_lifetime_wh

    @staticmethod
    def _window_s(session: OpenSession, now: datetime) -> float:
        """Time energy may have flowed in that the session's baseline does not show."""
        return (now - (session.baseline_since or session.last_at)).total_seconds()

    def _limit_wh(self, elapsed_s: float) -> float:
        """The most energy the box can deliver in `elapsed_s` (with slack for rounding)."""
        return (
            self.meter.max_power_w * max(elapsed_s, 0.0) / 3600 * PLAUSIBILITY_FACTOR
            + PLAUSIBILITY_SLACK_WH
        )

    def _close(self, session: OpenSession, ended_at: datetime) -> SessionRecord:
        self.open = None
        return to_record(session, ended_at, self.charger_id, self.charger_name)

    # --- energy ------------------------------------------------------------------------

    def _account(
        self,
        session: OpenSession,
        reading: Reading,
        now: datetime,
        price_now: float | None,
        events: list[SessionEvent],
    ) -> None:
        """Add the energy delivered since the previous trusted reading."""
        elapsed_s = (now - session.last_at).total_seconds()
        if elapsed_s <= 0:
            return
        delta = self._energy_delta(session, reading, now, elapsed_s, events)
        if delta is None:
            return  # set aside: keep the baseline, a later consistent reading covers this time
        if delta > 0:
            # The price in force when the interval began; if none was known then (a tag with
            # its own price shown only now, a price sensor just back), the price known now.
            price = session.price_per_kwh if session.price_per_kwh is not None else price_now
            self._add_energy(session, delta, price)
        # Energy flowed, or the box said "charging" at both ends: this interval was charging.
        if delta > 0 or (session.last_charging and reading.charging):
            session.charging_s += elapsed_s
        if reading.power_w is not None:
            session.peak_power_w = max(session.peak_power_w or 0.0, reading.power_w)
        session.last_power_w = reading.power_w
        session.last_charging = reading.charging
        session.last_at = now

    def _add_energy(self, session: OpenSession, energy_wh: float, price: float | None) -> None:
        session.energy_wh += energy_wh
        self.counted_wh += energy_wh
        if price is None:
            session.unpriced_wh += energy_wh
            return
        cost = energy_wh / 1000 * price
        session.cost += cost
        self.counted_cost += cost

    def _energy_delta(
        self,
        session: OpenSession,
        reading: Reading,
        now: datetime,
        elapsed_s: float,
        events: list[SessionEvent],
    ) -> float | None:
        """Energy for this interval from the session's source; None = set the reading aside."""
        if session.source == SOURCE_POWER:
            if elapsed_s > self.gap_s or session.last_power_w is None:
                if elapsed_s > self.gap_s:
                    session.gaps += 1
                    session.unseen_s += elapsed_s
                return 0.0
            return session.last_power_w * elapsed_s / 3600
        current, previous, wrap = self._counter(session, reading)
        if current is None:
            return None  # not available now; the counter keeps counting meanwhile
        if previous is None:
            # No baseline yet (the counter was unavailable), or it was given up after a read
            # the other counter covered for: this interval is the other counter's to tell.
            covered = self._cross_check(session, reading, elapsed_s)
            if covered is None and self._other_baseline(session) is not None:
                return None  # neither can say: wait for a reading they agree on
            return self._trusted(session, reading, covered or 0.0, moved=True)
        delta, how = _counter_delta(previous, current, wrap)
        # Energy may have flowed since the counter first showed its baseline value.
        window_s = max(elapsed_s, self._window_s(session, now))
        if not session.session_counter_stale and _all_zero(session, reading):
            how = "zeros"  # every counter says 0 though one had counted: a bad read, not a count
        elif how != "reset" and delta <= self._limit_wh(window_s):
            if how != "normal":
                _LOGGER.info("%s: %s counter %s detected", self.charger_name, session.source, how)
            if session.source == SOURCE_SESSION_COUNTER and delta > 0:
                delta = self._stale_count(session, reading, delta, window_s)
                session.session_counter_stale = False  # it counts this session now
            return self._trusted(session, reading, delta, moved=delta > 0)
        restart = (
            self._proven_restart(session, reading, current, window_s) if how == "reset" else None
        )
        if restart is not None:
            _LOGGER.info("%s: %s counter restart detected", self.charger_name, session.source)
            session.session_counter_stale = False
            return self._trusted(session, reading, restart, moved=True)
        covered = self._cross_check(session, reading, window_s)
        if covered is not None and covered > 0:
            # The counting counter cannot explain this interval (a meter reset, a bad read of
            # it alone); the other one can, and shows energy flowing (one standing still, as
            # in a burst of zeros, proves nothing): it counts. The counting counter's value is
            # not a baseline (it may be the bad read): its next reading becomes one.
            self._trusted(session, reading, covered, moved=True)
            if session.source == SOURCE_METER:
                session.last_lifetime_wh = None
            else:
                session.last_session_wh = None
            return covered
        if (
            session.restored
            and how == "reset"
            and session.source == SOURCE_METER
            and 0 < current <= self._limit_wh(window_s)
        ):
            # The meter restarted while Home Assistant was away and shows what it counted
            # since; what flowed before the restart nobody saw.
            session.gaps += 1
            return self._trusted(session, reading, current, moved=True)
        reason = (
            f"{session.source} went {previous:.0f} -> {current:.0f} Wh in {elapsed_s:.0f} s"
            f" ({how}); more than {self.meter.max_power_w:.0f} W can deliver"
        )
        self.rejected.append(reason)
        del self.rejected[:-20]
        _LOGGER.warning("%s: reading set aside: %s", self.charger_name, reason)
        session.suspects.append((now, current, reading.power_w))
        del session.suspects[:-CONFIRM_POLLS]
        return self._confirmed(session, reading, previous, wrap, window_s, events)

    def _stale_count(
        self, session: OpenSession, reading: Reading, rise_wh: float, window_s: float
    ) -> float:
        """Energy shown by a rise of a session counter that showed the previous session's value.

        When the meter saw more flow than the rise, the counter restarted for this session and
        counted past the old value between two polls: all it shows is this session's.
        """
        current = reading.session_energy_wh
        if not session.session_counter_stale or current is None:
            return rise_wh
        flowed = self._cross_check(session, reading, window_s)
        tolerance = self.meter.tolerance_wh
        if flowed is not None and rise_wh + tolerance < flowed <= current + tolerance:
            return max(current, flowed)
        return rise_wh

    @staticmethod
    def _trusted(session: OpenSession, reading: Reading, energy_wh: float, *, moved: bool) -> float:
        """Take the reading as the new baseline; `moved`: the counting counter changed."""
        # None: since this reading (last_at, once accounted).
        session.baseline_since = None if moved else session.baseline_since or session.last_at
        session.suspects.clear()
        SessionTracker._rebase(session, reading)
        return energy_wh

    def _proven_restart(
        self, session: OpenSession, reading: Reading, current: float, elapsed_s: float
    ) -> float | None:
        """Energy of an interval in which the session counter restarted, when that is proven.

        A lifetime meter never restarts on its own: it is believed only once it counts on.
        """
        if session.source != SOURCE_SESSION_COUNTER or current > self._limit_wh(elapsed_s):
            return None
        if reading.lifetime_energy_wh is not None and session.last_lifetime_wh is not None:
            flowed = self._cross_check(session, reading, elapsed_s)
            if flowed is None:
                return None  # the meter went back too: a bad read of both, not a restart
            if session.session_counter_stale:
                return max(current, flowed)  # the box now counts this session
            if current > flowed + self.meter.tolerance_wh:
                return None
            return max(current, flowed)  # the meter saw what flowed before the restart too
        if session.session_counter_stale:
            return current  # the box now counts this session
        # No meter: the box's power must say energy flowed at both ends, as much as counted.
        powers = [session.last_power_w or 0.0, reading.power_w or 0.0]
        if current <= 0 or min(powers) < MIN_CHARGING_POWER_W:
            return None
        if current > max(powers) * elapsed_s / 3600 * PLAUSIBILITY_FACTOR + PLAUSIBILITY_SLACK_WH:
            return None
        return current

    def _confirmed(
        self,
        session: OpenSession,
        reading: Reading,
        previous: float,
        wrap: float | None,
        window_s: float,
        events: list[SessionEvent],
    ) -> float | None:
        """Believe readings set aside once they agree with each other; None while they do not.

        They must count on, steadily: a value standing still (a burst of zeros, a frozen or
        garbage register) proves nothing, however often it repeats.
        - They continue the baseline at a steady power above the limit: the limit is wrong.
          All the energy counts and LimitExceeded reports the measured power.
        - They count steadily from somewhere else (a restarted counter, a replaced meter):
          what the counter shows counts when it could have flowed since the baseline (it
          restarted from zero), else the energy since the first of them; the jump is a gap.
        """
        suspects = session.suspects
        if len(suspects) < CONFIRM_POLLS:
            return None
        start_at = session.last_at
        values = [value for _, value, _ in suspects]
        if any(later < earlier for earlier, later in pairwise(values)):
            return None
        steady = values[-1] - values[0]
        if steady <= 0:
            return None
        step_powers = [
            (later - earlier) / ((t2 - t1).total_seconds() / 3600)
            for (t1, earlier, _), (t2, later, _) in pairwise(suspects)
            if t2 > t1
        ]
        if not step_powers or max(step_powers) > ABSOLUTE_MAX_POWER_W:
            return None
        reported = [power for _, _, power in suspects if power is not None]
        if reported and not _agree(
            sum(reported) / len(reported), sum(step_powers) / len(step_powers)
        ):
            return None  # the counter moves unlike the power the box reports: not real
        first_at, first = suspects[0][0], values[0]
        jump, how = _counter_delta(previous, first, wrap)
        jump_h = (first_at - start_at).total_seconds() / 3600
        jump_power = jump / jump_h if jump_h > 0 else float("inf")
        self._rebase(session, reading)
        suspects.clear()
        session.baseline_since = None
        if how != "reset" and _agree(jump_power, max(step_powers)):
            measured = max(jump_power, *step_powers)
            self.meter.max_power_w = max(self.meter.max_power_w, measured * PLAUSIBILITY_FACTOR)
            events.append(LimitExceeded(measured, self.meter.max_power_w))
            return jump + steady
        session.gaps += 1
        if how == "reset" and values[-1] <= self._limit_wh(window_s):
            return values[-1]  # the counter restarted from zero and counted all of it since
        _LOGGER.warning(
            "%s: %s moved from %.0f to %.0f Wh at once and counts steadily from there;"
            " counting from there, the jump is marked as a gap",
            self.charger_name,
            session.source,
            previous,
            first,
        )
        return steady

    @staticmethod
    def _rebase(session: OpenSession, reading: Reading) -> None:
        if reading.lifetime_energy_wh is not None:
            session.last_lifetime_wh = reading.lifetime_energy_wh
        if reading.session_energy_wh is not None:
            previous = session.last_session_wh
            if previous is not None and reading.session_energy_wh < previous:
                session.session_counter_stale = False  # it began counting this session
            session.last_session_wh = reading.session_energy_wh


def _all_zero(session: OpenSession, reading: Reading) -> bool:
    """Every counter of the reading says 0 though one of them had counted before."""
    pairs = [
        (reading.lifetime_energy_wh, session.last_lifetime_wh),
        (reading.session_energy_wh, session.last_session_wh),
    ]
    present = [(now, before) for now, before in pairs if now is not None]
    return all(now == 0 for now, _ in present) and any(
        before is not None and before > 0 for _, before in present
    )


def _agree(first: float, second: float) -> bool:
    """Two powers within CONFIRM_SPREAD of each other (both positive)."""
    if first <= 0 or second <= 0:
        return first <= MIN_CHARGING_POWER_W and second <= MIN_CHARGING_POWER_W
    return max(first, second) / min(first, second) <= CONFIRM_SPREAD


@dataclass(slots=True)
class SavePolicy:
    """When a wallbox's state must be written: at every transition, else every `period`.

    A transition is a change of `signature` (a session starts, gets its tag, pauses, resumes,
    ends); while a session runs its figures are written at least every `period`, so a hard kill
    loses at most that much of a box without counters. Idle, nothing changes: nothing is written.
    """

    period_s: float = 30.0
    saved_at: datetime | None = None
    saved_signature: tuple[Any, ...] | None = None

    def due(self, signature: tuple[Any, ...], now: datetime, running: bool) -> bool:
        """True when the state must be written before the next poll."""
        if signature != self.saved_signature or self.saved_at is None:
            return True
        return running and (now - self.saved_at).total_seconds() >= self.period_s

    def written(self, signature: tuple[Any, ...], now: datetime) -> None:
        """Record a completed write."""
        self.saved_signature = signature
        self.saved_at = now


def transition_signature(session: OpenSession | None) -> tuple[Any, ...]:
    """What changes only at a session's transitions (see SavePolicy)."""
    if session is None:
        return (None,)
    return (session.session_id, session.tag_id, session.last_charging, session.gaps)


def time_to_full_s(remaining_wh: float | None, power_w: float | None) -> float | None:
    """Seconds until `remaining_wh` more energy is delivered at the present power."""
    if remaining_wh is None or power_w is None or power_w < MIN_CHARGING_POWER_W:
        return None
    return max(remaining_wh, 0.0) / power_w * 3600


def to_record(
    session: OpenSession, ended_at: datetime, charger_id: str, charger_name: str
) -> SessionRecord:
    """The record of a session ending at `ended_at` (also a live view of an open one)."""
    charging_s = session.charging_s
    if session.seeded_wh > 0 and (session.peak_power_w or 0.0) >= MIN_CHARGING_POWER_W:
        # Counted before the session was seen: it took at least this long at the peak power.
        charging_s += session.seeded_wh / (session.peak_power_w or 1.0) * 3600
    charging_h = charging_s / 3600
    return SessionRecord(
        session_id=session.session_id,
        charger_id=charger_id,
        charger_name=charger_name,
        started_at=session.started_at,
        ended_at=max(ended_at, session.started_at),
        charging_s=charging_s,
        energy_wh=session.energy_wh,
        cost=session.cost if session.energy_wh > session.unpriced_wh else None,
        currency=session.currency,
        avg_power_w=session.energy_wh / charging_h if charging_h > 0 else None,
        peak_power_w=session.peak_power_w,
        tag_id=session.tag_id,
        tag_name=None,
        energy_source=session.source,
        gaps=session.gaps,
        unpriced_wh=session.unpriced_wh,
        unseen_s=session.unseen_s,
        start_uncertain=session.start_uncertain,
    )


# How each persisted OpenSession field is read back; a wrong type raises TypeError/ValueError.
def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected text, got {value!r:.40}")
    return value


def _optional_text(name: str, value: Any) -> str | None:
    return None if value is None else _text(name, value)


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise TypeError(f"{name}: expected a number, got {value!r:.40}")
    return float(value)


def _optional_number(name: str, value: Any) -> float | None:
    return None if value is None else _number(name, value)


def _count(name: str, value: Any) -> int:
    return int(_number(name, value))


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name}: expected true or false, got {value!r:.40}")
    return value


def _time(name: str, value: Any) -> datetime:
    parsed = datetime.fromisoformat(_text(name, value))
    if parsed.tzinfo is None:
        raise ValueError(f"{name}: time without a timezone")
    return parsed


def _optional_time(name: str, value: Any) -> datetime | None:
    return None if value is None else _time(name, value)


_PERSISTED: dict[str, Any] = {
    "session_id": _text,
    "started_at": _time,
    "last_at": _time,
    "source": _text,
    "energy_wh": _number,
    "cost": _number,
    "unpriced_wh": _number,
    "currency": _optional_text,
    "charging_s": _number,
    "peak_power_w": _optional_number,
    "tag_id": _optional_text,
    "gaps": _count,
    "last_lifetime_wh": _optional_number,
    "last_session_wh": _optional_number,
    "last_power_w": _optional_number,
    "last_charging": _flag,
    "price_per_kwh": _optional_number,
    "unseen_s": _number,
    "start_uncertain": _flag,
    "seeded_wh": _number,
    "session_counter_stale": _flag,
    "baseline_since": _optional_time,
}
_REQUIRED = frozenset({"session_id", "started_at", "last_at", "source"})
