"""Tesla Wall Connector Gen 3: GET /api/1/vitals, /api/1/lifetime, /api/1/version.

Tesla publishes no documentation. Sources (read, not copied):
- TWCLIB: einarhauks/tesla-wall-connector at 1cd34af (v1.2.0, 2026-06-27), the library Home
  Assistant's tesla_wall_connector uses: tests/test_wall_connector.py (a three-phase vitals
  answer at 50 Hz whose total_power_w is 241.7; a lifetime answer; a lifetime answer with bare
  `nan` that test_can_handle_nan_in_json must accept; a lifetime answer missing its closing
  brace; a version answer), vitals.py (total_power_w = sum of V x I over phases A, B, C; for
  split phase grid_v x vehicle_current_a), wifi_status.py.
- A North American split-phase answer while charging: evcc issue #7599 (2023-04-21).
"""

from __future__ import annotations

from custom_components.ev_session_monitor.core.model import ChargerStatus

from . import ReferenceCase

VITALS = "/api/1/vitals"
LIFETIME = "/api/1/lifetime"
VERSION = "/api/1/version"

# The library's lifetime answer (test_lifetime_request).
_LIFETIME = """{"contactor_cycles":175,"contactor_cycles_loaded":3,"alert_count":1603,
"thermal_foldbacks":0,"avg_startup_temp":27.8,"charge_starts":175,"energy_wh":386204,
"connector_cycles":23,"uptime_s":1945056,"charging_time_s":183022}"""

CASES = [
    # The library's vitals answer: car connected, contactor open, three phases at 230 V.
    # Power = 230.1 x 0.4 + 230.2 x 0.35 + 230.3 x 0.3 = 241.7 W (the library asserts 241.7).
    ReferenceCase(
        "connected_three_phase",
        {
            VITALS: (
                200,
                """{"contactor_closed":false,"vehicle_connected":true,"session_s":0,
                "grid_v":228.8,"grid_hz":50.003,"vehicle_current_a":0.5,"currentA_a":0.4,
                "currentB_a":0.35,"currentC_a":0.3,"currentN_a":0.6,"voltageA_v":230.1,
                "voltageB_v":230.2,"voltageC_v":230.3,"relay_coil_v":11.9,"pcba_temp_c":13.8,
                "handle_temp_c":9.9,"mcu_temp_c":20.8,"uptime_s":35779,
                "input_thermopile_uv":-151,"prox_v":0.01,"pilot_high_v":11.9,
                "pilot_low_v":11.99,"session_energy_wh":22128.301,"config_status":5,
                "evse_state":1,"current_alerts":["alert1","alert2"]}""",
            ),
            LIFETIME: (200, _LIFETIME),
        },
        {
            "status": ChargerStatus.CONNECTED,
            "power_w": 241.7,
            "currents_a": (0.4, 0.35, 0.3),
            "voltages_v": (230.1, 230.2, 230.3),
            "session_energy_wh": 22128.301,
            "lifetime_energy_wh": 386204.0,
        },
    ),
    # Charging three-phase at 32 A (newer firmware: relay_k1_v/relay_k2_v, not relay_coil_v).
    # Power = 3 x 230 x 32 = 22080 W: a full three-phase box, above the old 11.52 kW limit.
    ReferenceCase(
        "charging_three_phase_32a",
        {
            VITALS: (
                200,
                """{"contactor_closed":true,"vehicle_connected":true,"session_s":1800,
                "grid_v":230,"grid_hz":50.0,"vehicle_current_a":32,"currentA_a":32,
                "currentB_a":32,"currentC_a":32,"currentN_a":0.2,"voltageA_v":230,
                "voltageB_v":230,"voltageC_v":230,"relay_k1_v":12.0,"relay_k2_v":12.0,
                "session_energy_wh":11040,"evse_state":11,"current_alerts":[],
                "evse_not_ready_reasons":[]}""",
            ),
            LIFETIME: (200, _LIFETIME),
        },
        {
            "status": ChargerStatus.CHARGING,
            "power_w": 22080.0,
            "currents_a": (32.0, 32.0, 32.0),
            "voltages_v": (230.0, 230.0, 230.0),
            "session_energy_wh": 11040.0,
            "lifetime_energy_wh": 386204.0,
        },
    ),
    # Nothing plugged in.
    ReferenceCase(
        "idle",
        {
            VITALS: (
                200,
                """{"contactor_closed":false,"vehicle_connected":false,"session_s":0,
                "grid_v":231.2,"grid_hz":49.98,"vehicle_current_a":0,"currentA_a":0,
                "currentB_a":0,"currentC_a":0,"currentN_a":0,"voltageA_v":2.1,
                "voltageB_v":2.0,"voltageC_v":2.2,"session_energy_wh":0,"evse_state":1,
                "current_alerts":[]}""",
            ),
            LIFETIME: (200, _LIFETIME),
        },
        {
            "status": ChargerStatus.IDLE,
            "power_w": 0.0,
            "currents_a": (0.0, 0.0, 0.0),
            "voltages_v": (2.1, 2.0, 2.2),
            "session_energy_wh": 0.0,
            "lifetime_energy_wh": 386204.0,
        },
    ),
    # The library's test_can_handle_nan_in_json lifetime answer: bare nan where a counter has
    # no value. The lifetime energy is still there.
    ReferenceCase(
        "lifetime_with_bare_nan",
        {
            VITALS: (
                200,
                """{"contactor_closed":false,"vehicle_connected":false,"currentA_a":0,
                "currentB_a":0,"currentC_a":0,"voltageA_v":0,"voltageB_v":0,"voltageC_v":0,
                "session_energy_wh":0}""",
            ),
            LIFETIME: (
                200,
                """
                {
                    "contactor_cycles": 450,
                    "contactor_cycles_loaded": nan ,
                    "alert_count":nan,
                    "thermal_foldbacks": 0,
                    "avg_startup_temp": nan,
                    "charge_starts": 450,
                    "energy_wh": 2566837,
                    "connector_cycles": 238,
                    "uptime_s": 15896787,
                    "charging_time_s": 758036
                }
                """,
            ),
        },
        {
            "status": ChargerStatus.IDLE,
            "power_w": 0.0,
            "currents_a": (0.0, 0.0, 0.0),
            "voltages_v": (0.0, 0.0, 0.0),
            "session_energy_wh": 0.0,
            "lifetime_energy_wh": 2566837.0,
        },
    ),
    # Other spellings of "no value" a JSON printer may use, including in the values we read.
    ReferenceCase(
        "nan_infinity_spellings",
        {
            VITALS: (
                200,
                """{"contactor_closed":true,"vehicle_connected":true,"currentA_a":NaN,
                "currentB_a":Infinity,"currentC_a":-Infinity,"voltageA_v":230,
                "voltageB_v":-nan,"voltageC_v":1e999,"session_energy_wh":nan}""",
            ),
            LIFETIME: (200, '{"energy_wh":NAN}'),
        },
        {
            "status": ChargerStatus.CHARGING,
            "voltages_v": (230.0, None, None),
        },
    ),
]

# The library's test_can_handle_missing_end_brace answer, which the library parses (api.py
# decode_response adds the brace): the lifetime energy is read from it.
MISSING_END_BRACE_LIFETIME_WH = 2566837.0
MISSING_END_BRACE = {
    VITALS: (200, '{"contactor_closed":false,"vehicle_connected":false}'),
    LIFETIME: (
        200,
        """
        {
            "contactor_cycles": 450,
            "contactor_cycles_loaded": 3 ,
            "alert_count":1,
            "thermal_foldbacks": 0,
            "avg_startup_temp": 3,
            "charge_starts": 450,
            "energy_wh": 2566837,
            "connector_cycles": 238,
            "uptime_s": 15896787,
            "charging_time_s": 758036

        """,
    ),
}

# Answers cut off in transit (not from a source: a body that stays invalid with a brace added).
# With both endpoints cut, the poll fails; with one, only its values are unavailable.
TRUNCATED = {
    VITALS: (200, '{"contactor_closed":true,"vehicle_connected":true,"currentA_'),
    LIFETIME: (200, '{"contactor_cycles":175,"energy_'),
}
# The charging answer above with its lifetime answer cut off.
LIFETIME_CUT_OFF = {VITALS: CASES[1].bodies[VITALS], LIFETIME: TRUNCATED[LIFETIME]}

# evcc issue #7599: a North American (split-phase, 240 V) box while charging. The car draws
# vehicle_current_a = 30.8 A at grid_v = 238.5 V: 238.5 x 30.8 = 7345.8 W (the library's
# split-phase formula). Summing V x I over A, B, C gives 7458.9 W instead.
SPLIT_PHASE = {
    VITALS: (
        200,
        """{"contactor_closed":true,"vehicle_connected":true,"session_s":74868,
        "grid_v":238.5,"grid_hz":59.918,"vehicle_current_a":30.8,"currentA_a":11.4,
        "currentB_a":13.1,"currentC_a":12.7,"currentN_a":11.8,"voltageA_v":242.6,
        "voltageB_v":242.7,"voltageC_v":119.2,"relay_coil_v":6.1,"pcba_temp_c":17.9,
        "handle_temp_c":15.5,"mcu_temp_c":22.8,"uptime_s":1292309,
        "input_thermopile_uv":-258,"prox_v":1.5,"pilot_high_v":0,"pilot_low_v":-0,
        "session_energy_wh":683.8,"config_status":5,"evse_state":11,"current_alerts":[]}""",
    ),
    LIFETIME: (200, _LIFETIME),
}
SPLIT_PHASE_POWER_W = 7345.8

IDENTITY = (
    {
        VERSION: (
            200,
            """{"firmware_version":"21.29.1+g4152353e50f744","git_branch":"HEAD",
            "part_number":"1529455-02-D","serial_number":"ACB12345678901",
            "web_service":"h3-hermes-prd.sn.tesla.services"}""",
        )
    },
    "ACB12345678901",
    "21.29.1+g4152353e50f744",
)
