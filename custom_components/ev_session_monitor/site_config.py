"""A site entry's settings: what its options hold, and the allocator's Site built from them.

A site is a config entry of this integration like a wallbox, told apart by `data[kind]`. Its
options: the main fuse's limit per phase, the margin, the stable interval, the grid
measurement (none, per-phase current sensors, or per-phase power with voltage), optional
sub-circuits under it (each with a name, a limit per phase and a parent circuit: a tree), and
per wallbox entry its wiring, circuit and priority.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from .const import CONF_PROFILE, CONF_TRANSPORT, DOMAIN, TRANSPORT_OCPP
from .core.model import Capability
from .core.ocpp.wallbox import OCPP_PROFILE
from .core.profile import WallboxProfile
from .core.site.model import Circuit, Site, WallboxWiring
from .storage import DATA_DOMAIN

CONF_KIND = "kind"
KIND_SITE = "site"

CONF_LIMIT = "limit_a"
CONF_MARGIN = "margin_a"
CONF_STABLE = "stable_interval_s"
CONF_FALLBACK = "fallback_a"
CONF_WALLBOXES = "wallboxes"
CONF_L1_PHASE = "l1_phase"
CONF_PHASES = "phases"
CONF_PRIORITY = "priority"
CONF_CIRCUIT = "circuit"
# Sub-circuits by id: {"name", "limit_a", "parent"}; a parent comes before its children.
CONF_CIRCUITS = "circuits"
CONF_CIRCUIT_NAME = "name"
CONF_PARENT = "parent"
CONF_GRID_SOURCE = "grid_source"
GRID_NONE = "none"
GRID_CURRENT = "current"
GRID_POWER = "power"
GRID_SOURCES = (GRID_NONE, GRID_CURRENT, GRID_POWER)
# Per grid phase L1..L3: current sensors, or power sensors with (optional) voltage sensors.
CURRENT_KEYS = ("current_l1", "current_l2", "current_l3")
POWER_KEYS = ("power_l1", "power_l2", "power_l3")
VOLTAGE_KEYS = ("voltage_l1", "voltage_l2", "voltage_l3")

DEFAULT_MARGIN_A = 1.0
DEFAULT_STABLE_S = 60.0
MAIN_CIRCUIT = "main"
# A power reading without a voltage sensor is divided by the nominal voltage (EN 50160).
NOMINAL_VOLTAGE_V = 230.0


def is_site_entry(entry: ConfigEntry) -> bool:
    """Whether the entry is a site (else it is a wallbox)."""
    return entry.data.get(CONF_KIND) == KIND_SITE


def wallbox_entries(hass: HomeAssistant) -> list[ConfigEntry]:
    """The integration's wallbox entries (every entry that is not a site)."""
    return [e for e in hass.config_entries.async_entries(DOMAIN) if not is_site_entry(e)]


def entry_profile(hass: HomeAssistant, entry: ConfigEntry) -> WallboxProfile | None:
    """The profile a wallbox entry uses (without loading it)."""
    if entry.data.get(CONF_TRANSPORT) == TRANSPORT_OCPP:
        return OCPP_PROFILE
    domain = hass.data.get(DATA_DOMAIN)
    if domain is None:
        return None
    return domain.catalog.profiles.get(str(entry.data.get(CONF_PROFILE)))


def controllable_wallboxes(hass: HomeAssistant) -> list[ConfigEntry]:
    """Wallbox entries whose box takes a charging current (polled or OCPP)."""
    boxes = []
    for entry in wallbox_entries(hass):
        profile = entry_profile(hass, entry)
        if (
            profile is not None
            and profile.current_limit is not None
            and Capability.CURRENT_LIMIT in profile.capabilities
        ):
            boxes.append(entry)
    return boxes


def sub_circuits(options: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The site's sub-circuits by id, parents before their children."""
    return {key: dict(value) for key, value in dict(options.get(CONF_CIRCUITS, {})).items()}


def site_of(options: Mapping[str, Any], switchable: frozenset[str] = frozenset()) -> Site:
    """The allocator's description of a site entry's options (the main fuse and its tree).

    `switchable`: the wallbox entries that can switch between 1 and 3 phases.
    """
    measured = options.get(CONF_GRID_SOURCE, GRID_NONE) != GRID_NONE
    fallback = options.get(CONF_FALLBACK)
    main = Circuit(
        MAIN_CIRCUIT,
        float(options[CONF_LIMIT]),
        measured=measured,
        fallback_a=None if fallback is None else float(fallback),
    )
    subs = sub_circuits(options)
    circuits = (
        main,
        *(
            Circuit(circuit_id, float(sub[CONF_LIMIT]), parent=str(sub[CONF_PARENT]))
            for circuit_id, sub in subs.items()
        ),
    )
    wallboxes = tuple(
        WallboxWiring(
            box_id=entry_id,
            # A box on a sub-circuit since removed hangs on the main fuse again.
            circuit_id=circuit if (circuit := wiring.get(CONF_CIRCUIT)) in subs else MAIN_CIRCUIT,
            phases=int(wiring.get(CONF_PHASES, 3)),
            l1_phase=int(wiring.get(CONF_L1_PHASE, 0)),
            can_switch_phases=entry_id in switchable,
            priority=int(wiring.get(CONF_PRIORITY, 0)),
        )
        for entry_id, wiring in dict(options.get(CONF_WALLBOXES, {})).items()
    )
    return Site(
        circuits=circuits,
        wallboxes=wallboxes,
        margin_a=float(options.get(CONF_MARGIN, DEFAULT_MARGIN_A)),
        stable_interval_s=float(options.get(CONF_STABLE, DEFAULT_STABLE_S)),
    )
