"""A wallbox simulator serving any ev_session_monitor profile over Modbus TCP or HTTP."""

from .simulator import WallboxSimulator, builtin_profile, load_scenario, run_scenario
from .state import Faults, WallboxState

__all__ = [
    "Faults",
    "WallboxSimulator",
    "WallboxState",
    "builtin_profile",
    "load_scenario",
    "run_scenario",
]
