"""The common reading model: what every wallbox reports, whatever its protocol."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class ChargerStatus(StrEnum):
    """One vocabulary for the status codes of every wallbox."""

    IDLE = "idle"  # no vehicle
    CONNECTED = "connected"
    WAITING_FOR_AUTHORIZATION = "waiting_for_authorization"
    CHARGING = "charging"
    SUSPENDED_EV = "suspended_ev"
    SUSPENDED_CHARGER = "suspended_charger"
    FINISHED = "finished"
    ERROR = "error"


# A vehicle is plugged in while the box reports any of these.
VEHICLE_PRESENT = frozenset(
    {
        ChargerStatus.CONNECTED,
        ChargerStatus.WAITING_FOR_AUTHORIZATION,
        ChargerStatus.CHARGING,
        ChargerStatus.SUSPENDED_EV,
        ChargerStatus.SUSPENDED_CHARGER,
        ChargerStatus.FINISHED,
    }
)


class Capability(StrEnum):
    """What a wallbox profile can read or control."""

    POWER = "power"
    PHASE_CURRENTS = "phase_currents"
    PHASE_VOLTAGES = "phase_voltages"
    SESSION_ENERGY = "session_energy"
    LIFETIME_ENERGY = "lifetime_energy"
    TAG = "tag"
    TAG_READS = "tag_reads"  # the box shows every card read, not only accepted ones
    ERROR_CODE = "error_code"
    CURRENT_LIMIT = "current_limit"  # writable charging current
    ENABLE = "enable"  # writable charging on/off


@dataclass(frozen=True, slots=True)
class Reading:
    """One poll of a wallbox, in canonical units (W, A, V, Wh). None means not available."""

    status: ChargerStatus | None = None
    power_w: float | None = None
    currents_a: tuple[float | None, float | None, float | None] = (None, None, None)
    voltages_v: tuple[float | None, float | None, float | None] = (None, None, None)
    session_energy_wh: float | None = None
    lifetime_energy_wh: float | None = None
    tag: str | None = None
    # Changes whenever the box reads a card (go-e `lrr`); None when the box has no such value.
    tag_read_marker: float | None = None
    # A number from a register, or an OCPP ChargePointErrorCode ("NoError", "GroundFailure").
    error_code: int | str | None = None
    current_limit_a: float | None = None
    raw_status: int | str | None = None
    # Whether the box allows charging, as the box reports it (go-e frc, OpenEVSE status);
    # None when the box does not say.
    enabled: bool | None = None

    @property
    def vehicle_present(self) -> bool:
        """Return True while a vehicle is plugged in."""
        return self.status in VEHICLE_PRESENT

    @property
    def charging(self) -> bool:
        """Return True while the box delivers energy."""
        return self.status is ChargerStatus.CHARGING


@dataclass(frozen=True, slots=True)
class DeviceIdentity:
    """What a wallbox says about itself (read once per connection)."""

    serial: str | None = None
    firmware: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PricePart:
    """Energy of a session delivered at one price (a dynamic tariff's hour, a tariff change)."""

    started_at: datetime  # when the first energy at this price flowed (timezone-aware, UTC)
    energy_wh: float
    price_per_kwh: float | None  # None: no price was known

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serializable dict."""
        return {
            "started_at": self.started_at.isoformat(),
            "energy_wh": round(self.energy_wh, 3),
            "price_per_kwh": _rounded(self.price_per_kwh, 4),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PricePart:
        """Inverse of to_dict."""
        return cls(
            started_at=datetime.fromisoformat(data["started_at"]),
            energy_wh=float(data["energy_wh"]),
            price_per_kwh=_optional_float(data.get("price_per_kwh")),
        )


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A completed charging session, as stored in the history and sent in events."""

    session_id: str
    charger_id: str  # the config entry's unique id (stable across reconfiguration)
    charger_name: str
    started_at: datetime  # timezone-aware, UTC
    ended_at: datetime
    charging_s: float  # time with energy flowing (plug-in time is ended_at - started_at)
    energy_wh: float
    cost: float | None  # in `currency`; None when no price was known
    currency: str | None
    avg_power_w: float | None  # energy / charging time
    peak_power_w: float | None
    tag_id: str | None
    tag_name: str | None
    energy_source: str  # "meter", "session_counter", "power" or "mixed"
    gaps: int = 0  # polling gaps whose energy could not be measured
    unpriced_wh: float = 0.0  # energy delivered while no price was known (not in `cost`)
    # The vehicle left while Home Assistant was not looking: the end lies between ended_at (the
    # last reading that saw it) and end_latest (the first reading after). None = end observed.
    end_latest: datetime | None = None
    unseen_s: float = 0.0  # time the box could not be read and had no counter to recover from
    # Home Assistant did not see the plug-in (it started, or the box was added, during the
    # session): the start lies before started_at.
    start_uncertain: bool = False
    # Home Assistant did not see the end (see end_latest); the charging time is estimated.
    end_uncertain: bool = False
    # The box's lifetime meter (Wh) at the start and end (OCPP: meterStart, meterStop), for
    # billing; None where the box has no lifetime meter or a reading was not seen.
    meter_start_wh: float | None = None
    meter_end_wh: float | None = None
    meter_serial: str | None = None  # the meter's (or the box's) serial number
    # The car's odometer at plug-in and at the end, from the entity chosen for its card.
    odometer_start_km: float | None = None
    odometer_end_km: float | None = None
    note: str | None = None  # an administrator's note, set when correcting the session
    # Where the price changed during the session: its energy per price, in order (empty when
    # one price applied to all of it; `price_per_kwh` is the average either way).
    price_parts: tuple[PricePart, ...] = ()

    @property
    def without_price_wh(self) -> float:
        """Energy no price applied to: all of it when the session has no cost."""
        return self.energy_wh if self.cost is None else self.unpriced_wh

    @property
    def price_per_kwh(self) -> float | None:
        """The average price of the priced energy (cost / priced kWh); None without a price."""
        priced_kwh = (self.energy_wh - self.unpriced_wh) / 1000
        if self.cost is None or priced_kwh <= 0:
            return None
        return self.cost / priced_kwh

    @property
    def duration_s(self) -> float:
        """Return plug-in duration in seconds."""
        return (self.ended_at - self.started_at).total_seconds()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serializable dict (datetimes as ISO 8601)."""
        return {
            "session_id": self.session_id,
            "charger_id": self.charger_id,
            "charger_name": self.charger_name,
            "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat(),
            "duration_s": round(self.duration_s, 1),
            "charging_s": round(self.charging_s, 1),
            "energy_wh": round(self.energy_wh, 3),
            "cost": None if self.cost is None else round(self.cost, 4),
            "currency": self.currency,
            "avg_power_w": None if self.avg_power_w is None else round(self.avg_power_w, 1),
            "peak_power_w": None if self.peak_power_w is None else round(self.peak_power_w, 1),
            "tag_id": self.tag_id,
            "tag_name": self.tag_name,
            "energy_source": self.energy_source,
            "gaps": self.gaps,
            "unpriced_wh": round(self.unpriced_wh, 3),
            "end_latest": None if self.end_latest is None else self.end_latest.isoformat(),
            "unseen_s": round(self.unseen_s, 1),
            "start_uncertain": self.start_uncertain,
            "end_uncertain": self.end_uncertain,
            "meter_start_wh": _rounded(self.meter_start_wh, 3),
            "meter_end_wh": _rounded(self.meter_end_wh, 3),
            "meter_serial": self.meter_serial,
            "price_per_kwh": _rounded(self.price_per_kwh, 4),
            "odometer_start_km": _rounded(self.odometer_start_km, 1),
            "odometer_end_km": _rounded(self.odometer_end_km, 1),
            "note": self.note,
            "price_parts": [part.to_dict() for part in self.price_parts],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SessionRecord:
        """Inverse of to_dict."""
        return cls(
            session_id=str(data["session_id"]),
            charger_id=str(data["charger_id"]),
            charger_name=str(data["charger_name"]),
            started_at=datetime.fromisoformat(data["started_at"]),
            ended_at=datetime.fromisoformat(data["ended_at"]),
            charging_s=float(data["charging_s"]),
            energy_wh=float(data["energy_wh"]),
            cost=None if data.get("cost") is None else float(data["cost"]),
            currency=data.get("currency"),
            avg_power_w=None if data.get("avg_power_w") is None else float(data["avg_power_w"]),
            peak_power_w=None if data.get("peak_power_w") is None else float(data["peak_power_w"]),
            tag_id=data.get("tag_id"),
            tag_name=data.get("tag_name"),
            energy_source=str(data.get("energy_source", "meter")),
            gaps=int(data.get("gaps", 0)),
            unpriced_wh=float(data.get("unpriced_wh", 0.0)),
            end_latest=None
            if data.get("end_latest") is None
            else datetime.fromisoformat(data["end_latest"]),
            unseen_s=float(data.get("unseen_s", 0.0)),
            start_uncertain=bool(data.get("start_uncertain", False)),
            end_uncertain=bool(data.get("end_uncertain", data.get("end_latest") is not None)),
            meter_start_wh=_optional_float(data.get("meter_start_wh")),
            meter_end_wh=_optional_float(data.get("meter_end_wh")),
            meter_serial=None if data.get("meter_serial") is None else str(data["meter_serial"]),
            odometer_start_km=_optional_float(data.get("odometer_start_km")),
            odometer_end_km=_optional_float(data.get("odometer_end_km")),
            note=None if data.get("note") is None else str(data["note"]),
            price_parts=tuple(PricePart.from_dict(part) for part in data.get("price_parts") or ()),
        )


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)
