"""Charging sessions from a stream of readings.

`tracker` turns one wallbox's readings into sessions (`SessionTracker`), `energy` judges each
interval's counter readings (trusted, set aside, confirmed), `meter` holds what is known of the
box's counters, `state` an open session with its saved form and record, `events` what the
tracker reports.
"""

from .events import LimitExceeded, SessionCompleted, SessionEvent, SessionStarted, TagPresented
from .meter import MeterSpec
from .state import (
    OpenSession,
    SavePolicy,
    add_price_part,
    time_to_full_s,
    to_record,
    transition_signature,
)
from .tracker import SessionTracker

__all__ = [
    "LimitExceeded",
    "MeterSpec",
    "OpenSession",
    "SavePolicy",
    "SessionCompleted",
    "SessionEvent",
    "SessionStarted",
    "SessionTracker",
    "TagPresented",
    "add_price_part",
    "time_to_full_s",
    "to_record",
    "transition_signature",
]
