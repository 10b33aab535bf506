"""A charge point that speaks OCPP 1.6J to a central system, for tests and the demo.

It is the library's `ocpp.v16.ChargePoint` on an aiohttp client websocket. The library
validates every CALL it receives and every CALLRESULT it gets back against the official
OCPP 1.6 JSON schemas (schema validation is never skipped here), and `StrictValidator`
checks every frame again in strict mode (formats, answers to calls never made, CALLERROR
codes); `connect()` raises `StrictViolationError` at exit if anything failed, so a central
system answering out of spec fails every test that talks to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
from ocpp.routing import after, on
from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.enums import (
    Action,
    AvailabilityStatus,
    ChargingProfileStatus,
    ConfigurationStatus,
    RemoteStartStopStatus,
    ResetStatus,
    TriggerMessageStatus,
    UpdateStatus,
)

from .strict import StrictValidator


class ClientClosedError(Exception):
    """The central system closed the websocket."""


class StrictViolationError(AssertionError):
    """The central system sent frames that fail strict OCPP 1.6 validation."""


class ClientConnection:
    """`recv()`/`send()` over an aiohttp client websocket, validating what arrives."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        """Wrap an open client websocket."""
        self.socket = socket
        self.strict = StrictValidator()

    async def recv(self) -> str:
        """Return the next text frame; raise ClientClosedError when the socket ends."""
        message = await self.socket.receive()
        if message.type is aiohttp.WSMsgType.TEXT:
            frame = str(message.data)
            self.strict.check(frame)
            return frame
        raise ClientClosedError(message.type, message.data)

    async def send(self, message: str) -> None:
        """Send a text frame."""
        self.strict.sent(message)
        await self.socket.send_str(message)


@dataclass
class BoxState:
    """What the simulated box holds and what it was asked to do."""

    configuration: dict[str, str] = field(
        default_factory=lambda: {
            "AuthorizationCacheEnabled": "true",
            "LocalPreAuthorize": "true",
            "AllowOfflineTxForUnknownId": "true",
            "StopTransactionOnInvalidId": "false",
            "MeterValueSampleInterval": "900",
            "LocalAuthListEnabled": "true",
            "LocalAuthListMaxLength": "100",
            "SendLocalListMaxLength": "20",
        }
    )
    # Keys this box refuses to change (as a read-only key would be).
    read_only: set[str] = field(default_factory=set)
    # Every ChangeConfiguration received: (key, value).
    configuration_changes: list[tuple[str, str]] = field(default_factory=list)
    remote_starts: list[dict[str, Any]] = field(default_factory=list)
    remote_stops: list[int] = field(default_factory=list)
    charging_profiles: list[dict[str, Any]] = field(default_factory=list)
    availability: list[tuple[int, str]] = field(default_factory=list)
    resets: list[str] = field(default_factory=list)
    triggers: list[str] = field(default_factory=list)
    # The Local Authorization List: card id -> idTagInfo, its version, every update received.
    local_list: dict[str, dict[str, Any]] = field(default_factory=dict)
    local_list_version: int = 0
    local_list_updates: list[dict[str, Any]] = field(default_factory=list)
    # What a triggered StatusNotification and MeterValues report.
    status: str = "Available"
    meter_wh: int = 0
    refuse_remote_start: bool = False
    refuse_remote_stop: bool = False
    refuse_charging_profile: bool = False
    refuse_availability: bool = False


class SimulatedChargePoint(ChargePoint):
    """Answers the central system's calls like a small wallbox would."""

    def __init__(self, charge_point_id: str, connection: ClientConnection) -> None:
        """Start with the factory configuration of a box that trusts its own cache."""
        super().__init__(charge_point_id, connection, response_timeout=10)
        self.state = BoxState()
        # Messages being sent because the central system triggered them (cancelled at close).
        self.triggered: set[asyncio.Task[Any]] = set()

    @on(Action.change_configuration)
    def on_change_configuration(self, key: str, value: str, **_: Any) -> Any:
        """Answer change configuration as a box would, and note it."""
        self.state.configuration_changes.append((key, value))
        if key in self.state.read_only:
            return call_result.ChangeConfiguration(status=ConfigurationStatus.rejected)
        if key not in self.state.configuration:
            return call_result.ChangeConfiguration(status=ConfigurationStatus.not_supported)
        self.state.configuration[key] = value
        return call_result.ChangeConfiguration(status=ConfigurationStatus.accepted)

    @on(Action.get_configuration)
    def on_get_configuration(self, key: list[str] | None = None, **_: Any) -> Any:
        """Answer get configuration as a box would, and note it."""
        wanted = key if key is not None else list(self.state.configuration)
        known = [
            {
                "key": name,
                "readonly": name in self.state.read_only,
                "value": self.state.configuration[name],
            }
            for name in wanted
            if name in self.state.configuration
        ]
        unknown = [name for name in wanted if name not in self.state.configuration]
        return call_result.GetConfiguration(configuration_key=known, unknown_key=unknown or None)

    @on(Action.remote_start_transaction)
    def on_remote_start_transaction(self, id_tag: str, **kwargs: Any) -> Any:
        """Answer remote start transaction as a box would, and note it."""
        self.state.remote_starts.append({"id_tag": id_tag, **kwargs})
        status = (
            RemoteStartStopStatus.rejected
            if self.state.refuse_remote_start
            else RemoteStartStopStatus.accepted
        )
        return call_result.RemoteStartTransaction(status=status)

    @on(Action.remote_stop_transaction)
    def on_remote_stop_transaction(self, transaction_id: int, **_: Any) -> Any:
        """Answer remote stop transaction as a box would, and note it."""
        self.state.remote_stops.append(transaction_id)
        status = (
            RemoteStartStopStatus.rejected
            if self.state.refuse_remote_stop
            else RemoteStartStopStatus.accepted
        )
        return call_result.RemoteStopTransaction(status=status)

    @on(Action.set_charging_profile)
    def on_set_charging_profile(
        self, connector_id: int, cs_charging_profiles: dict[str, Any], **_: Any
    ) -> Any:
        """Answer set charging profile as a box would, and note it."""
        self.state.charging_profiles.append({"connector_id": connector_id, **cs_charging_profiles})
        status = (
            ChargingProfileStatus.rejected
            if self.state.refuse_charging_profile
            else ChargingProfileStatus.accepted
        )
        return call_result.SetChargingProfile(status=status)

    @on(Action.change_availability)
    def on_change_availability(self, connector_id: int, type: str, **_: Any) -> Any:
        """Answer change availability as a box would, and note it."""
        self.state.availability.append((connector_id, type))
        if self.state.refuse_availability:
            return call_result.ChangeAvailability(status=AvailabilityStatus.rejected)
        self.state.status = "Available" if type == "Operative" else "Unavailable"
        return call_result.ChangeAvailability(status=AvailabilityStatus.accepted)

    @on(Action.send_local_list)
    def on_send_local_list(self, list_version: int, update_type: str, **kwargs: Any) -> Any:
        """Update the local list as OCPP 1.6 edition 2 section 5.15 describes, and note it."""
        entries = kwargs.get("local_authorization_list") or []
        self.state.local_list_updates.append(
            {"version": list_version, "update_type": update_type, "entries": entries}
        )
        if self.state.configuration.get("LocalAuthListEnabled") != "true":
            return call_result.SendLocalList(status=UpdateStatus.not_supported)
        if update_type == "Differential" and list_version <= self.state.local_list_version:
            return call_result.SendLocalList(status=UpdateStatus.version_mismatch)
        updated = {} if update_type == "Full" else dict(self.state.local_list)
        for entry in entries:
            if entry.get("id_tag_info") is None:
                updated.pop(entry["id_tag"], None)
            else:
                updated[entry["id_tag"]] = entry["id_tag_info"]
        if len(updated) > int(self.state.configuration["LocalAuthListMaxLength"]):
            return call_result.SendLocalList(status=UpdateStatus.failed)
        self.state.local_list = updated
        self.state.local_list_version = list_version
        return call_result.SendLocalList(status=UpdateStatus.accepted)

    @on(Action.get_local_list_version)
    def on_get_local_list_version(self, **_: Any) -> Any:
        """The version of the local list (0: none, -1: not enabled)."""
        enabled = self.state.configuration.get("LocalAuthListEnabled") == "true"
        version = self.state.local_list_version if enabled else -1
        return call_result.GetLocalListVersion(list_version=version)

    @on(Action.reset)
    def on_reset(self, type: str, **_: Any) -> Any:
        """Answer reset as a box would, and note it."""
        self.state.resets.append(type)
        return call_result.Reset(status=ResetStatus.accepted)

    @on(Action.trigger_message)
    def on_trigger_message(self, requested_message: str, **_: Any) -> Any:
        """Answer trigger message as a box would, and note it."""
        self.state.triggers.append(requested_message)
        if requested_message not in ("StatusNotification", "MeterValues"):
            return call_result.TriggerMessage(status=TriggerMessageStatus.not_implemented)
        return call_result.TriggerMessage(status=TriggerMessageStatus.accepted)

    @after(Action.trigger_message)
    async def after_trigger_message(self, requested_message: str, **kwargs: Any) -> None:
        """Send what was asked for, once the answer is out (OCPP 1.6 edition 2, 5.17)."""
        task = asyncio.current_task()
        if task is not None:
            self.triggered.add(task)
            task.add_done_callback(self.triggered.discard)
        connector_id = kwargs.get("connector_id") or 1
        if requested_message == "StatusNotification":
            await self.call(
                call.StatusNotification(
                    connector_id=connector_id, error_code="NoError", status=self.state.status
                )
            )
        elif requested_message == "MeterValues":
            reading = {"value": str(self.state.meter_wh), "context": "Trigger", "unit": "Wh"}
            await self.call(
                call.MeterValues(
                    connector_id=connector_id,
                    meter_value=[{"timestamp": _now(), "sampled_value": [reading]}],
                )
            )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def basic_auth(user: str, password: str) -> dict[str, str]:
    """The Authorization header of OCPP security profile 1 (user = charge point id)."""
    return {"Authorization": aiohttp.encode_basic_auth(user, password)}


@contextlib.asynccontextmanager
async def connect(
    url: str,
    charge_point_id: str,
    password: str | None,
    *,
    protocols: tuple[str, ...] = ("ocpp1.6",),
    ssl_context: ssl.SSLContext | None = None,
) -> AsyncIterator[SimulatedChargePoint]:
    """Connect, run the charge point's receive loop, and close on exit."""
    headers = basic_auth(charge_point_id, password) if password is not None else None
    async with aiohttp.ClientSession() as session:
        socket = await session.ws_connect(
            url, protocols=protocols, headers=headers, ssl=ssl_context or True
        )
        connection = ClientConnection(socket)
        charge_point = SimulatedChargePoint(charge_point_id, connection)
        receiver = asyncio.create_task(charge_point.start())
        try:
            yield charge_point
        finally:
            for task in (receiver, *charge_point.triggered):
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError, ClientClosedError):
                await receiver
            # The central system may have closed the connection already (its entry unloaded,
            # reloaded): the close frame then meets a closing transport.
            with contextlib.suppress(ConnectionResetError):
                await socket.close()
        if connection.strict.violations:
            raise StrictViolationError("; ".join(connection.strict.violations))
