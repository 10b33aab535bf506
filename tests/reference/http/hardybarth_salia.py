"""Hardy Barth cPH2 / cPμ2 (Salia controller): GET /api, writes to /save_mqtt.php or /api/secc.

Source (read, not copied): evcc-io/evcc @ b29b49e3, charger/echarge/salia/types.go (the
document's shape: device.software_version; secc.port0 with ci.evse.basic.offered_current_limit,
ci.charge.cp.status, salia.chargemode / pausecharging / phase_switching.actual,
metering.meter.available, metering.power.active_total.actual, metering.energy.active_import
.actual, metering.current.ac.l1-3.actual, ev_present, charging, grid_current_limit,
session.authorization_status / _method, rfid.authorization_request; every number is a JSON
string, `json:",string"`), its types_test.go (authorization_request is the text
["ISO14443","9af18400"], or "" for none), and charger/hardybarth-salia.go (power = active_total
/ 10 in W, energy = active_import / 1000 in kWh, currents / 1000 in A; status by the pilot
letter; writes {key: "text"} with PUT /api/secc, or POST /save_mqtt.php from firmware 2.3.64,
answered {"result": "ok"}; salia/chargemode "manual" and salia/pausecharging "0" at start,
salia/heartbeat "alive" every 30 s, grid_current_limit "<A>"). Go matches keys without regard
to case; the lower-case spelling is OpenEMS's (io.openems.edge.evcs.hardybarth reads
secc/port0/metering/energy/active_import/actual and so on).
"""

from __future__ import annotations

import json

from custom_components.ev_session_monitor.core.model import ChargerStatus

from . import ReferenceCase, SessionPoll

API = "/api"


def api_body(
    *,
    pilot: str,
    offered_a: int,
    power_w: float,
    amps: float,
    imported_wh: int,
    card: str = "",
    firmware: str = "2.3.64",
    grid_limit_a: int = 16,
) -> str:
    """A GET /api answer with the keys evcc's salia.Api reads, every number as text."""
    phase = {"actual": str(round(amps * 1000))}
    port = {
        "ci": {
            "evse": {"basic": {"offered_current_limit": str(offered_a)}},
            "charge": {"cp": {"status": pilot}},
        },
        "salia": {
            "chargemode": "manual",
            "pausecharging": "0",
            "phase_switching": {"actual": "3", "status": "idle"},
        },
        "metering": {
            "meter": {"type": "klefr", "available": "1"},
            "power": {
                "active_total": {"actual": str(round(power_w * 10))},
                "active": {"ac": {"l1": {"actual": str(round(power_w * 10 / 3))}}},
            },
            "energy": {"active_import": {"actual": str(imported_wh)}},
            "current": {"ac": {"l1": phase, "l2": phase, "l3": phase}},
        },
        "ev_present": "0" if pilot == "A" else "1",
        "charging": "1" if pilot == "C" else "0",
        "grid_current_limit": str(grid_limit_a),
        "session": {
            "authorization_status": "authorized" if card else "",
            "authorization_method": "rfid" if card else "",
        },
        "rfid": {
            "type": "elatec",
            "available": "1",
            "authorizereq": "",
            # A text holding a JSON list (types_test.go), or "" for none.
            "authorization_request": json.dumps(["ISO14443", card]) if card else "",
        },
    }
    document = {
        "device": {"modelname": "Salia PLCC", "software_version": firmware},
        "secc": {"port0": port},
    }
    return json.dumps(document)


CASES = [
    ReferenceCase(
        "idle",
        {API: (200, api_body(pilot="A", offered_a=0, power_w=0, amps=0, imported_wh=812345))},
        {
            "status": ChargerStatus.IDLE,
            "power_w": 0.0,
            "currents_a": (0.0, 0.0, 0.0),
            "lifetime_energy_wh": 812345.0,
            "current_limit_a": 0.0,
        },
    ),
    # evcc's test card, three phases at 16 A: active_total "110400" is 11,040 W.
    ReferenceCase(
        "charging_with_card",
        {
            API: (
                200,
                api_body(
                    pilot="C",
                    offered_a=16,
                    power_w=11040,
                    amps=16,
                    imported_wh=812345,
                    card="9af18400",
                ),
            )
        },
        {
            "status": ChargerStatus.CHARGING,
            "power_w": 11040.0,
            "currents_a": (16.0, 16.0, 16.0),
            "lifetime_energy_wh": 812345.0,
            "tag": "9af18400",
            "current_limit_a": 16.0,
        },
    ),
    # Stopped with grid_current_limit "0": the car stays at B, the box offers 0 A.
    ReferenceCase(
        "stopped_car_plugged",
        {
            API: (
                200,
                api_body(pilot="B", offered_a=0, power_w=0, amps=0, imported_wh=815105),
            )
        },
        {
            "status": ChargerStatus.CONNECTED,
            "power_w": 0.0,
            "currents_a": (0.0, 0.0, 0.0),
            "lifetime_energy_wh": 815105.0,
            "current_limit_a": 0.0,
        },
    ),
    # Pilot F: the box signals a fault (evcc api.ChargeStatusString: E and F are errors).
    ReferenceCase(
        "fault",
        {API: (200, api_body(pilot="F", offered_a=0, power_w=0, amps=0, imported_wh=815105))},
        {
            "status": ChargerStatus.ERROR,
            "power_w": 0.0,
            "currents_a": (0.0, 0.0, 0.0),
            "lifetime_energy_wh": 815105.0,
            "current_limit_a": 0.0,
        },
    ),
]

TRUNCATED = {API: (200, api_body(pilot="C", offered_a=16, power_w=1, amps=1, imported_wh=1)[:150])}

IDENTITY = ({API: (200, CASES[0].bodies[API][1])}, None, "2.3.64")

# Firmware 1.x: what the limit reads once the variant for firmware before 2.0 is chosen.
OLD_FIRMWARE = api_body(
    pilot="C",
    offered_a=0,
    power_w=4140,
    amps=6,
    imported_wh=1000,
    firmware="1.52.0",
    grid_limit_a=6,
)

READS_CARDS = True
SESSION_PHASES = 3
SESSION_STATUS_WHILE_PAUSED = ChargerStatus.CONNECTED


def session_bodies(poll: SessionPoll) -> dict[str, tuple[int, str]]:
    """The box during the played session; paused means grid_current_limit 0 (pilot B)."""
    pilot = {"idle": "A", "plugged": "B", "charging": "C", "paused": "B"}[poll.phase]
    body = api_body(
        pilot=pilot,
        offered_a=16 if poll.phase in ("plugged", "charging") else 0,
        power_w=poll.power_w,
        amps=poll.current_a,
        imported_wh=poll.lifetime_wh,
        card=poll.tag or "",
    )
    return {API: (200, body)}
