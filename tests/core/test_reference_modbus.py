"""Every Modbus profile against register images written by hand from vendor documents.

The images in tests/reference/modbus/ are raw 16-bit registers as the vendor's document (or
evcc's driver, when the document is not public) describes them, with the values a user would
see written next to them. They are not generated from the profiles: a wrong address, type,
word order, scale, status code, write function code or firmware variant fails here.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from custom_components.ev_session_monitor.core.errors import WallboxError
from custom_components.ev_session_monitor.core.modbus import ModbusWallboxClient
from custom_components.ev_session_monitor.core.modbus_link import ModbusLinkPool
from custom_components.ev_session_monitor.core.probe import detect_models, read_modbus_serial
from custom_components.ev_session_monitor.core.profile import (
    BUILTIN_PROFILE_DIR,
    WallboxProfile,
    load_profiles,
    parse_profile,
)
from tools.wallbox_simulator.images import load_case, other_units, raw_box
from tools.wallbox_simulator.servers import ModbusSimServer

REFERENCE_DIR = Path(__file__).parents[1] / "reference" / "modbus"
CATALOG = load_profiles(BUILTIN_PROFILE_DIR)
MODBUS_PROFILES = sorted(
    profile_id for profile_id, profile in CATALOG.profiles.items() if profile.transport == "modbus"
)


def _images() -> dict[str, dict[str, Any]]:
    return {
        path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted(REFERENCE_DIR.glob("*.yaml"))
    }


IMAGES = _images()


def _case_params() -> list[Any]:
    return [
        pytest.param(image["profile"], case, id=f"{stem}-{case['name']}")
        for stem, image in IMAGES.items()
        for case in image["cases"]
    ]


@asynccontextmanager
async def serving(
    profile: WallboxProfile, case: dict[str, Any]
) -> AsyncIterator[tuple[ModbusSimServer, Any]]:
    """A Modbus server on loopback holding the case's image (and its other units)."""
    box = raw_box(case)
    server = ModbusSimServer()
    server.add_box(case.get("unit_id", profile.default_unit_id), box)
    for unit, other in other_units(case).items():
        server.add_box(unit, other)
    await server.start()
    try:
        yield server, box
    finally:
        await server.stop()


async def observe(profile: WallboxProfile, case: dict[str, Any]) -> dict[str, Any]:
    """Set the profile up against the image and return what a user would see."""
    async with serving(profile, case) as (server, box):
        unit_id = case.get("unit_id", profile.default_unit_id)
        client = ModbusWallboxClient(profile, ModbusLinkPool(), "127.0.0.1", server.port, unit_id)
        try:
            return await _observe_client(client, box, case)
        finally:
            await client.close()


async def _observe_client(
    client: ModbusWallboxClient, box: Any, case: dict[str, Any]
) -> dict[str, Any]:
    identity = await client.read_identity()
    reading = await client.read()
    effective = client.profile
    keepalive = effective.keepalive
    seen: dict[str, Any] = {
        "status": reading.status.value if reading.status else None,
        "power_w": reading.power_w,
        "currents_a": list(reading.currents_a),
        "voltages_v": list(reading.voltages_v),
        "session_energy_wh": reading.session_energy_wh,
        "lifetime_energy_wh": reading.lifetime_energy_wh,
        "tag": reading.tag,
        "error_code": reading.error_code,
        "current_limit_a": reading.current_limit_a,
        "serial": identity.serial,
        "firmware": identity.firmware,
        "model": effective.model,
        "variants": list(effective.active_variants),
        "keepalive_interval_s": keepalive.interval_s if keepalive else None,
        "setpoint_refresh_s": (
            effective.current_limit.refresh_s if effective.current_limit else None
        ),
        "phase_switch": effective.phase_switch is not None,
        "phases": client.phases,
        "failsafe_setting_a": await client.read_failsafe_setting(),
        "setup_writes": [[w.function, w.address, list(w.words)] for w in box.register_writes],
        "writes": [],
    }
    switch = effective.phase_switch
    if switch is not None and switch.pause_s:  # the real pause is seconds: keep tests quick
        client.profile = replace(effective, phase_switch=replace(switch, pause_s=0.01))
    for command in case.get("writes", []):
        before = len(box.register_writes)
        await getattr(client, command["call"])(*command.get("args", []))
        sent = [[w.function, w.address, list(w.words)] for w in box.register_writes[before:]]
        seen["writes"].append(sent)
    return seen


def mismatches(expected: dict[str, Any], seen: dict[str, Any]) -> list[str]:
    """Compare the hand-written expectations with what was seen."""
    problems = []
    for key, want in expected.items():
        got = seen[key]
        if not _equal(want, got):
            problems.append(f"{key}: expected {want!r}, got {got!r}")
    return problems


def _equal(want: Any, got: Any) -> bool:
    if isinstance(want, list) and isinstance(got, list):
        return len(want) == len(got) and all(_equal(w, g) for w, g in zip(want, got, strict=True))
    if isinstance(want, (int, float)) and not isinstance(want, bool):
        return (
            isinstance(got, (int, float))
            and not isinstance(got, bool)
            and math.isclose(want, got, rel_tol=1e-6, abs_tol=1e-3)
        )
    return bool(want == got)


def _expected(case: dict[str, Any]) -> dict[str, Any]:
    expected = dict(case["expected"])
    if "writes" in case:
        expected["writes"] = [command["sent"] for command in case["writes"]]
    return expected


def test_every_probe_is_checked_against_its_image() -> None:
    probed = {pid for pid in MODBUS_PROFILES if CATALOG.profiles[pid].probe}
    checked = {image["profile"] for image in IMAGES.values() if image.get("probe")}
    assert probed == checked


def test_every_modbus_profile_has_reference_images() -> None:
    covered = {image["profile"] for image in IMAGES.values()}
    assert covered == set(MODBUS_PROFILES)
    for stem, image in IMAGES.items():
        assert image["source"].strip(), f"{stem}: name the document or driver"
        names = {case["name"] for case in image["cases"]}
        assert {"idle", "charging"} <= names, f"{stem}: needs an idle and a charging image"


@pytest.mark.parametrize(("profile_id", "case"), _case_params())
async def test_profile_reads_reference_image(profile_id: str, case: dict[str, Any]) -> None:
    seen = await observe(CATALOG.profiles[profile_id], case)
    assert mismatches(_expected(case), seen) == []


def _probe_params() -> list[Any]:
    """Images marked `probe: true` hold their model's probe registers in idle and charging."""
    return [
        pytest.param(image["profile"], case, id=f"{stem}-{case['name']}")
        for stem, image in IMAGES.items()
        if image.get("probe")
        for case in image["cases"]
        if case["name"] in ("idle", "charging")
    ]


@pytest.mark.parametrize(("profile_id", "case"), _probe_params())
async def test_probe_recognises_the_reference_image(profile_id: str, case: dict[str, Any]) -> None:
    """A box typed in by address is recognised from the registers its source documents."""
    profile = CATALOG.profiles[profile_id]
    async with serving(profile, case) as (server, _):
        found = await detect_models("127.0.0.1", [profile], port=server.port)
        serial = await read_modbus_serial(profile, "127.0.0.1", port=server.port)
    assert found.matches == (profile_id,)
    if "serial" in case["expected"]:
        assert serial == case["expected"]["serial"]


@pytest.mark.parametrize(("profile_id", "case"), _probe_params())
async def test_probe_offers_the_right_model_first_among_all(
    profile_id: str, case: dict[str, Any]
) -> None:
    """Probed with every Modbus profile, as the config flow does, the image's model comes first."""
    profile = CATALOG.profiles[profile_id]
    async with serving(profile, case) as (server, _):
        candidates = [CATALOG.profiles[pid] for pid in MODBUS_PROFILES]
        found = await detect_models("127.0.0.1", candidates, port=server.port)
    assert found.matches[:1] == (profile_id,)


# Errors the profiles had before they were checked against the images; each must fail.
WRONG_PROFILES = [
    # Webasto NEXT: "charging paused" does not mean the box paused it.
    ("webasto_next", "paused", ("values", "status", "map", 4), "suspended_charger"),
    # Phoenix on Wallbe firmware: 904 read as the lifetime meter, writes in A.
    ("phoenix_ev_cc", "wallbe", ("variants",), []),
    # KEBA P40 before 1.2.1: energy in Wh read as 0.1 Wh.
    ("keba_p30", "p40_old_firmware", ("variants", 1, "values", "lifetime_energy", "scale"), 0.1),
    # KEBA: enable written with function code 16.
    ("keba_p30", "charging", ("controls", "enable", "function"), 16),
    # Bender legacy firmware read with the current register set.
    ("bender_cc613", "legacy", ("variants",), []),
    # Alfen: float64 meter read low word first.
    ("alfen_eve", "charging", ("values", "lifetime_energy", "word_order"), "little"),
    # Alfen: no setpoint refresh (the box drops the setpoint after its validity time).
    ("alfen_eve", "charging", ("controls", "current_limit", "refresh_s"), None),
    # Mennekes HCC3 and the Webasto life bit: written with function code 16.
    ("mennekes_amtron_xtra", "charging", ("controls", "current_limit", "function"), 16),
    ("webasto_next", "charging", ("controls", "keepalive", "function"), 16),
    # Webasto: a fixed 10 s life bit instead of the box's timeout / 2.
    ("webasto_next", "charging", ("controls", "keepalive", "timeout"), None),
    # Heidelberg: standby left on at start.
    ("heidelberg_energy_control", "idle", ("controls", "on_start"), []),
    # Phoenix EV-CC and Wallbe: on/off as 0 A / 32 A on 528 instead of coil 400 (issue 23).
    ("phoenix_ev_cc", "charging", ("controls", "enable"), None),
    ("wallbe", "charging", ("controls", "enable"), None),
    # Phoenix: the coil written with function code 6 (a holding register).
    ("phoenix_ev_cc", "charging", ("controls", "enable", "function"), 6),
    # Alfen: serial and firmware read from the socket instead of the station unit (issue 23).
    ("alfen_eve", "idle", ("modbus", "identity_unit_id"), None),
    # cFos: currents read as whole amperes; the current written in A instead of 0.1 A.
    ("cfos_power_brain", "charging", ("values", "current_l1", "scale"), 1),
    ("cfos_power_brain", "charging", ("controls", "current_limit", "scale"), 1),
    # cFos: a lifetime meter reading 0 at start-up taken as a value (a meter reset).
    ("cfos_power_brain", "starting_up", ("values", "lifetime_energy", "sentinels"), None),
    # ABL eM4: energy read as Wh instead of 0.01 kWh; the current written with code 6.
    ("abl_em4", "charging", ("values", "lifetime_energy", "scale"), 1),
    ("abl_em4", "charging", ("controls", "current_limit", "function"), 6),
    # Compleo: the limit written in amperes, not as 230 V x A x 3 in 100 W steps.
    ("compleo", "charging", ("controls", "current_limit", "scale"), 1),
    # Compleo: session energy read in kWh as Wh.
    ("compleo", "charging", ("values", "session_energy", "scale"), 1),
    # DaheimLaden: 0 A written to stop (the box then charges without authorization).
    ("daheimladen", "charging", ("controls", "current_limit", "off"), 0),
    # DaheimLaden: the UTF-16 card id read as two characters a register.
    ("daheimladen", "charging", ("values", "tag", "chars_per_register"), 2),
    # Peblar: currents read as A instead of mA; the limit written as one 16-bit register.
    ("peblar", "charging", ("values", "current_l1", "scale"), 1),
    ("peblar", "charging", ("controls", "current_limit", "type"), "uint16"),
    # Schneider: floats read high word first; power read as W instead of kW.
    ("schneider_evlink_pro", "charging", ("values", "power", "word_order"), "big"),
    ("schneider_evlink_pro", "charging", ("values", "power", "scale"), 1),
    # Schneider: a life bit sent to a box that reads 2 there.
    ("schneider_evlink_pro", "lifebit_off", ("variants",), []),
    # CHARX: the state letter taken from the low byte; power read as W instead of mW.
    ("phoenix_charx", "charging", ("values", "status", "shift"), 0),
    ("phoenix_charx", "charging", ("values", "power", "scale"), 1),
    # Sungrow: 32-bit values read high word first; the current written in 0.01 A.
    ("sungrow_ac", "charging", ("values", "power", "word_order"), "big"),
    ("sungrow_ac", "charging", ("controls", "current_limit", "scale"), 0.01),
    # NRGkick Gen2: the pause flag written the wrong way round; power read high word first.
    ("nrgkick_gen2", "charging", ("controls", "enable", "on"), 1),
    ("nrgkick_gen2", "charging", ("values", "power", "word_order"), "big"),
    # Victron EVCS: session energy read as 0.1 kWh; the current written with code 16.
    ("victron_evcs", "charging", ("values", "session_energy", "scale"), 100),
    ("victron_evcs", "charging", ("controls", "current_limit", "function"), 16),
    # Weidmüller: values read high word first; the heartbeat as one 16-bit register.
    ("weidmueller_ac_smart", "charging", ("values", "power", "word_order"), "big"),
    ("weidmueller_ac_smart", "charging", ("controls", "keepalive", "type"), "uint16"),
    # Vestel before 3.156.0: RFID registers read anyway.
    ("vestel_evc04", "old_firmware", ("variants",), []),
    # innogy: the current written to phase 1 only; energy read as Wh, not kWh; C1 as charging.
    ("innogy_ebox", "charging", ("controls", "current_limit", "also"), []),
    ("innogy_ebox", "charging", ("values", "lifetime_energy", "scale"), 1),
    ("innogy_ebox", "paused_by_the_box", ("values", "status", "map", "C1"), "charging"),
    # innogy before table 6: voltages and the meter read anyway.
    ("innogy_ebox", "old_table", ("variants",), []),
    # EM2GO: stop written as 0 (the box wants 2); energy read as Wh; the current in A.
    ("em2go", "charging", ("controls", "enable", "off"), 0),
    ("em2go", "charging", ("values", "lifetime_energy", "scale"), 1),
    ("em2go", "charging", ("controls", "current_limit", "scale"), 1),
    # EM2GO Pro Power: 1p/3p offered without the phase register.
    ("em2go", "pro_power", ("variants",), []),
    # KEBA: the failsafe current written in A instead of mA; a failsafe left off (no timeout).
    ("keba_p30", "failsafe_off", ("controls", "failsafe_current", "scale"), 1),
    ("keba_p30", "failsafe_off", ("controls", "failsafe_current", "timeout_s"), None),
    # Alfen: the applied maximum (1206) read as the safe current.
    ("alfen_eve", "charging", ("controls", "failsafe_current", "address"), 1206),
]


@pytest.mark.parametrize(("profile_id", "case_name", "path", "wrong"), WRONG_PROFILES)
async def test_a_wrong_profile_fails(
    profile_id: str, case_name: str, path: tuple[Any, ...], wrong: Any
) -> None:
    raw = yaml.safe_load((BUILTIN_PROFILE_DIR / f"{profile_id}.yaml").read_text())
    node = raw
    for step in path[:-1]:
        node = node[step]
    if wrong is None:
        del node[path[-1]]
    else:
        node[path[-1]] = wrong
    profile = parse_profile(profile_id, raw, "wrong.yaml")
    _, case = load_case(REFERENCE_DIR / f"{profile_id}.yaml", case_name)
    try:
        seen = await observe(profile, case)
    except WallboxError:
        return  # the box refused what the wrong profile asked for: caught as well
    assert mismatches(_expected(case), seen) != []


def test_an_unknown_case_names_the_cases() -> None:
    with pytest.raises(KeyError, match="cases: idle, charging, waiting_for_card"):
        load_case(REFERENCE_DIR / "mennekes_amtron_xtra.yaml", "sleeping")
