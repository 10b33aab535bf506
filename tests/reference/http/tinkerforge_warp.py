"""TinkerForge WARP2/3/4: one GET per state, POST /evse/external_current to control.

Sources (read, not copied):
- evcc-io/evcc @ b29b49e3: charger/warp/types.go (evse/state iec61851_state; evse
  external_current {"current": mA}; meter/values power, energy_rel, energy_abs;
  charge_tracker/current_charge authorization_info.tag_type / tag_id; info/name name, type,
  display_type, uid), charger/warp-ws.go (status 0 A, 1 B, 2 C; power W and energy_abs kWh
  taken as they come; meter/all_values: voltages at 0-2, currents at 3-5; setCurrent POSTs
  {"current": A x 1000} to evse/external_current, 0 to stop), charger/warp/connection.go (HTTP
  digest once user and password are set).
- Tinkerforge/esp32-firmware software/src/modules/meter/meter.cpp @ 47335e25 (meter/values
  keys; all_values a flat list of floats) and meters_legacy_api/meters_legacy_api.cpp @ 2b826883
  (firmware 2: the same states, NaN while a value is unknown); the web interface reads
  info/version `firmware` as "<version>+<build>".
"""

from __future__ import annotations

import json

from custom_components.ev_session_monitor.core.model import ChargerStatus

from . import ReferenceCase, SessionPoll

EVSE = "/evse/state"
METER = "/meter/values"
PHASES = "/meter/all_values"
EXTERNAL = "/evse/external_current"
CHARGE = "/charge_tracker/current_charge"
NAME = "/info/name"
VERSION = "/info/version"


def bodies(
    *,
    iec: int,
    power_w: float,
    amps: float,
    energy_abs_kwh: float,
    external_ma: int,
    tag: str = "",
    voltage_v: float = 230.0,
) -> dict[str, tuple[int, str]]:
    """The five states a poll reads, in the firmware's shapes."""
    # The legacy all_values list holds 85 floats (SDM630 order); 0-5 are the phase values.
    all_values = [voltage_v] * 3 + [amps] * 3 + [0.0] * 79
    charger_state = {0: 0, 1: 2, 2: 3, 3: 3, 4: 4}[iec]
    authorization = {"tag_type": 2, "tag_id": tag} if tag else {}
    return {
        EVSE: (
            200,
            json.dumps(
                {
                    "iec61851_state": iec,
                    "charger_state": charger_state,
                    "contactor_state": 3 if iec == 2 else 0,
                    "contactor_error": 0,
                    "allowed_charging_current": external_ma,
                    "error_state": 2 if iec == 4 else 0,
                    "lock_state": 0,
                }
            ),
        ),
        METER: (
            200,
            json.dumps({"power": power_w, "energy_rel": 12.345, "energy_abs": energy_abs_kwh}),
        ),
        PHASES: (200, json.dumps(all_values)),
        EXTERNAL: (200, json.dumps({"current": external_ma})),
        CHARGE: (
            200,
            json.dumps(
                {
                    "user_id": 1 if tag else -1,
                    "meter_start": 1234.0,
                    "evse_uptime_start": 3600,
                    "timestamp_minutes": 29000000,
                    "authorization_type": 2 if tag else 0,
                    "authorization_info": authorization,
                }
            ),
        ),
    }


CASES = [
    ReferenceCase(
        "idle",
        bodies(iec=0, power_w=0, amps=0, energy_abs_kwh=1234.0, external_ma=32000),
        {
            "status": ChargerStatus.IDLE,
            "power_w": 0.0,
            "currents_a": (0.0, 0.0, 0.0),
            "voltages_v": (230.0, 230.0, 230.0),
            "lifetime_energy_wh": 1234000.0,
            "current_limit_a": 32.0,
        },
    ),
    ReferenceCase(
        "charging_with_card",
        bodies(
            iec=2,
            power_w=11040.0,
            amps=16.0,
            energy_abs_kwh=1236.76,
            external_ma=16000,
            tag="04:A1:B2:C3",
        ),
        {
            "status": ChargerStatus.CHARGING,
            "power_w": 11040.0,
            "currents_a": (16.0, 16.0, 16.0),
            "voltages_v": (230.0, 230.0, 230.0),
            "lifetime_energy_wh": 1236760.0,
            "tag": "04:A1:B2:C3",
            "current_limit_a": 16.0,
        },
    ),
    # Stopped by external_current 0: the car stays at B.
    ReferenceCase(
        "stopped_car_plugged",
        bodies(iec=1, power_w=0, amps=0, energy_abs_kwh=1236.76, external_ma=0),
        {
            "status": ChargerStatus.CONNECTED,
            "power_w": 0.0,
            "currents_a": (0.0, 0.0, 0.0),
            "voltages_v": (230.0, 230.0, 230.0),
            "lifetime_energy_wh": 1236760.0,
            "current_limit_a": 0.0,
        },
    ),
    # Firmware 2 without a meter in slot 0: the legacy values are NaN (printed null) and the
    # list is empty until a meter sends its value ids.
    ReferenceCase(
        "no_meter_firmware_2",
        {
            **bodies(iec=1, power_w=0, amps=0, energy_abs_kwh=0, external_ma=6000),
            METER: (200, '{"power": null, "energy_rel": null, "energy_abs": null}'),
            PHASES: (200, "[]"),
        },
        {"status": ChargerStatus.CONNECTED, "current_limit_a": 6.0},
    ),
]

# Every state cut short: a poll fails only when no state answered.
TRUNCATED = {
    path: (status, body[: max(len(body) // 2, 1)])
    for path, (status, body) in bodies(
        iec=2, power_w=1, amps=1, energy_abs_kwh=1, external_ma=6000
    ).items()
}

IDENTITY = (
    {
        NAME: (
            200,
            '{"name": "warp3-2Dnx", "type": "warp3", "display_type": "WARP3 Charger Pro",'
            ' "uid": "2Dnx"}',
        ),
        VERSION: (200, '{"firmware": "2.6.6+6728a6a5", "config": "2.6.6", "config_type": "warp3"}'),
    },
    "2Dnx",
    "2.6.6+6728a6a5",
)

READS_CARDS = True
SESSION_PHASES = 3
SESSION_STATUS_WHILE_PAUSED = ChargerStatus.CONNECTED


def session_bodies(poll: SessionPoll) -> dict[str, tuple[int, str]]:
    """The box during the played session; paused means external_current 0 (state B)."""
    iec = {"idle": 0, "plugged": 1, "charging": 2, "paused": 1}[poll.phase]
    return bodies(
        iec=iec,
        power_w=poll.power_w,
        amps=poll.current_a,
        energy_abs_kwh=poll.lifetime_wh / 1000,
        external_ma=0 if poll.phase == "paused" else 16000,
        tag=poll.tag or "",
    )
