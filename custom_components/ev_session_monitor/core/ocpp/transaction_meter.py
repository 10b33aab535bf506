"""An OCPP transaction's meter readings as the wallbox keeps them, and a record of one.

Public API: `TransactionMeter`, `meter_to_dict` / `meter_from_dict` (the entry's store),
`priced_start` / `priced_reading` (a concurrent transaction priced as it runs),
`concurrent_session` (the session record of a transaction the wallbox did not show),
`parse_time` (an OCPP timestamp), `Price`, `CHARGING_CONNECTOR`.

A concurrent transaction is priced by the rule the session tracker prices the shown session
with: the energy a register reading (MeterValues, StopTransaction) adds since the previous one
is priced at the price its transaction last took (at the previous reading, or since then when
the wallbox was updated: a price change, another message of the box; `repriced`), the price
now when none was known; so a tariff that changes during the transaction prices it in parts.
Energy with no known price stays in `unpriced_wh`.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from ..model import PricePart, SessionRecord
from ..session import add_price_part

# The price per kWh in force and its currency (None, None: no price known).
type Price = tuple[float | None, str | None]

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
    # A concurrent transaction's pricing: the register (Wh) and box time of its latest reading,
    # the price in force then (it prices the energy until the next reading) and its currency,
    # and its energy per price so far as (start time, Wh, price or None). None / (): not priced
    # yet (a transaction stored by an older release is priced from its next reading on).
    priced_wh: float | None = None
    priced_at: str | None = None
    price: float | None = None
    currency: str | None = None
    parts: tuple[tuple[str, float, float | None], ...] = ()


def parse_time(timestamp: str | None) -> datetime | None:
    """An OCPP timestamp with its time zone; None for none or an unusable one."""
    if not timestamp:
        return None
    try:
        when = datetime.fromisoformat(timestamp)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def _usable(price: float | None) -> float | None:
    return price if price is not None and math.isfinite(price) else None


def priced_start(meter: TransactionMeter, price: Price) -> TransactionMeter:
    """A concurrent transaction at its StartTransaction: `price` prices its first energy."""
    return replace(
        meter,
        priced_wh=float(meter.meter_start_wh),
        priced_at=meter.started,
        price=_usable(price[0]),
        currency=price[1],
        parts=(),
    )


def repriced(meter: TransactionMeter, price: Price) -> TransactionMeter:
    """The price in force now prices a concurrent transaction's energy from here on."""
    if meter.priced_wh is None:
        return meter  # stored by an older release: priced from its next reading
    return replace(meter, price=_usable(price[0]), currency=price[1] or meter.currency)


def priced_reading(
    meter: TransactionMeter, register_wh: float, at: str | None, price: Price
) -> TransactionMeter:
    """Count a register reading of a concurrent transaction taken at `at` (the box's time).

    The energy since the previous reading is priced at the price the transaction last took
    (`price`, the one in force now, when none was known); `price` prices what follows. A
    reading below the previous one (a counter reset) is left out: its energy is then the
    StopTransaction's.
    """
    last_wh = float(meter.meter_start_wh) if meter.priced_wh is None else meter.priced_wh
    if not math.isfinite(register_wh) or register_wh < last_wh:
        return meter
    now_price = _usable(price[0])
    interval_price = meter.price if meter.price is not None else now_price
    since = meter.priced_at or meter.started or at or ""
    parts = meter.parts
    delta = register_wh - last_wh
    if delta > 0:
        # add_price_part works on lists; copy only when a part grows.
        grown: list[list[Any]] = [list(part) for part in parts]
        add_price_part(grown, since, delta, interval_price)
        parts = tuple((started, wh, part_price) for started, wh, part_price in grown)
    return replace(
        meter,
        priced_wh=register_wh,
        priced_at=at or meter.priced_at,
        price=now_price,
        currency=price[1] or meter.currency,
        parts=parts,
    )


def _fitted(
    parts: tuple[tuple[str, float, float | None], ...], energy_wh: float
) -> list[tuple[str, float, float | None]]:
    """The parts holding exactly `energy_wh`, the earliest first.

    Readings that went back leave the parts more than the transaction's energy.
    """
    fitted: list[tuple[str, float, float | None]] = []
    left = energy_wh
    for started, wh, price in parts:
        take = min(wh, left)
        if take > 0:
            fitted.append((started, take, price))
        left -= take
    if left > 1e-6:  # not reached: the parts run to meterStop
        fitted.append((parts[-1][0] if parts else "", left, None))
    return fitted


def concurrent_session(
    meter: TransactionMeter,
    stopped: str,
    now: datetime,
    charger_id: str,
    charger_name: str,
    price: Price = (None, None),
) -> SessionRecord:
    """The session record of a stopped concurrent transaction, from the box's readings and times.

    Its energy is meterStop - meterStart (0 after a counter reset: never negative), priced by
    its parts (`priced_reading`; `price`, the one in force at the stop, prices what no price
    was known for before). A time the box gave unusably is `now`'s.
    """
    ended_at = parse_time(stopped) or now
    started_at = min(parse_time(meter.started) or ended_at, ended_at)
    end_wh = meter.meter_start_wh if meter.meter_end_wh is None else meter.meter_end_wh
    energy_wh = float(max(end_wh - meter.meter_start_wh, 0))
    duration_h = (ended_at - started_at).total_seconds() / 3600
    stop_at = stopped if parse_time(stopped) is not None else ended_at.isoformat()
    closed = priced_reading(meter, float(end_wh), stop_at, price)
    parts = _fitted(closed.parts, energy_wh) if energy_wh > 0 else []
    unpriced_wh = sum(wh for _, wh, part_price in parts if part_price is None)
    cost = sum(wh / 1000 * part_price for _, wh, part_price in parts if part_price is not None)
    price_parts = tuple(
        PricePart(parse_time(started) or started_at, wh, part_price)
        for started, wh, part_price in parts
    )
    return SessionRecord(
        session_id=uuid.uuid4().hex,
        charger_id=charger_id,
        charger_name=charger_name,
        started_at=started_at,
        ended_at=ended_at,
        charging_s=duration_h * 3600,
        energy_wh=energy_wh,
        cost=cost if energy_wh > unpriced_wh else None,
        currency=closed.currency,
        avg_power_w=energy_wh / duration_h if duration_h > 0 else None,
        peak_power_w=None,
        tag_id=meter.id_tag,
        tag_name=None,
        energy_source="meter",
        unpriced_wh=unpriced_wh if parts else energy_wh,
        meter_start_wh=float(meter.meter_start_wh),
        meter_end_wh=float(end_wh),
        # Like the shown session's: the parts only where the price changed.
        price_parts=price_parts if len(price_parts) > 1 else (),
    )


def meter_to_dict(meter: TransactionMeter) -> dict[str, Any]:
    """JSON for the store."""
    data: dict[str, Any] = {
        "transaction_id": meter.transaction_id,
        "meter_start_wh": meter.meter_start_wh,
        "meter_end_wh": meter.meter_end_wh,
        "connector_id": meter.connector_id,
        "id_tag": meter.id_tag,
        "started": meter.started,
    }
    if meter.priced_wh is not None:
        data["priced"] = {
            "wh": meter.priced_wh,
            "at": meter.priced_at,
            "price": meter.price,
            "currency": meter.currency,
            "parts": [list(part) for part in meter.parts],
        }
    return data


def _priced_from_dict(data: object) -> dict[str, Any]:
    """The pricing fields of a stored meter; none (priced from the next reading) if unusable."""
    if not isinstance(data, dict):
        return {}
    try:
        price, currency, at = data.get("price"), data.get("currency"), data.get("at")
        parts = tuple(
            (str(started), float(wh), None if part_price is None else float(part_price))
            for started, wh, part_price in data.get("parts") or ()
        )
        return {
            "priced_wh": float(data["wh"]),
            "priced_at": None if at is None else str(at),
            "price": None if price is None else float(price),
            "currency": None if currency is None else str(currency),
            "parts": parts,
        }
    except (KeyError, TypeError, ValueError):
        return {}


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
            **_priced_from_dict(data.get("priced")),
        )
    except (KeyError, TypeError, ValueError):
        return None
