"""The portal's live site view (`sites/subscribe`) over HA's websocket, boxes on real Modbus.

The boxes are Webasto NEXT simulators, as in test_site.py; every figure below is worked out by
hand from the scenario: the fuse less the 1 A margin shared among the cars (6 A minimum each),
the house load being the meter's reading less what the simulated boxes draw.
"""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.ev_session_monitor.const import DOMAIN
from custom_components.ev_session_monitor.site_config import CONF_FALLBACK
from tools.wallbox_simulator import WallboxSimulator

from .conftest import TestClock
from .test_site import charge, make_site


async def latest(client: Any) -> dict[str, Any]:
    """The last site state pushed so far (every tick pushes one).

    A second of silence ends the wait: the pushes are sent by the time a poll returns, but
    on a busy machine the test's own reads may lag well behind them.
    """
    event: dict[str, Any] | None = None
    while True:
        try:
            message = await asyncio.wait_for(client.receive_json(), 1.0)
        except TimeoutError:
            assert event is not None, "nothing was pushed"
            return event
        assert message["type"] == "event"
        event = message["event"]


def shares(site: dict[str, Any]) -> dict[str, tuple[float | None, str | None]]:
    return {box["title"]: (box["current_a"], box["reason"]) for box in site["wallboxes"]}


def bar(site: dict[str, Any], phase: int) -> tuple[float, float, float, list[float]]:
    """House, wallboxes, headroom and the single shares on one phase of the main fuse."""
    line = site["circuits"][0]["phases"][phase - 1]
    assert line["phase"] == phase
    return (
        line["house_a"],
        line["wallboxes_a"],
        line["headroom_a"],
        sorted(share["current_a"] for share in line["shares"]),
    )


async def test_three_boxes_on_16_a_pushed_to_a_non_admin(
    hass: HomeAssistant,
    site_boxes: list[WallboxSimulator],
    clock: TestClock,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
) -> None:
    boxes = site_boxes[:3]
    site = await make_site(hass, boxes, clock, limit=16)
    # Not an administrator: the site holds no card names, every user sees it like the tiles.
    client = await hass_ws_client(hass, hass_read_only_access_token)
    await client.send_json_auto_id({"type": f"{DOMAIN}/sites/subscribe"})
    assert (await client.receive_json())["success"]
    first = (await latest(client))["sites"]
    assert [s["title"] for s in first] == ["Carport"]
    main = first[0]["circuits"][0]
    assert (main["circuit_id"], main["parent"], main["limit_a"], main["margin_a"]) == (
        "main",
        None,
        16,
        1,
    )
    assert not main["measured"]
    assert shares(first[0]) == dict.fromkeys(("Box 1", "Box 2", "Box 3"), (0, "idle"))
    assert bar(first[0], 1) == (0, 0, 15, [])

    charge(boxes[:2])
    await site.poll()
    await site.poll()
    pushed = (await latest(client))["sites"][0]
    # 15 A for two cars: 8 A and 7 A (whole amperes; the spare ampere to one of them).
    got = shares(pushed)
    assert sorted(got[name][0] or 0 for name in ("Box 1", "Box 2")) == [7, 8]
    assert {got[name][1] for name in ("Box 1", "Box 2")} == {"fair_share"}
    assert got["Box 3"] == (0, "idle")
    for phase in (1, 2, 3):
        assert bar(pushed, phase) == (0, 15, 0, [7, 8])
    assert pushed["wallboxes"][0]["grid_phases"] == [1, 2, 3]

    # A third car: three minimums (18 A) do not fit in 15 A, it waits for its turn.
    charge(boxes[2:])
    await site.poll()
    await site.poll()
    pushed = (await latest(client))["sites"][0]
    assert shares(pushed)["Box 3"] == (0, "paused_for_priority")
    assert bar(pushed, 1) == (0, 15, 0, [7, 8])

    # The first car leaves: the waiting car charges, the bar holds the two that are left.
    boxes[0].state.unplug()
    await site.poll()
    await site.poll()
    pushed = (await latest(client))["sites"][0]
    got = shares(pushed)
    assert got["Box 1"] == (0, "idle")
    assert sorted([got["Box 2"][0] or 0, got["Box 3"][0] or 0]) == [7, 8]
    assert bar(pushed, 2) == (0, 15, 0, [7, 8])


async def test_house_load_in_the_bar(
    hass: HomeAssistant,
    site_boxes: list[WallboxSimulator],
    clock: TestClock,
    hass_ws_client: WebSocketGenerator,
) -> None:
    sims = site_boxes[:2]
    site = await make_site(hass, sims, clock, limit=25, grid=True, **{CONF_FALLBACK: 12})
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": f"{DOMAIN}/sites/subscribe"})
    assert (await client.receive_json())["success"]
    site.house_a = 6.0
    charge(sims)
    for _ in range(6):
        await site.poll(meter=True)
    pushed = (await latest(client))["sites"][0]
    assert pushed["circuits"][0]["measured"] and not pushed["circuits"][0]["stale"]
    # 25 A less 1 A margin less 6 A of house load: 18 A, 9 A for each car.
    assert bar(pushed, 1) == (6, 18, 0, [9, 9])
    site.house_a = 10.0  # the oven: 14 A left, 7 A each
    await site.poll(meter=True)
    pushed = (await latest(client))["sites"][0]
    assert bar(pushed, 3) == (10, 14, 0, [7, 7])
