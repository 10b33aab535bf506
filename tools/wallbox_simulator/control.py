"""Simulated wallboxes driven from another process (tests), reporting their ground truth.

    python -m tools.wallbox_simulator.control --box webasto_next --box abb_terra_ac

serves each box on its own loopback port and prints `[{"port": .., "control_port": ..}, ..]` as
one line on stdout. Each box has a control channel, a small HTTP server on loopback:

- `GET /truth`: what the box really did (energy per session played, poll times, counters).
- `POST /action/<name>` with a JSON object of arguments: act now (plug_in, start_charging, pause,
  finish, unplug, outage, reboot, garbage, set_lifetime); the answer is the truth after it.
- `POST /at_next_poll/<name>` with `{"delay_s": .., "after": .., "args": {..}}`: act `delay_s`
  seconds after the first poll that starts at or after monotonic time `after`. The box knows the
  moment it is polled; a test process watching from outside would react late.

Energy flows in real time (time.monotonic): the meters are advanced at every request and every
action, so a reading always shows exactly the energy delivered until that moment. A poll is a
burst of requests: a request after more than POLL_QUIET_S of silence starts a new poll.
Monotonic times are comparable with the test process's time.monotonic() (one system clock).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import time
from dataclasses import asdict, dataclass
from typing import Any

from aiohttp import web

from custom_components.ev_session_monitor.core.profile import BUILTIN_PROFILE_DIR, load_profiles

from .servers import SimulatedBox
from .simulator import WallboxSimulator

# Requests of one poll follow each other within milliseconds; the shortest poll interval the
# integration allows is 2 s.
POLL_QUIET_S = 0.5
MAX_POLLS_KEPT = 2000


@dataclass
class PlayedSession:
    """One plug-in as the box lived it (ground truth for tests)."""

    plugged_at: float  # monotonic
    plugged_at_wall: float  # Unix time
    already_delivered_wh: float  # energy of this plug-in before the simulator was told about it
    delivered_wh: float = 0.0
    # Delivered between the last poll and a session-counter reset (reboot): a box without a
    # lifetime meter cannot show this energy to anyone.
    hidden_by_counter_resets_wh: float = 0.0
    unplugged_at: float | None = None
    unplugged_at_wall: float | None = None


class _ObservedBox(SimulatedBox):
    """A SimulatedBox that reports each request: the servers count them in `box.requests`."""

    on_request: Any  # Callable[[], None], set by SimulatorControl
    _request_count: int

    @property
    def requests(self) -> int:
        """Return how many requests the box has answered."""
        return self._request_count

    @requests.setter
    def requests(self, value: int) -> None:
        self._request_count = value
        self.on_request()


class SimulatorControl:
    """Acts on one simulator and keeps its ground truth."""

    def __init__(self, simulator: WallboxSimulator) -> None:
        """Observe the simulator's box from now on."""
        self.simulator = simulator
        self.state = simulator.state
        box = simulator.box
        count = box.__dict__.pop("requests", 0)
        box.__class__ = _ObservedBox
        assert isinstance(box, _ObservedBox)
        box._request_count = count
        box.on_request = self._on_request
        self._last_advance = time.monotonic()
        self._last_request: float | None = None
        self.polls: list[float] = []
        self._delivered_at_poll = 0.0  # of the plug-in, at the last good poll
        self.sessions: list[PlayedSession] = []
        self.garbage_polls_pending = 0
        self.garbage_polls_served = 0
        self.outage = False
        self.reboots = 0
        self.errors: list[str] = []  # armed actions that failed (shown in the truth)
        self._armed: list[tuple[float, float, str, dict[str, Any]]] = []
        self._timers: set[asyncio.TimerHandle] = set()
        self._scheduled = 0  # armed actions whose poll came, waiting for their delay

    # --- time and polls ---------------------------------------------------------------------

    def _advance(self) -> None:
        now = time.monotonic()
        self.state.advance(now - self._last_advance)
        self._last_advance = now

    def _on_request(self) -> None:
        now = time.monotonic()
        self._advance()
        new_poll = self._last_request is None or now - self._last_request > POLL_QUIET_S
        self._last_request = now
        if not new_poll:
            return
        self.polls.append(now)
        del self.polls[:-MAX_POLLS_KEPT]
        # Garbage is decided per poll, at its first request, so a poll is wholly good or bad.
        garbage = self.garbage_polls_pending > 0
        self.state.faults.garbage = garbage
        if garbage:
            self.garbage_polls_pending -= 1
            self.garbage_polls_served += 1
        else:
            self._delivered_at_poll = self.state.delivered_this_plugin_wh
        for armed in [item for item in self._armed if now >= item[0]]:
            self._armed.remove(armed)
            _after, delay_s, name, args = armed
            self._scheduled += 1
            self._timers.add(
                asyncio.get_running_loop().call_later(delay_s, self._run_armed, name, args)
            )

    def _run_armed(self, name: str, args: dict[str, Any]) -> None:
        self._scheduled -= 1
        try:
            self.act(name, args)
        except (ValueError, KeyError, TypeError) as err:
            self.errors.append(f"{name}: {err}")

    # --- actions ----------------------------------------------------------------------------

    def _open_session(self, already_delivered_wh: float) -> None:
        self._delivered_at_poll = 0.0  # nobody has seen this plug-in yet
        self.sessions.append(
            PlayedSession(
                plugged_at=time.monotonic(),
                plugged_at_wall=time.time(),
                already_delivered_wh=already_delivered_wh,
            )
        )

    def _current(self) -> PlayedSession | None:
        if self.sessions and self.sessions[-1].unplugged_at is None:
            return self.sessions[-1]
        return None

    def act(self, name: str, args: dict[str, Any]) -> None:
        """Run one action now; raises ValueError for an unknown action or bad arguments."""
        self._advance()
        state = self.state
        if name == "plug_in":
            already = float(args.get("already_delivered_wh", 0.0))
            if self._current() is not None:
                raise ValueError("a vehicle is already plugged in")
            state.plug_in(needs_authorization=bool(args.get("needs_authorization", False)))
            # A session that began before anyone watched: the box's counters already show it.
            state.session_wh = already
            state.lifetime_wh += already
            state.delivered_this_plugin_wh = already
            self._open_session(already)
        elif name == "start_charging":
            if self._current() is None:
                self._open_session(0.0)
            state.start_charging(float(args["power_w"]))
        elif name == "pause":
            state.pause(by_vehicle=bool(args.get("by_vehicle", True)))
        elif name == "finish":
            state.finish()
        elif name == "unplug":
            session = self._current()
            state.unplug()
            if session is not None:
                session.delivered_wh = state.delivered_this_plugin_wh
                session.unplugged_at = time.monotonic()
                session.unplugged_at_wall = time.time()
        elif name == "outage":
            self.outage = bool(args.get("on", True))
            state.faults.refuse_connections = self.outage
            if self.outage:
                self.simulator.drop_connections()
        elif name == "reboot":
            self.reboots += 1
            session = self._current()
            if session is not None:
                hidden = state.delivered_this_plugin_wh - self._delivered_at_poll
                session.hidden_by_counter_resets_wh += hidden
                self._delivered_at_poll = state.delivered_this_plugin_wh
            self.simulator.reboot()
        elif name == "garbage":
            self.garbage_polls_pending = int(args["polls"])
        elif name == "set_lifetime":
            state.lifetime_wh = float(args["wh"])  # a box in service for years
        else:
            raise ValueError(f"unknown action {name!r}")

    def arm(self, name: str, args: dict[str, Any], *, after: float, delay_s: float) -> None:
        """Run an action `delay_s` after the first poll starting at or after `after`."""
        self._armed.append((after, delay_s, name, args))

    def truth(self) -> dict[str, Any]:
        """Return the ground truth as JSON-serializable data."""
        self._advance()
        state = self.state
        current = self._current()
        sessions = [asdict(session) for session in self.sessions]
        if current is not None:
            sessions[-1]["delivered_wh"] = state.delivered_this_plugin_wh
        return {
            "now": time.monotonic(),
            "profile": self.simulator.profile.profile_id,
            "status": state.status.value,
            "power_w": state.power_w,
            "currents_a": list(state.currents_a),
            "current_limit_a": state.current_limit_a,
            "failsafe_current_a": state.failsafe_current_a,
            "failsafe_active": state.failsafe_active,
            "lifetime_wh": state.lifetime_wh,
            "session_wh": state.session_wh,
            "sessions": sessions,
            "polls": list(self.polls),
            "requests": self.simulator.requests,
            "garbage_polls_pending": self.garbage_polls_pending,
            "garbage_polls_served": self.garbage_polls_served,
            "outage": self.outage,
            "reboots": self.reboots,
            "armed": len(self._armed) + self._scheduled,
            "errors": list(self.errors),
        }

    def cancel_timers(self) -> None:
        """Forget armed actions (on shutdown)."""
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()
        self._armed.clear()


class ControlServer:
    """The HTTP face of SimulatorControl, on loopback."""

    def __init__(self, control: SimulatorControl, host: str = "127.0.0.1", port: int = 0) -> None:
        """Prepare; call start()."""
        self.control = control
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen; with port 0 the OS picks a free port (see .port)."""
        app = web.Application()
        app.router.add_get("/truth", self._truth)
        app.router.add_post("/action/{name}", self._action)
        app.router.add_post("/at_next_poll/{name}", self._at_next_poll)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        assert isinstance(server, asyncio.Server)
        self.port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop serving."""
        self.control.cancel_timers()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _truth(self, _request: web.Request) -> web.Response:
        return web.json_response(self.control.truth())

    @staticmethod
    async def _arguments(request: web.Request) -> dict[str, Any]:
        if not request.can_read_body:
            return {}
        body = await request.json()
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="expected a JSON object")
        return body

    async def _action(self, request: web.Request) -> web.Response:
        args = await self._arguments(request)
        try:
            self.control.act(request.match_info["name"], args)
        except (ValueError, KeyError, TypeError) as err:
            raise web.HTTPBadRequest(text=f"{type(err).__name__}: {err}") from err
        return web.json_response(self.control.truth())

    async def _at_next_poll(self, request: web.Request) -> web.Response:
        body = await self._arguments(request)
        args = body.get("args") or {}
        if not isinstance(args, dict):
            raise web.HTTPBadRequest(text="args must be a JSON object")
        self.control.arm(
            request.match_info["name"],
            args,
            after=float(body.get("after", 0.0)),
            delay_s=float(body.get("delay_s", 0.0)),
        )
        return web.json_response(self.control.truth())


async def _serve(profiles: list[str], host: str) -> None:
    """Serve one box per profile, each on its own ports, until SIGTERM or SIGINT."""
    boxes: list[tuple[WallboxSimulator, ControlServer]] = []
    catalog = load_profiles(BUILTIN_PROFILE_DIR)  # once for all boxes
    for profile_id in profiles:
        simulator = WallboxSimulator(catalog.profiles[profile_id], host=host)
        await simulator.start()
        server = ControlServer(SimulatorControl(simulator), host)
        await server.start()
        boxes.append((simulator, server))
        logging.info(
            "Simulating %s on %s:%s (unit id %s), control on port %s",
            simulator.profile.name,
            host,
            simulator.port,
            simulator.unit_id,
            server.port,
        )
    ports = [{"port": sim.port, "control_port": server.port} for sim, server in boxes]
    print(json.dumps(ports), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for simulator, server in boxes:
        await server.stop()
        await simulator.stop()


def main() -> None:
    """Parse arguments; print the ports as one JSON line on stdout; serve until stopped."""
    parser = argparse.ArgumentParser(description="Simulated wallboxes with a control channel")
    parser.add_argument(
        "--box", action="append", required=True, help="a built-in profile id; repeat for more"
    )
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    asyncio.run(_serve(args.box, args.host))


if __name__ == "__main__":
    main()
