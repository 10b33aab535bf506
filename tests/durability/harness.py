"""Kill-test machinery: simulated wallboxes and a real Home Assistant, each a separate process.

A *run* is one Home Assistant configuration with one simulated wallbox per scenario. Home Assistant
is started, the scenarios' steps are played on the boxes through their control channel
(tools/wallbox_simulator/control.py), Home Assistant is killed (SIGKILL) or stopped (SIGTERM) at a
moment chosen from the boxes' polls, restarted after a downtime, and once every car has left and
been seen leaving, the session history (SQLite) is read. Ground truth is what each box delivered.

Time is the system's monotonic clock, shared by this process and the simulators.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import sqlite3
import subprocess
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pytest

from custom_components.ev_session_monitor.const import (
    CONF_POLL_INTERVAL,
    CONF_PRICE_SOURCE,
    CONF_PROFILE,
    DOMAIN,
    HISTORY_FILE,
    PRICE_NONE,
)
from tools import ha_stack
from tools.ports import free_port

REPO = Path(__file__).resolve().parents[2]
# The integration under test; another copy (an older commit, to compare) can be named here.
INTEGRATION_DIR = Path(
    os.environ.get("EVSM_DURABILITY_INTEGRATION", REPO / "custom_components" / DOMAIN)
)

# Before the kill: origin steps play for this long (mid-charge sessions charge meanwhile).
LEAD_S = 30.0
DOWNTIME_S = 20.0
# A car unplugged by a poll-triggered step leaves this long after the poll began.
AFTER_POLL_S = 0.3
# Polls a box must have answered before its state counts as seen by Home Assistant.
POLLS_TO_SEE = 2
# Longest wait for Home Assistant to (re)start polling, or for a car to leave and be seen.
WAIT_TIMEOUT_S = 120.0
# The boxes have been in service for a while (a meter at 0 could pass for "not available").
LIFETIME_AT_START_WH = 4_321_987.0
# Where the module fixture leaves the printed table for the terminal summary (conftest.py).
TABLE_KEY = pytest.StashKey[str]()

type Anchor = Literal["before_start", "origin", "armed", "kill", "restart"]
type Trigger = Literal["unplug_before_poll", "after_completion", "fixed", "none"]
type Role = Literal["slow", "fast"]


@dataclass(frozen=True)
class Step:
    """An action on a scenario's box, `offset_s` after an anchor of the run.

    Anchors: before_start (before Home Assistant first starts), origin (Home Assistant polls every
    box), armed (the kill moment is a few seconds away), kill (Home Assistant just died), restart
    (Home Assistant polls every box again after the restart).
    """

    anchor: Anchor
    offset_s: float
    action: str
    args: Mapping[str, Any] = field(default_factory=dict)
    after_next_poll: bool = False  # wait for the box's next poll, act AFTER_POLL_S after it


@dataclass(frozen=True)
class Scenario:
    """One simulated wallbox, its script, and what the kill moment means for it."""

    name: str
    run: str
    profile: str
    poll_s: int
    steps: tuple[Step, ...]
    resolution_wh: float  # of the counter the box's energy is read from (vendor register map)
    lifetime_meter: bool  # False: a session counter only, which a reboot resets
    role: Role | None = None  # this box's polls choose the kill moment of its run


@dataclass(frozen=True)
class RunSpec:
    """How a run ends Home Assistant: kill chosen by poll timing, a clean stop, or not at all."""

    name: str
    trigger: Trigger
    stop_signal: signal.Signals = signal.SIGKILL


@dataclass
class ScenarioResult:
    """What happened to one scenario, and what was recorded."""

    scenario: Scenario
    delivered_wh: list[float]  # per session played, in order
    # per session played: energy between a poll and a counter reset, which no counter shows
    hidden_by_counter_resets_wh: list[float]
    recorded_wh: list[float]  # per session recorded, by start
    problems: list[str]  # the scenario could not be played as designed


class HarnessError(Exception):
    """A run could not be played to its end (see the message: machinery or Home Assistant)."""


def simulator_env() -> dict[str, str]:
    """The simulators import tools/ and the integration's core from the checkout."""
    return {**os.environ, "PYTHONPATH": str(REPO)}


def python_module(module: str, *args: str) -> list[str]:
    """Command line running a module like `python -m`, killed if the test process dies."""
    return ha_stack.python_module(module, *args, parent_death=signal.SIGKILL)


def sleep_until(moment: float) -> None:
    """Sleep until a monotonic time."""
    delay = moment - time.monotonic()
    if delay > 0:
        time.sleep(delay)


def wait_for[T](what: str, probe: Callable[[], T | None], timeout_s: float) -> T:
    """Probe every 50 ms until it returns something; HarnessError after the timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = probe()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise HarnessError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(0.05)


# --- simulated wallboxes -------------------------------------------------------------------------


class Simulators:
    """One simulator process serving the wallboxes of a run, each on its own ports.

    One process per run, not per box: each simulator process imports the integration package
    (about 1.5 s of CPU), and the suite must stay within a few minutes on two cores.
    """

    def __init__(self, scenarios: list[Scenario], log_path: Path) -> None:
        """Start the process and learn every box's ports."""
        self.log_path = log_path
        boxes = [arg for scenario in scenarios for arg in ("--box", scenario.profile)]
        command = python_module("tools.wallbox_simulator.control", *boxes)
        with log_path.open("w") as log:
            self.process = subprocess.Popen(
                command,
                cwd=REPO,
                env=simulator_env(),
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        ports = self._read_ports()
        self.boxes = [
            SimBox(scenario, port, control_port)
            for scenario, (port, control_port) in zip(scenarios, ports, strict=True)
        ]
        for box in self.boxes:
            box.act("set_lifetime", {"wh": LIFETIME_AT_START_WH})

    def _read_ports(self) -> list[tuple[int, int]]:
        assert self.process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            ready = selector.select(timeout=120)
        line = self.process.stdout.readline() if ready else ""
        try:
            return [(int(box["port"]), int(box["control_port"])) for box in json.loads(line)]
        except (ValueError, KeyError, TypeError) as err:
            self.stop()
            log = self.log_path.read_text(errors="replace")[-2000:]
            raise HarnessError(f"the simulators did not start: {line!r}\n{log}") from err

    def stop(self) -> None:
        """Stop the simulator process."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


class SimBox:
    """One scenario's wallbox: its Modbus/HTTP port and its control channel."""

    def __init__(self, scenario: Scenario, port: int, control_port: int) -> None:
        """Remember where the box is."""
        self.scenario = scenario
        self.port = port
        self.base_url = f"http://127.0.0.1:{control_port}"

    def _call(self, path: str, body: Mapping[str, Any] | None = None) -> dict[str, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base_url + path,
            data=data,
            headers={"Content-Type": "application/json"},
            method="GET" if body is None else "POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                answer: dict[str, Any] = json.load(response)
        except OSError as err:
            raise HarnessError(f"simulator {self.scenario.name}: {path}: {err}") from err
        return answer

    def act(self, action: str, args: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Do something to the box now; return the truth after it."""
        return self._call(f"/action/{action}", dict(args or {}))

    def at_next_poll(
        self, action: str, *, after: float, delay_s: float, args: Mapping[str, Any] | None = None
    ) -> None:
        """Let the box act `delay_s` after the first poll that starts at or after `after`."""
        self._call(
            f"/at_next_poll/{action}", {"after": after, "delay_s": delay_s, "args": args or {}}
        )

    def truth(self) -> dict[str, Any]:
        """What the box really did so far."""
        return self._call("/truth")

    def polls_since(self, moment: float) -> list[float]:
        """Start times of the polls after a moment."""
        return [poll for poll in self.truth()["polls"] if poll > moment]


# --- Home Assistant ------------------------------------------------------------------------------


class HomeAssistantProcess:
    """`python -m homeassistant` on its own config dir, with one config entry per wallbox."""

    def __init__(self, config_dir: Path, run: str) -> None:
        """Prepare the config dir; nothing runs until start()."""
        self.config_dir = config_dir
        self.run = run
        self.child: ha_stack.Child | None = None
        self.starts = 0
        ha_stack.prepare_config(
            config_dir,
            ha_stack.configuration(f"Durability {run}", time_zone="UTC", integration_log="info"),
            integration=INTEGRATION_DIR,
        )
        # Runs go in parallel: each Home Assistant serves HTTP on its own port.
        self.http_port = free_port()

    def add_entries(self, boxes: list[SimBox]) -> None:
        """Write the config entries before the first start, as a config flow leaves them."""
        ha_stack.write_config_entries(
            self.config_dir,
            [
                {
                    "data": {
                        CONF_PROFILE: box.scenario.profile,
                        "host": "127.0.0.1",
                        "port": box.port,
                    },
                    "domain": DOMAIN,
                    "options": {
                        CONF_POLL_INTERVAL: box.scenario.poll_s,
                        CONF_PRICE_SOURCE: PRICE_NONE,
                    },
                    "title": box.scenario.name,
                    "unique_id": charger_id(box.scenario),
                }
                for box in boxes
            ],
        )

    def start(self) -> float:
        """Start Home Assistant; return the monotonic start time."""
        assert self.child is None or not self.child.alive()
        self.starts += 1
        # --skip-pip: everything the integration needs is installed with the project; the test
        # must not depend on a package index. Without the checkout on the path, the integration
        # is imported from the config dir's custom_components, as in a user's installation.
        self.child = ha_stack.Child(
            ha_stack.home_assistant_command(
                self.config_dir, skip_pip=True, parent_death=signal.SIGKILL
            ),
            log=self.config_dir / f"hass-{self.starts}.out",
            env=ha_stack.home_assistant_env(port=self.http_port, checkout_on_path=False),
            cwd=self.config_dir,  # the working dir comes first on sys.path
            append=False,
        )
        return time.monotonic()

    def end(self, how: signal.Signals) -> None:
        """SIGKILL (a crash, a power cut) or SIGTERM (a clean stop, waited for)."""
        assert self.child is not None
        if not self.child.alive():
            raise HarnessError(
                f"Home Assistant ({self.run}) exited by itself with"
                f" {self.child.process.returncode}; see {self.config_dir}"
            )
        ha_stack.signal_group(self.child.pid, how)
        try:
            self.child.process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            self.child.kill()
            raise HarnessError(f"Home Assistant ({self.run}) did not stop within 90 s") from None

    def stop_quietly(self) -> None:
        """Stop if running, whatever state it is in (cleanup)."""
        if self.child is not None:
            self.child.stop(timeout_s=60)

    def alive(self) -> bool:
        """Return True while the process runs."""
        return self.child is not None and self.child.alive()

    def integration_errors(self) -> list[str]:
        """ERROR lines and tracebacks of the integration in the log (for failure messages)."""
        log = self.config_dir / "home-assistant.log"
        lines: list[str] = []
        for path in sorted(self.config_dir.glob("home-assistant.log*")) or [log]:
            if path.exists():
                text = path.read_text(errors="replace").splitlines()
                lines += [line for line in text if " ERROR " in line and DOMAIN in line]
        return lines

    @property
    def history_path(self) -> Path:
        """The integration's session history."""
        return self.config_dir / HISTORY_FILE


def charger_id(scenario: Scenario) -> str:
    """The config entry's unique id, which the history records as charger_id."""
    return f"durability_{scenario.name}"


def recorded_sessions(history: Path) -> dict[str, list[float]]:
    """Energy of the completed sessions per charger id, by start; read-only, never written."""
    if not history.exists():
        return {}
    db = sqlite3.connect(f"{history.absolute().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        rows = db.execute(
            "SELECT charger_id, energy_wh FROM sessions ORDER BY started_at, session_id"
        ).fetchall()
    finally:
        db.close()
    found: dict[str, list[float]] = {}
    for charger, energy_wh in rows:
        found.setdefault(charger, []).append(float(energy_wh))
    return found


# --- one run -------------------------------------------------------------------------------------


class Run:
    """One Home Assistant and its boxes, played from start to the history check."""

    def __init__(self, spec: RunSpec, scenarios: list[Scenario], work_dir: Path) -> None:
        """Prepare; play() does everything."""
        self.spec = spec
        self.scenarios = scenarios
        self.work_dir = work_dir
        self.boxes: dict[str, SimBox] = {}
        self.problems: dict[str, list[str]] = {scenario.name: [] for scenario in scenarios}
        self.kill_at: float | None = None
        self.log: list[str] = []
        self.began = time.monotonic()

    def note(self, text: str) -> None:
        """Keep a timeline line (seconds since the run began; printed when the run fails)."""
        self.log.append(f"{time.monotonic() - self.began:7.2f} {text}")

    def play(self) -> dict[str, ScenarioResult]:
        """Play every scenario; always clean up processes."""
        self.work_dir.mkdir(parents=True, exist_ok=True)
        hass = None
        self.began = time.monotonic()
        simulators = None
        try:
            simulators = Simulators(self.scenarios, self.work_dir / "simulators.log")
            self.boxes = {box.scenario.name: box for box in simulators.boxes}
            self.note("simulators ready")
            hass = HomeAssistantProcess(self.work_dir / "config", self.spec.name)
            hass.add_entries(list(self.boxes.values()))
            self._play(hass)
            truths = {name: box.truth() for name, box in self.boxes.items()}
            recorded = recorded_sessions(hass.history_path)
        except HarnessError as err:
            errors = hass.integration_errors()[-15:] if hass is not None else []
            timeline = "\n".join(self.log[-40:])
            raise HarnessError(
                f"run {self.spec.name}: {err}\ntimeline:\n{timeline}\n"
                f"integration errors:\n" + "\n".join(errors)
            ) from err
        finally:
            if hass is not None:
                hass.stop_quietly()
            if simulators is not None:
                simulators.stop()
            (self.work_dir / "timeline.txt").write_text("\n".join(self.log) + "\n")
        return {
            scenario.name: self._result(scenario, truths[scenario.name], recorded)
            for scenario in self.scenarios
        }

    # --- the timeline ------------------------------------------------------------------------

    def _steps(self, anchor: Anchor) -> list[tuple[float, SimBox, Step]]:
        steps = [
            (step.offset_s, self.boxes[scenario.name], step)
            for scenario in self.scenarios
            for step in scenario.steps
            if step.anchor == anchor
        ]
        return sorted(steps, key=lambda item: item[0])

    def _play_steps(self, anchor: Anchor, origin: float, *, before: float | None = None) -> None:
        for offset, box, step in self._steps(anchor):
            moment = origin + offset
            if before is not None and moment >= before:
                raise HarnessError(f"{box.scenario.name}: step {step} falls after the kill")
            sleep_until(moment)
            if step.after_next_poll:
                box.at_next_poll(
                    step.action, after=time.monotonic(), delay_s=AFTER_POLL_S, args=step.args
                )
            else:
                box.act(step.action, step.args)
            when = " after the next poll" if step.after_next_poll else ""
            self.note(f"{box.scenario.name}: {step.action} {dict(step.args)}{when}")

    def _wait_each(
        self, hass: HomeAssistantProcess, what: str, done: Callable[[SimBox], bool]
    ) -> float:
        """Wait until `done` holds for every box; after the timeout, note the laggards and go on.

        A box Home Assistant does not poll (its entry failed to set up) is the integration's
        failure in that scenario, and must not stop the other scenarios of the run.
        """
        deadline = time.monotonic() + WAIT_TIMEOUT_S
        waiting = list(self.boxes.values())
        while waiting:
            if not hass.alive():
                raise HarnessError(f"Home Assistant exited while waiting for {what}")
            waiting = [box for box in waiting if not done(box)]
            if waiting and time.monotonic() > deadline:
                for box in waiting:
                    self.problems[box.scenario.name].append(
                        f"not seen within {WAIT_TIMEOUT_S:.0f} s: {what}"
                    )
                self.note(f"gave up waiting for {what}: {[b.scenario.name for b in waiting]}")
                break
            if waiting:
                time.sleep(0.1)
        return time.monotonic()

    def _wait_polled(self, hass: HomeAssistantProcess, since: float) -> float:
        """Wait until Home Assistant polled every box POLLS_TO_SEE times after `since`."""
        return self._wait_each(
            hass,
            "Home Assistant polling the box",
            lambda box: len(box.polls_since(since)) >= POLLS_TO_SEE,
        )

    def _play(self, hass: HomeAssistantProcess) -> None:
        self._play_steps("before_start", time.monotonic())
        started = hass.start()
        self.note("Home Assistant started")
        origin = self._wait_polled(hass, started)
        self.note("origin: every box polled")
        if self.spec.trigger == "none":
            self._play_steps("origin", origin)
            self._settle(hass)
            return
        self._play_steps("origin", origin, before=origin + LEAD_S)
        sleep_until(origin + LEAD_S)
        sleep_until(self._choose_kill())
        self.kill_at = time.monotonic()
        hass.end(self.spec.stop_signal)
        # Downtime counts from the moment Home Assistant is gone (a clean stop takes a while).
        gone = time.monotonic()
        self.note(f"Home Assistant ended by {self.spec.stop_signal.name}")
        self._play_steps("kill", gone, before=gone + DOWNTIME_S)
        sleep_until(gone + DOWNTIME_S)
        restarted = hass.start()
        self.note("Home Assistant restarted")
        polled = self._wait_polled(hass, restarted)
        self.note("restart: every box polled")
        self._play_steps("restart", polled)
        self._settle(hass)

    def _role(self, role: Role) -> SimBox:
        for box in self.boxes.values():
            if box.scenario.role == role:
                return box
        raise HarnessError(f"run {self.spec.name} has no {role} box for its trigger")

    def _armed(self) -> None:
        self.note("armed")
        self._play_steps("armed", time.monotonic())

    def _choose_kill(self) -> float:
        """Play the trigger; return the monotonic kill time."""
        if self.spec.trigger == "fixed":
            self._armed()
            return time.monotonic() + 0.1
        slow, fast = self._role("slow"), self._role("fast")
        if self.spec.trigger == "unplug_before_poll":
            # The cars leave just after a poll; the kill follows before the next poll of either.
            slow.at_next_poll("unplug", after=time.monotonic(), delay_s=AFTER_POLL_S)
            left_slow = self._wait_unplugged(slow)
            self._armed()
            fast.at_next_poll("unplug", after=left_slow + 5.0, delay_s=AFTER_POLL_S)
            left_fast = self._wait_unplugged(fast)
            return left_fast + 0.8
        # after_completion: the cars leave; the kill follows right after the poll that saw it.
        left_slow = slow.act("unplug")["now"]
        seen_slow = self._wait_poll_after(slow, left_slow)
        self._armed()
        self.note(f"{slow.scenario.name}: unplug seen by the poll at {seen_slow - self.began:.2f}")
        left_fast = fast.act("unplug")["now"]
        seen_fast = self._wait_poll_after(fast, left_fast)
        self.note(f"{fast.scenario.name}: unplug seen by the poll at {seen_fast - self.began:.2f}")
        return seen_fast + 0.5

    def _wait_unplugged(self, box: SimBox) -> float:
        def unplugged() -> float | None:
            sessions = box.truth()["sessions"]
            left = sessions[-1]["unplugged_at"] if sessions else None
            return None if left is None else float(left)

        left = wait_for(f"{box.scenario.name} to unplug", unplugged, box.scenario.poll_s + 10)
        self.note(f"{box.scenario.name}: unplugged at {left - self.began:.2f}, after a poll")
        return left

    def _wait_poll_after(self, box: SimBox, moment: float) -> float:
        def poll() -> float | None:
            polls = box.polls_since(moment)
            return polls[0] if polls else None

        return wait_for(f"a poll of {box.scenario.name}", poll, box.scenario.poll_s + 10)

    def _settle(self, hass: HomeAssistantProcess) -> None:
        """Wait until every car has left and Home Assistant polled each box twice since."""

        def settled(box: SimBox) -> bool:
            truth = box.truth()
            sessions = truth["sessions"]
            if not sessions or sessions[-1]["unplugged_at"] is None:
                return False
            left = float(sessions[-1]["unplugged_at"])
            return len([poll for poll in truth["polls"] if poll > left]) >= POLLS_TO_SEE

        self._wait_each(hass, "the car leaving and Home Assistant polling the box after", settled)
        time.sleep(1.0)  # the last poll's history write
        self.note("settled")

    # --- results -------------------------------------------------------------------------------

    def _result(
        self,
        scenario: Scenario,
        truth: dict[str, Any],
        recorded: dict[str, list[float]],
    ) -> ScenarioResult:
        problems = list(self.problems[scenario.name]) + [
            f"box: {error}" for error in truth["errors"]
        ]
        if truth["garbage_polls_pending"]:
            problems.append(f"{truth['garbage_polls_pending']} garbage poll(s) never served")
        if self.kill_at is not None and scenario.role is not None:
            problems += self._timing_problems(scenario, truth, self.kill_at)
        return ScenarioResult(
            scenario=scenario,
            delivered_wh=[float(session["delivered_wh"]) for session in truth["sessions"]],
            hidden_by_counter_resets_wh=[
                float(session["hidden_by_counter_resets_wh"]) for session in truth["sessions"]
            ],
            recorded_wh=recorded.get(charger_id(scenario), []),
            problems=problems,
        )

    def _timing_problems(
        self, scenario: Scenario, truth: dict[str, Any], kill_at: float
    ) -> list[str]:
        """Check that the kill fell where the scenario says, from the polls the box saw."""
        left = truth["sessions"][-1]["unplugged_at"]
        if left is None:
            return ["the car never left"]
        polls = truth["polls"]
        between = [poll for poll in polls if left < poll < kill_at]
        if self.spec.trigger == "unplug_before_poll":
            before = [poll for poll in polls if poll < left]
            if between:
                return [f"a poll came between unplug and kill ({between[0] - left:.2f} s after)"]
            if not before or left - before[-1] > AFTER_POLL_S + 0.5:
                return ["the car did not leave right after a poll"]
            return []
        if not between:
            return ["no poll saw the car leave before the kill"]
        if kill_at - between[0] > 4.0:
            return [f"the kill came {kill_at - between[0]:.1f} s after the poll that saw unplug"]
        return []
