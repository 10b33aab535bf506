"""Kill test for an OCPP charge point: SIGKILL Home Assistant mid-transaction.

The charge point keeps what it could not deliver (OCPP 1.6 edition 2, section 4.7: transaction
messages are queued and resent after the connection is back) and resends it to the restarted
Home Assistant; the session in the history must hold every Wh and the meter readings.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from ocpp.v16 import call

from custom_components.ev_session_monitor.const import (
    CONF_CHARGE_POINT_ID,
    CONF_OCPP_PORT,
    CONF_PROFILE,
    CONF_TRANSPORT,
    DOMAIN,
    TRANSPORT_OCPP,
)
from custom_components.ev_session_monitor.core.history import SessionHistory
from custom_components.ev_session_monitor.core.ocpp.wallbox import OCPP_PROFILE_ID
from tools import ha_stack
from tools.ocpp_charge_point.charge_point import SimulatedChargePoint, connect
from tools.ports import free_port

from .harness import HomeAssistantProcess

pytestmark = pytest.mark.durability

CHARGE_POINT_ID = "KILL-CP"
PASSWORD = "Kill-test-password-0123"
CARD = "04A2B3C4D5"


def _time(start: datetime, seconds: float) -> str:
    return (start + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def _energy(timestamp: str, wh: int) -> list[dict[str, Any]]:
    return [{"timestamp": timestamp, "sampled_value": [{"value": str(wh), "unit": "Wh"}]}]


async def _connected(
    url: str, timeout_s: float = 180
) -> tuple[contextlib.AbstractAsyncContextManager[SimulatedChargePoint], SimulatedChargePoint]:
    """Wait until Home Assistant's central system takes the connection."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        manager = connect(url, CHARGE_POINT_ID, PASSWORD)
        try:
            cp = await manager.__aenter__()
        except (aiohttp.ClientError, OSError):
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(1)
            continue
        return manager, cp


async def _deliver(cp: SimulatedChargePoint, queue: list[Callable[[], Any]]) -> None:
    """Send the queued messages in order; each leaves the queue once it is answered."""
    while queue:
        await cp.call(queue[0]())
        queue.pop(0)


def _add_card(config: Path) -> None:
    (config / ".storage" / f"{DOMAIN}.tags").write_text(
        '{"version": 1, "minor_version": 1, "key": "ev_session_monitor.tags",'
        f' "data": {{"tags": [{{"tag_id": "{CARD}", "name": "Alice"}}]}}}}'
    )


async def test_sigkill_mid_transaction_keeps_every_wh(tmp_path: Path) -> None:
    hass = HomeAssistantProcess(tmp_path / "config", "ocpp-kill")
    port = free_port()
    ha_stack.write_config_entries(
        hass.config_dir,
        [
            {
                "domain": DOMAIN,
                "title": "Kill box",
                "unique_id": f"ocpp_{CHARGE_POINT_ID}",
                "data": {
                    CONF_TRANSPORT: TRANSPORT_OCPP,
                    CONF_PROFILE: OCPP_PROFILE_ID,
                    CONF_CHARGE_POINT_ID: CHARGE_POINT_ID,
                    "password": PASSWORD,
                },
                "options": {CONF_OCPP_PORT: port},
            }
        ],
    )
    _add_card(hass.config_dir)
    url = f"ws://127.0.0.1:{port}/{CHARGE_POINT_ID}"
    start = datetime.now(UTC) - timedelta(hours=1)
    queue: list[Callable[[], Any]] = []
    try:
        hass.start()
        manager, cp = await _connected(url)
        await cp.call(call.BootNotification(charge_point_vendor="ACME", charge_point_model="7"))
        await cp.call(
            call.StatusNotification(
                connector_id=1, error_code="NoError", status="Preparing", timestamp=_time(start, 0)
            )
        )
        started = await cp.call(
            call.StartTransaction(
                connector_id=1, id_tag=CARD, meter_start=500_000, timestamp=_time(start, 5)
            )
        )
        assert started.id_tag_info["status"] == "Accepted"
        transaction_id = started.transaction_id
        await cp.call(
            call.StatusNotification(
                connector_id=1, error_code="NoError", status="Charging", timestamp=_time(start, 6)
            )
        )
        await cp.call(
            call.MeterValues(
                connector_id=1,
                transaction_id=transaction_id,
                meter_value=_energy(_time(start, 600), 501_000),
            )
        )
        hass.end(signal.SIGKILL)
        with contextlib.suppress(Exception):
            await manager.__aexit__(None, None, None)
        # What the box queued while Home Assistant was gone.
        queue += [
            lambda: call.MeterValues(
                connector_id=1,
                transaction_id=transaction_id,
                meter_value=_energy(_time(start, 1200), 502_000),
            ),
            lambda: call.StopTransaction(
                meter_stop=502_789, timestamp=_time(start, 1800), transaction_id=transaction_id
            ),
        ]
        hass.start()
        manager, cp = await _connected(url)
        await cp.call(call.BootNotification(charge_point_vendor="ACME", charge_point_model="7"))
        await _deliver(cp, queue)
        await cp.call(
            call.StatusNotification(
                connector_id=1,
                error_code="NoError",
                status="Available",
                timestamp=_time(start, 1900),
            )
        )
        await asyncio.sleep(2)  # the session is archived after the answer
        hass.end(signal.SIGTERM)
        with contextlib.suppress(Exception):
            await manager.__aexit__(None, None, None)
    finally:
        hass.stop_quietly()
    history = SessionHistory(hass.history_path)
    history.open()
    try:
        sessions = history.query()
    finally:
        history.close()
    assert [(s.energy_wh, s.meter_start_wh, s.meter_end_wh) for s in sessions] == [
        (2789, 500_000, 502_789)
    ], hass.integration_errors()
