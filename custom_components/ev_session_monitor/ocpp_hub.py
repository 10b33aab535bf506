"""The OCPP central system: a server per port, running while an entry uses it."""

from __future__ import annotations

import ssl
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from homeassistant.config_entries import SOURCE_INTEGRATION_DISCOVERY
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryError, ConfigEntryNotReady
from homeassistant.helpers import discovery_flow
from homeassistant.helpers import issue_registry as ir
from homeassistant.util.hass_dict import HassKey

from .const import (
    CONF_CHARGE_POINT_ID,
    CONF_OCPP_PORT,
    DOMAIN,
    LOGGER,
    OCPP_TRANSACTION_IDS_FILE,
)
from .core.ocpp.events import (
    BootInfo,
    CardAttempt,
    CardDecision,
    ChargePointSink,
    ConfigurationReport,
    StatusReport,
    TransactionStarted,
    TransactionStopped,
)
from .core.ocpp.handler import CentralChargePoint, ChargePointSettings
from .core.ocpp.meter_values import MeterSample
from .core.ocpp.server import CentralSystem, PortInUseError
from .core.ocpp.transaction_ids import JsonFileTransactionIds

# Seconds between MeterValues during a transaction, set on every box at boot.
SAMPLE_INTERVAL_S = 60
PORT_IN_USE_ISSUE = "ocpp_port_in_use"
# An unknown id refused this often is a box someone pointed here: offer to add it.
KNOCKS_BEFORE_DISCOVERY = 3


class ChargePointMember(ChargePointSink, Protocol):
    """A loaded OCPP entry (ocpp_coordinator.OcppCoordinator): its box's facts go here."""

    password: str

    def decide(self, id_tag: str) -> CardDecision:
        """The answer to a card at this box."""

    def disconnected(self) -> None:
        """The box's websocket closed."""


class OcppHub:
    """One central system on one port and the entries whose boxes connect to it."""

    def __init__(
        self,
        hass: HomeAssistant,
        port: int,
        transaction_ids: JsonFileTransactionIds,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """Not listening until the first entry joins."""
        self._hass = hass
        self.port = port
        self.members: dict[str, ChargePointMember] = {}
        self._knocks: Counter[str] = Counter()
        settings = ChargePointSettings(
            sink=self,
            authorizer=self._authorize,
            transaction_ids=transaction_ids,
            meter_value_sample_interval_s=SAMPLE_INTERVAL_S,
        )
        self.system = CentralSystem(
            settings,
            self._password_for,
            port=port,
            on_unknown_id=self._unknown_id,
            on_disconnected=self._disconnected,
            ssl_context=ssl_context,
        )

    def _password_for(self, charge_point_id: str) -> str | None:
        member = self.members.get(charge_point_id)
        return None if member is None else member.password

    def connection(self, charge_point_id: str) -> CentralChargePoint | None:
        """The box's live connection, None while it is away."""
        return self.system.charge_points.get(charge_point_id)

    @callback
    def _unknown_id(self, charge_point_id: str, source: str) -> None:
        """A box Home Assistant does not know keeps knocking: a discovery flow to add it."""
        self._knocks[charge_point_id] += 1
        if self._knocks[charge_point_id] != KNOCKS_BEFORE_DISCOVERY:
            return
        discovery_flow.async_create_flow(
            self._hass,
            DOMAIN,
            context={"source": SOURCE_INTEGRATION_DISCOVERY},
            data={CONF_CHARGE_POINT_ID: charge_point_id, CONF_OCPP_PORT: self.port},
        )

    @callback
    def _disconnected(self, charge_point_id: str) -> None:
        member = self.members.get(charge_point_id)
        if member is not None:
            member.disconnected()

    async def _authorize(self, charge_point_id: str, id_tag: str) -> CardDecision:
        member = self.members.get(charge_point_id)
        return CardDecision.INVALID if member is None else member.decide(id_tag)

    # --- the sink: each fact goes to the entry of its box -------------------------------

    async def boot(self, charge_point_id: str, info: BootInfo) -> None:
        """Pass a BootNotification on."""
        if (member := self.members.get(charge_point_id)) is not None:
            await member.boot(charge_point_id, info)

    async def status(self, charge_point_id: str, report: StatusReport) -> None:
        """Pass a StatusNotification on."""
        if (member := self.members.get(charge_point_id)) is not None:
            await member.status(charge_point_id, report)

    async def meter_sample(self, charge_point_id: str, sample: MeterSample) -> None:
        """Pass meter values on."""
        if (member := self.members.get(charge_point_id)) is not None:
            await member.meter_sample(charge_point_id, sample)

    async def card(self, charge_point_id: str, attempt: CardAttempt) -> None:
        """Pass a card attempt on."""
        if (member := self.members.get(charge_point_id)) is not None:
            await member.card(charge_point_id, attempt)

    async def transaction_started(self, charge_point_id: str, event: TransactionStarted) -> None:
        """Pass a StartTransaction on."""
        if (member := self.members.get(charge_point_id)) is not None:
            await member.transaction_started(charge_point_id, event)

    async def transaction_stopped(self, charge_point_id: str, event: TransactionStopped) -> None:
        """Pass a StopTransaction on."""
        if (member := self.members.get(charge_point_id)) is not None:
            await member.transaction_stopped(charge_point_id, event)

    async def configuration(self, charge_point_id: str, report: ConfigurationReport) -> None:
        """Pass the configuration report on."""
        if (member := self.members.get(charge_point_id)) is not None:
            await member.configuration(charge_point_id, report)


@dataclass
class OcppHubs:
    """Every port's hub, and the transaction ids all of them share."""

    transaction_ids: JsonFileTransactionIds
    hubs: dict[int, OcppHub] = field(default_factory=dict)


DATA_OCPP: HassKey[OcppHubs] = HassKey(f"{DOMAIN}_ocpp")


def home_assistant_certificate(hass: HomeAssistant) -> tuple[str, str] | None:
    """The certificate and key of Home Assistant's web server (http: ssl_certificate), if any."""
    http = getattr(hass, "http", None)
    certificate = getattr(http, "ssl_certificate", None)
    if not certificate:
        return None
    return str(certificate), str(getattr(http, "ssl_key", None) or certificate)


def _server_context(certificate: str, key: str) -> ssl.SSLContext:
    """A TLS server context with the user's certificate (executor: it reads files)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate, key)
    return context


async def async_join_hub(
    hass: HomeAssistant,
    port: int,
    charge_point_id: str,
    member: ChargePointMember,
    tls: tuple[str, str] | None = None,
) -> OcppHub:
    """Serve `member`'s box on `port`; the first member starts the server there.

    A port another program holds is a repair issue and ConfigEntryNotReady: the entry's setup
    is retried, so the server starts once the port is free. `tls` (certificate and key files)
    makes a new server wss://; a port already served keeps what its first entry chose.
    """
    hubs = hass.data.get(DATA_OCPP)
    if hubs is None:
        path = Path(hass.config.path(OCPP_TRANSACTION_IDS_FILE))
        hubs = hass.data[DATA_OCPP] = OcppHubs(JsonFileTransactionIds(path))
    hub = hubs.hubs.get(port)
    if hub is None:
        context = None
        if tls is not None:
            try:
                context = await hass.async_add_executor_job(_server_context, *tls)
            except (OSError, ssl.SSLError) as err:
                raise ConfigEntryError(
                    translation_domain=DOMAIN,
                    translation_key="ocpp_certificate_invalid",
                    translation_placeholders={"certificate": tls[0], "error": str(err)},
                ) from err
        hub = OcppHub(hass, port, hubs.transaction_ids, context)
        try:
            await hub.system.start()
        except PortInUseError as err:
            ir.async_create_issue(
                hass,
                DOMAIN,
                f"{PORT_IN_USE_ISSUE}_{port}",
                is_fixable=False,
                severity=ir.IssueSeverity.ERROR,
                translation_key=PORT_IN_USE_ISSUE,
                translation_placeholders={"port": str(port)},
            )
            raise ConfigEntryNotReady(
                translation_domain=DOMAIN,
                translation_key=PORT_IN_USE_ISSUE,
                translation_placeholders={"port": str(port)},
            ) from err
        ir.async_delete_issue(hass, DOMAIN, f"{PORT_IN_USE_ISSUE}_{port}")
        LOGGER.info("OCPP central system listening on port %s", hub.system.port)
        hubs.hubs[port] = hub
    hub.members[charge_point_id] = member
    return hub


async def async_leave_hub(hass: HomeAssistant, hub: OcppHub, charge_point_id: str) -> None:
    """Stop serving the box; the last member stops the server."""
    connection = hub.connection(charge_point_id)
    hub.members.pop(charge_point_id, None)
    if connection is not None:
        await connection.connection.close()
    if hub.members:
        return
    await hub.system.stop()
    hubs = hass.data.get(DATA_OCPP)
    if hubs is not None and hubs.hubs.get(hub.port) is hub:
        del hubs.hubs[hub.port]
