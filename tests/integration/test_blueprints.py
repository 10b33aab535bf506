"""The shipped blueprints, run by Home Assistant's automation engine from the repository files.

Real parts: the wallbox simulator over Modbus TCP, Home Assistant's `file` notify entity,
its legacy `notify.persistent_notification` action and persistent notifications. Mocked: the
phone (a companion app notify action), and in one test the Nord Pool cloud action.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from homeassistant.components import persistent_notification
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ev_session_monitor.const import (
    CONF_BATTERY_CAPACITY,
    CONF_ENFORCE,
    CONF_FIXED_PRICE,
    CONF_POLL_INTERVAL,
    CONF_PRICE_ENTITY,
    CONF_PRICE_SOURCE,
    CONF_RELEASE_CURRENT,
    CONF_SOC_ENTITY,
    DOMAIN,
    PRICE_FIXED,
    PRICE_SENSOR,
)
from custom_components.ev_session_monitor.core.tags import KnownTag
from tools.wallbox_simulator import WallboxSimulator

from .conftest import SetupEntry, TestClock, entry_for, fire_home_assistant_timers, stepper

BLUEPRINTS = Path(__file__).parents[2] / "blueprints" / "automation" / "ev_session_monitor"
PHONE = "notify.mobile_app_my_phone"
LOG_ENTITY = "notify.charging_log"
ALICE = KnownTag(
    tag_id="04A1B2C3D4", name="Alice", owner=None, price_per_kwh=None, chargers=frozenset()
)


@pytest.fixture(autouse=True)
async def stop_automations(hass: HomeAssistant) -> AsyncIterator[None]:
    """Detach the automations' triggers before Home Assistant stops.

    The time-pattern timers a test scheduled on its clock (hours ahead of the wall clock) would
    otherwise outlive the test.
    """
    yield
    if hass.services.has_service("automation", "turn_off"):
        await hass.services.async_call(
            "automation", "turn_off", {"entity_id": "all"}, blocking=True
        )


class Targets:
    """Every kind of notify target, read back as (title, message)."""

    def __init__(self, hass: HomeAssistant, log_file: Path) -> None:
        """Collect what the phone and the persistent notifications receive."""
        self.phone: list[ServiceCall] = []
        self.persistent: list[tuple[str, str]] = []
        self.log_file = log_file

        # The one mock: a phone cannot exist here.
        hass.services.async_register("notify", "mobile_app_my_phone", self.phone.append)

        def added(update_type: Any, notifications: dict[str, Any]) -> None:
            if update_type == persistent_notification.UpdateType.ADDED:
                self.persistent += [(n["title"], n["message"]) for n in notifications.values()]

        persistent_notification.async_register_callback(hass, added)

    def log(self) -> list[str]:
        """Messages the file notify entity wrote (after its header line and rule)."""
        if not self.log_file.exists():
            return []
        return self.log_file.read_text(encoding="utf8").splitlines()[2:]

    def phone_messages(self) -> list[str]:
        """Messages sent to the phone."""
        return [call.data["message"] for call in self.phone]


@pytest.fixture
async def targets(hass: HomeAssistant, tmp_path: Path) -> Targets:
    """A real notify entity (the file integration), persistent notifications, a phone."""
    assert await async_setup_component(hass, "persistent_notification", {})
    assert await async_setup_component(hass, "notify", {})
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    log_file = tmp_path / "charging.log"
    file_entry = MockConfigEntry(
        domain="file",
        version=2,
        data={"platform": "notify", "file_path": str(log_file), "name": "Charging log"},
        options={"timestamp": False},
    )
    file_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(file_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(LOG_ENTITY) is not None
    return Targets(hass, log_file)


async def use_blueprints(hass: HomeAssistant, *automations: tuple[str, dict[str, Any]]) -> None:
    """Copy the repository's blueprints into the config folder and create automations from them."""
    folder = Path(hass.config.path("blueprints/automation/ev_session_monitor"))
    folder.mkdir(parents=True, exist_ok=True)
    for blueprint in BLUEPRINTS.glob("*.yaml"):
        shutil.copy(blueprint, folder)
    config = [
        {
            "id": f"{name}_{index}",
            "alias": f"{name} {index}",
            "use_blueprint": {"path": f"ev_session_monitor/{name}.yaml", "input": inputs},
        }
        for index, (name, inputs) in enumerate(automations)
    ]
    assert await async_setup_component(hass, "automation", {"automation": config})
    await hass.async_block_till_done()
    # A blueprint or input that does not validate leaves its automation unavailable.
    assert [state.state for state in hass.states.async_all("automation")] == ["on"] * len(config)


def normalized(text: str) -> str:
    return " ".join(text.split())


def settled(
    hass: HomeAssistant, clock: TestClock, step: Callable[[float], Awaitable[None]]
) -> Callable[[float], Awaitable[None]]:
    """step(), then the seconds the progress blueprint waits for a status to settle."""

    async def step_and_settle(seconds: float) -> None:
        await step(seconds)
        fire_home_assistant_timers(hass, clock.now + timedelta(seconds=6))
        await hass.async_block_till_done()

    return step_and_settle


# --- any notify target ---------------------------------------------------------------------


TARGET_INPUTS = {
    "notify_entity": {"notify_entities": [LOG_ENTITY]},
    "notify_action": {"notify_actions": ["notify.persistent_notification"]},
    "persistent_notification": {"persistent_notification": True},
    "companion_app": {"notify_actions": [PHONE]},
}


def received(targets: Targets, kind: str) -> list[str]:
    """What the target of `kind` received."""
    if kind == "notify_entity":
        return targets.log()
    if kind == "companion_app":
        return targets.phone_messages()
    return [message for _title, message in targets.persistent]


@pytest.mark.parametrize("kind", list(TARGET_INPUTS))
async def test_each_notify_target_alone(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    poll: Callable[[MockConfigEntry], Callable[[float], Awaitable[None]]],
    targets: Targets,
    clock: TestClock,
    kind: str,
) -> None:
    """A real session completes; the one target chosen gets the message, nothing else does."""
    hass.config.currency = "EUR"
    entry = await setup_entry(
        **{CONF_PRICE_SOURCE: PRICE_FIXED, CONF_FIXED_PRICE: 0.30, CONF_POLL_INTERVAL: 1800}
    )
    await use_blueprints(
        hass,
        ("charging_progress", {"wallbox": entry.runtime_data.device_id, **TARGET_INPUTS[kind]}),
        ("notify_unknown_tag", TARGET_INPUTS[kind]),
    )
    step = settled(hass, clock, poll(entry))
    simulator.state.plug_in()
    await step(10)
    simulator.state.present_tag("DEADBEEF01")
    await step(10)
    simulator.state.start_charging(11000)
    await step(10)
    await step(1790)
    simulator.state.unplug()
    await step(10)
    # 11 kW for 30 min (1800 s, first 10 s included) at 0.30 EUR/kWh.
    assert [normalized(message) for message in received(targets, kind)] == [
        "Unknown card DEADBEEF01 (attempt 1)",
        "Charging started at Garage (DEADBEEF01)",
        "5.5 kWh in 30 min, 1.65 EUR",
    ]
    others = {"notify_entity", "companion_app", "persistent_notification"} - {kind}
    if kind == "notify_action":
        others -= {"persistent_notification"}  # that action creates persistent notifications
    for other in others:
        assert received(targets, other) == [], other


async def test_blueprint_without_target_sends_nothing(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, targets: Targets
) -> None:
    """All targets are optional: the automation is valid and simply has nowhere to send."""
    await setup_entry()
    await use_blueprints(hass, ("notify_unknown_tag", {}))
    hass.bus.async_fire(
        f"{DOMAIN}_unknown_tag", {"charger": "Garage", "tag_id": "AA", "attempts": 1}
    )
    await hass.async_block_till_done()
    assert targets.phone == [] and targets.persistent == [] and targets.log() == []


# --- charging progress -----------------------------------------------------------------------


@pytest.mark.parametrize("profile_id", ["vestel_evc04"])  # reports "car paused" and "finished"
async def test_charging_progress_kinds(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    poll: Callable[[MockConfigEntry], Callable[[float], Awaitable[None]]],
    targets: Targets,
    clock: TestClock,
) -> None:
    hass.config.currency = "EUR"
    simulator.state.firmware = "3.187.0"  # reads the card (RFID registers since 3.156.0)
    entry = await setup_entry(**{CONF_PRICE_SOURCE: PRICE_FIXED, CONF_FIXED_PRICE: 0.30})
    await hass.data[DOMAIN].tags.async_add(ALICE)
    device = entry.runtime_data.device_id
    await use_blueprints(
        hass,
        ("charging_progress", {"wallbox": device, "notify_entities": [LOG_ENTITY]}),
        # Only "session completed" switched on.
        (
            "charging_progress",
            {
                "wallbox": device,
                "notify_actions": [PHONE],
                "notify_started": False,
                "notify_stopped": False,
                "notify_target": False,
            },
        ),
    )
    step = settled(hass, clock, poll(entry))
    sim = simulator.state

    async def switch(turn: str) -> None:
        await hass.services.async_call(
            "switch", f"turn_{turn}", {"entity_id": "switch.garage_charging_enabled"}, blocking=True
        )

    sim.plug_in()
    sim.present_tag("04A1B2C3D4")
    await step(10)
    sim.start_charging(11000)
    await step(10)  # started
    await step(290)
    sim.pause(by_vehicle=False)  # the box pauses on its own: unexpected
    await step(10)
    sim.start_charging(11000)
    await step(10)  # resumed
    await switch("off")  # paused by Home Assistant: expected, not reported
    await step(10)
    assert sim.status.value == "suspended_charger"
    await switch("on")
    await step(10)  # resumed
    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": "number.garage_session_target_energy", "value": 2},
        blocking=True,
    )
    for _ in range(40):  # the target is reached within 400 s at 11 kW
        await step(10)
    sim.pause(by_vehicle=False)  # a stop after the target is reached is not unexpected
    await step(10)
    sim.start_charging(11000)
    await step(10)  # resumed
    sim.finish()  # the car is full
    await step(10)
    sim.unplug()
    await step(10)
    log = [normalized(line) for line in targets.log()]
    expected = [
        r"Charging started at Garage \(Alice\)",
        r"The wallbox paused charging at 0\.9\d* kWh",
        r"Charging resumed \(0\.9\d* kWh so far\) at Garage \(Alice\)",
        r"Charging resumed \(0\.9\d* kWh so far\) at Garage \(Alice\)",
        r"Target of 2\.0 kWh reached \(2\.0\d* kWh\)",
        r"Charging resumed \(2\.\d+ kWh so far\) at Garage \(Alice\)",
        r"The car stopped charging by itself \(full\) at 2\.\d+ kWh",
        r"2\.\d+ kWh in \d+ min, 0\.\d\d EUR \(Alice\)",
    ]
    assert len(log) == len(expected), "\n".join(log)
    for line, pattern in zip(log, expected, strict=True):
        assert re.fullmatch(pattern, line), (line, pattern)
    assert len(targets.phone) == 1
    assert re.fullmatch(expected[-1], normalized(targets.phone[0].data["message"]))
    assert targets.phone[0].data["title"] == "Garage: charging done"


# --- admit an unknown card from the phone ---------------------------------------------------


async def test_admit_unknown_card_from_the_phone(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    clock: TestClock,
    targets: Targets,
) -> None:
    """Two locked wallboxes with an unknown card each: "Admit card" on the Carport one admits
    that card at that box and releases its car; "Ignore" on the Garage one changes nothing.
    """
    locked = {CONF_ENFORCE: True, CONF_RELEASE_CURRENT: 16}
    second = WallboxSimulator("webasto_next")
    await second.start()
    try:
        entries = []
        for sim, title in ((simulator, "Garage"), (second, "Carport")):
            entry = entry_for(sim, title=title, **locked)
            entry.add_to_hass(hass)
            assert await hass.config_entries.async_setup(entry.entry_id)
            entries.append(entry)
        await hass.async_block_till_done()
        garage, carport = entries
        await use_blueprints(
            hass,
            (
                "notify_unknown_tag",
                {
                    "notify_actions": [PHONE, "notify.persistent_notification"],
                    "notify_entities": [LOG_ENTITY],
                    "card_name": "Guest",
                },
            ),
        )
        steps = {
            "Garage": stepper(hass, simulator, clock, garage),
            "Carport": stepper(hass, second, clock, carport),
        }
        for sim, title, card in (
            (simulator.state, "Garage", "BADC0FFEE1"),
            (second.state, "Carport", "CAFE0002"),
        ):
            sim.plug_in()
            sim.start_charging(11000)
            await steps[title](10)
            sim.present_tag(card)
            await steps[title](10)
            assert sim.power_w == 0  # locked

        # The phone got the buttons; the file and the persistent notification the plain text.
        assert [call.data["title"] for call in targets.phone] == ["Garage", "Carport"]
        buttons = targets.phone[1].data["data"]["actions"]
        assert [button["title"] for button in buttons] == ["Admit card", "Ignore"]
        assert targets.log()[:2] == [
            "Unknown card BADC0FFEE1 (attempt 1)",
            "Unknown card CAFE0002 (attempt 1)",
        ]
        assert [title for title, _ in targets.persistent] == ["Garage", "Carport"]

        # Tapping "Ignore" on the Garage notification changes nothing.
        ignore = targets.phone[0].data["data"]["actions"][1]["action"]
        hass.bus.async_fire("mobile_app_notification_action", {"action": ignore})
        await hass.async_block_till_done()
        assert len(targets.phone) == 2
        # At the Garage another unknown card comes: "Admit card" on the first notification
        # would admit that one, so nothing is admitted and the phone is told.
        simulator.state.present_tag("BADC0FFEE2")
        await steps["Garage"](10)
        admit_first = targets.phone[0].data["data"]["actions"][0]["action"]
        hass.bus.async_fire("mobile_app_notification_action", {"action": admit_first})
        await hass.async_block_till_done()
        assert normalized(targets.phone[-1].data["message"]) == (
            "Card BADC0FFEE1 was not admitted: card BADC0FFEE2 was presented there since."
        )
        del targets.phone[2:]  # the checks below count from here
        # Tapping "Admit card" on the Carport notification (the event the companion app sends).
        hass.bus.async_fire("mobile_app_notification_action", {"action": buttons[0]["action"]})
        await hass.async_block_till_done()
        registry = hass.data[DOMAIN].tags.registry
        assert registry.get("CAFE0002") is not None
        assert registry.get("CAFE0002").name == "Guest"
        assert registry.get("BADC0FFEE1") is None
        assert registry.get("BADC0FFEE2") is None
        assert normalized(targets.phone[-1].data["message"]) == "Card CAFE0002 admitted as Guest"
        assert targets.phone[-1].data["title"] == "Carport"
        assert "actions" not in targets.phone[-1].data.get("data", {})

        await steps["Carport"](10)
        await steps["Garage"](10)
        assert second.state.current_limit_a == 16
        assert second.state.power_w == 11000  # released: the car charges
        assert hass.states.get("sensor.carport_authorization").state == "authorized"
        assert simulator.state.power_w == 0  # the Garage card was ignored: still locked

        # A second tap (another phone, another automation) finds nothing to admit: no error,
        # no second confirmation.
        sent = len(targets.phone)
        hass.bus.async_fire("mobile_app_notification_action", {"action": buttons[0]["action"]})
        await hass.async_block_till_done()
        assert len(targets.phone) == sent
    finally:
        await second.stop()


# --- cheapest hours ---------------------------------------------------------------------------

# A winter day in Norway (EUR/kWh), hour by hour from local midnight: morning and evening peaks,
# cheap at night. Written by hand, shaped like a Nord Pool NO1 day-ahead curve.
DAY_1 = [0.32, 0.30, 0.29, 0.28, 0.29, 0.31, 0.36, 0.45, 0.52, 0.48, 0.41, 0.38,
         0.35, 0.33, 0.34, 0.38, 0.46, 0.58, 0.66, 0.61, 0.49, 0.40, 0.36, 0.33]  # fmt: skip
DAY_2 = [0.27, 0.22, 0.15, 0.12, 0.14, 0.21, 0.33, 0.47, 0.55, 0.50, 0.42, 0.37,
         0.34, 0.32, 0.33, 0.37, 0.45, 0.57, 0.64, 0.60, 0.47, 0.39, 0.34, 0.30]  # fmt: skip
PRICE_SENSOR_ID = "sensor.nord_pool_no1"


def start_of_tomorrow() -> datetime:
    """Local midnight starting tomorrow: test days lie ahead, so the clock only moves forward."""
    today = dt_util.now().date()
    return dt_util.start_of_local_day(today + timedelta(days=1))


def raw_day(midnight: datetime, prices: list[float]) -> list[dict[str, Any]]:
    """Prices as the Nord Pool custom integration's raw_today attribute holds them."""
    hours = [dt_util.as_local(dt_util.as_utc(midnight) + timedelta(hours=h)) for h in range(25)]
    return [
        {"start": hours[h], "end": hours[h + 1], "value": price} for h, price in enumerate(prices)
    ]


def price_at(day_1: datetime, when: datetime) -> float:
    hours = int((when - day_1).total_seconds() // 3600)
    return (DAY_1 + DAY_2)[hours]


def cost_straight_away(day_1: datetime, start: datetime, energy_wh: float, power_w: float) -> float:
    """What charging at once from `start` costs, hour by hour from the curve."""
    cost, when, left = 0.0, start, energy_wh
    while left > 0:
        next_hour = when.replace(minute=0, second=0) + timedelta(hours=1)
        energy = min(left, power_w * (next_hour - when).total_seconds() / 3600)
        cost += energy / 1000 * price_at(day_1, when)
        left -= energy
        when = next_hour
    return cost


async def test_cheapest_hours_over_a_night(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    clock: TestClock,
    targets: Targets,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Plugged in at 16:00, 30 kWh wanted by 07:00 at 11 kW (2 h 44 min of charging).

    The cheapest hours before departure are 03-04 (0.12), 04-05 (0.14) and 02-03 (0.15):
    by hand, 11 kWh at 0.12 + 11 kWh at 0.14 + 8 kWh at 0.15 = 4.06 EUR. The automation
    switches on the quarter hour, so the part-used hour runs to 02:45: 8.25 kWh at 0.15, then
    03:00-04:45 and the last quarter 04:45-05:00, 30.25 kWh for 4.10 EUR. Charging at once
    from 16:00: 11 kWh at 0.46 + 11 kWh at 0.58 + 8 kWh at 0.66 = 16.72 EUR.
    """
    await hass.config.async_set_time_zone("Europe/Oslo")
    hass.config.currency = "EUR"
    day_1 = start_of_tomorrow()
    day_2 = day_1 + timedelta(days=1)
    plug_in = day_1.replace(hour=16)
    departure = day_2.replace(hour=7)
    clock.now = dt_util.as_utc(plug_in)

    def publish_price() -> None:
        """The price sensor as the Nord Pool custom integration shows it."""
        hass.states.async_set(
            PRICE_SENSOR_ID,
            str(price_at(day_1, dt_util.as_local(clock.now))),
            {
                "unit_of_measurement": "EUR/kWh",
                "raw_today": raw_day(day_1, DAY_1),
                "raw_tomorrow": raw_day(day_2, DAY_2),
                "tomorrow_valid": True,
            },
        )

    publish_price()
    entry = entry_for(
        simulator,
        **{
            CONF_PRICE_SOURCE: PRICE_SENSOR,
            CONF_PRICE_ENTITY: PRICE_SENSOR_ID,
            CONF_POLL_INTERVAL: 300,
        },
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await use_blueprints(
        hass,
        (
            "cheapest_hours_charging",
            {
                "wallbox": entry.runtime_data.device_id,
                "price_sensor": PRICE_SENSOR_ID,
                "departure": "07:00:00",
                "energy_kwh": 30,
                "power_kw": 11,
            },
        ),
        (
            "charging_progress",
            {"wallbox": entry.runtime_data.device_id, "notify_entities": [LOG_ENTITY]},
        ),
    )
    step = settled(hass, clock, stepper(hass, simulator, clock, entry))
    sim = simulator.state
    sim.plug_in()
    await step(1)  # Home Assistant sees the car: the automation stops charging at once
    sim.start_charging(11000)  # the car would draw 11 kW whenever allowed
    delivered_by_hour: dict[int, float] = {}
    while clock.now < dt_util.as_utc(departure):
        publish_price()
        fire_home_assistant_timers(hass, clock.now)
        await hass.async_block_till_done()
        await step(0)  # the poll right after: Home Assistant sees what the automation did
        hour = dt_util.as_local(clock.now).hour
        before = sim.delivered_this_plugin_wh
        await step(300)
        delivered_by_hour[hour] = delivered_by_hour.get(hour, 0.0) + (
            sim.delivered_this_plugin_wh - before
        )

    delivered_kwh = sim.delivered_this_plugin_wh / 1000
    cost = float(hass.states.get("sensor.garage_session_cost").state)
    straight = cost_straight_away(day_1, plug_in, 30_000, 11_000)
    print(
        f"\ncheapest hours: {delivered_kwh:.2f} kWh by 07:00 for {cost:.2f} EUR; "
        f"charging at once: {straight:.2f} EUR ({straight - cost:.2f} EUR saved)"
    )
    assert delivered_kwh == pytest.approx(30.25, abs=0.01)
    assert {hour for hour, wh in delivered_by_hour.items() if wh > 0} == {2, 3, 4}
    assert delivered_by_hour[2] == pytest.approx(8250, abs=10)
    assert straight == pytest.approx(16.72)
    assert cost == pytest.approx(4.10, abs=0.01)
    assert cost < straight
    assert normalized(targets.log()[0]) == "Charging started at Garage"
    # The car is still plugged in after departure; when it leaves, charging is allowed again.
    assert hass.states.get("switch.garage_charging_enabled").state == "off"
    sim.unplug()
    await step(10)
    assert hass.states.get("switch.garage_charging_enabled").state == "on"


async def test_cheapest_hours_from_nord_pool_action_late_plug_in(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    clock: TestClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Plugged in at 04:30 with 22 kWh wanted by 07:00 at 11 kW: 2 of the 2.5 hours are needed.

    Quarter-hour prices from Home Assistant's Nord Pool action. The cheapest two hours from
    04:30 are 04:30-06:30 (0.14, 0.21, then 0.33 for the quarters of 06:00-06:30 against
    0.33 for 06:30-07:00: a tie goes to the earlier), so charging runs from plug-in to 06:30.
    """
    await hass.config.async_set_time_zone("Europe/Oslo")
    day_1 = start_of_tomorrow()
    day_2 = day_1 + timedelta(days=1)
    requested: list[dict[str, Any]] = []

    def quarters(midnight: datetime, hourly: list[float]) -> list[dict[str, Any]]:
        """The action's answer per area: start, end and price per MWh, every 15 minutes."""
        start = dt_util.as_utc(midnight)
        return [
            {
                "start": (start + timedelta(minutes=15 * q)).isoformat(),
                "end": (start + timedelta(minutes=15 * (q + 1))).isoformat(),
                "price": hourly[q // 4] * 1000,
            }
            for q in range(96)
        ]

    # Stand-in for the cloud action; the answer's shape is that of Home Assistant's
    # homeassistant/components/nordpool/services.py (2026.10): {area: [{start, end, price}]}.
    async def get_prices_for_date(call: ServiceCall) -> ServiceResponse:
        requested.append(dict(call.data))
        day = {str(day_1.date()): (day_1, DAY_1), str(day_2.date()): (day_2, DAY_2)}.get(
            str(call.data["date"])
        )
        return {"NO1": quarters(*day) if day else []}

    hass.services.async_register(
        "nordpool",
        "get_prices_for_date",
        get_prices_for_date,
        supports_response=SupportsResponse.ONLY,
    )
    nord_pool = MockConfigEntry(domain="nordpool")
    nord_pool.add_to_hass(hass)
    clock.now = dt_util.as_utc(day_2.replace(hour=4, minute=30))
    entry = entry_for(simulator, **{CONF_POLL_INTERVAL: 300})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await use_blueprints(
        hass,
        (
            "cheapest_hours_charging",
            {
                "wallbox": entry.runtime_data.device_id,
                "nordpool_entry": nord_pool.entry_id,
                "nordpool_area": "NO1",
                "departure": "07:00:00",
                "energy_kwh": 22,
                "power_kw": 11,
            },
        ),
    )
    step = stepper(hass, simulator, clock, entry)
    sim = simulator.state
    sim.plug_in()
    sim.start_charging(11000)
    await step(1)
    charging_at: dict[str, bool] = {}
    end = dt_util.as_utc(day_2.replace(hour=7))
    while clock.now < end:
        fire_home_assistant_timers(hass, clock.now)
        await hass.async_block_till_done()
        charging_at[dt_util.as_local(clock.now).strftime("%H:%M")] = sim.power_w > 0
        await step(300)
    assert all(on for time, on in charging_at.items() if time < "06:30")
    assert not any(on for time, on in charging_at.items() if time >= "06:30")
    assert 22 <= sim.delivered_this_plugin_wh / 1000 <= 22.1
    assert {str(call["date"]) for call in requested} == {
        str(day_2.date()),
        str(day_2.date() + timedelta(days=1)),
    }
    assert all(call["areas"] == ["NO1"] for call in requested)
    # No deprecated device attribute read (Home Assistant warns; it goes away in 2027.10).
    assert "deprecated" not in caplog.text


# --- the plan_charging action ---------------------------------------------------------------


async def test_plan_charging_action(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, clock: TestClock
) -> None:
    """Energy from the target number or a state of charge; errors a user can act on."""
    await hass.config.async_set_time_zone("Europe/Oslo")
    midnight = start_of_tomorrow()
    clock.now = dt_util.as_utc(midnight.replace(hour=1))
    hass.states.async_set("sensor.car_soc", "50", {"unit_of_measurement": "%"})
    hass.states.async_set("sensor.prices", "0.3", {"today": DAY_1, "tomorrow": DAY_2})
    hass.states.async_set("sensor.no_forecast", "0.3", {"unit_of_measurement": "EUR/kWh"})
    entry = await setup_entry(**{CONF_BATTERY_CAPACITY: 60, CONF_SOC_ENTITY: "sensor.car_soc"})

    async def plan(**data: Any) -> dict[str, Any]:
        response = await hass.services.async_call(
            DOMAIN,
            "plan_charging",
            {"config_entry_id": entry.entry_id, "departure": "07:00", **data},
            blocking=True,
            return_response=True,
        )
        assert isinstance(response, dict)
        return response

    # 30 % of 60 kWh = 18 kWh at 11 kW: 03-04 (0.28) whole, then 7 kWh at 0.29 (02 and 04
    # tie: the earlier).
    soc = await plan(target_soc=80, power_kw=11, price_entity="sensor.prices")
    assert soc["energy_needed_kwh"] == 18
    assert [(slot["start"][11:16], slot["price"]) for slot in soc["slots"]] == [
        ("02:00", 0.29),
        ("03:00", 0.28),
    ]
    assert soc["slots"][0]["energy_kwh"] == 7  # the second cheapest hour is needed in part
    assert not soc["charge_now"]
    assert soc["next_change"].startswith(str(midnight.date()) + "T02:00")
    assert soc["cost"] == pytest.approx(11 * 0.28 + 7 * 0.29)
    assert soc["cost_straight_away"] == pytest.approx(11 * 0.30 + 7 * 0.29)
    # The session target energy number, the box's maximum power, a departure as a date-time.
    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": "number.garage_session_target_energy", "value": 5},
        blocking=True,
    )
    target = await plan(
        departure=(midnight.replace(hour=2)).isoformat(), price_entity="sensor.prices"
    )
    assert target["energy_needed_kwh"] == 5
    assert target["power_kw"] == 22.08  # Webasto NEXT profile maximum
    assert target["charge_now"] and target["shortfall_kwh"] == 0
    late = await plan(departure=(midnight.replace(hour=1, minute=10)).isoformat(), prices=[])
    assert late["shortfall_kwh"] > 0 and late["cost"] is None  # no prices: charge now anyway
    assert late["charge_now"]

    for data, key in (
        ({"energy_kwh": 5}, "no_prices"),
        ({"energy_kwh": 5, "price_entity": "sensor.no_forecast"}, "invalid_prices"),
        ({"energy_kwh": 5, "price_entity": "sensor.missing"}, "invalid_prices"),
        ({"energy_kwh": 5, "prices": [{"price": 1}]}, "invalid_prices"),
        ({"target_soc": 80, "config_entry_id": "nope", "prices": []}, "unknown_entry"),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await plan(**data)
        assert err.value.translation_key == key
    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": "number.garage_session_target_energy", "value": 0},
        blocking=True,
    )
    with pytest.raises(ServiceValidationError) as err:
        await plan(prices=[])
    assert err.value.translation_key == "no_energy_target"
    hass.states.async_set("sensor.car_soc", "unavailable")
    with pytest.raises(ServiceValidationError) as err:
        await plan(target_soc=80, prices=[])
    assert err.value.translation_key == "no_battery_settings"
