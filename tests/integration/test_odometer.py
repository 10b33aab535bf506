"""A card's odometer (issue 24): chosen in the card's options, read at the start and end of its
sessions into the session record (in km, whatever unit the car's sensor reports), and printed on
the monthly statement."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
from homeassistant.const import ATTR_DEVICE_CLASS, ATTR_UNIT_OF_MEASUREMENT
from homeassistant.core import Context, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util import dt as dt_util

from custom_components.ev_session_monitor.const import DOMAIN, EVENT_SESSION_COMPLETED
from tools.wallbox_simulator import WallboxSimulator

from .conftest import SetupEntry
from .test_sessions import collect

CAR = "sensor.company_car_odometer"


def mileage(hass: HomeAssistant, value: str, unit: str) -> None:
    """The car integration's odometer state."""
    hass.states.async_set(
        CAR, value, {ATTR_UNIT_OF_MEASUREMENT: unit, ATTR_DEVICE_CLASS: "distance"}
    )


async def test_the_cards_odometer_is_read_at_start_and_end_and_printed(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    completed = collect(hass, EVENT_SESSION_COMPLETED)
    entry = await setup_entry()
    mileage(hass, "7707.0", "mi")  # a car that reports miles
    flow = await hass.config_entries.options.async_init(entry.entry_id)
    flow = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"next_step_id": "add_tag"}
    )
    refused = await hass.config_entries.options.async_configure(
        flow["flow_id"],
        {"tag_id": "04A1B2C3D4", "name": "Company car", "odometer_entity": "sensor.nothing"},
    )
    assert refused["errors"] == {"odometer_entity": "unknown_odometer"}
    done = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"tag_id": "04A1B2C3D4", "name": "Company car", "odometer_entity": CAR}
    )
    assert done["type"] is FlowResultType.CREATE_ENTRY
    assert hass.data[DOMAIN].tags.registry.get("04A1B2C3D4").odometer_entity == CAR

    step = poll(entry)
    sim = simulator.state
    sim.plug_in()
    sim.present_tag("04A1B2C3D4")
    sim.start_charging(7200)
    await step(10)
    mileage(hass, "7720.0", "mi")  # read at the start already: a later state is not the start
    await step(500)
    sim.unplug()
    await step(10)
    assert completed[0]["tag_id"] == "04A1B2C3D4"
    # 7707 mi = 12,403.2 km (x 1.609344); the end reading is the one at the end.
    (record,) = await hass.data[DOMAIN].archive.async_query()
    assert round(record.odometer_start_km, 1) == 12403.2
    assert round(record.odometer_end_km, 1) == 12424.1

    month = dt_util.now().strftime("%Y-%m")
    answer = await hass.services.async_call(
        DOMAIN,
        "create_statement",
        {"tag_id": "04A1B2C3D4", "month": month},
        blocking=True,
        return_response=True,
        context=Context(),
    )
    pdf = Path(hass.config.path(answer["path"])).read_bytes()
    text = " ".join(
        " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages).split()
    )
    assert "Odometer at start (km)" in text
    assert "12403.2" in text and "12424.1" in text


async def test_a_sensor_without_a_distance_unit_gives_no_reading(
    hass: HomeAssistant, simulator: WallboxSimulator, setup_entry: SetupEntry, poll
) -> None:
    entry = await setup_entry()
    mileage(hass, "12000", "%")
    flow = await hass.config_entries.options.async_init(entry.entry_id)
    flow = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"next_step_id": "add_tag"}
    )
    await hass.config_entries.options.async_configure(
        flow["flow_id"], {"tag_id": "04A1B2C3D4", "name": "Company car", "odometer_entity": CAR}
    )
    step = poll(entry)
    sim = simulator.state
    sim.plug_in()
    sim.present_tag("04A1B2C3D4")
    sim.start_charging(7200)
    await step(500)
    mileage(hass, "unavailable", "km")
    sim.unplug()
    await step(10)
    (record,) = await hass.data[DOMAIN].archive.async_query()
    assert (record.odometer_start_km, record.odometer_end_km) == (None, None)
    assert record.energy_wh > 0
