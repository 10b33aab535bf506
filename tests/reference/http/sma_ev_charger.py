"""SMA EV Charger 7.4 / 22: token, POST measurements/live and parameters/search, PUT parameters.

Source (read, not copied): evcc-io/evcc @ b29b49e3, charger/smaevcharger/types.go (answers: a
list of {channelId, componentId, values: [{time, value}]} for measurements; a list of
{componentId, values: [{channelId, editable, possibleValues, state, timestamp, value}]} for
parameters, values as text; status 200111 / 200112 / 200113; charge modes 4718 fast, 4719
optimised, 4720 planned, 4721 stop; app lock 1129 / 1130, manual approval 5171 / 5172),
charger/smaevcharger.go (POST measurements/live with [{"componentId": "IGULD:SELF"}], POST
parameters/search/ with {"queryItems": [{"componentId": "IGULD:SELF"}]}; power
Measurement.Metering.GridMs.TotWIn W, lifetime ...TotWhIn Wh (evcc / 1000 is kWh), session
Measurement.ChaSess.WhIn Wh, currents Measurement.GridMs.A.phsA-C negated; limit
Parameter.Inverter.AcALim; PUT parameters/IGULD:SELF/ {"values": [{"timestamp",
"channelId", "value"}]}, the current as "%.2f"; ChrgLok 1130 and ChrgApv 5171 at start;
firmware Parameter.Nameplate.PkgRev, "1.2.23.R"), charger/smaevcharger/identity.go (POST
token, form grant_type=password, username, password; answer access_token, expires_in,
token_type, refresh_token; refresh with grant_type=refresh_token).
"""

from __future__ import annotations

import json

from custom_components.ev_session_monitor.core.model import ChargerStatus

from . import ReferenceCase, SessionPoll

TOKEN = "/api/v1/token"
MEASUREMENTS = "/api/v1/measurements/live"
PARAMETERS = "/api/v1/parameters/search/"
WRITE = "/api/v1/parameters/IGULD:SELF/"
TIME = "2026-11-24T18:00:00.000Z"


def measurement(channel: str, value: float) -> dict[str, object]:
    """One channel of measurements/live."""
    return {
        "channelId": channel,
        "componentId": "IGULD:SELF",
        "values": [{"time": TIME, "value": value}],
    }


def parameter(channel: str, value: str) -> dict[str, object]:
    """One parameter of parameters/search."""
    return {
        "channelId": channel,
        "editable": True,
        "state": "Ok",
        "timestamp": TIME,
        "value": value,
    }


def bodies(
    *,
    status: int,
    power_w: float,
    amps: float,
    lifetime_wh: float,
    session_wh: float,
    mode: str = "4718",
    limit: str = "16.00",
) -> dict[str, tuple[int, str]]:
    """The two answers a poll reads."""
    live = [
        measurement("Measurement.Operation.EVeh.ChaStt", status),
        measurement("Measurement.Metering.GridMs.TotWIn", power_w),
        measurement("Measurement.Metering.GridMs.TotWhIn", lifetime_wh),
        measurement("Measurement.ChaSess.WhIn", session_wh),
        measurement("Measurement.GridMs.A.phsA", -amps),
        measurement("Measurement.GridMs.A.phsB", -amps),
        measurement("Measurement.GridMs.A.phsC", -amps),
        measurement("Measurement.Chrg.ModSw", 4718),
    ]
    search = [
        {
            "componentId": "IGULD:SELF",
            "values": [
                parameter("Parameter.Chrg.ActChaMod", mode),
                parameter("Parameter.Inverter.AcALim", limit),
                parameter("Parameter.Chrg.ChrgLok", "1130"),
                parameter("Parameter.Nameplate.ModelStr", "EVC22-3AC-20"),
                parameter("Parameter.Nameplate.PkgRev", "1.2.23.R"),
            ],
        }
    ]
    return {MEASUREMENTS: (200, json.dumps(live)), PARAMETERS: (200, json.dumps(search))}


CASES = [
    ReferenceCase(
        "idle",
        bodies(status=200111, power_w=0, amps=0, lifetime_wh=812345, session_wh=0),
        {
            "status": ChargerStatus.IDLE,
            "power_w": 0.0,
            "currents_a": (0.0, 0.0, 0.0),
            "lifetime_energy_wh": 812345.0,
            "session_energy_wh": 0.0,
            "current_limit_a": 16.0,
            "enabled": True,
        },
    ),
    ReferenceCase(
        "charging",
        bodies(status=200113, power_w=11040, amps=16, lifetime_wh=813345, session_wh=1000),
        {
            "status": ChargerStatus.CHARGING,
            "power_w": 11040.0,
            "currents_a": (16.0, 16.0, 16.0),
            "lifetime_energy_wh": 813345.0,
            "session_energy_wh": 1000.0,
            "current_limit_a": 16.0,
            "enabled": True,
        },
    ),
    # Optimised charging (4719, under the Sunny Home Manager): charging is allowed.
    ReferenceCase(
        "optimised_waiting",
        bodies(status=200112, power_w=0, amps=0, lifetime_wh=813345, session_wh=0, mode="4719"),
        {
            "status": ChargerStatus.CONNECTED,
            "power_w": 0.0,
            "currents_a": (0.0, 0.0, 0.0),
            "lifetime_energy_wh": 813345.0,
            "session_energy_wh": 0.0,
            "current_limit_a": 16.0,
            "enabled": True,
        },
    ),
    # Charge stop (4721): the car stays connected.
    ReferenceCase(
        "stopped_car_plugged",
        bodies(status=200112, power_w=0, amps=0, lifetime_wh=813345, session_wh=1000, mode="4721"),
        {
            "status": ChargerStatus.CONNECTED,
            "power_w": 0.0,
            "currents_a": (0.0, 0.0, 0.0),
            "lifetime_energy_wh": 813345.0,
            "session_energy_wh": 1000.0,
            "current_limit_a": 16.0,
            "enabled": False,
        },
    ),
]

TRUNCATED = {
    path: (status, body[: len(body) // 2])
    for path, (status, body) in bodies(
        status=200113, power_w=1, amps=1, lifetime_wh=1, session_wh=1
    ).items()
}

IDENTITY = (dict(CASES[0].bodies), None, "1.2.23.R")


READS_CARDS = False
SESSION_PHASES = 3
SESSION_STATUS_WHILE_PAUSED = ChargerStatus.CONNECTED


def session_bodies(poll: SessionPoll) -> dict[str, tuple[int, str]]:
    """The box during the played session; paused means charge stop (4721, status connected)."""
    status = {"idle": 200111, "plugged": 200112, "charging": 200113, "paused": 200112}[poll.phase]
    return bodies(
        status=status,
        power_w=poll.power_w,
        amps=poll.current_a,
        lifetime_wh=poll.lifetime_wh,
        session_wh=poll.session_wh,
        mode="4721" if poll.phase == "paused" else "4718",
    )
