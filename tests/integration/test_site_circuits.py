"""A carport sub-circuit under the house's main fuse, through Home Assistant and real Modbus.

Four Webasto NEXT simulators (as in test_site.py): boxes 1 and 2 hang on a 16 A carport breaker,
boxes 3 and 4 directly on the 25 A main fuse, margin 1 A. The shares below are worked out by
hand: the carport's two cars never get more than 15 A together, all four never more than 24 A.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.ev_session_monitor.const import DOMAIN
from custom_components.ev_session_monitor.site_config import CONF_CIRCUITS, CONF_WALLBOXES

from .test_site import charge, make_site
from .test_site_flow import main_form, start_site_flow

if TYPE_CHECKING:
    from tools.wallbox_simulator import WallboxSimulator

    from .conftest import SetupEntry, TestClock

CARPORT = {"carport_row": {"name": "Carport row", "limit_a": 16.0, "parent": "main"}}


def wiring(circuit: str | None) -> dict[str, object]:
    return {"l1_phase": 0, "phases": 3, "priority": 0} | ({"circuit": circuit} if circuit else {})


async def test_carport_16_a_under_main_25_a_keeps_both_limits(
    hass: HomeAssistant,
    site_boxes: list[WallboxSimulator],
    clock: TestClock,
    hass_ws_client: WebSocketGenerator,
) -> None:
    boxes = site_boxes
    site = await make_site(
        hass,
        boxes,
        clock,
        limit=25,
        **{
            CONF_CIRCUITS: CARPORT,
            CONF_WALLBOXES: {
                "box1": wiring("carport_row"),
                "box2": wiring("carport_row"),
                "box3": wiring(None),
                "box4": wiring(None),
            },
        },
    )
    charge(boxes[:3])
    await site.poll()
    await site.poll()
    limits = [limit or 0 for limit in site.limits()]
    # The carport's 15 A for its two cars (8 + 7); box 3 takes what the main fuse has left:
    # 24 - 15 = 9 A. Without the carport breaker it would be 8 A each.
    assert sorted(limits[:2]) == [7, 8]
    assert limits[2] == 9
    assert limits[3] == 0
    carport = hass.states.get("sensor.carport_carport_row_headroom_l1")
    assert carport is not None and float(carport.state) == 0
    main = hass.states.get("sensor.carport_headroom_l1")
    assert main is not None and float(main.state) == 0
    # A fourth car, on the main fuse: now the main fuse binds, 24 A / 4 = 6 A each, and the
    # carport's 12 A are under its 15 A.
    charge(boxes[3:])
    await site.poll()
    await site.poll()
    limits = [limit or 0 for limit in site.limits()]
    assert limits == [6, 6, 6, 6]
    carport = hass.states.get("sensor.carport_carport_row_headroom_l2")
    assert carport is not None and float(carport.state) == 3
    for phase in range(3):
        assert sum(sim.state.currents_a[phase] for sim in boxes[:2]) <= 15
        assert sum(sim.state.currents_a[phase] for sim in boxes) <= 24
    # The portal draws both circuits: the carport's bar holds its two boxes, the main's all four.
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": f"{DOMAIN}/sites/subscribe"})
    assert (await client.receive_json())["success"]
    circuits = (await client.receive_json())["event"]["sites"][0]["circuits"]
    assert [(c["circuit_id"], c["name"], c["parent"], c["limit_a"]) for c in circuits] == [
        ("main", None, None, 25),
        ("carport_row", "Carport row", "main", 16),
    ]
    main_l1, carport_l1 = circuits[0]["phases"][0], circuits[1]["phases"][0]
    assert (main_l1["wallboxes_a"], main_l1["headroom_a"], len(main_l1["shares"])) == (24, 0, 4)
    assert (carport_l1["wallboxes_a"], carport_l1["headroom_a"]) == (12, 3)
    assert {share["entry_id"] for share in carport_l1["shares"]} == {"box1", "box2"}


# --- the forms -----------------------------------------------------------------------------


async def test_site_flow_adds_a_tree_of_sub_circuits(
    hass: HomeAssistant, setup_entry: SetupEntry
) -> None:
    box = await setup_entry()
    flow = await start_site_flow(hass)
    configure = hass.config_entries.flow.async_configure
    # Two names that would be the same circuit id are refused.
    result = dict(
        await configure(
            flow["flow_id"], main_form([box.entry_id], sub_circuits=["Carport", "carport"])
        )
    )
    assert result["errors"] == {"sub_circuits": "invalid_circuit_names"}
    result = dict(
        await configure(
            flow["flow_id"], main_form([box.entry_id], sub_circuits=["Carport", "Row B"])
        )
    )
    assert result["step_id"] == "site_circuit"
    assert result["description_placeholders"] == {"circuit": "Carport"}
    assert parent_choices(result) == {"main": "Carport"}  # the main fuse, named like the site
    # Above the 16 A main fuse it hangs under: refused (the main fuse would trip first).
    result = dict(await configure(flow["flow_id"], {"limit_a": 20, "parent": "main"}))
    assert result["errors"] == {"limit_a": "circuit_above_parent"}
    result = dict(await configure(flow["flow_id"], {"limit_a": 6.5, "parent": "main"}))
    assert result["errors"] == {"limit_a": "circuit_limit_too_low"}  # 5.5 A after the margin
    result = dict(await configure(flow["flow_id"], {"limit_a": 13, "parent": "main"}))
    # Row B may hang under the carport, named before it; it cannot exceed the carport's 13 A.
    assert result["description_placeholders"] == {"circuit": "Row B"}
    assert parent_choices(result) == {"main": "Carport", "carport": "Carport"}
    result = dict(await configure(flow["flow_id"], {"limit_a": 16, "parent": "carport"}))
    assert result["errors"] == {"limit_a": "circuit_above_parent"}
    result = dict(await configure(flow["flow_id"], {"limit_a": 10, "parent": "carport"}))
    assert result["step_id"] == "site_box"
    result = dict(
        await configure(
            flow["flow_id"], {"circuit": "row_b", "l1_phase": "0", "phases": "3", "priority": 0}
        )
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["options"][CONF_CIRCUITS] == {
        "carport": {"name": "Carport", "limit_a": 13, "parent": "main"},
        "row_b": {"name": "Row B", "limit_a": 10, "parent": "carport"},
    }
    assert result["options"][CONF_WALLBOXES][box.entry_id]["circuit"] == "row_b"
    await hass.async_block_till_done()
    entry = hass.config_entries.async_get_entry(result["result"].entry_id)
    assert entry is not None
    site = entry.runtime_data.controller.site
    assert [c.circuit_id for c in site.chain("row_b")] == ["row_b", "carport", "main"]
    state = hass.states.get("sensor.carport_row_b_headroom_l3")
    assert state is not None and float(state.state) == 9  # 10 A less the margin, no car

    # The options: the same forms, filled in; Row B removed, the box falls back to the carport
    # the user picks, and Carport is kept with a new limit.
    options = hass.config_entries.options
    result = dict(await options.async_init(entry.entry_id))
    assert suggested(result, "sub_circuits") == ["Carport", "Row B"]
    form = main_form([box.entry_id], sub_circuits=["Carport"])
    form.pop("name")
    result = dict(await options.async_configure(result["flow_id"], form))
    assert result["step_id"] == "site_circuit"
    assert suggested(result, "limit_a") == 13
    change = {"limit_a": 12, "parent": "main"}
    result = dict(await options.async_configure(result["flow_id"], change))
    assert suggested(result, "circuit") == "main"  # its circuit is gone: the main fuse
    result = dict(
        await options.async_configure(
            result["flow_id"], {"circuit": "carport", "l1_phase": "0", "phases": "3", "priority": 0}
        )
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options[CONF_CIRCUITS] == {
        "carport": {"name": "Carport", "limit_a": 12, "parent": "main"}
    }
    assert hass.states.get("sensor.carport_row_b_headroom_l3") is None  # gone with Row B
    state = hass.states.get("sensor.carport_carport_headroom_l1")
    assert state is not None and float(state.state) == 11


def parent_choices(result: dict[str, Any]) -> dict[str, str]:
    schema = result["data_schema"].schema
    field = next(key for key in schema if key == "parent")
    return {o["value"]: o["label"] for o in schema[field].config["options"]}


def suggested(result: dict[str, Any], name: str) -> Any:
    """The value a form field starts with (its default)."""
    for key in result["data_schema"].schema:
        if key == name:
            return key.default()
    raise KeyError(name)
