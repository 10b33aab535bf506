"""The portal's live view of each site: per circuit and phase the load bar, per box its share.

Every user sees it, as every user sees the wallboxes' tiles: it holds the boxes' names and
currents, never who charges (the card names stay with the wallbox tiles and access.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import probatio as vol
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.decorators import websocket_command
from homeassistant.components.websocket_api.messages import event_message
from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
    ConfigEntryState,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect

from .const import DOMAIN
from .core.site.model import PHASES
from .site_config import CONF_CIRCUIT_NAME, is_site_entry, sub_circuits
from .site_controller import SiteConfigEntry, SiteController


def _amps(value: float) -> float:
    return round(value, 1) + 0.0  # no "-0.0" in the portal


def site_snapshot(hass: HomeAssistant, entry: SiteConfigEntry) -> dict[str, Any]:
    """One site after its last tick: circuits with their per-phase load, boxes with their share.

    Per circuit phase: `house_a` (the grid reading less our boxes; 0 without a meter),
    `wallboxes_a` (the boxes' shares on that phase, one by one in `shares`), `headroom_a`
    (what is left under the limit less the margin) and the limit; they add up to the limit.
    """
    controller = entry.runtime_data.controller
    site = controller.site
    result = controller.result
    boxes = []
    for wiring in site.wallboxes:
        box = hass.config_entries.async_get_entry(wiring.box_id)
        allocation = None if result is None else result.boxes.get(wiring.box_id)
        boxes.append(
            {
                "entry_id": wiring.box_id,
                "title": box.title if box is not None else wiring.box_id,
                "circuit_id": wiring.circuit_id,
                "current_a": None if allocation is None else _amps(allocation.current_a),
                "phases": None if allocation is None else allocation.phases,
                # Grid phases as the portal names them: 1..3 for L1..L3.
                "grid_phases": []
                if allocation is None
                else [phase + 1 for phase in allocation.grid_phases],
                "reason": None if allocation is None else str(allocation.reason),
                # The circuit that caps it (reason limited_by_circuit), else None.
                "limited_by": None if allocation is None else allocation.limiting_circuit,
                "priority": wiring.priority,
            }
        )
    names = {
        circuit_id: str(sub[CONF_CIRCUIT_NAME])
        for circuit_id, sub in sub_circuits(entry.options).items()
    }
    circuits = []
    for circuit in site.circuits:
        state = None if result is None else result.circuits.get(circuit.circuit_id)
        phases = []
        for phase in PHASES:
            shares: list[dict[str, Any]] = []
            for wiring in site.boxes_below(circuit.circuit_id):
                allocation = None if result is None else result.boxes.get(wiring.box_id)
                if (
                    allocation is not None
                    and phase in allocation.grid_phases
                    and allocation.current_a > 0
                ):
                    shares.append(
                        {"entry_id": wiring.box_id, "current_a": _amps(allocation.current_a)}
                    )
            ours = sum(share["current_a"] for share in shares)
            load = ours if state is None else state.load_a[phase]
            headroom = (
                circuit.limit_a - site.margin_a - load if state is None else state.headroom_a[phase]
            )
            phases.append(
                {
                    "phase": phase + 1,
                    "house_a": _amps(max(0.0, load - ours)),
                    "wallboxes_a": _amps(ours),
                    "headroom_a": _amps(headroom),
                    "shares": shares,
                }
            )
        circuits.append(
            {
                "circuit_id": circuit.circuit_id,
                # None: the main fuse (the portal names it).
                "name": names.get(circuit.circuit_id),
                "parent": circuit.parent,
                "limit_a": _amps(circuit.limit_a),
                "margin_a": _amps(site.margin_a),
                "measured": circuit.measured,
                "stale": state is not None and state.measurement_stale,
                "phases": phases,
            }
        )
    return {
        "entry_id": entry.entry_id,
        "title": entry.title,
        "configured_limit_a": _amps(controller.configured_limit_a),
        "circuits": circuits,
        "wallboxes": boxes,
    }


def _loaded_sites(hass: HomeAssistant) -> list[SiteConfigEntry]:
    return [
        entry
        for entry in hass.config_entries.async_entries(DOMAIN)
        if is_site_entry(entry) and entry.state is ConfigEntryState.LOADED
    ]


@websocket_command({vol.Required("type"): f"{DOMAIN}/sites/subscribe"})
@callback
def ws_subscribe_sites(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Send every site's state now, after each of its ticks, and when a site comes or goes."""
    msg_id = msg["id"]
    # Per loaded site: its controller's listener (a reloaded site has a new controller).
    following: dict[str, tuple[SiteController, Callable[[], None]]] = {}

    @callback
    def send() -> None:
        snapshots = [site_snapshot(hass, entry) for entry in _loaded_sites(hass)]
        connection.send_message(event_message(msg_id, {"sites": snapshots}))

    @callback
    def follow() -> None:
        loaded = {entry.entry_id: entry.runtime_data.controller for entry in _loaded_sites(hass)}
        for entry_id, (controller, unsub) in list(following.items()):
            if loaded.get(entry_id) is not controller:
                unsub()
                del following[entry_id]
        for entry_id, controller in loaded.items():
            if entry_id not in following:
                following[entry_id] = (controller, controller.async_add_listener(send))

    @callback
    def entry_changed(change: ConfigEntryChange, entry: ConfigEntry) -> None:
        if entry.domain == DOMAIN and is_site_entry(entry):
            follow()
            send()

    stop_watching = async_dispatcher_connect(hass, SIGNAL_CONFIG_ENTRY_CHANGED, entry_changed)

    @callback
    def unsubscribe() -> None:
        stop_watching()
        for _, unsub in following.values():
            unsub()
        following.clear()

    connection.subscriptions[msg_id] = unsubscribe
    connection.send_result(msg_id)
    follow()
    send()
