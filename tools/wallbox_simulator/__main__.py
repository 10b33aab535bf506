"""Command line: python -m tools.wallbox_simulator --profile webasto_next --port 15020."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from pathlib import Path

from custom_components.ev_session_monitor.core.profile import load_profile_file

from .simulator import WallboxSimulator, builtin_profile, load_scenario, run_scenario


def main() -> None:
    """Parse arguments and serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", required=True, help="built-in profile id or a .yaml path")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--unit-id", type=int, default=None)
    parser.add_argument(
        "--scenario", help="scenario name (tools/wallbox_simulator/scenarios) or path"
    )
    parser.add_argument(
        "--speed", type=float, default=1.0, help="time acceleration of the scenario"
    )
    parser.add_argument("--serial", default="SIM0001")
    parser.add_argument(
        "--jitter", type=float, default=0.0, help="meter noise of the power, e.g. 0.005 = +-0.5 %%"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    asyncio.run(_serve(args))


async def _serve(args: argparse.Namespace) -> None:
    profile = (
        load_profile_file(Path(args.profile))
        if args.profile.endswith(".yaml")
        else builtin_profile(args.profile)
    )
    simulator = WallboxSimulator(profile, host=args.host, port=args.port, unit_id=args.unit_id)
    simulator.state.serial = args.serial
    simulator.state.power_jitter = args.jitter
    await simulator.start()
    logging.info(
        "Simulating %s (%s) on %s:%s, unit id %s",
        profile.name,
        profile.transport,
        args.host,
        simulator.port,
        simulator.unit_id,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    scenario_task = None
    if args.scenario:
        steps, repeat = load_scenario(args.scenario)
        scenario_task = asyncio.create_task(
            run_scenario(simulator, steps, loop=repeat, speed=args.speed)
        )
    await stop.wait()
    if scenario_task is not None:
        scenario_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await scenario_task
    await simulator.stop()
    logging.info("Simulator stopped")


if __name__ == "__main__":
    main()
