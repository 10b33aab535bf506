"""How long something took, as people read it: one rounding for the logbook and the calendar.

A session that ran for a few seconds took "1 min", not "0 min": any time above zero is at least a
minute; otherwise the nearest minute. Plain Python; no Home Assistant imports.
"""

from __future__ import annotations


def whole_minutes(seconds: float) -> int:
    """The minutes shown for `seconds`: the nearest minute, at least 1 for any time above zero."""
    if seconds <= 0:
        return 0
    return max(1, round(seconds / 60))


def duration_text(seconds: float) -> str:
    """'5 min', or '2 h 05 min' from one hour on."""
    hours, minutes = divmod(whole_minutes(seconds), 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
