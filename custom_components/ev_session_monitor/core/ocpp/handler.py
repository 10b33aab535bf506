"""One connected OCPP 1.6J charge point, as the central system sees it.

Public API (used by the Home Assistant layer):
- `ChargePointSettings`: what every connection of one central system shares.
- `CentralChargePoint`: one connection; the layer above sends commands through
  `set_current_limit` (sent only when the limit changes), `trigger_if_stale` and the
  functions of `commands` (which take the charge point as their first argument).
- `MeterValueMemory`: what the central system remembers of each transaction's meter
  values across reconnects (duplicates, the last register reading).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from ocpp import exceptions, routing
from ocpp.messages import MessageType, unpack
from ocpp.v16 import ChargePoint, call_result, datatypes
from ocpp.v16.enums import Action, DataTransferStatus, RegistrationStatus

from . import commands
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
from .meter_values import ENERGY_REGISTER, MeterSample, meter_samples
from .transaction_ids import OpenTransaction, TransactionIdAllocator

_LOGGER = logging.getLogger(__name__)


def on[F: Callable[..., Any]](action: str) -> Callable[[F], F]:
    """Type the library's routing decorator (the library ships no type hints)."""
    return cast("Callable[[F], F]", routing.on(action))


# How many MeterValue elements per transaction are remembered to recognise a resent one,
# and how many transactions (and connector-level streams) are remembered at all.
_SEEN_PER_STREAM = 256
_STREAMS_REMEMBERED = 4096


@dataclass(slots=True)
class _Stream:
    seen: deque[str] = field(default_factory=lambda: deque(maxlen=_SEEN_PER_STREAM))
    last_energy_wh: float | None = None


class MeterValueMemory:
    """Per transaction (or per connector outside one): recent elements and the last register.

    A box that lost the answer to a MeterValues resends it after it reconnects; the same
    element (same timestamp, same values) is then not reported again. Kept in memory:
    after a restart of the central system a resent element is new to it.
    """

    def __init__(self) -> None:
        """Start empty."""
        self._streams: OrderedDict[tuple[str, int | None, int], _Stream] = OrderedDict()

    def stream(
        self, charge_point_id: str, transaction_id: int | None, connector_id: int
    ) -> _Stream:
        """Return the memory of one transaction (or connector-level stream)."""
        key = (charge_point_id, transaction_id, 0 if transaction_id is not None else connector_id)
        stream = self._streams.get(key)
        if stream is None:
            stream = self._streams[key] = _Stream()
            while len(self._streams) > _STREAMS_REMEMBERED:
                self._streams.popitem(last=False)
        else:
            self._streams.move_to_end(key)
        return stream

    def forget(self, charge_point_id: str, transaction_id: int) -> None:
        """Drop a closed transaction."""
        self._streams.pop((charge_point_id, transaction_id, 0), None)


@dataclass(frozen=True, slots=True)
class ChargePointSettings:
    """What every connection of one central system shares."""

    sink: ChargePointSink
    authorizer: Authorizer
    transaction_ids: TransactionIdAllocator
    heartbeat_interval_s: int = 300
    meter_value_sample_interval_s: int = 60
    response_timeout_s: float = 30.0
    meter_memory: MeterValueMemory = field(default_factory=MeterValueMemory)


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


def _fingerprint(element: Mapping[str, Any]) -> str:
    canonical = json.dumps(element, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(canonical.encode(), digest_size=16).hexdigest()


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
        self._background: set[asyncio.Task[None]] = set()
        self._current_limits: dict[int, float] = {}
        self.configuration_done = asyncio.Event()
        # Loop time of the last MeterValues (None before the first): for trigger_if_stale.
        self.last_meter_values_at: float | None = None

    # --- framing ---------------------------------------------------------------------

    async def route_message(self, raw_msg: str) -> None:
        """Route one frame; malformed frames and unknown actions get OCPP-J 1.6 answers."""
        try:
            msg = unpack(raw_msg)
        except exceptions.OCPPError as error:
            unique_id = _usable_unique_id(raw_msg)
            # OCPP-J 1.6, CALLERROR: a CALLERROR answers a CALL; without a usable unique
            # id nothing can be answered, so the frame is dropped.
            _LOGGER.warning("%s: malformed frame dropped: %s", self.id, error.details)
            if unique_id is not None:
                await self._send_error(unique_id, error)
            return
        if not _is_unique_id(msg.unique_id):
            # OCPP-J 1.6, the message id: the unique id is a string of at most 36 characters.
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
        # OCPP-J 1.6, CALLERROR codes: NotImplemented = action not known, NotSupported =
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
        transaction_id = await self._settings.transaction_ids.begin(
            OpenTransaction(self.charge_point_id, connector_id, id_tag, meter_start, timestamp)
        )
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
        self,
        connector_id: int,
        transaction_id: int | None,
        meter_value: Sequence[Mapping[str, Any]],
        meter_start_wh: int | None,
    ) -> None:
        stream = self._settings.meter_memory.stream(
            self.charge_point_id, transaction_id, connector_id
        )
        fresh = []
        for element in meter_value:
            fingerprint = _fingerprint(element)
            if fingerprint in stream.seen:
                _LOGGER.debug("%s: meter value sent again, ignored", self.id)
                continue
            stream.seen.append(fingerprint)
            fresh.append(element)
        samples: list[MeterSample] = meter_samples(
            connector_id,
            transaction_id,
            fresh,
            meter_start_wh=meter_start_wh,
            previous_energy_wh=stream.last_energy_wh,
        )
        for sample in samples:
            if sample.reading.lifetime_energy_wh is not None:
                stream.last_energy_wh = sample.reading.lifetime_energy_wh
            if sample.counter_reset:
                _LOGGER.warning(
                    "%s: %s went back in transaction %s (a counter reset); no energy derived",
                    self.id,
                    ENERGY_REGISTER,
                    transaction_id,
                )
            await self._settings.sink.meter_sample(self.charge_point_id, sample)

    async def _meter_start_of(self, transaction_id: int | None) -> OpenTransaction | None:
        if transaction_id is None:
            return None
        return await self._settings.transaction_ids.lookup(transaction_id)

    @on(Action.meter_values)
    async def on_meter_values(
        self, connector_id: int, meter_value: list[Any], **kwargs: Any
    ) -> Any:
        """Pass each MeterValue element on as a sample (an element sent again only once)."""
        self.last_meter_values_at = asyncio.get_running_loop().time()
        transaction_id: int | None = kwargs.get("transaction_id")
        if transaction_id is not None and await self._settings.transaction_ids.closed(
            transaction_id
        ):
            # A box sends a transaction's queue in order, so values for a transaction
            # whose stop was recorded are a resend of what was recorded before it.
            _LOGGER.debug(
                "%s: meter values of closed transaction %s ignored", self.id, transaction_id
            )
            return call_result.MeterValues()
        opened = await self._meter_start_of(transaction_id)
        await self._record_meter_values(
            connector_id,
            transaction_id,
            meter_value,
            opened.meter_start_wh if opened is not None else None,
        )
        return call_result.MeterValues()

    @on(Action.stop_transaction)
    async def on_stop_transaction(
        self, meter_stop: int, timestamp: str, transaction_id: int, **kwargs: Any
    ) -> Any:
        """Always accept (so the box stops resending), also for an id we do not know.

        The start (meterStart, card, connector) comes from the persisted transaction, so a
        stop after a restart still knows it; a stop sent again is answered, not reported.
        """
        ids = self._settings.transaction_ids
        id_tag: str | None = kwargs.get("id_tag")
        if await ids.closed(transaction_id):
            _LOGGER.debug("%s: StopTransaction %s sent again, ignored", self.id, transaction_id)
        else:
            opened = await ids.lookup(transaction_id)
            meter_start = opened.meter_start_wh if opened is not None else None
            connector_id = opened.connector_id if opened is not None else 0
            await self._record_meter_values(
                connector_id, transaction_id, kwargs.get("transaction_data") or [], meter_start
            )
            if opened is None:
                _LOGGER.warning(
                    "%s: StopTransaction for transaction %s, which this central system "
                    "never started; accepted and reported",
                    self.id,
                    transaction_id,
                )
            event = TransactionStopped(
                transaction_id=transaction_id,
                meter_stop_wh=meter_stop,
                timestamp=timestamp,
                reason=kwargs.get("reason"),
                id_tag=id_tag if id_tag is not None else (opened.id_tag if opened else None),
                known=opened is not None,
                meter_start_wh=meter_start,
                connector_id=opened.connector_id if opened is not None else None,
                counter_reset=meter_start is not None and meter_stop < meter_start,
            )
            await self._settings.sink.transaction_stopped(self.charge_point_id, event)
            await ids.finish(transaction_id)
            self._settings.meter_memory.forget(self.charge_point_id, transaction_id)
        if id_tag is None:
            return call_result.StopTransaction()
        decision = await self._decide(id_tag, Action.stop_transaction)
        return call_result.StopTransaction(id_tag_info=datatypes.IdTagInfo(status=decision.value))

    # --- commands that remember what was sent ----------------------------------------

    async def set_current_limit(self, connector_id: int, limit_a: float) -> bool:
        """Send a TxDefaultProfile only when the limit changed; return True if one was sent.

        The memory belongs to this connection: after a reconnect (the box may have
        rebooted and dropped its profiles) the next limit is sent again.
        """
        limit = round(limit_a, 1)
        if self._current_limits.get(connector_id) == limit:
            return False
        await commands.set_current_limit(self, connector_id, limit)
        self._current_limits[connector_id] = limit
        return True

    async def trigger_if_stale(self, max_age_s: float, connector_id: int | None = None) -> bool:
        """Ask for MeterValues (TriggerMessage) if none came for `max_age_s`; True if asked."""
        now = asyncio.get_running_loop().time()
        if self.last_meter_values_at is not None and now - self.last_meter_values_at < max_age_s:
            return False
        await commands.trigger_message(self, "MeterValues", connector_id)
        return True

    @on(Action.data_transfer)
    def on_data_transfer(self, vendor_id: str, **_: Any) -> Any:
        """No vendor extensions are understood here."""
        _LOGGER.debug("%s: DataTransfer from vendor %s not understood", self.id, vendor_id)
        return call_result.DataTransfer(status=DataTransferStatus.unknown_vendor_id)
