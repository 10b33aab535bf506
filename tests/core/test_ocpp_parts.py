"""OCPP parts without a connection: the transaction file and meter value edge cases.

Meter value rules from OCPP 1.6 edition 2, SampledValue: a value is a decimal string, the
default unit is Wh, `format` SignedData carries a signed blob, `location` names the meter.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from custom_components.ev_session_monitor.core.ocpp.meter_values import meter_samples
from custom_components.ev_session_monitor.core.ocpp.transaction_ids import (
    JsonFileTransactionIds,
    OpenTransaction,
    TransactionIdStoreError,
)


async def test_ids_continue_after_the_last_one_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "ids.json"
    path.write_text('{"last_transaction_id": 41}')
    ids = JsonFileTransactionIds(path)
    assert await ids.next_id() == 42
    opened = OpenTransaction("CP", 1, "CARD", 5, "2026-12-07T08:00:00Z")
    assert await ids.begin(opened) == 43
    assert await JsonFileTransactionIds(path).lookup(43) == opened


async def test_boxes_starting_at_once_each_get_an_id_that_is_on_disk_before_the_answer(
    tmp_path: Path,
) -> None:
    """500 boxes after a power cut start together: unique ids, each durable when answered."""
    path = tmp_path / "ids.json"
    ids = JsonFileTransactionIds(path)

    async def start(number: int) -> int:
        transaction_id = await ids.begin(
            OpenTransaction(f"CP{number}", 1, "CARD", number, "2026-12-07T08:00:00Z")
        )
        on_disk = json.loads(path.read_text())
        assert on_disk["open"][str(transaction_id)]["charge_point_id"] == f"CP{number}"
        return transaction_id

    started = await asyncio.gather(*(start(number) for number in range(500)))
    assert sorted(started) == list(range(1, 501))
    closings = await asyncio.gather(*(ids.finish(transaction_id) for transaction_id in started))
    assert {closing.transaction.charge_point_id for closing in closings if closing.transaction} == {
        f"CP{number}" for number in range(500)
    }
    reread = JsonFileTransactionIds(path)
    assert await reread.lookup(1) is None
    assert await reread.closed(500)
    assert await reread.next_id() == 501


async def test_starts_whose_write_failed_are_refused_and_forgotten(tmp_path: Path) -> None:
    folder = tmp_path / "config"
    path = folder / "ids.json"
    ids = JsonFileTransactionIds(path)
    first = OpenTransaction("CP1", 1, "CARD", 0, "2026-12-07T08:00:00Z")
    assert await ids.begin(first) == 1
    path.unlink()
    folder.rmdir()
    folder.write_text("")  # the folder is gone: every write fails
    results = await asyncio.gather(
        *(ids.begin(OpenTransaction(f"CP{n}", 1, "CARD", n, "x")) for n in range(2, 6)),
        return_exceptions=True,
    )
    assert all(isinstance(result, TransactionIdStoreError) for result in results)
    folder.unlink()
    # The failed starts were never answered: their ids may be given again, and only the first
    # transaction is open.
    assert await ids.begin(OpenTransaction("CP9", 1, "CARD", 9, "x")) == 2
    assert await ids.lookup(1) == first
    assert await ids.lookup(3) is None
    assert set(json.loads(path.read_text())["open"]) == {"1", "2"}


@pytest.mark.parametrize(
    "text",
    ["not json", '{"other": 1}', '{"last_transaction_id": -1}', '{"last_transaction_id": true}'],
)
async def test_a_damaged_transaction_file_is_a_clear_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "ids.json"
    path.write_text(text)
    with pytest.raises(TransactionIdStoreError, match=r"ids\.json"):
        await JsonFileTransactionIds(path).next_id()


async def test_an_unwritable_transaction_file_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(TransactionIdStoreError, match=r"cannot (read|store)"):
        await JsonFileTransactionIds(blocker / "ids.json").next_id()


def test_values_that_are_not_ours_or_not_numbers_are_skipped() -> None:
    element = {
        "timestamp": "2026-12-07T08:00:00Z",
        "sampled_value": [
            {"value": "12", "unit": "kvarh"},
            {"value": "abc", "measurand": "Power.Active.Import"},
            {"value": "Infinity", "measurand": "Voltage", "phase": "L1"},
            {"value": "AAEC", "format": "SignedData"},
            {"value": "999", "location": "Inlet"},
            {"value": "1", "measurand": "Frequency"},
            {"value": "2.5", "measurand": "Power.Active.Import", "phase": "L1", "unit": "kW"},
            {"value": "1500", "measurand": "Power.Active.Import", "phase": "L2"},
        ],
    }
    (sample,) = meter_samples(1, None, [element])
    assert sample.reading.lifetime_energy_wh is None
    assert sample.reading.voltages_v == (None, None, None)
    # Without a total, the phases' power adds up.
    assert sample.reading.power_w == 4000
    assert sample.context == "Sample.Periodic"
