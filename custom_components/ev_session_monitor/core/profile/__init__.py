"""Wallbox profiles: one YAML file per model, validated on load.

A profile is data. It says how to reach a box (transport, defaults), where each value of the
common reading model lives (register or JSON path, type, order, scale), how the box's status
codes map onto ChargerStatus, how the RFID tag is encoded, which raw values mean "not
available", which registers control the box and which keepalive it needs once we write.
The format is documented in docs/profiles.md.

`model` holds the validated dataclasses, `schema` the file's shape, `fields` and `parse` turn
a parsed file into a WallboxProfile, `load` reads files and directories.
"""

from .fields import parse_path, parse_version
from .load import BUILTIN_PROFILE_DIR, ProfileCatalog, load_profile_file, load_profiles
from .model import (
    BoxTimeout,
    Condition,
    CurrentLimitControl,
    DhcpMatcher,
    DiscoveryMatchers,
    HttpWrite,
    Keepalive,
    ListMatch,
    ModbusWrite,
    PathStep,
    PhaseSwitch,
    ProbeCheck,
    ProfileError,
    ValueSpec,
    Variant,
    WakeUp,
    WallboxProfile,
)
from .parse import apply_firmware_variants, apply_variant, parse_profile

__all__ = [
    "BUILTIN_PROFILE_DIR",
    "BoxTimeout",
    "Condition",
    "CurrentLimitControl",
    "DhcpMatcher",
    "DiscoveryMatchers",
    "HttpWrite",
    "Keepalive",
    "ListMatch",
    "ModbusWrite",
    "PathStep",
    "PhaseSwitch",
    "ProbeCheck",
    "ProfileCatalog",
    "ProfileError",
    "ValueSpec",
    "Variant",
    "WakeUp",
    "WallboxProfile",
    "apply_firmware_variants",
    "apply_variant",
    "load_profile_file",
    "load_profiles",
    "parse_path",
    "parse_profile",
    "parse_version",
]
