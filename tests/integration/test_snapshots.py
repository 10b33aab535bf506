"""Snapshots of every platform's entities and of the diagnostics (as core's peblar keeps them).

One snapshot catches a changed unit, name, category, device class, icon or value anywhere. The
wallbox has charged 1.1 kWh for a known card, so the figures are real numbers, not unknown.
Regenerate after an intended change: scripts/test tests/integration/test_snapshots.py
--snapshot-update, then read the diff.
"""

from __future__ import annotations

from collections.abc import Iterator
from unittest.mock import PropertyMock, patch
from uuid import UUID

import pytest
from homeassistant.const import CONF_HOST, CONF_PORT, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.ev_session_monitor import PLATFORMS
from custom_components.ev_session_monitor.const import CONF_PROFILE, CONF_UNIT_ID, DOMAIN
from custom_components.ev_session_monitor.core.tags import KnownTag
from tools.wallbox_simulator import WallboxSimulator

from .conftest import TestClock, coordinator_of

CARD = "04A1B2C3"  # KEBA reports 4-byte card ids


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Registry entries and states serialized as core's tests do (no ids, no clock times)."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def all_entities_enabled() -> Iterator[None]:
    """Entities disabled by default (voltages, box counters) are in the snapshot too."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


async def _charged_entry(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    clock: TestClock,
    request: pytest.FixtureRequest,
) -> MockConfigEntry:
    # Fixed ids and times: the simulator's port and the clock change from run to run, the
    # snapshot must not.
    clock.move_to("2026-03-02T07:30:00+00:00")
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Garage",
        entry_id="01SNAPSHOTENTRY",
        unique_id="snapshot_wallbox",
        data={
            CONF_HOST: simulator.host,
            CONF_PORT: simulator.port,
            CONF_PROFILE: simulator.profile.profile_id,
            CONF_UNIT_ID: simulator.unit_id,
        },
    )
    entry.add_to_hass(hass)
    session_ids = (UUID(int=number) for number in range(1, 100))
    patch_ids = patch(
        "custom_components.ev_session_monitor.core.session.tracker.uuid.uuid4",
        lambda: next(session_ids),
    )
    patch_ids.start()
    request.addfinalizer(patch_ids.stop)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await hass.data[DOMAIN].tags.async_add(KnownTag(CARD, "Alice", None, None, frozenset()))
    simulator.state.plug_in()
    simulator.state.present_tag(CARD)
    simulator.state.start_charging(11_000)
    for _ in range(6):
        simulator.state.advance(60)
        clock.tick(60)
        await coordinator_of(entry).async_refresh()
        await hass.async_block_till_done()
    return entry


@pytest.mark.parametrize("profile_id", ["webasto_next", "keba_p30"])
@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.usefixtures("all_entities_enabled")
async def test_platform_snapshot(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    clock: TestClock,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    platform: Platform,
    request: pytest.FixtureRequest,
) -> None:
    with patch("custom_components.ev_session_monitor.PLATFORMS", [platform]):
        entry = await _charged_entry(hass, simulator, clock, request)
        if er.async_entries_for_config_entry(entity_registry, entry.entry_id):
            await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)
        else:
            # The profile has nothing for this platform (no phase switching, no wake-up): say so.
            assert snapshot == []


@pytest.mark.parametrize("profile_id", ["keba_p30"])
async def test_diagnostics_snapshot(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    clock: TestClock,
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
    request: pytest.FixtureRequest,
) -> None:
    entry = await _charged_entry(hass, simulator, clock, request)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    # The simulator's port changes from run to run.
    assert diagnostics == snapshot(exclude=props("port"))
