"""The energy of each interval of a session from the box's counters.

Energy is counted on the session's counter (see SessionTracker). A reading that no trusted
baseline can explain is set aside, never rebased onto: the baseline stays and the first reading
consistent with it carries all the energy since. The other counter is the cross-check: it proves
or refutes a restart of the counting one and covers for it when that one cannot explain an
interval. Readings set aside are believed once they count on steadily (`_confirmed`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from ..model import Reading
from .events import LimitExceeded, SessionEvent
from .meter import (
    ABSOLUTE_MAX_POWER_W,
    CONFIRM_POLLS,
    CONFIRM_SPREAD,
    MIN_CHARGING_POWER_W,
    PLAUSIBILITY_FACTOR,
    PLAUSIBILITY_SLACK_WH,
    SOURCE_METER,
    SOURCE_POWER,
    SOURCE_SESSION_COUNTER,
    MeterSpec,
    counter_delta,
)
from .state import OpenSession

_LOGGER = logging.getLogger(__package__)


@dataclass(slots=True)
class EnergyCounter:
    """Judges one wallbox's counter readings against the session's trusted baseline."""

    charger_name: str
    meter: MeterSpec  # the tracker's own: a limit it corrects holds here too
    gap_s: float  # a poll interval longer than this is a gap
    rejected: list[str]  # recent rejection reasons (the tracker's, for diagnostics)

    def session_counter_restarted(
        self, session: OpenSession, reading: Reading, now: datetime
    ) -> bool:
        """Does the box's session counter prove a new session began while we were away?"""
        current, previous = reading.session_energy_wh, session.last_session_wh
        if current is None or previous is None or session.session_counter_stale:
            return False
        flowed = self.lifetime_flow(session, reading, now)
        if flowed is not None:
            # The counter counted less than the meter delivered: it restarted on the way.
            counted = current - previous if current >= previous else -1.0
            return counted + self.meter.tolerance_wh < flowed or (
                counted < 0 and current <= flowed + self.meter.tolerance_wh
            )
        # Only the counter itself: a lower value (not a burst of zeros) is a new count.
        return 0 < current < previous

    def lifetime_flow(self, session: OpenSession, reading: Reading, now: datetime) -> float | None:
        """Energy the lifetime meter proves since the session's last trusted reading."""
        if reading.lifetime_energy_wh is None or session.last_lifetime_wh is None:
            return None
        delta, how = counter_delta(
            session.last_lifetime_wh, reading.lifetime_energy_wh, self.meter.lifetime_wrap_wh
        )
        if how == "reset" or delta > self.meter.limit_wh(baseline_window_s(session, now)):
            return None
        return delta

    def counter(
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

    def cross_check(self, session: OpenSession, reading: Reading, elapsed_s: float) -> float | None:
        """Energy the other counter proves for this interval (None: it cannot say)."""
        limit = self.meter.limit_wh(elapsed_s)
        if session.source == SOURCE_METER:
            current, previous = reading.session_energy_wh, session.last_session_wh
            if current is None or previous is None or session.session_counter_stale:
                return None
            delta, how = counter_delta(previous, current, None)
        else:
            current, previous = reading.lifetime_energy_wh, session.last_lifetime_wh
            if current is None or previous is None:
                return None
            delta, how = counter_delta(previous, current, self.meter.lifetime_wrap_wh)
        return delta if how != "reset" and delta <= limit else None

    @staticmethod
    def _other_baseline(session: OpenSession) -> float | None:
        """The trusted value of the counter the session does not count on."""
        if session.source == SOURCE_METER:
            return session.last_session_wh
        return session.last_lifetime_wh

    def delta(
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
        current, previous, wrap = self.counter(session, reading)
        if current is None:
            return None  # not available now; the counter keeps counting meanwhile
        if previous is None:
            # No baseline yet (the counter was unavailable), or it was given up after a read
            # the other counter covered for: this interval is the other counter's to tell.
            covered = self.cross_check(session, reading, elapsed_s)
            if covered is None and self._other_baseline(session) is not None:
                return None  # neither can say: wait for a reading they agree on
            return self._trusted(session, reading, covered or 0.0, moved=True)
        delta, how = counter_delta(previous, current, wrap)
        # Energy may have flowed since the counter first showed its baseline value.
        window_s = max(elapsed_s, baseline_window_s(session, now))
        if not session.session_counter_stale and _all_zero(session, reading):
            how = "zeros"  # every counter says 0 though one had counted: a bad read, not a count
        elif how != "reset" and delta <= self.meter.limit_wh(window_s):
            if how != "normal":
                _LOGGER.info("%s: %s counter %s detected", self.charger_name, session.source, how)
            if session.source == SOURCE_SESSION_COUNTER and delta > 0:
                delta = self.stale_count(session, reading, delta, window_s)
                session.session_counter_stale = False  # it counts this session now
            return self._trusted(session, reading, delta, moved=delta > 0)
        restart = (
            self._proven_restart(session, reading, current, window_s) if how == "reset" else None
        )
        if restart is not None:
            _LOGGER.info("%s: %s counter restart detected", self.charger_name, session.source)
            session.session_counter_stale = False
            return self._trusted(session, reading, restart, moved=True)
        covered = self.cross_check(session, reading, window_s)
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
            and 0 < current <= self.meter.limit_wh(window_s)
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

    def stale_count(
        self, session: OpenSession, reading: Reading, rise_wh: float, window_s: float
    ) -> float:
        """Energy shown by a rise of a session counter that showed the previous session's value.

        When the meter saw more flow than the rise, the counter restarted for this session and
        counted past the old value between two polls: all it shows is this session's.
        """
        current = reading.session_energy_wh
        if not session.session_counter_stale or current is None:
            return rise_wh
        flowed = self.cross_check(session, reading, window_s)
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
        _rebase(session, reading)
        return energy_wh

    def _proven_restart(
        self, session: OpenSession, reading: Reading, current: float, elapsed_s: float
    ) -> float | None:
        """Energy of an interval in which the session counter restarted, when that is proven.

        A lifetime meter never restarts on its own: it is believed only once it counts on.
        """
        if session.source != SOURCE_SESSION_COUNTER or current > self.meter.limit_wh(elapsed_s):
            return None
        if reading.lifetime_energy_wh is not None and session.last_lifetime_wh is not None:
            flowed = self.cross_check(session, reading, elapsed_s)
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
        jump, how = counter_delta(previous, first, wrap)
        jump_h = (first_at - start_at).total_seconds() / 3600
        jump_power = jump / jump_h if jump_h > 0 else float("inf")
        _rebase(session, reading)
        suspects.clear()
        session.baseline_since = None
        if how != "reset" and _agree(jump_power, max(step_powers)):
            measured = max(jump_power, *step_powers)
            self.meter.max_power_w = max(self.meter.max_power_w, measured * PLAUSIBILITY_FACTOR)
            events.append(LimitExceeded(measured, self.meter.max_power_w))
            return jump + steady
        session.gaps += 1
        if how == "reset" and values[-1] <= self.meter.limit_wh(window_s):
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


def baseline_window_s(session: OpenSession, now: datetime) -> float:
    """Time energy may have flowed in that the session's baseline does not show."""
    return (now - (session.baseline_since or session.last_at)).total_seconds()


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


def _rebase(session: OpenSession, reading: Reading) -> None:
    """Take every counter the reading shows as the trusted baseline."""
    if reading.lifetime_energy_wh is not None:
        session.last_lifetime_wh = reading.lifetime_energy_wh
    if reading.session_energy_wh is not None:
        previous = session.last_session_wh
        if previous is not None and reading.session_energy_wh < previous:
            session.session_counter_stale = False  # it began counting this session
        session.last_session_wh = reading.session_energy_wh
