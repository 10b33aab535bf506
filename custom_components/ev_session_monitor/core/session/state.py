"""An open session: its figures, its saved form, when to save it, and its record."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..model import PricePart, SessionRecord
from .meter import MIN_CHARGING_POWER_W


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
    # The energy per price, in order: [started_at ISO 8601, energy Wh, price or None] each.
    price_parts: list[list[Any]] = field(default_factory=list)
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
        price_parts=_price_parts(session.price_parts),
    )


def add_price_part(
    parts: list[list[Any]], since: str, energy_wh: float, price: float | None
) -> None:
    """Count energy that began to flow at `since` (ISO time) at `price` into `parts`.

    Parts are [start, Wh, price]: energy at the price of the last part extends it.
    """
    if parts and parts[-1][2] == price:
        parts[-1][1] += energy_wh
    else:
        parts.append([since, energy_wh, price])


def _price_parts(parts: list[list[Any]]) -> tuple[PricePart, ...]:
    """The parts of a session whose price changed; none when one price applied to all."""
    if len(parts) < 2:
        return ()
    return tuple(
        PricePart(datetime.fromisoformat(started), energy_wh, price)
        for started, energy_wh, price in parts
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


def _parts(name: str, value: Any) -> list[list[Any]]:
    if not isinstance(value, list):
        raise TypeError(f"{name}: expected a list, got {value!r:.40}")
    parts: list[list[Any]] = []
    for part in value:
        if not isinstance(part, list) or len(part) != 3:
            raise TypeError(f"{name}: expected [start, energy, price], got {part!r:.40}")
        started, energy_wh, price = part
        _time(name, started)
        parts.append([started, _number(name, energy_wh), _optional_number(name, price)])
    return parts


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
    "price_parts": _parts,
}
_REQUIRED = frozenset({"session_id", "started_at", "last_at", "source"})
