"""NRGkick Gen2 local JSON API: GET /values, GET /control, GET /info.

Source (read, not copied): DiniTech "NRGkick Gen2 Local API Documentation" (JSON API v1,
(C) 2024 DiniTech GmbH, nrgkick.com/wp-content/uploads/local_api_docu_simulate-1.html), as
kept in andijakl/nrgkick-api at 77a3cf2 (Documentation/):
- /values: energy.total_charged_energy (Wh, overall), energy.charged_energy (Wh, most recent
  charge), powerflow.total_active_power (W), powerflow.l1/l2/l3.voltage (V) and .current (A),
  general.status ("STANDBY", "CONNECTED", "CHARGING", "ERROR", "WAKEUP", "UNKNOWN"); the
  document's example answer is the idle body below, number for number.
- /control: current_set (A, 6.0 to rated_current), charge_pause (0 no pause, 1 pause),
  energy_limit (Wh), phase_count (1-3); the document's example is the first control body.
- /info: general.serial_number, versions.sw_sm (SmartModule software).
- Writes are GET /control?key=value; a refusal answers HTTP 405 with {"Response": text}
  (andijakl/nrgkick-api tests/test_api.py, "Charging pause is blocked by solar-charging").
"""

from __future__ import annotations

from custom_components.ev_session_monitor.core.model import ChargerStatus

from . import ReferenceCase, SessionPoll

VALUES = "/values"
CONTROL = "/control"
INFO = "/info"

# The document's example: standby, nothing flowing, 14187 Wh overall.
IDLE_VALUES = """{
 "energy": {"total_charged_energy": 14187, "charged_energy": 0},
 "powerflow": {"charging_voltage": 235.07, "charging_current": 6, "grid_frequency": 50.25,
  "peak_power": 0, "total_active_power": 0, "total_reactive_power": 0,
  "total_apparent_power": 0, "total_power_factor": 0,
  "l1": {"voltage": 235.35, "current": 0, "active_power": 0, "reactive_power": 0,
   "apparent_power": 0, "power_factor": 0},
  "l2": {"voltage": 231.77, "current": 0, "active_power": 0, "reactive_power": 0,
   "apparent_power": 0, "power_factor": 0},
  "l3": {"voltage": 238.1, "current": 0, "active_power": 0, "reactive_power": 0,
   "apparent_power": 0, "power_factor": 0},
  "n": {"current": 0}},
 "general": {"charging_rate": 0, "vehicle_connect_time": 0, "vehicle_charging_time": 0,
  "status": "STANDBY", "charge_permitted": 0, "relay_state": "NO_RELAY", "charge_count": 6120,
  "rcd_trigger": "NO_FAULT", "warning_code": "NO_WARNING", "error_code": "NO_ERROR"},
 "temperatures": {"housing": 37.76, "connector_l1": 36.71, "connector_l2": 25.39,
  "connector_l3": 27.91, "domestic_plug_1": 0, "domestic_plug_2": 0}
}"""
DOC_CONTROL = '{"current_set": 6, "charge_pause": 0, "energy_limit": 0, "phase_count": 3}'


def values_body(
    status: str, power_w: float, amps: tuple[float, float, float], session_wh: int, total_wh: int
) -> str:
    """A /values answer in the document's layout (sections energy, powerflow, general)."""
    phases = ",".join(
        f'"{name}": {{"voltage": 230.0, "current": {amp}, "active_power": {round(230.0 * amp, 1)},'
        ' "reactive_power": 0, "apparent_power": 0, "power_factor": 1}'
        for name, amp in zip(("l1", "l2", "l3"), amps, strict=True)
    )
    return (
        f'{{"energy": {{"total_charged_energy": {total_wh}, "charged_energy": {session_wh}}},'
        f' "powerflow": {{"charging_voltage": 230.0, "charging_current": 16,'
        f' "grid_frequency": 50.0, "peak_power": {power_w}, "total_active_power": {power_w},'
        f' {phases}, "n": {{"current": 0}}}},'
        f' "general": {{"status": "{status}", "charge_permitted": 1, "relay_state":'
        ' "N, L1, L2, L3", "rcd_trigger": "NO_FAULT", "warning_code": "NO_WARNING",'
        ' "error_code": "NO_ERROR"}}'
    )


def control_body(current_a: float, pause: int, phases: int) -> str:
    """A /control answer in the document's layout."""
    return (
        f'{{"current_set": {current_a}, "charge_pause": {pause}, "energy_limit": 0,'
        f' "phase_count": {phases}}}'
    )


CASES = [
    ReferenceCase(
        "document_example_standby",
        {VALUES: (200, IDLE_VALUES), CONTROL: (200, DOC_CONTROL)},
        {
            "status": ChargerStatus.IDLE,
            "power_w": 0.0,
            "currents_a": (0.0, 0.0, 0.0),
            "voltages_v": (235.35, 231.77, 238.1),
            "session_energy_wh": 0.0,
            "lifetime_energy_wh": 14187.0,
            "current_limit_a": 6.0,
            "enabled": True,
        },
    ),
    # Charging three-phase at 16 A: 3 x 230 V x 16 A = 11040 W; 5.2 kWh this charge.
    ReferenceCase(
        "charging_three_phase",
        {
            VALUES: (200, values_body("CHARGING", 11040.0, (16.0, 16.0, 16.0), 5200, 19387)),
            CONTROL: (200, control_body(16.0, 0, 3)),
        },
        {
            "status": ChargerStatus.CHARGING,
            "power_w": 11040.0,
            "currents_a": (16.0, 16.0, 16.0),
            "voltages_v": (230.0, 230.0, 230.0),
            "session_energy_wh": 5200.0,
            "lifetime_energy_wh": 19387.0,
            "current_limit_a": 16.0,
            "enabled": True,
        },
    ),
    # Paused from the app or by us (charge_pause 1) with the car plugged in.
    ReferenceCase(
        "paused_car_plugged",
        {
            VALUES: (200, values_body("CONNECTED", 0, (0, 0, 0), 5200, 19387)),
            CONTROL: (200, control_body(10.0, 1, 1)),
        },
        {
            "status": ChargerStatus.CONNECTED,
            "power_w": 0.0,
            "currents_a": (0.0, 0.0, 0.0),
            "voltages_v": (230.0, 230.0, 230.0),
            "session_energy_wh": 5200.0,
            "lifetime_energy_wh": 19387.0,
            "current_limit_a": 10.0,
            "enabled": False,
        },
    ),
    ReferenceCase(
        "error",
        {
            VALUES: (200, values_body("ERROR", 0, (0, 0, 0), 0, 19387)),
            CONTROL: (200, DOC_CONTROL),
        },
        {
            "status": ChargerStatus.ERROR,
            "power_w": 0.0,
            "currents_a": (0.0, 0.0, 0.0),
            "voltages_v": (230.0, 230.0, 230.0),
            "session_energy_wh": 0.0,
            "lifetime_energy_wh": 19387.0,
            "current_limit_a": 6.0,
            "enabled": True,
        },
    ),
]

# Every endpoint cut short: a poll fails only when no endpoint answered (one bad endpoint blanks
# only its own values).
TRUNCATED = {VALUES: (200, IDLE_VALUES[:300]), CONTROL: (200, DOC_CONTROL[:20])}

IDENTITY = (
    {
        INFO: (
            200,
            """{"general": {"serial_number": "T2332500000000000S1D2",
            "model_type": "NRGkick Gen2 SIM", "device_name": "Garage", "rated_current": 32},
            "versions": {"sw_sm": "4.3.1", "hw_sm": "1.0", "sw_ma": "2.1.0"}}""",
        )
    },
    "T2332500000000000S1D2",
    "4.3.1",
)

# phase_count: 1 and 3 read as such; 2 (two phases, allowed by the document) is neither.
PHASE_MODES = [(1, 1), (3, 3), (2, None)]
REFUSED = (405, '{"Response": "Charging pause is blocked by solar-charging"}')


def session_bodies(poll: SessionPoll) -> dict[str, tuple[int, str]]:
    """The box during the played session; paused means charge_pause 1 (status CONNECTED)."""
    status = {
        "idle": "STANDBY",
        "plugged": "CONNECTED",
        "charging": "CHARGING",
        "paused": "CONNECTED",
    }[poll.phase]
    amps = (poll.current_a,) * 3
    return {
        VALUES: (
            200,
            values_body(status, poll.power_w, amps, poll.session_wh, poll.lifetime_wh),
        ),
        CONTROL: (200, control_body(16.0, 1 if poll.phase == "paused" else 0, 3)),
    }


SESSION_STATUS_WHILE_PAUSED = ChargerStatus.CONNECTED
SESSION_PHASES = 3
READS_CARDS = False
