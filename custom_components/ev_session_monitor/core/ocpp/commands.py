"""Calls the central system makes to a charge point: configuration after boot and controls.

OCPP 1.6 edition 2: ChangeConfiguration, GetConfiguration, RemoteStartTransaction,
RemoteStopTransaction, SetChargingProfile, ChangeAvailability, Reset, TriggerMessage and
SendLocalList,
and its standard configuration keys (by key name).
"""

from __future__ import annotations

from typing import Any, Protocol

from ocpp import exceptions
from ocpp.v16 import call, datatypes
from ocpp.v16.enums import (
    AvailabilityType,
    ChargingProfileKindType,
    ChargingProfilePurposeType,
    ChargingRateUnitType,
    ResetType,
    UpdateType,
)

from .events import ConfigurationReport

# Keys that make the box ask us about every card, and stop a transaction whose card we
# refuse afterwards; without them a box admits cards from its own cache.
CARD_CHECK_CONFIGURATION: dict[str, str] = {
    "AuthorizationCacheEnabled": "false",
    "LocalPreAuthorize": "false",
    "AllowOfflineTxForUnknownId": "false",
    "StopTransactionOnInvalidId": "true",
}
METER_VALUE_SAMPLE_INTERVAL = "MeterValueSampleInterval"
# Read after boot for the Local Authorization List (local_list.py).
LOCAL_LIST_KEYS = ("LocalAuthListEnabled", "LocalAuthListMaxLength", "SendLocalListMaxLength")
# ChangeConfiguration.conf statuses that mean the value is (or will be after a reboot) set.
_CONFIGURATION_TAKEN = frozenset({"Accepted", "RebootRequired"})
# The profile id and stack level of our TxDefaultProfile; one profile, replaced each time.
CURRENT_LIMIT_PROFILE_ID = 1
CURRENT_LIMIT_STACK_LEVEL = 0


class CommandError(Exception):
    """A call to the charge point failed: refused, answered with an error, or unanswered."""

    def __init__(self, action: str, status: str) -> None:
        """`status` is the box's status (Rejected, ...) or the error that occurred."""
        super().__init__(f"the charge point answered {action} with {status}")
        self.action = action
        self.status = status


class _Caller(Protocol):
    async def call(self, payload: Any, suppress: bool = ...) -> Any: ...


async def _call(charge_point: _Caller, payload: Any) -> Any:
    action = type(payload).__name__
    try:
        return await charge_point.call(payload, suppress=False)
    except exceptions.OCPPError as err:
        raise CommandError(action, err.code) from err
    except TimeoutError as err:
        raise CommandError(action, "no answer") from err


async def _status_call(charge_point: _Caller, payload: Any, accepted: frozenset[str]) -> str:
    result = await _call(charge_point, payload)
    status = str(result.status)
    if status not in accepted:
        raise CommandError(type(payload).__name__, status)
    return status


_ACCEPTED = frozenset({"Accepted"})


async def configure_after_boot(
    charge_point: _Caller, sample_interval_s: int
) -> ConfigurationReport:
    """Set the card-check keys and the sample interval where they differ, then read them back.

    A box that reconnects (Home Assistant restarted, the network came back) usually holds the
    right values already: it then costs one GetConfiguration, not a ChangeConfiguration per
    key, which is what 500 boxes reconnecting at once wait for.
    """
    wanted = {**CARD_CHECK_CONFIGURATION, METER_VALUE_SAMPLE_INTERVAL: str(sample_interval_s)}
    # The local list's keys are read, not set: whether the box keeps a list is its own.
    read_back = await _read_configuration(charge_point, [*wanted, *LOCAL_LIST_KEYS])
    accepted: list[str] = []
    rejected: list[str] = []
    changed: list[str] = []
    for key, value in wanted.items():
        if _holds(read_back[key], value):
            accepted.append(key)
            continue
        try:
            await _status_call(
                charge_point, call.ChangeConfiguration(key=key, value=value), _CONFIGURATION_TAKEN
            )
        except CommandError:
            rejected.append(key)
        else:
            changed.append(key)
    if changed:
        read_back |= await _read_configuration(charge_point, changed)
    for key in changed:
        # A box may accept a value and keep its own: what it reads back is what counts.
        (accepted if _holds(read_back[key], wanted[key]) else rejected).append(key)
    return ConfigurationReport(
        accepted=tuple(key for key in wanted if key in accepted),
        rejected=tuple(key for key in wanted if key in rejected),
        read_back=read_back,
    )


def _holds(stored: str | None, wanted: str) -> bool:
    # A box may answer booleans in another case ("False"); the value is what counts.
    return stored is not None and stored.lower() == wanted.lower()


async def _read_configuration(charge_point: _Caller, keys: list[str]) -> dict[str, str | None]:
    """The box's values of `keys` (None: the box does not know the key or sent no value)."""
    values: dict[str, str | None] = dict.fromkeys(keys)
    result = await _call(charge_point, call.GetConfiguration(key=keys))
    for entry in result.configuration_key or ():
        if entry.get("key") in values:
            values[entry["key"]] = entry.get("value")
    return values


async def remote_start(charge_point: _Caller, id_tag: str, connector_id: int | None = None) -> None:
    """Ask the box to start a transaction for `id_tag`."""
    await _status_call(
        charge_point,
        call.RemoteStartTransaction(id_tag=id_tag, connector_id=connector_id),
        _ACCEPTED,
    )


async def remote_stop(charge_point: _Caller, transaction_id: int) -> None:
    """Ask the box to stop a transaction."""
    await _status_call(
        charge_point, call.RemoteStopTransaction(transaction_id=transaction_id), _ACCEPTED
    )


async def set_current_limit(charge_point: _Caller, connector_id: int, limit_a: float) -> None:
    """Limit the current with a TxDefaultProfile in ampere (replaces our previous one)."""
    profile = datatypes.ChargingProfile(
        charging_profile_id=CURRENT_LIMIT_PROFILE_ID,
        stack_level=CURRENT_LIMIT_STACK_LEVEL,
        charging_profile_purpose=ChargingProfilePurposeType.tx_default_profile,
        charging_profile_kind=ChargingProfileKindType.relative,
        charging_schedule=datatypes.ChargingSchedule(
            charging_rate_unit=ChargingRateUnitType.amps,
            charging_schedule_period=[
                # The schema allows one decimal place for the limit.
                datatypes.ChargingSchedulePeriod(start_period=0, limit=round(limit_a, 1))
            ],
        ),
    )
    await _status_call(
        charge_point,
        call.SetChargingProfile(connector_id=connector_id, cs_charging_profiles=profile),
        _ACCEPTED,
    )


async def change_availability(charge_point: _Caller, connector_id: int, operative: bool) -> None:
    """Make a connector (0 = the whole box) operative or inoperative."""
    availability = AvailabilityType.operative if operative else AvailabilityType.inoperative
    await _status_call(
        charge_point,
        call.ChangeAvailability(connector_id=connector_id, type=availability),
        frozenset({"Accepted", "Scheduled"}),
    )


async def reset(charge_point: _Caller, hard: bool = False) -> None:
    """Restart the box."""
    await _status_call(
        charge_point, call.Reset(type=ResetType.hard if hard else ResetType.soft), _ACCEPTED
    )


async def trigger_message(
    charge_point: _Caller, requested_message: str, connector_id: int | None = None
) -> None:
    """Ask the box to send a message now (MeterValues, StatusNotification, ...)."""
    await _status_call(
        charge_point,
        call.TriggerMessage(requested_message=requested_message, connector_id=connector_id),
        _ACCEPTED,
    )


async def send_local_list(
    charge_point: _Caller, version: int, update_type: str, entries: dict[str, str | None]
) -> str:
    """SendLocalList; `entries` maps card ids to a status (None: remove). Return the status."""
    authorization = [
        datatypes.AuthorizationData(
            id_tag=id_tag,
            id_tag_info=None if status is None else datatypes.IdTagInfo(status=status),
        )
        for id_tag, status in entries.items()
    ]
    result = await _call(
        charge_point,
        call.SendLocalList(
            list_version=version,
            update_type=UpdateType(update_type),
            local_authorization_list=authorization,
        ),
    )
    return str(result.status)
