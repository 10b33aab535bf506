"""The simulator facade: a profile served over its transport, driven by a state and scenarios."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from custom_components.ev_session_monitor.core.profile import (
    BUILTIN_PROFILE_DIR,
    WallboxProfile,
    load_profiles,
)

from .servers import HttpSimServer, ModbusSimServer, SimulatedBox
from .state import WallboxState

SCENARIO_DIR = Path(__file__).parent / "scenarios"


def builtin_profile(profile_id: str) -> WallboxProfile:
    """Return a built-in profile by id."""
    catalog = load_profiles(BUILTIN_PROFILE_DIR)
    if profile_id not in catalog.profiles:
        known = ", ".join(sorted(catalog.profiles))
        raise KeyError(f"unknown profile '{profile_id}'; built-in profiles: {known}")
    return catalog.profiles[profile_id]


class WallboxSimulator:
    """One simulated wallbox on a loopback port (0 = ephemeral)."""

    def __init__(
        self,
        profile: WallboxProfile | str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        unit_id: int | None = None,
        credentials: tuple[str, str] | None = None,
        state: WallboxState | None = None,
    ) -> None:
        """Create the box; start() opens the port."""
        self.profile = builtin_profile(profile) if isinstance(profile, str) else profile
        self.state = state or WallboxState()
        self.box = SimulatedBox(self.profile, self.state)
        self.unit_id = self.profile.default_unit_id if unit_id is None else unit_id
        self.server: ModbusSimServer | HttpSimServer
        if self.profile.transport == "modbus":
            self.server = ModbusSimServer(host, port)
            self.server.add_box(self.unit_id, self.box)
            if self.profile.identity_unit_id is not None:  # Alfen's station unit
                self.server.add_box(self.profile.identity_unit_id, self.box)
        else:
            self.server = HttpSimServer(self.box, host, port, credentials=credentials)
        self.host = host

    @property
    def port(self) -> int:
        """Return the listening port."""
        return self.server.port

    @property
    def requests(self) -> int:
        """Return how many requests the box has answered."""
        return self.box.requests

    async def start(self) -> None:
        """Start serving."""
        await self.server.start()

    async def stop(self) -> None:
        """Stop serving and close connections."""
        await self.server.stop()

    def drop_connections(self) -> None:
        """Close open connections now."""
        self.server.drop_connections()

    def reboot(self) -> None:
        """Reboot the box: counters restart and connections drop."""
        self.state.reboot()
        self.drop_connections()

    async def __aenter__(self) -> WallboxSimulator:
        """Start on entering a context."""
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Stop on leaving it."""
        await self.stop()


@dataclass(frozen=True)
class ScenarioStep:
    """Wait some seconds, or call a WallboxState action with arguments."""

    wait_s: float = 0.0
    action: str | None = None
    args: dict[str, Any] | None = None


_ACTIONS = {
    "plug_in",
    "present_tag",
    "start_charging",
    "pause",
    "finish",
    "unplug",
    "fail",
    "reset_session_counter",
    "reboot",
}


def load_scenario(name_or_path: str) -> tuple[list[ScenarioStep], bool]:
    """Read a scenario file (a name in scenarios/ or a path); return steps and loop flag."""
    path = Path(name_or_path)
    if not path.suffix:
        path = SCENARIO_DIR / f"{name_or_path}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        raise ValueError(f"{path}: expected a mapping with a 'steps' list")
    steps: list[ScenarioStep] = []
    for index, raw in enumerate(data["steps"]):
        if not isinstance(raw, dict):
            raise ValueError(f"{path}: step {index} is not a mapping")
        if "wait" in raw:
            steps.append(ScenarioStep(wait_s=float(raw["wait"])))
            continue
        action = raw.get("action")
        if action not in _ACTIONS:
            raise ValueError(
                f"{path}: step {index}: unknown action {action!r}, expected {sorted(_ACTIONS)}"
            )
        args = {key: value for key, value in raw.items() if key != "action"}
        steps.append(ScenarioStep(action=action, args=args))
    return steps, bool(data.get("loop", False))


async def run_scenario(
    simulator: WallboxSimulator, steps: list[ScenarioStep], *, loop: bool, speed: float = 1.0
) -> None:
    """Play a scenario in real time (times `speed`), advancing the meters every second."""
    state = simulator.state
    last = time.monotonic()

    def tick() -> None:
        nonlocal last
        now = time.monotonic()
        state.advance((now - last) * speed)
        last = now

    while True:
        for step in steps:
            if step.action is None:
                remaining = step.wait_s / speed
                while remaining > 0:
                    await asyncio.sleep(min(1.0, remaining))
                    remaining -= 1.0
                    tick()
                continue
            tick()
            if step.action == "reboot":
                simulator.reboot()
            else:
                getattr(state, step.action)(**(step.args or {}))
        if not loop:
            return
