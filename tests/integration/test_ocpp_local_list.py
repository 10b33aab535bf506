"""The box's Local Authorization List follows the known cards (SendLocalList, OCPP 1.6 5.15).

The simulated charge point (tools/ocpp_charge_point, strict schema validation) keeps its list
as OCPP 1.6 edition 2 section 5.15 describes: Full replaces it, Differential adds, changes and
(without idTagInfo) removes entries, a Differential version not above the current one is a
VersionMismatch.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ev_session_monitor.const import DOMAIN
from custom_components.ev_session_monitor.core.tags import KnownTag
from tools.ocpp_charge_point.charge_point import SimulatedChargePoint, connect
from tools.ports import free_port

from .test_ocpp import CHARGE_POINT_ID, PASSWORD, _boot, _until, booted_box, set_up_entry

ALICE, BOB, ELSEWHERE = "04A2B3C4D5", "04B0B0B0B0", "04E1E1E1E1"


@pytest.fixture
def port() -> int:
    """A free loopback port for the central system."""
    return free_port()


@pytest.fixture
async def entry(hass: HomeAssistant, port: int) -> MockConfigEntry:
    """An OCPP entry, set up."""
    return await set_up_entry(hass, port)


def _list(cp: SimulatedChargePoint) -> dict[str, str]:
    return {tag: info["status"] for tag, info in cp.state.local_list.items()}


@pytest.fixture
async def cards(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Alice may charge everywhere, Bob is blocked, a third card only at another wallbox."""
    tags = hass.data[DOMAIN].tags
    await tags.async_add(KnownTag(tag_id=ALICE, name="Alice"))
    await tags.async_add(KnownTag(tag_id=BOB, name="Bob", blocked=True))
    await tags.async_add(
        KnownTag(tag_id=ELSEWHERE, name="Eve", chargers=frozenset({"another_box"}))
    )


@pytest.fixture
async def listed_box(
    hass: HomeAssistant, entry: MockConfigEntry, port: int, cards: None
) -> AsyncIterator[SimulatedChargePoint]:
    """The box, booted, with the full list received."""
    async with booted_box(port) as cp:
        await _until(lambda: cp.state.local_list_version == 1)
        yield cp


async def test_full_list_after_boot(listed_box: SimulatedChargePoint) -> None:
    """Known cards allowed here are Accepted, a blocked one Blocked, the others absent."""
    assert _list(listed_box) == {ALICE: "Accepted", BOB: "Blocked"}
    (update,) = listed_box.state.local_list_updates
    assert update["update_type"] == "Full"


async def test_changes_are_sent_as_differences(
    hass: HomeAssistant, listed_box: SimulatedChargePoint
) -> None:
    """Adding, blocking and removing a card: one Differential update each, version rising."""
    tags = hass.data[DOMAIN].tags
    await tags.async_add(KnownTag(tag_id="CAFE0001", name="Carol"))
    await _until(lambda: listed_box.state.local_list_version == 2)
    known = tags.registry.get(ALICE)
    assert known is not None
    await tags.async_update(KnownTag(tag_id=ALICE, name="Alice", blocked=True))
    await _until(lambda: listed_box.state.local_list_version == 3)
    await tags.async_remove(BOB)
    await _until(lambda: listed_box.state.local_list_version == 4)
    assert _list(listed_box) == {ALICE: "Blocked", "CAFE0001": "Accepted"}
    sent = [
        (update["update_type"], update["entries"])
        for update in listed_box.state.local_list_updates[1:]
    ]
    assert sent == [
        ("Differential", [{"id_tag": "CAFE0001", "id_tag_info": {"status": "Accepted"}}]),
        ("Differential", [{"id_tag": ALICE, "id_tag_info": {"status": "Blocked"}}]),
        ("Differential", [{"id_tag": BOB}]),
    ]
    # A rename changes nothing the box holds: nothing is sent.
    await tags.async_update(KnownTag(tag_id="CAFE0001", name="Caro"))
    await hass.async_block_till_done()
    assert len(listed_box.state.local_list_updates) == 4


async def test_version_mismatch_gets_the_whole_list(
    hass: HomeAssistant, listed_box: SimulatedChargePoint
) -> None:
    """A box whose list went ahead (another central system) refuses a difference: Full."""
    listed_box.state.local_list_version = 50
    await hass.data[DOMAIN].tags.async_add(KnownTag(tag_id="CAFE0001", name="Carol"))
    await _until(lambda: len(listed_box.state.local_list_updates) == 3)
    assert [u["update_type"] for u in listed_box.state.local_list_updates] == [
        "Full",
        "Differential",
        "Full",
    ]
    assert _list(listed_box) == {ALICE: "Accepted", BOB: "Blocked", "CAFE0001": "Accepted"}


async def test_version_survives_a_restart(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    port: int,
    listed_box: SimulatedChargePoint,
    hass_storage: dict[str, Any],
) -> None:
    """After a reload the next list has a higher version than any the box has seen."""
    key = f"{DOMAIN}.ocpp_{entry.entry_id}"
    # Saved once the box has answered the list (the box counts its version before that).
    await _until(lambda: "local_list" in hass_storage.get(key, {}).get("data", {}))
    stored = hass_storage[key]["data"]["local_list"]
    assert stored == {"version": 1, "entries": {ALICE: "Accepted", BOB: "Blocked"}}
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    async with booted_box(port) as cp:
        await _until(lambda: cp.state.local_list_version == 2)
        assert cp.state.local_list_updates[0]["update_type"] == "Full"


async def test_long_lists_are_split_as_the_box_asks(
    hass: HomeAssistant, entry: MockConfigEntry, port: int
) -> None:
    """SendLocalListMaxLength 20 and 25 cards: a Full update of 20, then a Differential of 5."""
    tags = hass.data[DOMAIN].tags
    for number in range(25):
        await tags.async_add(KnownTag(tag_id=f"CAFE{number:04d}", name=f"Card {number}"))
    async with booted_box(port) as cp:
        await _until(lambda: cp.state.local_list_version == 2)
        sizes = [(u["update_type"], len(u["entries"])) for u in cp.state.local_list_updates]
        assert sizes == [("Full", 20), ("Differential", 5)]
        assert len(cp.state.local_list) == 25


async def test_box_without_a_local_list_gets_none(
    hass: HomeAssistant, entry: MockConfigEntry, port: int, cards: None
) -> None:
    """LocalAuthListEnabled false: no SendLocalList, also when the cards change."""
    async with connect(f"ws://127.0.0.1:{port}/{CHARGE_POINT_ID}", CHARGE_POINT_ID, PASSWORD) as cp:
        cp.state.configuration["LocalAuthListEnabled"] = "false"
        await _boot(cp)
        await _until(lambda: cp.state.configuration["MeterValueSampleInterval"] == "60")
        await hass.data[DOMAIN].tags.async_add(KnownTag(tag_id="CAFE0001", name="Carol"))
        await hass.async_block_till_done()
        assert cp.state.local_list_updates == []


async def test_list_is_capped_at_what_the_box_holds(
    hass: HomeAssistant, entry: MockConfigEntry, port: int, caplog: pytest.LogCaptureFixture
) -> None:
    """LocalAuthListMaxLength 3 and 5 cards: 3 are sent (a Failed update would send none)."""
    tags = hass.data[DOMAIN].tags
    for number in range(5):
        await tags.async_add(KnownTag(tag_id=f"CAFE{number:04d}", name=f"Card {number}"))
    async with connect(f"ws://127.0.0.1:{port}/{CHARGE_POINT_ID}", CHARGE_POINT_ID, PASSWORD) as cp:
        cp.state.configuration["LocalAuthListMaxLength"] = "3"
        await _boot(cp)
        await _until(lambda: cp.state.local_list_version == 1)
        assert sorted(cp.state.local_list) == ["CAFE0000", "CAFE0001", "CAFE0002"]
    assert "5 cards for the box's local list, which holds 3" in caplog.text


def _local_list_issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"ocpp_local_list_failed_{entry.entry_id}")


async def test_refused_list_is_a_repair_until_an_update_is_taken(
    hass: HomeAssistant, entry: MockConfigEntry, listed_box: SimulatedChargePoint
) -> None:
    """Failed to the difference and to the whole list: a repair naming the box and the answer.

    The box's list memory shrank after boot (LocalAuthListMaxLength 2, 3 cards): section 5.15
    has it answer Failed, as the simulated box does. Room again: the next update clears it.
    """
    tags = hass.data[DOMAIN].tags
    listed_box.state.configuration["LocalAuthListMaxLength"] = "2"
    await tags.async_add(KnownTag(tag_id="CAFE0001", name="Carol"))
    await _until(lambda: _local_list_issue(hass, entry) is not None)
    assert [u["update_type"] for u in listed_box.state.local_list_updates] == [
        "Full",
        "Differential",
        "Full",
    ]
    issue = _local_list_issue(hass, entry)
    assert issue is not None
    assert issue.translation_placeholders == {"charger": "Carport", "answer": "Failed"}
    assert _list(listed_box) == {ALICE: "Accepted", BOB: "Blocked"}

    listed_box.state.configuration["LocalAuthListMaxLength"] = "100"
    await tags.async_add(KnownTag(tag_id="CAFE0002", name="Dan"))
    await _until(lambda: _local_list_issue(hass, entry) is None)
    assert _list(listed_box) == {
        ALICE: "Accepted",
        BOB: "Blocked",
        "CAFE0001": "Accepted",
        "CAFE0002": "Accepted",
    }


async def test_list_not_supported_after_boot_is_a_repair(
    hass: HomeAssistant, entry: MockConfigEntry, listed_box: SimulatedChargePoint
) -> None:
    """A box that took the list at boot and then answers NotSupported: a repair, no more tries."""
    tags = hass.data[DOMAIN].tags
    listed_box.state.configuration["LocalAuthListEnabled"] = "false"
    await tags.async_add(KnownTag(tag_id="CAFE0001", name="Carol"))
    await _until(lambda: _local_list_issue(hass, entry) is not None)
    issue = _local_list_issue(hass, entry)
    assert issue is not None
    assert issue.translation_placeholders["answer"] == "NotSupported"
    updates = len(listed_box.state.local_list_updates)
    assert updates == 3  # the Full at boot, the difference and the whole list again
    await tags.async_add(KnownTag(tag_id="CAFE0002", name="Dan"))
    await hass.async_block_till_done()
    assert len(listed_box.state.local_list_updates) == updates
