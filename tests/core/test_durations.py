"""The one rounding of durations the logbook and the calendar share."""

from __future__ import annotations

from custom_components.ev_session_monitor.core.durations import duration_text, whole_minutes


def test_short_sessions_take_a_minute_not_zero() -> None:
    assert whole_minutes(0) == 0
    assert whole_minutes(20) == 1
    assert whole_minutes(40) == 1
    assert whole_minutes(89) == 1
    assert whole_minutes(91) == 2


def test_text_from_minutes_to_hours() -> None:
    assert duration_text(20) == "1 min"
    assert duration_text(59 * 60) == "59 min"
    assert duration_text(3600) == "1 h 00 min"
    assert duration_text(2 * 3600 + 5 * 60) == "2 h 05 min"
