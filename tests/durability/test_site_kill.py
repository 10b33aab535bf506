"""Kill test for a site: with Home Assistant gone, the boxes hold the fuse by themselves.

Two Webasto NEXT simulators (each its own port, one simulator process) share a 16 A site in a real
Home Assistant process. The site writes each box's safe share to its failsafe current and feeds
its life bit; Home Assistant is then killed (SIGKILL). The simulator behaves as the register map
says (nymea webasto/webasto-next-registers.json: 2000 "max. charge current under communication
failure", 2002 communication timeout in s, 6000 life bit): once the life bit has not come for the
timeout (20 s here), each box charges at its failsafe current.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from custom_components.ev_session_monitor.const import (
    CONF_POLL_INTERVAL,
    CONF_PRICE_SOURCE,
    CONF_PROFILE,
    DOMAIN,
    PRICE_NONE,
)
from custom_components.ev_session_monitor.site_config import (
    CONF_GRID_SOURCE,
    CONF_KIND,
    CONF_LIMIT,
    CONF_MARGIN,
    CONF_STABLE,
    CONF_WALLBOXES,
    GRID_NONE,
    KIND_SITE,
)
from tools import ha_stack

from .harness import HarnessError, HomeAssistantProcess, Scenario, SimBox, Simulators, wait_for

pytestmark = [pytest.mark.durability, pytest.mark.timeout(600)]

LIMIT_A = 16.0
MARGIN_A = 1.0
# (16 A - 1 A margin) over the two boxes, whole amperes (core/site Site.safe_share).
SAFE_SHARE_A = 7.0
# What the simulated box reads in 2002 (tools/wallbox_simulator WallboxState.watchdog_timeout_s).
TIMEOUT_S = 20.0
CAR_W = 22_000.0  # the car would take 32 A on three phases


def _scenario(name: str) -> Scenario:
    return Scenario(name, "site", "webasto_next", 2, (), resolution_wh=1.0, lifetime_meter=True)


def _write_entries(config: Path, boxes: list[SimBox]) -> None:
    ids = [f"box{number}" for number in range(1, len(boxes) + 1)]
    wallboxes = [
        {
            "entry_id": entry_id,
            "domain": DOMAIN,
            "title": box.scenario.name,
            "unique_id": f"site_kill_{box.scenario.name}",
            "data": {CONF_PROFILE: "webasto_next", "host": "127.0.0.1", "port": box.port},
            "options": {CONF_POLL_INTERVAL: 2, CONF_PRICE_SOURCE: PRICE_NONE},
        }
        for entry_id, box in zip(ids, boxes, strict=True)
    ]
    site = {
        "domain": DOMAIN,
        "title": "Carport",
        "unique_id": "site_carport",
        "data": {CONF_KIND: KIND_SITE},
        "options": {
            CONF_LIMIT: LIMIT_A,
            CONF_MARGIN: MARGIN_A,
            CONF_STABLE: 0,
            CONF_GRID_SOURCE: GRID_NONE,
            CONF_WALLBOXES: {
                entry_id: {"l1_phase": 0, "phases": 3, "priority": 0} for entry_id in ids
            },
        },
    }
    ha_stack.write_config_entries(config, [*wallboxes, site])


def _drawn_a(boxes: list[SimBox]) -> list[float]:
    """What each box's car draws on L1 now."""
    return [float(box.truth()["currents_a"][0]) for box in boxes]


def test_sigkill_boxes_fall_back_to_their_safe_share(tmp_path: Path) -> None:
    sims = Simulators([_scenario("left"), _scenario("right")], tmp_path / "simulators.log")
    hass = HomeAssistantProcess(tmp_path / "config", "site-kill")
    boxes = sims.boxes
    try:
        _write_entries(hass.config_dir, boxes)
        for box in boxes:
            box.act("start_charging", {"power_w": CAR_W})
        hass.start()

        def shared() -> bool | None:
            truths = [box.truth() for box in boxes]
            ready = all(t["failsafe_current_a"] == SAFE_SHARE_A for t in truths) and (
                sum(t["currents_a"][0] for t in truths) <= LIMIT_A - MARGIN_A + 0.01
            )
            return True if ready else None

        try:
            wait_for("the site to share the fuse and set the failsafe currents", shared, 120)
        except HarnessError as err:
            truths = [box.truth() for box in boxes]
            raise AssertionError(f"{err}: {truths}; {hass.integration_errors()}") from None
        assert sorted(box.truth()["current_limit_a"] for box in boxes) == [7, 8]
        hass.end(signal.SIGKILL)
        killed = time.monotonic()
        # No life bit any more. Until the timeout the boxes keep their shares; after it each
        # falls back to 7 A by itself; at no moment is the fuse exceeded.
        while time.monotonic() < killed + TIMEOUT_S + 6:
            assert sum(_drawn_a(boxes)) <= LIMIT_A - MARGIN_A + 0.01
            time.sleep(1)
        truths = [box.truth() for box in boxes]
        assert [t["failsafe_active"] for t in truths] == [True, True]
        assert _drawn_a(boxes) == pytest.approx([SAFE_SHARE_A, SAFE_SHARE_A])
    finally:
        hass.stop_quietly()
        sims.stop()
