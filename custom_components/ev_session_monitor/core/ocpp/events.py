"""What a charge point tells the central system, as plain facts for the layer above.

Public API (used by the Home Assistant layer): `ChargePointSink` (the layer above
implements it), `Authorizer`, `CardDecision` and the event dataclasses. `CardAttempt.rejected`
marks a refused card (the `unknown_tag` event's `rejected: true`); `TransactionStopped`
carries the persisted meterStart and `energy_wh` (None after a counter reset);
`MeterSample.counter_reset` (in `meter_values`) flags a register that went back.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from ..model import ChargerStatus
from .meter_values import MeterSample


class CardDecision(StrEnum):
    """The answer to a card (OCPP 1.6 AuthorizationStatus values we give)."""

    ACCEPTED = "Accepted"
    BLOCKED = "Blocked"
    INVALID = "Invalid"


# OCPP 1.6 edition 2, ChargePointStatus, mapped to our vocabulary.
STATUS_MAP: dict[str, ChargerStatus | None] = {
    "Available": ChargerStatus.IDLE,
    "Preparing": ChargerStatus.CONNECTED,
    "Charging": ChargerStatus.CHARGING,
    "SuspendedEV": ChargerStatus.SUSPENDED_EV,
    "SuspendedEVSE": ChargerStatus.SUSPENDED_CHARGER,
    "Finishing": ChargerStatus.FINISHED,
    "Reserved": ChargerStatus.IDLE,
    "Unavailable": None,
    "Faulted": ChargerStatus.ERROR,
}


@dataclass(frozen=True, slots=True)
class BootInfo:
    """What a BootNotification says about the box."""

    vendor: str
    model: str
    serial: str | None
    firmware: str | None


@dataclass(frozen=True, slots=True)
class StatusReport:
    """One StatusNotification."""

    connector_id: int
    status: ChargerStatus | None
    raw_status: str
    error_code: str
    timestamp: str | None


@dataclass(frozen=True, slots=True)
class CardAttempt:
    """A card the box asked about (Authorize or StartTransaction) and our answer."""

    id_tag: str
    decision: CardDecision
    action: str

    @property
    def rejected(self) -> bool:
        """True when the card was refused (Invalid or Blocked)."""
        return self.decision is not CardDecision.ACCEPTED


@dataclass(frozen=True, slots=True)
class TransactionStarted:
    """A StartTransaction, with the id we assigned."""

    connector_id: int
    transaction_id: int
    id_tag: str
    meter_start_wh: int
    timestamp: str
    decision: CardDecision


@dataclass(frozen=True, slots=True)
class TransactionStopped:
    """A StopTransaction; `known` is False for an id this central system never started."""

    transaction_id: int
    meter_stop_wh: int
    timestamp: str
    reason: str | None
    id_tag: str | None
    known: bool
    # From the persisted StartTransaction (None for an unknown id).
    meter_start_wh: int | None = None
    connector_id: int | None = None
    # meterStop below meterStart: the register was reset; no energy is derived.
    counter_reset: bool = False

    @property
    def energy_wh(self) -> int | None:
        """The transaction's energy from the box's own register, None if it cannot be told."""
        if self.meter_start_wh is None or self.counter_reset:
            return None
        return self.meter_stop_wh - self.meter_start_wh


@dataclass(frozen=True, slots=True)
class ConfigurationReport:
    """The outcome of configuring a box after its boot."""

    accepted: tuple[str, ...]
    rejected: tuple[str, ...]
    read_back: dict[str, str | None]


class ChargePointSink(Protocol):
    """Receives the facts of one central system; every method is awaited in order."""

    async def boot(self, charge_point_id: str, info: BootInfo) -> None:
        """A box booted."""

    async def status(self, charge_point_id: str, report: StatusReport) -> None:
        """A connector's status changed."""

    async def meter_sample(self, charge_point_id: str, sample: MeterSample) -> None:
        """A box sent meter values (MeterValues or a StopTransaction's transactionData)."""

    async def card(self, charge_point_id: str, attempt: CardAttempt) -> None:
        """A box asked about a card."""

    async def transaction_started(self, charge_point_id: str, event: TransactionStarted) -> None:
        """A transaction started."""

    async def transaction_stopped(self, charge_point_id: str, event: TransactionStopped) -> None:
        """A transaction stopped."""

    async def configuration(self, charge_point_id: str, report: ConfigurationReport) -> None:
        """The box was configured after boot; `report.rejected` names keys it refused."""


class Authorizer(Protocol):
    """Decides whether a card may charge at a charge point."""

    async def __call__(self, charge_point_id: str, id_tag: str) -> CardDecision:
        """Return the decision for `id_tag`."""
        ...
