"""An OCPP charge point as a wallbox: pushed facts kept as one Reading, controls as calls.

The layers above treat it like a polled box: `read()` returns what the box last told the
central system, and the controls send OCPP calls (commands.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from ..client import WallboxClient
from ..errors import WallboxConnectionError, WallboxResponseError, WallboxUnsupportedError
from ..model import VEHICLE_PRESENT, DeviceIdentity, Reading
from ..profile import (
    CurrentLimitControl,
    HttpWrite,
    ModbusWrite,
    ValueSpec,
    WallboxProfile,
)
from ..tags import TagRegistry
from . import commands
from .events import (
    BootInfo,
    CardAttempt,
    CardDecision,
    StatusReport,
    TransactionStarted,
    TransactionStopped,
)
from .local_list import LocalListState
from .meter_values import MeterSample
from .transaction_meter import (
    CHARGING_CONNECTOR,
    Price,
    TransactionMeter,
    meter_from_dict,
    meter_to_dict,
    parse_time,
    priced_reading,
    priced_start,
    repriced,
)

OCPP_PROFILE_ID = "ocpp_1_6j"
# OCPP ChargePointErrorCode for "no error", and the status of a box or connector set Inoperative.
NO_ERROR = "NoError"
UNAVAILABLE = "Unavailable"
# The status of a connector whose vehicle is plugged in and waits for a start.
PREPARING = "Preparing"

_PUSHED = "OCPP call, sent by OcppWallboxClient"  # the write is an OCPP call, not this request

# What an OCPP 1.6J box reports (MeterValues, StatusNotification, cards) and what it can be
# asked to do (SetChargingProfile in A, Remote Start/Stop). 32 A on three phases at 230 V.
OCPP_PROFILE = WallboxProfile(
    profile_id=OCPP_PROFILE_ID,
    name="OCPP 1.6J charge point",
    manufacturer="OCPP",
    model="OCPP 1.6J",
    source="OCPP 1.6 edition 2",
    transport="ocpp",
    default_port=9000,
    default_unit_id=0,
    max_power_w=22_080,
    values={
        name: ValueSpec(name=name, data_type="float32")
        for name in (
            "power",
            "current_l1",
            "voltage_l1",
            "session_energy",
            "lifetime_energy",
            "tag",
            "tag_read_marker",
            "error_code",
        )
    },
    identity={},
    current_limit=CurrentLimitControl(write=HttpWrite(path=_PUSHED), min_a=6, max_a=32),
    enable=HttpWrite(path=_PUSHED),
    requires_authorization=True,
)


# Why a card may not charge at a wallbox (refused_because).
CARD_BLOCKED = "card_blocked"
CARD_UNKNOWN = "card_unknown"  # never known, or removed
CARD_NOT_ALLOWED_HERE = "card_not_allowed_here"


def refused_because(registry: TagRegistry, charger_id: str, id_tag: str) -> str | None:
    """Why `id_tag` may not charge here (blocked, not or no longer known, not allowed here)."""
    known = registry.get(id_tag)
    if known is None:
        return CARD_UNKNOWN
    if known.blocked:
        return CARD_BLOCKED
    return None if known.allowed_on(charger_id) else CARD_NOT_ALLOWED_HERE


def decide_card(registry: TagRegistry, charger_id: str, id_tag: str) -> CardDecision:
    """The answer to a card: Blocked if an administrator blocked it, else allowed here or not."""
    reason = refused_because(registry, charger_id, id_tag)
    if reason is None:
        return CardDecision.ACCEPTED
    return CardDecision.BLOCKED if reason == CARD_BLOCKED else CardDecision.INVALID


Connection = Callable[[], Any]  # the connected CentralChargePoint, or None


class OcppWallboxClient(WallboxClient):
    """What one OCPP charge point pushed, as the Reading a poll would have given."""

    def __init__(self, charge_point_id: str, connection: Connection) -> None:
        """`connection()` returns the box's live connection (None while it is away)."""
        super().__init__(OCPP_PROFILE)
        self.charge_point_id = charge_point_id
        self._connection = connection
        # The switch shows whether a transaction runs (enabled).
        self.reading = Reading(tag_read_marker=0, enabled=False)
        self.boot: BootInfo | None = None
        self.reading_time: datetime | None = None  # the box's time of the latest fact
        self.transaction: TransactionMeter | None = None
        self.finished: TransactionMeter | None = None  # stopped, not yet in a session record
        # Transactions started on another connector while `transaction` runs, by id: the
        # wallbox shows one session, these are recorded on their own when they stop.
        self.concurrent: dict[int, TransactionMeter] = {}
        # The price in force now for a card (set by the layer that knows the tariff): what the
        # concurrent transactions are priced with as their readings arrive. None: not priced.
        self.price_of: Callable[[str | None], Price] | None = None
        self._authorized_tag: str | None = None
        # The box said what its outlet does since Home Assistant started (not a guess).
        self.status_seen = False
        self._limit_sent_a: float | None = None
        # The last StatusNotification of each connector (1, 2, ...).
        self.connector_statuses: dict[int, StatusReport] = {}
        # Whether the box takes charging sessions (ChangeAvailability, "Unavailable" status);
        # None until it said so or was told.
        self.operative: bool | None = None
        # The box's Local Authorization List as it last accepted it.
        self.local_list = LocalListState()

    # --- facts from the box --------------------------------------------------------------

    def _at(self, timestamp: str | None) -> None:
        when = parse_time(timestamp)
        if when is not None and (self.reading_time is None or when >= self.reading_time):
            self.reading_time = when

    def apply_boot(self, info: BootInfo) -> None:
        """The box booted: its identity."""
        self.boot = info

    def apply_status(self, report: StatusReport) -> None:
        """A StatusNotification: the wallbox shows the connector in use; connector 0's error.

        A box with several connectors reports each; the wallbox follows the one with the
        running transaction, else the first with a vehicle, else connector 1.
        """
        self._at(report.timestamp)
        error = report.error_code
        if report.connector_id in (0, CHARGING_CONNECTOR):
            self.operative = report.raw_status != UNAVAILABLE
        if report.connector_id == 0:
            if error != NO_ERROR or self.reading.error_code is None:
                self.reading = replace(self.reading, error_code=error)
            return
        self.status_seen = True
        self.connector_statuses[report.connector_id] = report
        shown = self.connector_statuses[self._connector_in_use()]
        changes: dict[str, Any] = {}
        plugged_in = shown.status in VEHICLE_PRESENT and not self.reading.vehicle_present
        if plugged_in and self.transaction is None:
            # A new plug-in has delivered nothing yet: a counter at 0 lets the first session
            # be counted before the box ever reported its meter (it does at StartTransaction).
            changes["session_energy_wh"] = 0.0
        self.reading = replace(
            self.reading,
            status=shown.status,
            raw_status=shown.raw_status,
            error_code=shown.error_code,
            **changes,
        )

    def _connector_in_use(self) -> int:
        statuses = self.connector_statuses
        if self.transaction is not None and self.transaction.connector_id in statuses:
            return self.transaction.connector_id
        for connector_id in sorted(statuses):
            if statuses[connector_id].status in VEHICLE_PRESENT:
                return connector_id
        return CHARGING_CONNECTOR if CHARGING_CONNECTOR in statuses else min(statuses)

    def start_connector(self) -> int:
        """Where RemoteStartTransaction starts: the first connector whose car waits."""
        for connector_id in sorted(self.connector_statuses):
            if self.connector_statuses[connector_id].raw_status == PREPARING:
                return connector_id
        return CHARGING_CONNECTOR

    def _of_concurrent(self, connector_id: int | None, transaction_id: int | None) -> bool:
        if transaction_id is not None:
            return transaction_id in self.concurrent
        return any(meter.connector_id == connector_id for meter in self.concurrent.values())

    def apply_sample(self, sample: MeterSample) -> None:
        """MeterValues: every value the element carries replaces the one before.

        Values of a concurrent transaction come from its own connector's meter: they are not
        the shown session's (its energy comes from its meterStart and meterStop).
        """
        self._at(sample.timestamp)
        if self._of_concurrent(sample.connector_id, sample.transaction_id):
            self._price_concurrent(sample)
            return
        pushed = sample.reading
        changes: dict[str, Any] = {}
        if pushed.power_w is not None:
            changes["power_w"] = pushed.power_w
        if any(value is not None for value in pushed.currents_a):
            changes["currents_a"] = pushed.currents_a
        if any(value is not None for value in pushed.voltages_v):
            changes["voltages_v"] = pushed.voltages_v
        if pushed.lifetime_energy_wh is not None:
            changes["lifetime_energy_wh"] = pushed.lifetime_energy_wh
            if self.transaction is not None:
                session = pushed.lifetime_energy_wh - self.transaction.meter_start_wh
                changes["session_energy_wh"] = session if session >= 0 else None
        self.reading = replace(self.reading, **changes)

    def _price(self, id_tag: str | None) -> Price:
        return (None, None) if self.price_of is None else self.price_of(id_tag)

    def _price_concurrent(self, sample: MeterSample) -> None:
        """A concurrent transaction's register reading: its energy since the last one priced."""
        register = sample.reading.lifetime_energy_wh
        if register is None or sample.counter_reset:
            return
        for transaction_id, meter in self.concurrent.items():
            if sample.transaction_id not in (None, transaction_id):
                continue
            if sample.transaction_id is None and meter.connector_id != sample.connector_id:
                continue
            at = sample.timestamp if parse_time(sample.timestamp) is not None else None
            self.concurrent[transaction_id] = priced_reading(
                meter, register, at, self._price(meter.id_tag)
            )
            return

    def reprice_concurrent(self) -> bool:
        """The wallbox was updated: the concurrent transactions take the price now.

        The shown session does so at every update. True when a price changed (worth saving).
        """
        changed = False
        for transaction_id, meter in list(self.concurrent.items()):
            now = repriced(meter, self._price(meter.id_tag))
            if now != meter:
                self.concurrent[transaction_id] = now
                changed = True
        return changed

    def apply_card(self, attempt: CardAttempt) -> None:
        """A card was presented; one presentation is one attempt.

        A box asks Authorize and then StartTransaction for the same card, and names the card
        again in StopTransaction: those are not new presentations.
        """
        if attempt.action == "StopTransaction":
            return
        if attempt.action == "StartTransaction" and attempt.id_tag == self._authorized_tag:
            self._authorized_tag = None
            return
        self._authorized_tag = attempt.id_tag if attempt.action == "Authorize" else None
        marker = (self.reading.tag_read_marker or 0) + 1
        self.reading = replace(self.reading, tag=attempt.id_tag, tag_read_marker=marker)

    def apply_start(self, event: TransactionStarted) -> None:
        """StartTransaction: the meter at the start is the session's baseline.

        A transaction on another connector while one runs is kept aside (`concurrent`).
        """
        self._at(event.timestamp)
        meter = TransactionMeter(
            event.transaction_id,
            event.meter_start_wh,
            connector_id=event.connector_id,
            id_tag=event.id_tag,
            started=event.timestamp,
        )
        running = self.transaction
        if running is not None and running.connector_id != event.connector_id:
            self.concurrent[event.transaction_id] = priced_start(meter, self._price(event.id_tag))
            return
        self.transaction = meter
        self.reading = replace(
            self.reading,
            lifetime_energy_wh=float(event.meter_start_wh),
            session_energy_wh=0.0,
            enabled=True,
        )

    def running(self) -> list[TransactionMeter]:
        """Every transaction that runs: the shown one first, then the concurrent ones."""
        shown = [] if self.transaction is None else [self.transaction]
        return shown + list(self.concurrent.values())

    def stop_concurrent(self, event: TransactionStopped) -> TransactionMeter | None:
        """StopTransaction of a concurrent transaction: its readings, None if it is not one."""
        meter = self.concurrent.pop(event.transaction_id, None)
        if meter is None:
            return None
        self._at(event.timestamp)
        return replace(meter, meter_end_wh=event.meter_stop_wh)

    def apply_stop(self, event: TransactionStopped) -> None:
        """StopTransaction: the meter at the end; the transaction awaits its session record."""
        self._at(event.timestamp)
        start = self.transaction
        if start is None or start.transaction_id != event.transaction_id:
            start = None
        else:
            self.transaction = None
        if start is not None:
            self.finished = replace(start, meter_end_wh=event.meter_stop_wh)
            session = event.meter_stop_wh - start.meter_start_wh
            self.reading = replace(
                self.reading,
                lifetime_energy_wh=float(event.meter_stop_wh),
                session_energy_wh=float(session) if session >= 0 else None,
                power_w=0.0,
                enabled=False,
            )
        else:
            self.reading = replace(
                self.reading, lifetime_energy_wh=float(event.meter_stop_wh), power_w=0.0
            )

    def stored(self) -> dict[str, Any]:
        """What must survive a restart: the transactions and the box's local list."""
        return {
            "transaction": None if self.transaction is None else meter_to_dict(self.transaction),
            "finished": None if self.finished is None else meter_to_dict(self.finished),
            "concurrent": [meter_to_dict(meter) for meter in self.concurrent.values()],
            "local_list": self.local_list.to_dict(),
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Take back what stored() returned before the restart."""
        self.transaction = meter_from_dict(data.get("transaction"))
        self.finished = meter_from_dict(data.get("finished"))
        concurrent = data.get("concurrent")
        self.concurrent = {}
        for item in concurrent if isinstance(concurrent, list) else []:
            if (meter := meter_from_dict(item)) is not None:
                self.concurrent[meter.transaction_id] = meter
        self.local_list = LocalListState.from_dict(data.get("local_list"))
        if self.transaction is not None:
            # The meter's value now is the box's to say: the start value would read as a reset.
            self.reading = replace(self.reading, enabled=True)

    def take_meter(self) -> TransactionMeter | None:
        """The meter readings for the session just recorded (the stopped transaction)."""
        meter = self.finished or self.transaction
        self.finished = None
        return meter

    # --- WallboxClient -------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """Return True while the box is connected."""
        return self._connection() is not None

    def connection(self) -> Any:
        """The box's live connection (CentralChargePoint), None while it is away."""
        return self._connection()

    def _live(self) -> Any:
        live = self._connection()
        if live is None:
            raise WallboxConnectionError(f"charge point {self.charge_point_id} is not connected")
        return live

    async def read(self) -> Reading:
        """What the box last reported; raise WallboxConnectionError while it is away."""
        self._live()
        return self.reading

    async def read_identity(self) -> DeviceIdentity:
        """What the last BootNotification said (nothing before the first one)."""
        if self.boot is None:
            return DeviceIdentity()
        return DeviceIdentity(
            serial=self.boot.serial,
            firmware=self.boot.firmware,
            extra={"vendor": self.boot.vendor, "model": self.boot.model},
        )

    async def _command(self, work: Callable[[Any], Any]) -> None:
        try:
            await work(self._live())
        except commands.CommandError as err:
            raise WallboxResponseError(str(err)) from err

    async def _write_current_limit(self, amps: float) -> None:
        """SetChargingProfile (TxDefaultProfile, A) for the whole box, only when it changes."""
        if amps == self._limit_sent_a:
            return
        await self._command(lambda live: commands.set_current_limit(live, 0, amps))
        self._limit_sent_a = amps
        self.reading = replace(self.reading, current_limit_a=amps)

    async def remote_start(self, id_tag: str) -> None:
        """RemoteStartTransaction for `id_tag` where a car waits (else on connector 1)."""
        connector_id = self.start_connector()
        await self._command(lambda live: commands.remote_start(live, id_tag, connector_id))

    async def _write_enabled(self, enabled: bool) -> None:
        """Off: RemoteStopTransaction of the running transaction (on: see remote_start)."""
        if enabled:
            raise WallboxUnsupportedError("starting needs a card: use remote_start")
        transaction = self.transaction
        if transaction is None:
            return  # nothing runs: the box already does not charge
        await self.remote_stop(transaction.transaction_id)

    async def remote_stop(self, transaction_id: int) -> None:
        """RemoteStopTransaction of `transaction_id`."""
        await self._command(lambda live: commands.remote_stop(live, transaction_id))

    async def _write_keepalive(self) -> None:
        """OCPP boxes keep their own heartbeat."""

    async def _write_fixed(self, write: ModbusWrite | HttpWrite) -> None:
        """OCPP profiles have no on_first_control writes."""

    async def set_phases(self, phases: int) -> None:
        """OCPP 1.6 has no phase switch."""
        raise WallboxUnsupportedError("OCPP 1.6 cannot switch phases")

    async def set_operative(self, operative: bool) -> None:
        """ChangeAvailability of the whole box (connector 0): Operative or Inoperative.

        Scheduled (a transaction runs) counts as done: the box changes when it ends.
        """
        await self._command(lambda live: commands.change_availability(live, 0, operative))
        self.operative = operative

    async def refresh(self) -> None:
        """TriggerMessage: the charging connector's StatusNotification and MeterValues now."""

        async def trigger(live: Any) -> None:
            for message in ("StatusNotification", "MeterValues"):
                await commands.trigger_message(live, message, CHARGING_CONNECTOR)

        await self._command(trigger)

    async def reset(self) -> None:
        """Restart the box (Reset, soft)."""
        await self._command(commands.reset)

    async def close(self) -> None:
        """The central system owns the connection: nothing to release here."""
