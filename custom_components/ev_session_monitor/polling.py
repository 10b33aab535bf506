"""One clock starts the polls of every wallbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval

TICK = timedelta(seconds=1)


class Polled(Protocol):
    """A wallbox's coordinator (coordinator.EvCoordinator)."""

    def async_tick(self, tick: int) -> None:
        """Start a poll if one is due on this tick."""


def next_poll_tick(started: int, interval: timedelta) -> int:
    """The tick of the poll after one started on `started`: the next multiple of the interval.

    Every box with the same interval is read on the same ticks, whenever it was set up.
    """
    every = max(1, round(interval / TICK))
    return (started // every + 1) * every


class Members[T]:
    """A list of members: the first to join starts something, the last to leave stops it."""

    def __init__(self, start: Callable[[], Callable[[], None]]) -> None:
        """`start` starts it and returns how to stop it."""
        self.members: list[T] = []
        self._start = start
        self._stop: Callable[[], None] | None = None

    @callback
    def async_add(self, member: T) -> Callable[[], None]:
        """Add `member` until the returned callable is called."""
        if self._stop is None:
            self._stop = self._start()
        self.members.append(member)

        @callback
        def remove() -> None:
            self.members.remove(member)
            if not self.members and self._stop is not None:
                self._stop()
                self._stop = None

        return remove


class PollClock:
    """Ticks once a second (counting the ticks); each wallbox polls on the ticks it is due.

    Left to itself, each DataUpdateCoordinator schedules its polls at its own random fraction
    of a second, so every poll wakes the event loop on its own several times (the timer, the
    box's answer, the resumption). Polls started on the same tick share those wake-ups: with
    50 wallboxes at 2 s this took Home Assistant's CPU from about 3.6 % to 1.7 % of a core
    (benchmarks/scale_benchmark.py).
    """

    def __init__(self, hass: HomeAssistant) -> None:
        """Not ticking until a wallbox joins."""
        self._hass = hass
        self._tick = 0  # counted, not read from the wall clock: a time change moves no poll
        self._polled = Members[Polled](
            lambda: async_track_time_interval(
                hass, self._async_tick, TICK, name="ev_session_monitor poll clock"
            )
        )

    @callback
    def async_add(self, polled: Polled) -> Callable[[], None]:
        """Tick for `polled` until the returned callable is called."""
        return self._polled.async_add(polled)

    @callback
    def _async_tick(self, _now: datetime) -> None:
        if self._hass.is_stopping:
            return
        self._tick += 1
        for polled in list(self._polled.members):
            polled.async_tick(self._tick)
