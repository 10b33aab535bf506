"""Profile files: clear errors naming file, field and expectation; one bad file harms no other."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from custom_components.ev_session_monitor.core.model import ChargerStatus
from custom_components.ev_session_monitor.core.profile import (
    BUILTIN_PROFILE_DIR,
    ProfileError,
    apply_variant,
    load_profile_file,
    load_profiles,
    parse_profile,
    parse_version,
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
        (
            variant(
                controls={
                    "current_limit": {
                        "address": 9,
                        "type": "uint32",
                        "function": 6,
                        "min": 6,
                        "max": 16,
                    }
                }
            ),
            "function code 6 writes one register",
        ),
        (
            variant(
                controls={
                    "current_limit": {
                        "address": 1012,
                        "type": "float32",
                        "also": [1013, 1016],
                        "min": 6,
                        "max": 32,
                    }
                }
            ),
            "field 'controls.current_limit.also': the registers written overlap",
        ),
        (
            variant(controls={"current_limit": {"address": 9, "also": [9], "min": 6, "max": 16}}),
            "the registers written overlap",
        ),
        (
            variant(
                controls={"current_limit": {"address": 9, "also": [70000], "min": 6, "max": 16}}
            ),
            "field 'controls.current_limit.also",
        ),
        (
            variant(values__tag={"address": 10, "type": "string", "count": 2, "terms": 2}),
            "only numbers can be summed",
        ),
        (
            variant(variants=[{"id": "x", "label": "X", "when": [{"min": 1}]}]),
            "expected either 'read' or 'firmware_below'",
        ),
        (
            variant(variants=[{"id": "x", "label": "X", "when": [{"read": {"address": 4}}]}]),
            "expected 'min', 'max' or 'fails: true'",
        ),
        (
            variant(
                variants=[
                    {
                        "id": "x",
                        "label": "X",
                        "when": [{"firmware_below": "1.0"}],
                        "values": {"power": {"address": 1, "type": "uint32", "count": 3}},
                    }
                ]
            ),
            "spans 2 registers",
        ),
        (
            variant(
                controls={
                    "phase_switch": {
                        "address": 5,
                        "one_phase": 0,
                        "three_phase": 1,
                        "state": {"address": 6, "map": {0: 2}},
                    }
                }
            ),
            "expected raw values mapped to 1 or 3",
        ),
        (
            variant(
                transport="http",
                http={"endpoints": {"s": {"path": "/s"}}},
                values={"status": {"endpoint": "s", "path": "x", "map": {1: "idle"}}},
                controls={"on_start": [{"path": "/x", "param": "y"}]},
            ),
            "expected a Modbus register",
        ),
        (
            variant(
                transport="http",
                http={"endpoints": {"s": {"path": "/s"}}},
                values={"status": {"endpoint": "s", "path": "x", "map": {1: "idle"}}},
                variants=[
                    {
                        "id": "x",
                        "label": "X",
                        "when": [{"read": {"endpoint": "s", "path": "v"}, "min": 1}],
                    }
                ],
            ),
            "HTTP profiles choose variants by 'firmware_below' only",
        ),
        (
            variant(
                transport="http",
                http={"endpoints": {"s": {"path": "/s"}}},
                values={"status": {"endpoint": "s", "path": "x", "map": {1: "idle"}}},
                controls={"keepalive": {"path": "/h", "param": "beat", "interval_s": 30}},
            ),
            "an HTTP keepalive sends a fixed 'value'",
        ),
        (
            variant(controls={"keepalive": {"address": 9}}),
            "expected 'interval_s'",
        ),
        (
            variant(controls={"failsafe_current": {"address": 2000}}),
            "needs 'controls.keepalive' (the watchdog)",
        ),
        (
            # Read only (set on the box, Alfen): nothing to turn on with a timeout.
            variant(
                controls={
                    "failsafe_current": {
                        "address": 12,
                        "type": "float32",
                        "read_only": True,
                        "timeout_s": 60,
                    }
                }
            ),
            "a read-only failsafe current sets nothing",
        ),
        (
            # A timeout to turn the failsafe on needs a keepalive that writes it (KEBA 5018).
            variant(
                controls={
                    "keepalive": {"address": 6000, "value": 1, "interval_s": 10},
                    "failsafe_current": {"address": 2000, "timeout_s": 60},
                }
            ),
            "needs a keepalive that writes the timeout",
        ),
        (
            variant(
                transport="http",
                http={"auth": "token", "endpoints": {"s": {"path": "/s"}}},
                values={"status": {"endpoint": "s", "path": "x", "map": {1: "idle"}}},
            ),
            "required with auth 'token', and only with it",
        ),
        (
            variant(
                transport="http",
                http={"endpoints": {"s": {"path": "/s"}}},
                values={"status": {"endpoint": "s", "path": "x", "map": {1: "idle"}}},
                controls={"enable": {"path": "/x", "method": "PUT"}},
            ),
            "expected 'param' or 'body'",
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


# --- loading user files safely (issue 11 item 13) ------------------------------------------


def alias_bomb(levels: int) -> str:
    """The billion-laughs pattern in YAML: each level repeats the previous one ten times."""
    lines = [f"laugh0: &laugh0 [{', '.join(['lololol'] * 10)}]"]
    for level in range(1, levels):
        refs = ", ".join([f"*laugh{level - 1}"] * 10)
        lines.append(f"laugh{level}: &laugh{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_rejected_with_a_short_message(tmp_path: Path) -> None:
    text = alias_bomb(9)  # 10**9 strings once expanded
    assert len(text.encode()) < 1400
    path = tmp_path / "bomb.yaml"
    path.write_text(text)
    catalog = load_profiles(tmp_path)  # did not finish in 100 s before
    error = catalog.errors[str(path)]
    assert "aliases are expanded" in error.detail
    assert len(str(error)) < 400


def test_recursive_alias_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("a: &a [*a]\n")
    with pytest.raises(ProfileError, match="contains it"):
        load_profile_file(path)


def test_deep_nesting_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("[" * 100 + "]" * 100 + "\n")
    with pytest.raises(ProfileError, match="nested deeper than"):
        load_profile_file(path)
    path.write_text("[" * 50_000 + "]" * 50_000 + "\n")
    with pytest.raises(ProfileError, match="nested"):
        load_profile_file(path)


def test_large_file_is_rejected_by_size_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("w") as handle:
        line = "# " + "x" * 1022 + "\n"
        for _ in range(60 * 1024):  # 60 MiB
            handle.write(line)
    with pytest.raises(ProfileError, match="larger than 256 KiB"):
        load_profile_file(path)


def test_error_texts_are_capped() -> None:
    """A value quoted in a validation message cannot make the log line or repair text huge."""
    data = variant(name=["x" * 100_000])
    with pytest.raises(ProfileError) as err:
        parse_profile("bad", data, "bad.yaml")
    assert len(err.value.detail) <= 300
    assert len(str(err.value)) <= 300 + len("bad.yaml: ")


def test_anchors_within_bounds_still_load(tmp_path: Path) -> None:
    """Anchors and aliases are legitimate YAML: a profile may reuse a map."""
    path = tmp_path / "anchored.yaml"
    path.write_text(
        "name: Test\nmanufacturer: Test\nmodel: T\nsource: test\ntransport: modbus\n"
        "defaults: {port: 502, unit_id: 1}\n"
        "values:\n"
        "  status: {address: 0, map: &states {0: idle, 1: charging}}\n"
        "  power: {address: 1, type: uint32, unit: W}\n"
        "status_copy: *states\n"
    )
    try:
        profile = load_profile_file(path)
    except ProfileError as err:  # an unknown top-level key is the schema's business
        assert "aliases" not in err.detail and "nested" not in err.detail
    else:
        assert profile.values["status"].address == 0


def test_firmware_versions_compare_as_numbers() -> None:
    assert parse_version("v3.187.0-abc") == (3, 187, 0)
    assert parse_version("3.156.0") > parse_version("3.16.0")  # type: ignore[operator]
    assert parse_version("unknown") is None
    assert parse_version(None) is None


def test_a_variant_replaces_and_removes_entries() -> None:
    data = variant(
        variants=[
            {
                "id": "old",
                "label": "old firmware",
                "model": "T (old)",
                "when": [{"firmware_below": "2.0"}],
                "values": {"power": None, "current_l1": {"address": 7, "scale": 0.1}},
            }
        ]
    )
    profile = parse_profile("t", data, "t.yaml")
    changed = apply_variant(profile, profile.variants[0])
    assert "power" not in changed.values
    assert changed.values["current_l1"].scale == 0.1
    assert changed.model == "T (old)"
    assert changed.active_variants == ("old firmware",)
    assert changed.variants == profile.variants
    assert "power" in profile.values  # the base profile is unchanged


@pytest.mark.parametrize("path", sorted(BUILTIN_PROFILE_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_profile_sources_can_be_opened_by_a_maintainer(path: Path) -> None:
    # A source a maintainer can open: a vendor document or another project's file at a commit,
    # never notes kept outside this repository.
    source = yaml.safe_load(path.read_text())["source"]
    assert "research/" not in source and ".md section" not in source, source


@pytest.mark.parametrize("path", sorted(BUILTIN_PROFILE_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_profile_sources_say_which_firmware_they_were_checked_for(path: Path) -> None:
    # A register map holds for a firmware range; a maintainer answering "my box reads zeros"
    # needs it, or the plain statement that no source names one.
    source = yaml.safe_load(path.read_text())["source"]
    assert re.search(r"firmware|software \d", source, re.IGNORECASE), source


@pytest.mark.parametrize(
    ("field", "yaml_value"), [("scale", ".nan"), ("scale", ".inf"), ("scale", "-.inf")]
)
def test_numbers_that_are_not_numbers_are_refused(field: str, yaml_value: str) -> None:
    """YAML spells NaN and infinity `.nan` and `.inf` (YAML 1.1, section "float"); a NaN scale
    passes every range check and would make every reading NaN."""
    data = variant()
    data["values"]["power"][field] = yaml.safe_load(yaml_value)
    with pytest.raises(ProfileError) as err:
        parse_profile("bad", data, "bad.yaml")
    assert f"field 'values.power.{field}'" in str(err.value)
    assert "finite number" in str(err.value)


def test_every_builtin_profile_is_in_the_model_table() -> None:
    """docs/profiles.md has one row per built-in model (transport, source, firmware, ...)."""
    text = (Path(__file__).parents[2] / "docs" / "profiles.md").read_text()
    table = text.split("## Built-in profiles", 1)[1].split("\n\n### ", 1)[0]
    rows = {
        line.split("|")[1].strip().strip("`")
        for line in table.splitlines()
        if line.startswith("| `")
    }
    assert rows == set(load_profiles(BUILTIN_PROFILE_DIR).profiles)


def test_a_calibrated_meter_is_read_with_its_standard() -> None:
    data = variant()
    data["calibrated_meter"] = {"standard": "MID", "source": "Vendor datasheet v1, section 4"}
    assert parse_profile("good", data, "good.yaml").calibrated_meter == "MID"
    assert parse_profile("plain", variant(), "plain.yaml").calibrated_meter is None


@pytest.mark.parametrize(
    "calibration",
    [{"standard": "PTB"}, {"standard": "MID"}, {"standard": "MID", "source": ""}],
    ids=["unknown standard", "no source", "empty source"],
)
def test_a_calibration_claim_needs_a_known_standard_and_a_source(
    calibration: dict[str, str],
) -> None:
    # A statement filed for reimbursement says "calibrated meter": the claim must name its source.
    data = variant()
    data["calibrated_meter"] = calibration
    with pytest.raises(ProfileError) as err:
        parse_profile("bad", data, "bad.yaml")
    assert "calibrated_meter" in str(err.value)
