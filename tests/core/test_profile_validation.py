"""Profile files: clear errors naming file, field and expectation; one bad file harms no other."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from custom_components.ev_session_monitor.core.model import ChargerStatus
from custom_components.ev_session_monitor.core.profile import (
    BUILTIN_PROFILE_DIR,
    ProfileError,
    load_profile_file,
    load_profiles,
    parse_profile,
)
from custom_components.ev_session_monitor.core.reading import map_raw, reading_from_raw

BASE: dict[str, Any] = {
    "name": "Test",
    "manufacturer": "Test",
    "model": "T",
    "source": "test",
    "transport": "modbus",
    "defaults": {"port": 502, "unit_id": 1},
    "values": {
        "status": {"address": 0, "map": {0: "idle", 1: "charging"}},
        "power": {"address": 1, "type": "uint32", "unit": "W"},
    },
}


def variant(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for dotted, value in changes.items():
        node = data
        *path, last = dotted.split("__")
        for key in path:
            node = node.setdefault(key, {})
        node[last] = value
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (variant(transport="carrier-pigeon"), "field 'transport'"),
        (variant(values__power={"address": 1, "type": "uint32", "count": 3}), "spans 2 registers"),
        (variant(values__tag={"address": 10, "type": "string"}), "required for type string"),
        (variant(values__power={"address": 1, "type": "uint32", "unit": "kW"}), "expected 'W'"),
        (
            variant(values__status={"address": 0, "map": {0: "sleeping"}}),
            "field 'values.status.map'",
        ),
        (variant(values__status={"address": 0}), "got no map"),
        (variant(values__plug={"address": 5, "map": {0: "no"}}), "true/false"),
        (variant(values={"power": {"address": 1}}), "at least one of 'status'"),
        (variant(modbus={"forbidden": [{"start": 0, "end": 3}]}), "overlap the forbidden range"),
        (variant(controls={"current_limit": {"address": 9}}), "expected 'min' and 'max'"),
        (variant(controls={"keepalive": {"address": 9}}), "'interval_s'"),
        (
            variant(
                transport="http",
                http={"endpoints": {"s": {"path": "/s"}}},
                values={"status": {"endpoint": "t", "path": "x", "map": {1: "idle"}}},
            ),
            "unknown endpoint 't'",
        ),
    ],
)
def test_errors_name_field_and_expectation(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ProfileError) as err:
        parse_profile("bad", data, "bad.yaml")
    assert str(err.value).startswith("bad.yaml: ")
    assert message in str(err.value)


def test_user_directory_adds_models_and_isolates_broken_files(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(yaml.safe_dump(variant(name="Mine")))
    (tmp_path / "broken.yaml").write_text("name: [unclosed")
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "webasto_next.yaml").write_text(yaml.safe_dump(variant()))
    catalog = load_profiles(BUILTIN_PROFILE_DIR, tmp_path, tmp_path / "missing")
    assert catalog.profiles["mine"].name == "Mine"
    assert "webasto_next" in catalog.profiles  # the built-in one stays
    errors = {Path(path).name: str(error) for path, error in catalog.errors.items()}
    assert "not valid YAML" in errors["broken.yaml"]
    assert "empty.yaml" in errors
    assert "already exists" in errors["webasto_next.yaml"]
    with pytest.raises(ProfileError, match="cannot read"):
        load_profile_file(tmp_path / "nope.yaml")


def test_capabilities_follow_the_profile() -> None:
    profile = parse_profile("t", variant(), "t.yaml")
    assert {cap.value for cap in profile.capabilities} == {"power"}


def test_reading_rules() -> None:
    data = variant(
        values={
            "plug": {"address": 0, "map": {0: False, 1: True}},
            "charging": {"address": 1, "map": {0: False, 1: True}},
            "current_l1": {"address": 2, "scale": 0.1},
            "voltage_l1": {"address": 3},
            "current_l2": {"address": 4, "scale": 0.1},
            "voltage_l2": {"address": 5},
            "error_code": {"address": 6},
        }
    )
    profile = parse_profile("t", data, "t.yaml")
    charging = reading_from_raw(
        profile,
        {
            "plug": 1,
            "charging": 1,
            "current_l1": 100,
            "voltage_l1": 230,
            "current_l2": 100,
            "voltage_l2": None,
            "error_code": 3,
        },
    )
    # No power value: V x I over the phases that report both.
    assert charging.power_w == 2300
    assert charging.status is ChargerStatus.CHARGING
    assert charging.error_code == 3
    connected = reading_from_raw(profile, {"plug": 1, "charging": 0})
    assert connected.status is ChargerStatus.CONNECTED
    assert connected.power_w is None
    unplugged = reading_from_raw(profile, {"plug": 0, "charging": 0})
    assert unplugged.status is ChargerStatus.IDLE
    # Unknown codes become "unknown", never a crash.
    assert reading_from_raw(profile, {"plug": 7}).status is None


def test_map_lookup_accepts_json_spellings() -> None:
    assert map_raw({1: "idle"}, 1.0) == "idle"
    assert map_raw({"A": "idle"}, "A") == "idle"
    assert map_raw({"1": "idle"}, 1) == "idle"
    assert map_raw({1: "idle"}, 2) is None


def test_documented_examples_validate() -> None:
    text = (Path(__file__).parents[2] / "docs" / "profiles.md").read_text()
    examples = [
        block.split("```", 1)[0]
        for block in text.split("```yaml\n")[1:]
        if block.startswith("name: My")
    ]
    assert len(examples) == 2
    for example in examples:
        profile = parse_profile("example", yaml.safe_load(example), "example.yaml")
        assert profile.values["power"]
