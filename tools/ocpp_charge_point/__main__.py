"""Play a charge point for the demo: a refused unknown card, then a charge with a known one.

python -m tools.ocpp_charge_point --url ws://127.0.0.1:9000/DEMO-CP --id DEMO-CP \
    --password ... --known 04A1B2C3D4 --unknown 0BADC0DE

Each round: the unknown card is refused (Invalid), the known card is authorized and charges
at 7.4 kW for a few minutes (MeterValues every 10 s), the car leaves. It reconnects when the
central system goes away.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from datetime import UTC, datetime

import aiohttp
from ocpp.v16 import call

from .charge_point import ClientClosedError, SimulatedChargePoint, connect

_LOGGER = logging.getLogger("ocpp_charge_point")
POWER_W = 7400


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


async def _status(cp: SimulatedChargePoint, status: str) -> None:
    await cp.call(
        call.StatusNotification(
            connector_id=1, error_code="NoError", status=status, timestamp=_now()
        )
    )


async def play_round(
    cp: SimulatedChargePoint, known: str, unknown: str, meter_wh: int, charge_s: float
) -> int:
    """One refused card and one charge; return the meter after it."""
    await _status(cp, "Preparing")
    refused = await cp.call(call.Authorize(id_tag=unknown))
    _LOGGER.info("card %s: %s", unknown, refused.id_tag_info["status"])
    await asyncio.sleep(5)
    accepted = await cp.call(call.Authorize(id_tag=known))
    _LOGGER.info("card %s: %s", known, accepted.id_tag_info["status"])
    if accepted.id_tag_info["status"] != "Accepted":
        await _status(cp, "Available")
        return meter_wh
    started = await cp.call(
        call.StartTransaction(connector_id=1, id_tag=known, meter_start=meter_wh, timestamp=_now())
    )
    await _status(cp, "Charging")
    steps = max(1, int(charge_s // 10))
    for _ in range(steps):
        await asyncio.sleep(10)
        meter_wh += POWER_W * 10 // 3600
        await cp.call(
            call.MeterValues(
                connector_id=1,
                transaction_id=started.transaction_id,
                meter_value=[
                    {
                        "timestamp": _now(),
                        "sampled_value": [
                            {"value": str(meter_wh), "unit": "Wh"},
                            {
                                "value": str(POWER_W),
                                "measurand": "Power.Active.Import",
                                "unit": "W",
                            },
                        ],
                    }
                ],
            )
        )
    await cp.call(
        call.StopTransaction(
            meter_stop=meter_wh,
            timestamp=_now(),
            transaction_id=started.transaction_id,
            id_tag=known,
            reason="EVDisconnected",
        )
    )
    await _status(cp, "Finishing")
    await asyncio.sleep(5)
    await _status(cp, "Available")
    return meter_wh


async def run(args: argparse.Namespace) -> None:
    """Connect, boot and play rounds until stopped; reconnect after a lost connection."""
    meter_wh = 1_250_000
    while True:
        try:
            async with connect(args.url, args.id, args.password) as cp:
                await cp.call(
                    call.BootNotification(
                        charge_point_vendor="Simulated", charge_point_model="OCPP demo box"
                    )
                )
                await _status(cp, "Available")
                while True:
                    meter_wh = await play_round(
                        cp, args.known, args.unknown, meter_wh, args.charge_s
                    )
                    await asyncio.sleep(args.pause_s)
        except (aiohttp.ClientError, ClientClosedError, OSError, TimeoutError) as err:
            _LOGGER.info("not connected (%s); trying again in 5 s", err)
            await asyncio.sleep(5)


def main() -> None:
    """Parse the arguments and play until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--id", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--known", required=True, help="a card the central system knows")
    parser.add_argument("--unknown", required=True, help="a card it must refuse")
    parser.add_argument("--charge-s", type=float, default=180)
    parser.add_argument("--pause-s", type=float, default=60)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
