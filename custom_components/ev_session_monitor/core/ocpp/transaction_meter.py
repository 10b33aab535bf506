"""An OCPP transaction's meter readings as the wallbox keeps them, and a record of one.

Public API: `TransactionMeter`, `meter_to_dict` / `meter_from_dict` (the entry's store),
`concurrent_session` (the session record of a transaction the wallbox did not show),
`parse_time` (an OCPP timestamp), `CHARGING_CONNECTOR`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from ..model import SessionRecord

# The connector a single-outlet box charges on (OCPP numbers them from 1; 0 is the box).
CHARGING_CONNECTOR = 1


@dataclass(frozen=True, slots=True)
class TransactionMeter:
    """The box's meter at a transaction's start and (once it stopped) its end."""

    transaction_id: int
    meter_start_wh: int
    meter_end_wh: int | None = None
    connector_id: int = CHARGING_CONNECTOR
    id_tag: str | None = None  # the card the transaction started with
    started: str | None = None  # the box's time of the StartTransaction


def parse_time(timestamp: str | None) -> datetime | None:
    """An OCPP timestamp with its time zone; None for none or an unusable one."""
    if not timestamp:
        return None
    try:
        when = datetime.fromisoformat(timestamp)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def concurrent_session(
    meter: TransactionMeter, stopped: str, now: datetime, charger_id: str, charger_name: str
) -> SessionRecord:
    """The session record of a stopped concurrent transaction, from the box's readings and times.

    Its energy is meterStop - meterStart (0 after a counter reset: never negative); no price
    is applied (the recorder prices only the shown session). A time the box gave unusably is
    `now`'s.
    """
    ended_at = parse_time(stopped) or now
    started_at = min(parse_time(meter.started) or ended_at, ended_at)
    end_wh = meter.meter_start_wh if meter.meter_end_wh is None else meter.meter_end_wh
    energy_wh = float(max(end_wh - meter.meter_start_wh, 0))
    duration_h = (ended_at - started_at).total_seconds() / 3600
    return SessionRecord(
        session_id=uuid.uuid4().hex,
        charger_id=charger_id,
        charger_name=charger_name,
        started_at=started_at,
        ended_at=ended_at,
        charging_s=duration_h * 3600,
        energy_wh=energy_wh,
        cost=None,
        currency=None,
        avg_power_w=energy_wh / duration_h if duration_h > 0 else None,
        peak_power_w=None,
        tag_id=meter.id_tag,
        tag_name=None,
        energy_source="meter",
        unpriced_wh=energy_wh,
        meter_start_wh=float(meter.meter_start_wh),
        meter_end_wh=float(end_wh),
    )


def meter_to_dict(meter: TransactionMeter) -> dict[str, int | str | None]:
    """JSON for the store."""
    return {
        "transaction_id": meter.transaction_id,
        "meter_start_wh": meter.meter_start_wh,
        "meter_end_wh": meter.meter_end_wh,
        "connector_id": meter.connector_id,
        "id_tag": meter.id_tag,
        "started": meter.started,
    }


def meter_from_dict(data: object) -> TransactionMeter | None:
    """Inverse of meter_to_dict; None for anything unusable."""
    if not isinstance(data, dict):
        return None
    try:
        end, id_tag, started = data.get("meter_end_wh"), data.get("id_tag"), data.get("started")
        return TransactionMeter(
            int(data["transaction_id"]),
            int(data["meter_start_wh"]),
            None if end is None else int(end),
            int(data.get("connector_id", CHARGING_CONNECTOR)),
            None if id_tag is None else str(id_tag),
            None if started is None else str(started),
        )
    except (KeyError, TypeError, ValueError):
        return None
