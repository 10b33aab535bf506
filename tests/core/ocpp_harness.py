"""A central system on loopback and a sink that records what it was told, for OCPP tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from custom_components.ev_session_monitor.core.ocpp.events import (
    BootInfo,
    CardAttempt,
    CardDecision,
    ConfigurationReport,
    StatusReport,
    TransactionStarted,
    TransactionStopped,
)
from custom_components.ev_session_monitor.core.ocpp.handler import ChargePointSettings
from custom_components.ev_session_monitor.core.ocpp.meter_values import MeterSample
from custom_components.ev_session_monitor.core.ocpp.server import CentralSystem
from custom_components.ev_session_monitor.core.ocpp.transaction_ids import (
    JsonFileTransactionIds,
)

CHARGE_POINT_ID = "CP-1"
PASSWORD = "s3cret-box-password"
KNOWN_CARD = "04A2B3C4D5"
BLOCKED_CARD = "0BADCAFE"


@dataclass
class RecordingSink:
    """Keeps every fact the central system passed on."""

    boots: list[BootInfo] = field(default_factory=list)
    statuses: list[StatusReport] = field(default_factory=list)
    samples: list[MeterSample] = field(default_factory=list)
    cards: list[CardAttempt] = field(default_factory=list)
    started: list[TransactionStarted] = field(default_factory=list)
    stopped: list[TransactionStopped] = field(default_factory=list)
    configurations: list[ConfigurationReport] = field(default_factory=list)
    configured: asyncio.Event = field(default_factory=asyncio.Event)

    async def boot(self, charge_point_id: str, info: BootInfo) -> None:
        self.boots.append(info)

    async def status(self, charge_point_id: str, report: StatusReport) -> None:
        self.statuses.append(report)

    async def meter_sample(self, charge_point_id: str, sample: MeterSample) -> None:
        self.samples.append(sample)

    async def card(self, charge_point_id: str, attempt: CardAttempt) -> None:
        self.cards.append(attempt)

    async def transaction_started(self, charge_point_id: str, event: TransactionStarted) -> None:
        self.started.append(event)

    async def transaction_stopped(self, charge_point_id: str, event: TransactionStopped) -> None:
        self.stopped.append(event)

    async def configuration(self, charge_point_id: str, report: ConfigurationReport) -> None:
        self.configurations.append(report)
        self.configured.set()


async def card_registry(charge_point_id: str, id_tag: str) -> CardDecision:
    """One known card, one blocked card; every other card is unknown."""
    if id_tag == KNOWN_CARD:
        return CardDecision.ACCEPTED
    if id_tag == BLOCKED_CARD:
        return CardDecision.BLOCKED
    return CardDecision.INVALID


@dataclass
class RunningCentralSystem:
    """A started central system and what it reported."""

    system: CentralSystem
    sink: RecordingSink
    unknown_ids: list[tuple[str, str]]

    def url(self, path: str = f"/{CHARGE_POINT_ID}") -> str:
        return f"ws://127.0.0.1:{self.system.port}{path}"


async def start_central_system(
    state_dir: Path,
    passwords: dict[str, str] | None = None,
    sink: RecordingSink | None = None,
    **kwargs: Any,
) -> RunningCentralSystem:
    """Start a central system on an ephemeral loopback port, its transactions in `state_dir`."""
    sink = sink if sink is not None else RecordingSink()
    known = passwords if passwords is not None else {CHARGE_POINT_ID: PASSWORD}
    unknown_ids: list[tuple[str, str]] = []
    settings = ChargePointSettings(
        sink=sink,
        authorizer=card_registry,
        transaction_ids=JsonFileTransactionIds(state_dir / "ocpp_transactions.json"),
        heartbeat_interval_s=120,
        meter_value_sample_interval_s=10,
    )
    system = CentralSystem(
        settings,
        known.get,
        host="127.0.0.1",
        port=kwargs.pop("port", 0),
        on_unknown_id=lambda cp_id, source: unknown_ids.append((cp_id, source)),
        **kwargs,
    )
    await system.start()
    return RunningCentralSystem(system, sink, unknown_ids)


async def running(state_dir: Path) -> AsyncIterator[RunningCentralSystem]:
    """Fixture body: a central system stopped after the test."""
    central = await start_central_system(state_dir)
    try:
        yield central
    finally:
        await central.system.stop()
