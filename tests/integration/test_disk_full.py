"""A full disk mid-session (issue 26 item 11): one repair, no lost Wh, cleared when space is back.

Both stores fail as on a full disk (see disk_full); the wallbox keeps polling meanwhile.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store
from homeassistant.util.file import WriteError

from custom_components.ev_session_monitor.const import DOMAIN
from custom_components.ev_session_monitor.core.history import SessionHistory
from tools.wallbox_simulator import WallboxSimulator

from .conftest import SetupEntry, TestClock, coordinator_of, stepper


@contextmanager
def disk_full() -> Iterator[None]:
    """Writes of the saved state and of the history fail as on a full disk.

    The harness keeps Home Assistant's storage in memory (its mock of Store._async_write_data),
    so the saved state fails there, with what a full disk gives: WriteError from OSError ENOSPC
    (homeassistant/util/file.py write_utf8_file_atomic). SQLite writes in C, out of reach of a
    Python patch: the history's add() raises SQLite's own error (SQLITE_FULL).
    """

    async def no_space(store: Store[Any], data: dict[str, Any]) -> None:
        raise WriteError(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))

    def database_full(self: SessionHistory, record: object) -> bool:
        raise sqlite3.OperationalError("database or disk is full")

    with (
        patch.object(Store, "_async_write_data", no_space),
        patch.object(SessionHistory, "add", database_full),
    ):
        yield


async def test_disk_full_mid_session(
    hass: HomeAssistant,
    simulator: WallboxSimulator,
    setup_entry: SetupEntry,
    clock: TestClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entry = await setup_entry()
    step = stepper(hass, simulator, clock, entry)
    sim = simulator.state
    sim.plug_in()
    await step(10)
    sim.start_charging(11000)
    await step(60)
    issues = ir.async_get(hass)
    issue_id = f"storage_failed_{entry.entry_id}"
    with disk_full():
        for _ in range(10):
            await step(60)
        sim.unplug()
        for _ in range(5):
            await step(10)
        coordinator = coordinator_of(entry)
        assert len(coordinator.recorder.unarchived) == 1  # kept in memory
        assert coordinator.recorder.store._unwritable == {"state", "history"}
        kept_wh = coordinator.recorder.unarchived[0].energy_wh
        issue = issues.async_get_issue(DOMAIN, issue_id)
        assert issue is not None and issue.translation_key == "storage_failed"
        ours = [
            record
            for record in caplog.records
            if record.name.startswith("custom_components.ev_session_monitor")
            and record.levelno >= logging.ERROR
        ]
        assert len(ours) <= 2  # once for the history, once for the saved state
        assert all(record.exc_info is None for record in ours)
    assert kept_wh == pytest.approx(sim.delivered_this_plugin_wh, abs=1)
    await step(10)  # space is back: the next poll writes
    assert coordinator.recorder.unarchived == []
    (recorded,) = await hass.data[DOMAIN].archive.async_query()
    assert recorded.energy_wh == pytest.approx(kept_wh)
    assert issues.async_get_issue(DOMAIN, issue_id) is None
