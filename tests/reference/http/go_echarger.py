"""go-eCharger, local HTTP API v2: GET /api/status?filter=...

Sources (read, not copied):
- GOE: goecharger/go-eCharger-API-v2 at b4d7f85 (2026-08-12), API_KEYS_FIRMWARE/apikeys-en.md:
  car (null if internal error; 1 Idle, 2 Charging, 3 WaitCar, 4 Complete, 5 Error), amp (A),
  frc (0 Neutral, 1 Off, 2 On), nrg (U L1 L2 L3 N, I L1 L2 L3, P L1 L2 L3 N Total, pf L1 L2 L3 N),
  wh (Wh since the car connected), eto (Wh total), err, lri (optional string, only with "send
  RFID serial"), lrr (optional int64, ms since boot), sse, fwv; http-en.md for the filter.
- Units of nrg in API v2 (V, A, W): go-eCharger-API-v1 issue #100, a v52.2 answer
  "nrg":[219,225,222,1,15.1,15.2,15.1,3300,3400,3400,0,10300,100,100,100,0] (10.3 kW at
  3 x 15.1 A); evcc charger/go-e/types2.go reads nrg[11] as W and nrg[4..6] as A.
- An answer of older firmware without amp/frc/err/lri/lrr: evcc issue #2644 (2022-02-14), the
  body of GET /api/status?filter=alw,car,eto,nrg,wh,trx,cards.
"""

from __future__ import annotations

from custom_components.ev_session_monitor.core.model import ChargerStatus

from . import ReferenceCase

STATUS = "/api/status"

CASES = [
    # Charging three-phase at 16 A with a card read (firmware 59.4 key list, rde on).
    ReferenceCase(
        "charging_with_card",
        {
            STATUS: (
                200,
                """{"car":2,"amp":16,"frc":0,
                "nrg":[231,229,232,1,15.9,16.1,16.0,3670,3690,3710,0,11070,99,99,99,0],
                "wh":5234.7,"eto":1234567,"err":0,"lri":"04A1B2C3D4E5F6","lrr":8123456,
                "sse":"012345","fwv":"059.4"}""",
            )
        },
        {
            "status": ChargerStatus.CHARGING,
            "power_w": 11070.0,
            "currents_a": (15.9, 16.1, 16.0),
            "voltages_v": (231.0, 229.0, 232.0),
            "session_energy_wh": 5234.7,
            "lifetime_energy_wh": 1234567.0,
            "tag": "04A1B2C3D4E5F6",
            "tag_read_marker": 8123456.0,
            "error_code": 0,
            "current_limit_a": 16.0,
            "enabled": True,
        },
    ),
    # Forced off (frc 1) after charging completed; "send RFID serial" off: lri and lrr null.
    ReferenceCase(
        "complete_forced_off",
        {
            STATUS: (
                200,
                """{"car":4,"amp":10,"frc":1,
                "nrg":[233,231,230,0,0,0,0,0,0,0,0,0,0,0,0,0],
                "wh":12000.25,"eto":2000000,"err":0,"lri":null,"lrr":null,
                "sse":"012345","fwv":"060.5"}""",
            )
        },
        {
            "status": ChargerStatus.FINISHED,
            "power_w": 0.0,
            "currents_a": (0.0, 0.0, 0.0),
            "voltages_v": (233.0, 231.0, 230.0),
            "session_energy_wh": 12000.25,
            "lifetime_energy_wh": 2000000.0,
            "error_code": 0,
            "current_limit_a": 10.0,
            "enabled": False,
        },
    ),
    # Waiting for the car (3), forced on (frc 2), residual-current error reported (err 1 FiAc).
    ReferenceCase(
        "waiting_forced_on_with_error",
        {
            STATUS: (
                200,
                """{"car":3,"amp":6,"frc":2,
                "nrg":[230,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],
                "wh":0,"eto":15,"err":1,"lri":null,"lrr":null,"sse":"222222","fwv":"056.2"}""",
            )
        },
        {
            "status": ChargerStatus.CONNECTED,
            "power_w": 0.0,
            "currents_a": (0.0, 0.0, 0.0),
            "voltages_v": (230.0, 0.0, 0.0),
            "session_energy_wh": 0.0,
            "lifetime_energy_wh": 15.0,
            "error_code": 1,
            "current_limit_a": 6.0,
            "enabled": True,
        },
    ),
    # car null: no connection to the charge controller (internal error); err null as well.
    ReferenceCase(
        "controller_unreachable",
        {
            STATUS: (
                200,
                """{"car":null,"amp":16,"frc":0,
                "nrg":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],
                "wh":0,"eto":500,"err":null,"lri":null,"lrr":null,"sse":"1","fwv":"059.4"}""",
            )
        },
        {
            "power_w": 0.0,
            "currents_a": (0.0, 0.0, 0.0),
            "voltages_v": (0.0, 0.0, 0.0),
            "session_energy_wh": 0.0,
            "lifetime_energy_wh": 500.0,
            "current_limit_a": 16.0,
            "enabled": True,
        },
    ),
    # Older firmware (evcc issue #2644): the filter's unknown keys are simply absent.
    ReferenceCase(
        "older_firmware_missing_keys",
        {
            STATUS: (
                200,
                """{"alw":false,"eto":44052,"car":4,"wh":3499.513,"trx":null,
                "nrg":[234,219,223,0,0,0,0,0,0,0,0,0,0,0,0,0],
                "cards":[{"name":"User 1","energy":0,"cardId":true}]}""",
            )
        },
        {
            "status": ChargerStatus.FINISHED,
            "power_w": 0.0,
            "currents_a": (0.0, 0.0, 0.0),
            "voltages_v": (234.0, 219.0, 223.0),
            "session_energy_wh": 3499.513,
            "lifetime_energy_wh": 44052.0,
        },
    ),
    # Firmware 60.4 reports an all-zero nrg while charging (go-eCharger-API-v2 issue #321): the
    # integration must show 0 W, not fail.
    ReferenceCase(
        "fw_60_4_zero_nrg_while_charging",
        {
            STATUS: (
                200,
                """{"car":2,"amp":16,"frc":0,"nrg":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],
                "wh":812.5,"eto":99000,"err":0,"lri":null,"lrr":null,"sse":"7","fwv":"060.4"}""",
            )
        },
        {
            "status": ChargerStatus.CHARGING,
            "power_w": 0.0,
            "currents_a": (0.0, 0.0, 0.0),
            "voltages_v": (0.0, 0.0, 0.0),
            "session_energy_wh": 812.5,
            "lifetime_energy_wh": 99000.0,
            "error_code": 0,
            "current_limit_a": 16.0,
            "enabled": True,
        },
    ),
    # A float without a value printed as nan (not seen from go-e, but any HTTP box may): only
    # that value is unavailable.
    ReferenceCase(
        "nan_in_energy_array",
        {
            STATUS: (
                200,
                """{"car":2,"amp":16,"frc":0,
                "nrg":[231,229,232,1,nan,16.1,16.0,3670,3690,3710,0,NaN,99,99,99,0],
                "wh":5.5,"eto":10,"err":0,"lri":"nan","lrr":3,"sse":"1","fwv":"059.4"}""",
            )
        },
        {
            "status": ChargerStatus.CHARGING,
            "currents_a": (None, 16.1, 16.0),
            "voltages_v": (231.0, 229.0, 232.0),
            "session_energy_wh": 5.5,
            "lifetime_energy_wh": 10.0,
            "tag": "nan",  # a string, not the bare token: kept
            "tag_read_marker": 3.0,
            "error_code": 0,
            "current_limit_a": 16.0,
            "enabled": True,
        },
    ),
]

# Cut off in transit: no value may be guessed from the rest.
TRUNCATED = {STATUS: (200, '{"car":2,"amp":16,"frc":0,"nrg":[231,229,232,1,15.9,16.1,16.0,36')}

IDENTITY = ({STATUS: (200, '{"sse":"012345","fwv":"059.4"}')}, "012345", "059.4")

# Phase mode, key psm (R/W uint8): "phaseSwitchMode (Auto=0, Force_1=1, Force_3=2)"
# (goecharger/go-eCharger-API-v2 apikeys-en.md as of fae174f, 2022-04-19, until b00c188,
# 2025-08-12; modbus-en.md register 332 "Same as api key psm"). evcc charger/go-e.go
# phases1p3p writes psm=1 for one phase and psm=2 for three. (body, phases shown)
PHASE_MODES = [
    (
        """{"car":2,"amp":16,"frc":0,"psm":1,
        "nrg":[231,229,232,1,15.9,0,0,3670,0,0,0,3670,99,0,0,0],
        "wh":100,"eto":1000,"err":0,"lri":null,"lrr":null,"sse":"1","fwv":"059.4"}""",
        1,
    ),
    (
        """{"car":2,"amp":16,"frc":0,"psm":2,
        "nrg":[231,229,232,1,15.9,16.1,16.0,3670,3690,3710,0,11070,99,99,99,0],
        "wh":100,"eto":1000,"err":0,"lri":null,"lrr":null,"sse":"1","fwv":"059.4"}""",
        3,
    ),
    # Automatic: the box chooses; neither option applies.
    (
        """{"car":1,"amp":16,"frc":0,"psm":0,"nrg":[231,229,232,0,0,0,0,0,0,0,0,0,0,0,0,0],
        "wh":0,"eto":1000,"err":0,"lri":null,"lrr":null,"sse":"1","fwv":"059.4"}""",
        None,
    ),
    # Firmware without the key (evcc issue #2644 body): unknown.
    (
        """{"alw":false,"eto":44052,"car":4,"wh":3499.513,"trx":null,
        "nrg":[234,219,223,0,0,0,0,0,0,0,0,0,0,0,0,0]}""",
        None,
    ),
]

# http-en.md "Setting values": a key the box cannot set answers with a string instead of true.
SET_REFUSED = '{"psm":"value not allowed"}'
