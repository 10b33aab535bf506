"""OCPP parts without a connection: the transaction file and meter value edge cases.

Meter value rules from OCPP 1.6 edition 2, SampledValue: a value is a decimal string, the
default unit is Wh, `format` SignedData carries a signed blob, `location` names the meter.
"""

from __future__ import annotations

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
