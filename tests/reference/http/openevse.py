"""OpenEVSE WiFi gateway: GET /status and GET /config.

Sources (read, not copied): OpenEVSE/openevse_esp32_firmware at 1797b7a (2026-07-21) and its
tags 4.1.7 / v4.1.9 / v5.1.5:
- src/input.cpp create_rapi_json(): amp = amps x AMPS_SCALE_FACTOR (1000, so mA), voltage (V),
  power (W, from 4.1.9), pilot (A), state (1 A, 2 B, 3 C, 4 D, 5-11 faults, 254 sleeping,
  255 disabled), status (EvseState::toString: "active" / "disabled"), vehicle (0/1), rfid_auth
  (only when RFID is enabled; "" when nobody is authenticated), src/emonesp.h scale factors.
- src/energy_meter.cpp createEnergyMeterJsonDoc(): session_energy (Wh), total_energy (kWh);
  4.1.7 sends both from src/input.cpp with the same units and has no power key.
- src/app_config.cpp: /config "version" is the gateway firmware.
- models/Status.yaml (units of amp, session_energy, total_energy).
"""

from __future__ import annotations

from custom_components.ev_session_monitor.core.model import ChargerStatus

from . import ReferenceCase

STATUS = "/status"

CASES = [
    # Charging at 32 A on 240 V single phase, an RFID tag authenticated (5.1.5 keys).
    ReferenceCase(
        "charging_with_tag",
        {
            STATUS: (
                200,
                """{"mode":"STA","wifi_client_connected":1,"evse_connected":1,
                "rfid_auth":"a1b2c3d4","amp":31980,"voltage":240,"power":7675.2,"pilot":32,
                "max_current":32,"temp":355,"temp_max":412,"state":3,"status":"active",
                "flags":0,"vehicle":1,"colour":2,"manual_override":0,"freeram":180000,
                "divertmode":1,"srssi":-61,"session_elapsed":3600,"session_energy":7650.5,
                "total_energy":1234.567,"total_day":7.65,"total_week":30.1,
                "total_month":120.4,"total_year":900.2,"total_switches":4,"elapsed":3600,
                "wattsec":27541800,"watthour":1234567,"gfcicount":0,"nogndcount":0,
                "stuckcount":0,"service_level":2}""",
            )
        },
        {
            "status": ChargerStatus.CHARGING,
            "power_w": 7675.2,
            "currents_a": (31.98, None, None),
            "voltages_v": (240.0, None, None),
            "session_energy_wh": 7650.5,
            "lifetime_energy_wh": 1234567.0,
            "tag": "a1b2c3d4",
            "current_limit_a": 32.0,
            "enabled": True,
        },
    ),
    # Disabled by an override with the car plugged in: state 255, status "disabled".
    ReferenceCase(
        "disabled_car_plugged",
        {
            STATUS: (
                200,
                """{"evse_connected":1,"rfid_auth":"","amp":0,"voltage":240,"power":0,
                "pilot":16,"state":255,"status":"disabled","vehicle":1,"manual_override":1,
                "session_energy":0,"total_energy":50.5}""",
            )
        },
        {
            "status": ChargerStatus.SUSPENDED_CHARGER,
            "power_w": 0.0,
            "currents_a": (0.0, None, None),
            "voltages_v": (240.0, None, None),
            "session_energy_wh": 0.0,
            "lifetime_energy_wh": 50500.0,
            "current_limit_a": 16.0,
            "enabled": False,
        },
    ),
    # Sleeping (254) without a car: nobody plugged in, whatever the EVSE state says.
    ReferenceCase(
        "sleeping_no_car",
        {
            STATUS: (
                200,
                """{"amp":0,"voltage":230,"power":0,"pilot":6,"state":254,"status":"active",
                "vehicle":0,"session_energy":0,"total_energy":0}""",
            )
        },
        {
            "status": ChargerStatus.IDLE,
            "power_w": 0.0,
            "currents_a": (0.0, None, None),
            "voltages_v": (230.0, None, None),
            "session_energy_wh": 0.0,
            "lifetime_energy_wh": 0.0,
            "current_limit_a": 6.0,
            "enabled": True,
        },
    ),
    # GFCI fault (state 6) with the car plugged in.
    ReferenceCase(
        "gfci_fault",
        {
            STATUS: (
                200,
                """{"amp":0,"voltage":240,"power":0,"pilot":32,"state":6,"status":"active",
                "vehicle":1,"session_energy":10,"total_energy":2}""",
            )
        },
        {
            "status": ChargerStatus.ERROR,
            "power_w": 0.0,
            "currents_a": (0.0, None, None),
            "voltages_v": (240.0, None, None),
            "session_energy_wh": 10.0,
            "lifetime_energy_wh": 2000.0,
            "current_limit_a": 32.0,
            "enabled": True,
        },
    ),
    # Gateway 4.1.7: no power key yet; RFID not enabled, so no rfid_auth key.
    ReferenceCase(
        "gateway_4_1_7_no_power_key",
        {
            STATUS: (
                200,
                """{"amp":16000,"voltage":230,"pilot":16,"state":3,"status":"active",
                "vehicle":1,"session_energy":1840,"total_energy":321.5,"wh":321500,
                "temp":300,"temp_max":310,"flags":0,"colour":2,"manual_override":0}""",
            )
        },
        {
            "status": ChargerStatus.CHARGING,
            "currents_a": (16.0, None, None),
            "voltages_v": (230.0, None, None),
            "session_energy_wh": 1840.0,
            "lifetime_energy_wh": 321500.0,
            "current_limit_a": 16.0,
            "enabled": True,
        },
    ),
]

TRUNCATED = {STATUS: (200, '{"amp":16000,"voltage":230,"pilot":16,"state":3,"sta')}

IDENTITY = ({"/config": (200, '{"firmware":"8.2.2","version":"v5.1.5"}')}, None, "v5.1.5")
