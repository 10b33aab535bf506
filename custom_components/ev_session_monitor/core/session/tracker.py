"""Charging-session tracking from a stream of readings: sessions start, are counted and end.

Energy is counted on the finer of the box's counters: its lifetime meter (delta since plug-in)
or its session counter (the meter first when they are equally fine), else on integrated power.
The box's counters are the truth: deltas survive polling gaps, Home Assistant downtime, counter
resets, reboots and meter wrap-around; how one interval's reading is judged (trusted, set aside,
confirmed) is `energy.EnergyCounter`'s job. Readings above the profile's power limit that keep
agreeing with each other over several polls are real: the energy is kept, and the tracker
reports the measured power so the limit can be corrected (LimitExceeded).

Each energy increment is priced at the price in force when the interval began, so a session
across a tariff change is priced piecewise; energy with no price is counted separately.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime

from ..model import ChargerStatus, Reading, SessionRecord
from .energy import EnergyCounter, baseline_window_s
from .events import SessionCompleted, SessionEvent, SessionStarted, TagPresented
from .meter import (
    MIN_CHARGING_POWER_W,
    SOURCE_METER,
    SOURCE_POWER,
    SOURCE_SESSION_COUNTER,
    MeterSpec,
    counter_delta,
)
from .state import OpenSession, add_price_part, to_record


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
    energy: EnergyCounter = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Judge the counters with this tracker's limit and rejection log."""
        self.energy = EnergyCounter(self.charger_name, self.meter, self.gap_s, self.rejected)

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
        seed_limit_wh = float("inf") if first_sight else self.meter.limit_wh(since_last_s)
        lifetime_before = self.idle_lifetime_wh
        session = self.open
        if (
            session is not None
            and session.restored
            and not self._same_session(session, reading, now)
        ):
            # Another vehicle may be here now: what it got is bounded by what flowed since.
            seed_limit_wh = self.meter.limit_wh((now - session.last_at).total_seconds())
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
        return not self.energy.session_counter_restarted(session, reading, now)

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
            self._add_energy(session, seed_wh, seed_price, now)
        return session

    def _close_after_downtime(
        self, session: OpenSession, reading: Reading, now: datetime, price: float | None
    ) -> SessionCompleted:
        """Close a restored session whose vehicle left while Home Assistant was not looking.

        Its energy since the last durable reading is what the box's counters show now; the end
        lies somewhere between that reading and this one.
        """
        elapsed_s = baseline_window_s(session, now)
        delta: float | None = None
        flowed = self.energy.lifetime_flow(session, reading, now)
        if reading.vehicle_present and flowed is not None:
            # Another vehicle is here now: its own count is its part of what the meter delivered.
            delta = max(flowed - (reading.session_energy_wh or 0.0), 0.0)
        elif not (
            reading.vehicle_present and self.energy.session_counter_restarted(session, reading, now)
        ):
            current, previous, wrap = self.energy.counter(session, reading)
            if session.source != SOURCE_POWER and current is not None and previous is not None:
                # A counter still showing the finished session counts; a jump no power
                # explains does not.
                step, how = counter_delta(previous, current, wrap)
                if how != "reset" and step <= self.meter.limit_wh(elapsed_s):
                    delta = self.energy.stale_count(session, reading, step, elapsed_s)
                elif session.session_counter_stale and current <= self.meter.limit_wh(elapsed_s):
                    delta = max(current, flowed or 0.0)  # it restarted for this session
            if delta is None:
                delta = flowed
        # else: the counter restarted for the vehicle here now and no meter says what this
        # session got before it left.
        if delta is None:
            session.unseen_s += max(elapsed_s, 0.0)
        elif delta > 0:
            self._add_energy(session, delta, price, session.last_at)
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
        delta = self.energy.delta(session, reading, now, elapsed_s, events)
        if delta is None:
            return  # set aside: keep the baseline, a later consistent reading covers this time
        if delta > 0:
            # The price in force when the interval began; if none was known then (a tag with
            # its own price shown only now, a price sensor just back), the price known now.
            price = session.price_per_kwh if session.price_per_kwh is not None else price_now
            self._add_energy(session, delta, price, session.last_at)
        # Energy flowed, or the box said "charging" at both ends: this interval was charging.
        if delta > 0 or (session.last_charging and reading.charging):
            session.charging_s += elapsed_s
        if reading.power_w is not None:
            session.peak_power_w = max(session.peak_power_w or 0.0, reading.power_w)
        session.last_power_w = reading.power_w
        session.last_charging = reading.charging
        session.last_at = now

    def _add_energy(
        self, session: OpenSession, energy_wh: float, price: float | None, since: datetime
    ) -> None:
        """Count energy that began to flow at `since` at `price`."""
        session.energy_wh += energy_wh
        self.counted_wh += energy_wh
        add_price_part(session.price_parts, since.isoformat(), energy_wh, price)
        if price is None:
            session.unpriced_wh += energy_wh
            return
        cost = energy_wh / 1000 * price
        session.cost += cost
        self.counted_cost += cost
