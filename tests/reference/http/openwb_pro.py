"""openWB Pro: GET /connect.php, controls as form POSTs to the same path.

Sources (read, not copied):
- openWB/core packages/modules/chargepoints/openwb_pro/chargepoint_module_test.py @ 5c9eb563:
  the answer of a charging box on 2023-01-30 (SAMPLE), typed below as its first case; openWB
  reads power_all (W), currents (A), imported/exported (Wh), plug_state, charge_state,
  phases_in_use, vehicle_id. chargepoint_module.py @ 3cbbe926: set_current posts the form
  field ampere; switch_phases posts phasetarget when phases_target differs.
- evcc charger/openwb-pro.go and charger/openwb/pro/types.go @ b29b49e3: the later keys
  voltages (V), rfid_tag, vehicle_id ("--" = none), offered_current (> 0 = enabled), serial,
  version (cp_interrupt from 9); writes "ampere=%.1f", "ampere=0", "phasetarget=%d" as
  application/x-www-form-urlencoded.
"""

from __future__ import annotations

from custom_components.ev_session_monitor.core.model import ChargerStatus

from . import ReferenceCase, SessionPoll

STATUS = "/connect.php"

# openWB core's test answer, key for key (2023-01-30, before voltages, rfid_tag, version).
SAMPLE_2023 = """{"charge_state": true, "currents": [6.133, 6.066, 6.122],
 "date": "2023:01:30-18:48:31", "evse_signaling": "fake highlevel + basic iec61851",
 "exported": 0, "imported": 10839, "offered_current": 6, "phases_actual": 3,
 "phases_in_use": 3, "phases_target": 3, "plug_state": true, "power_all": 4302.7,
 "powers": [1444.4, 1423.7, 1438.1], "serial": "823950", "timestamp": 1675104511,
 "v2g_ready": 0, "vehicle_id": "98:ED:5C:B4:EE:8D"}"""


def status_body(
    *,
    plugged: bool,
    charging: bool,
    offered_a: float,
    amps: float,
    power_w: float,
    imported_wh: int,
    rfid: str,
    phases: int = 3,
) -> str:
    """A /connect.php answer with the keys evcc's pro.Status reads (later firmware)."""
    currents = [amps] * phases + [0.0] * (3 - phases)
    powers = [round(230.0 * amp, 1) for amp in currents]
    return (
        '{"date": "2026:11:24-18:00:00", "timestamp": 1795543200,'
        f' "currents": {currents}, "voltages": [230.0, 230.0, 230.0], "powers": {powers},'
        f' "power_all": {power_w}, "imported": {imported_wh}, "exported": 0,'
        f' "plug_state": {str(plugged).lower()}, "charge_state": {str(charging).lower()},'
        f' "phases_actual": {phases}, "phases_target": {phases}, "phases_in_use": {phases},'
        f' "offered_current": {offered_a}, "evse_signaling": "basic iec61851",'
        f' "rfid_tag": "{rfid}", "vehicle_id": "--", "soc_value": 0, "soc_timestamp": 0,'
        ' "serial": "823950", "version": 9, "cp_interrupt_duration": 4,'
        ' "cp_interrupt_isactive": 0, "cp_interrupt_version": "1"}'
    )


CASES = [
    ReferenceCase(
        "openwb_core_sample_2023",
        {STATUS: (200, SAMPLE_2023)},
        {
            "status": ChargerStatus.CHARGING,
            "power_w": 4302.7,
            "currents_a": (6.133, 6.066, 6.122),
            "lifetime_energy_wh": 10839.0,
            "current_limit_a": 6.0,
        },
    ),
    ReferenceCase(
        "charging_with_card",
        {
            STATUS: (
                200,
                status_body(
                    plugged=True,
                    charging=True,
                    offered_a=16,
                    amps=16.0,
                    power_w=11040.0,
                    imported_wh=1234567,
                    rfid="0123456789",
                ),
            )
        },
        {
            "status": ChargerStatus.CHARGING,
            "power_w": 11040.0,
            "currents_a": (16.0, 16.0, 16.0),
            "voltages_v": (230.0, 230.0, 230.0),
            "lifetime_energy_wh": 1234567.0,
            "tag": "0123456789",
            "current_limit_a": 16.0,
        },
    ),
    # Stopped with ampere=0, car still plugged in: no charge_state, offered 0 A.
    ReferenceCase(
        "stopped_car_plugged",
        {
            STATUS: (
                200,
                status_body(
                    plugged=True,
                    charging=False,
                    offered_a=0,
                    amps=0.0,
                    power_w=0,
                    imported_wh=1234567,
                    rfid="",
                    phases=1,
                ),
            )
        },
        {
            "status": ChargerStatus.CONNECTED,
            "power_w": 0.0,
            "currents_a": (0.0, 0.0, 0.0),
            "voltages_v": (230.0, 230.0, 230.0),
            "lifetime_energy_wh": 1234567.0,
            "current_limit_a": 0.0,
        },
    ),
    ReferenceCase(
        "unplugged",
        {
            STATUS: (
                200,
                status_body(
                    plugged=False,
                    charging=False,
                    offered_a=0,
                    amps=0.0,
                    power_w=0,
                    imported_wh=1234567,
                    rfid="",
                ),
            )
        },
        {
            "status": ChargerStatus.IDLE,
            "power_w": 0.0,
            "currents_a": (0.0, 0.0, 0.0),
            "voltages_v": (230.0, 230.0, 230.0),
            "lifetime_energy_wh": 1234567.0,
            "current_limit_a": 0.0,
        },
    ),
]

TRUNCATED = {STATUS: (200, SAMPLE_2023[:120])}

# The 2023 answer has a serial but no version key.
IDENTITY = ({STATUS: (200, SAMPLE_2023)}, "823950", None)

READS_CARDS = True
SESSION_PHASES = 3
SESSION_STATUS_WHILE_PAUSED = ChargerStatus.CONNECTED


def session_bodies(poll: SessionPoll) -> dict[str, tuple[int, str]]:
    """The box during the played session; paused means ampere=0 (offered 0 A, no charging)."""
    charging = poll.phase == "charging"
    body = status_body(
        plugged=poll.phase != "idle",
        charging=charging,
        offered_a=16 if poll.phase in ("plugged", "charging") else 0,
        amps=poll.current_a,
        power_w=poll.power_w,
        imported_wh=poll.lifetime_wh,
        rfid=poll.tag or "",
    )
    return {STATUS: (200, body)}
