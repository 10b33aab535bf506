"""One connected OCPP 1.6J charge point, as the central system sees it."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from ocpp import exceptions, routing
from ocpp.messages import MessageType, unpack
from ocpp.v16 import ChargePoint, call_result, datatypes
from ocpp.v16.enums import Action, DataTransferStatus, RegistrationStatus

from .commands import configure_after_boot
from .events import (
    STATUS_MAP,
    Authorizer,
    BootInfo,
    CardAttempt,
    CardDecision,
    ChargePointSink,
    StatusReport,
    TransactionStarted,
    TransactionStopped,
)
from .meter_values import meter_samples
from .transaction_ids import TransactionIdAllocator

_LOGGER = logging.getLogger(__name__)


def on[F: Callable[..., Any]](action: str) -> Callable[[F], F]:
    """Type the library's routing decorator (the library ships no type hints)."""
    return cast("Callable[[F], F]", routing.on(action))


@dataclass(frozen=True, slots=True)
class ChargePointSettings:
    """What every connection of one central system shares."""

    sink: ChargePointSink
    authorizer: Authorizer
    transaction_ids: TransactionIdAllocator
    heartbeat_interval_s: int = 300
    meter_value_sample_interval_s: int = 60
    response_timeout_s: float = 30.0


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _v16_error(error: Any) -> Any:
    """Name an error as OCPP-J 1.6 does, without echoing the offending message back."""
    details = {"cause": str(error.details.get("cause", ""))} if error.details else {}
    if isinstance(error, exceptions.FormatViolationError):
        return exceptions.FormationViolationError(details=details)
    if isinstance(error, exceptions.OccurrenceConstraintViolationError):
        return exceptions.OccurenceConstraintViolationError(details=details)
    return type(error)(description=error.description, details=details)


def _usable_unique_id(raw: str | bytes) -> str | None:
    """Return the unique id of a frame that failed to unpack, if it has a usable one."""
    try:
        frame = json.loads(raw)
    except ValueError:
        return None
    if isinstance(frame, list) and len(frame) > 1 and frame[0] == MessageType.Call:
        unique_id = frame[1]
        if _is_unique_id(unique_id):
            return str(unique_id)
    return None


def _is_unique_id(unique_id: object) -> bool:
    return isinstance(unique_id, str) and 0 < len(unique_id) <= 36


class CentralChargePoint(ChargePoint):  # type: ignore[misc]  # the library is untyped
    """Answers one charge point's calls and turns them into facts for the sink."""

    def __init__(
        self, charge_point_id: str, connection: Any, settings: ChargePointSettings
    ) -> None:
        """Serve `connection` (an object with async `recv()` and `send()`)."""
        super().__init__(charge_point_id, connection, response_timeout=settings.response_timeout_s)
        self.charge_point_id = charge_point_id
        self.connection = connection
        self._settings = settings
        self._meter_start: dict[int, int] = {}
        self._transaction_connector: dict[int, int] = {}
        self._background: set[asyncio.Task[None]] = set()
        self.configuration_done = asyncio.Event()

    # --- framing ---------------------------------------------------------------------

    async def route_message(self, raw_msg: str) -> None:
        """Route one frame; malformed frames and unknown actions get OCPP-J 1.6 answers."""
        try:
            msg = unpack(raw_msg)
        except exceptions.OCPPError as error:
            unique_id = _usable_unique_id(raw_msg)
            # OCPP-J 1.6 section 4.2.3: a CALLERROR answers a CALL; without a usable unique
            # id nothing can be answered, so the frame is dropped.
            _LOGGER.warning("%s: malformed frame dropped: %s", self.id, error.details)
            if unique_id is not None:
                await self._send_error(unique_id, error)
            return
        if not _is_unique_id(msg.unique_id):
            # OCPP-J 1.6 section 4.1.3: the unique id is a string of at most 36 characters.
            _LOGGER.warning("%s: frame without a valid unique id dropped", self.id)
            return
        if msg.message_type_id == MessageType.Call:
            if msg.action not in self.route_map:
                await self._send_error(msg.unique_id, self._unknown_action(msg.action))
                return
            try:
                await self._handle_call(msg)
            except exceptions.OCPPError as error:
                await self._send_error(msg.unique_id, error)
        else:
            self._response_queue.put_nowait(msg)

    @staticmethod
    def _unknown_action(action: object) -> Any:
        # OCPP-J 1.6 section 4.2.3: NotImplemented = action not known, NotSupported =
        # action known (an OCPP 1.6 action) but not supported here.
        if isinstance(action, str) and action in Action.__members__.values():
            return exceptions.NotSupportedError(details={"cause": f"{action} is not supported"})
        return exceptions.NotImplementedError(details={"cause": "unknown action"})

    async def _send_error(self, unique_id: str, error: Any) -> None:
        translated = _v16_error(error)
        frame = [
            MessageType.CallError,
            unique_id,
            translated.code,
            translated.description,
            translated.details,
        ]
        await self._send(json.dumps(frame, separators=(",", ":")))

    def _spawn(self, work: Any) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def stop_background(self) -> None:
        """Cancel work started for this connection (configuration after boot)."""
        for task in list(self._background):
            task.cancel()

    # --- calls from the charge point -------------------------------------------------

    @on(Action.boot_notification)
    async def on_boot_notification(
        self, charge_point_vendor: str, charge_point_model: str, **kwargs: Any
    ) -> Any:
        """Accept the box and configure it (in the background: the call needs the loop)."""
        info = BootInfo(
            vendor=charge_point_vendor,
            model=charge_point_model,
            serial=kwargs.get("charge_point_serial_number")
            or kwargs.get("charge_box_serial_number"),
            firmware=kwargs.get("firmware_version"),
        )
        await self._settings.sink.boot(self.charge_point_id, info)
        self._spawn(self._configure())
        return call_result.BootNotification(
            current_time=_now(),
            interval=self._settings.heartbeat_interval_s,
            status=RegistrationStatus.accepted,
        )

    async def _configure(self) -> None:
        try:
            report = await configure_after_boot(self, self._settings.meter_value_sample_interval_s)
        except (TimeoutError, exceptions.OCPPError) as err:
            _LOGGER.warning("%s: configuring the box after boot failed: %s", self.id, err)
            return
        await self._settings.sink.configuration(self.charge_point_id, report)
        self.configuration_done.set()

    @on(Action.heartbeat)
    def on_heartbeat(self, **_: Any) -> Any:
        """Answer with the time (the box may set its clock from it)."""
        return call_result.Heartbeat(current_time=_now())

    @on(Action.status_notification)
    async def on_status_notification(
        self, connector_id: int, error_code: str, status: str, **kwargs: Any
    ) -> Any:
        """Pass the status on in our vocabulary."""
        report = StatusReport(
            connector_id=connector_id,
            status=STATUS_MAP.get(status),
            raw_status=status,
            error_code=error_code,
            timestamp=kwargs.get("timestamp"),
        )
        await self._settings.sink.status(self.charge_point_id, report)
        return call_result.StatusNotification()

    async def _decide(self, id_tag: str, action: str) -> CardDecision:
        decision = await self._settings.authorizer(self.charge_point_id, id_tag)
        await self._settings.sink.card(self.charge_point_id, CardAttempt(id_tag, decision, action))
        return decision

    @on(Action.authorize)
    async def on_authorize(self, id_tag: str, **_: Any) -> Any:
        """Answer from the authorizer: Accepted, Invalid or Blocked."""
        decision = await self._decide(id_tag, Action.authorize)
        return call_result.Authorize(id_tag_info=datatypes.IdTagInfo(status=decision.value))

    @on(Action.start_transaction)
    async def on_start_transaction(
        self, connector_id: int, id_tag: str, meter_start: int, timestamp: str, **_: Any
    ) -> Any:
        """Check the card again (a box may skip Authorize) and assign a durable id."""
        decision = await self._decide(id_tag, Action.start_transaction)
        transaction_id = await self._settings.transaction_ids.next_id()
        self._meter_start[transaction_id] = meter_start
        self._transaction_connector[transaction_id] = connector_id
        event = TransactionStarted(
            connector_id=connector_id,
            transaction_id=transaction_id,
            id_tag=id_tag,
            meter_start_wh=meter_start,
            timestamp=timestamp,
            decision=decision,
        )
        await self._settings.sink.transaction_started(self.charge_point_id, event)
        return call_result.StartTransaction(
            transaction_id=transaction_id,
            id_tag_info=datatypes.IdTagInfo(status=decision.value),
        )

    async def _record_meter_values(
        self, connector_id: int, transaction_id: int | None, meter_value: list[Any]
    ) -> None:
        meter_start = self._meter_start.get(transaction_id) if transaction_id is not None else None
        for sample in meter_samples(
            connector_id, transaction_id, meter_value, meter_start_wh=meter_start
        ):
            await self._settings.sink.meter_sample(self.charge_point_id, sample)

    @on(Action.meter_values)
    async def on_meter_values(
        self, connector_id: int, meter_value: list[Any], **kwargs: Any
    ) -> Any:
        """Pass each MeterValue element on as a sample."""
        await self._record_meter_values(connector_id, kwargs.get("transaction_id"), meter_value)
        return call_result.MeterValues()

    @on(Action.stop_transaction)
    async def on_stop_transaction(
        self, meter_stop: int, timestamp: str, transaction_id: int, **kwargs: Any
    ) -> Any:
        """Always accept (so the box stops resending), also for an id we do not know."""
        known = transaction_id in self._meter_start
        connector_id = self._transaction_connector.get(transaction_id, 0)
        await self._record_meter_values(
            connector_id, transaction_id, kwargs.get("transaction_data") or []
        )
        id_tag: str | None = kwargs.get("id_tag")
        event = TransactionStopped(
            transaction_id=transaction_id,
            meter_stop_wh=meter_stop,
            timestamp=timestamp,
            reason=kwargs.get("reason"),
            id_tag=id_tag,
            known=known,
        )
        await self._settings.sink.transaction_stopped(self.charge_point_id, event)
        self._meter_start.pop(transaction_id, None)
        self._transaction_connector.pop(transaction_id, None)
        if id_tag is None:
            return call_result.StopTransaction()
        decision = await self._decide(id_tag, Action.stop_transaction)
        return call_result.StopTransaction(id_tag_info=datatypes.IdTagInfo(status=decision.value))

    @on(Action.data_transfer)
    def on_data_transfer(self, vendor_id: str, **_: Any) -> Any:
        """No vendor extensions are understood here."""
        _LOGGER.debug("%s: DataTransfer from vendor %s not understood", self.id, vendor_id)
        return call_result.DataTransfer(status=DataTransferStatus.unknown_vendor_id)
