"""Packaging: manifest, hacs.json, translations complete and used keys present."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import yaml
from awesomeversion import AwesomeVersion

ROOT = Path(__file__).parent.parent
# The oldest Home Assistant the integration runs on (it needs the APIs and Python of 2026.10).
OLDEST_HOME_ASSISTANT = AwesomeVersion("2026.10.0")
INTEGRATION = ROOT / "custom_components" / "ev_session_monitor"


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def test_manifest() -> None:
    manifest = load(INTEGRATION / "manifest.json")
    for key in ("domain", "name", "version", "codeowners", "documentation", "issue_tracker"):
        assert manifest[key]
    assert manifest["domain"] == "ev_session_monitor"
    assert manifest["config_flow"] is True
    assert manifest["iot_class"] == "local_polling"
    assert manifest["integration_type"] == "device"
    # Home Assistant 2026.10 pins pymodbus 3.13.1; the requirement must admit it.
    (requirement,) = [r for r in manifest["requirements"] if r.startswith("pymodbus")]
    assert requirement in ("pymodbus>=3.13.1", "pymodbus==3.13.1")


def hacs_minimum_supported(minimum: str) -> bool:
    """True when hacs.json's minimum keeps HACS from installing on a too old Home Assistant.

    Compared as versions, as HACS compares them (AwesomeVersion): as strings, "2026.2.0" would
    pass for newer than "2026.10.0".
    """
    return AwesomeVersion(minimum) >= OLDEST_HOME_ASSISTANT


def test_hacs_json() -> None:
    hacs = load(ROOT / "hacs.json")
    assert hacs["name"]
    assert hacs_minimum_supported(hacs["homeassistant"])
    assert set(hacs) <= {"name", "homeassistant", "render_readme", "hacs", "country"}


def test_hacs_minimum_is_compared_as_a_version() -> None:
    assert not hacs_minimum_supported("2026.2.0")
    assert not hacs_minimum_supported("2026.9.3")
    assert hacs_minimum_supported("2026.10.0")
    assert hacs_minimum_supported("2027.1.0")


def _keys(tree: dict, prefix: str = "") -> set[str]:
    keys = set()
    for key, value in tree.items():
        path = f"{prefix}.{key}" if prefix else key
        keys.add(path)
        if isinstance(value, dict):
            keys |= _keys(value, path)
    return keys


TRANSLATIONS = load(INTEGRATION / "translations" / "en.json")
KEYS = _keys(TRANSLATIONS)
SOURCES = {path.name: path.read_text() for path in INTEGRATION.glob("*.py")}


def test_every_entity_translation_key_exists() -> None:
    for name, text in SOURCES.items():
        for key in re.findall(r'translation_key="([a-z0-9_]+)"', text):
            if name in (
                "sensor.py",
                "binary_sensor.py",
                "number.py",
                "switch.py",
                "button.py",
                "event.py",
            ):
                platform = name.removesuffix(".py")
                assert f"entity.{platform}.{key}.name" in KEYS, (name, key)


def test_every_exception_and_issue_key_exists() -> None:
    text = "\n".join(SOURCES.values())
    for key in re.findall(r'translation_key="([a-z0-9_]+)"', text):
        assert any(
            f"{section}.{key}" in KEYS
            for section in (
                "exceptions",
                "issues",
                "selector",
                "entity.sensor",
                "entity.binary_sensor",
                "entity.number",
                "entity.select",
                "entity.switch",
                "entity.button",
                "entity.event",
                "entity.calendar",
            )
        ), key
    for reason in ("charging_without_tag", "unknown_tag_attempts"):
        assert f"issues.suspicious_{reason}.title" in KEYS


def test_config_flow_errors_translated() -> None:
    text = SOURCES["config_flow.py"] + SOURCES["options_flow.py"] + SOURCES["site_flow.py"]
    for key in set(
        re.findall(r'"(cannot_connect|invalid_response|invalid_auth|unknown_profile)"', text)
    ):
        assert f"config.error.{key}" in KEYS
    # Every form error set anywhere in the flows is translated for the add or the options flow.
    for key in re.findall(r'errors\[[A-Z_a-z"]+\] = "([a-z_]+)"', text):
        assert f"config.error.{key}" in KEYS or f"options.error.{key}" in KEYS, key
    for key in re.findall(r'async_abort\(reason="([a-z_]+)"\)', text):
        assert f"config.abort.{key}" in KEYS or f"options.abort.{key}" in KEYS, key


def test_every_form_field_has_label_and_description() -> None:
    for flow in ("config", "options"):
        for step, content in TRANSLATIONS[flow]["step"].items():
            for field in content.get("data", {}):
                assert field in content.get("data_description", {}), (flow, step, field)


def test_services_translated_and_iconed() -> None:
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text())
    icons = load(INTEGRATION / "icons.json")
    for service, spec in services.items():
        assert TRANSLATIONS["services"][service]["name"]
        assert service in icons["services"]
        for field in spec.get("fields", {}):
            assert TRANSLATIONS["services"][service]["fields"][field]["description"]


def test_event_types_and_device_triggers_translated() -> None:
    from custom_components.ev_session_monitor.const import EVENT_TYPES

    states = TRANSLATIONS["entity"]["event"]["wallbox_events"]["state_attributes"]["event_type"][
        "state"
    ]
    assert set(states) == set(EVENT_TYPES)
    assert set(TRANSLATIONS["device_automation"]["trigger_type"]) == set(EVENT_TYPES)


def test_quality_scale_covers_every_rule() -> None:
    rules = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text())["rules"]
    assert len(rules) == 54
    for rule, status in rules.items():
        if isinstance(status, dict):
            assert status["status"] in ("exempt", "todo") and status["comment"], rule
        else:
            assert status == "done", rule


# Longer than this, a file holds more than one module (house rule, issue 20).
MAX_LINES = 500


def test_no_python_file_over_500_lines() -> None:
    too_long = {
        path.relative_to(INTEGRATION).as_posix(): lines
        for path in sorted(INTEGRATION.rglob("*.py"))
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert too_long == {}


def test_brand_icon_present() -> None:
    assert (INTEGRATION / "brand" / "icon.png").read_bytes().startswith(b"\x89PNG")


def _local_imports(module: str) -> set[str]:
    """The integration's modules `module` imports at run time (not under TYPE_CHECKING)."""
    tree = ast.parse((INTEGRATION / f"{module.replace('.', '/')}.py").read_text())
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for node in ast.walk(block)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and id(node) not in typing_only:
            found.add(node.module or "__init__")
    return found


def test_config_flow_does_not_load_the_integration() -> None:
    # Loading the add or options form must not set up the whole integration (issue 20).
    seen: set[str] = set()
    waiting = ["config_flow"]
    while waiting:
        module = waiting.pop()
        if module in seen:
            continue
        seen.add(module)
        waiting.extend(m for m in _local_imports(module) if not m.startswith("core"))
    assert "__init__" not in seen
    assert "coordinator" not in seen
    assert "options_flow" in seen


def _top_level_modules() -> list[str]:
    return sorted(path.stem for path in INTEGRATION.glob("*.py"))


def test_no_import_cycle_between_the_glue_modules() -> None:
    # __init__ -> panel -> views -> websocket_api -> services was a chain through the access
    # rules (issue 20); every rule now lives in access.py, which the others import.
    graph = {
        module: _local_imports(module) & set(_top_level_modules())
        for module in _top_level_modules()
    }
    graph["__init__"] = _local_imports("__init__") & set(_top_level_modules())

    def reaches(start: str, goal: str) -> bool:
        seen, waiting = set(), list(graph.get(start, ()))
        while waiting:
            module = waiting.pop()
            if module == goal:
                return True
            if module not in seen:
                seen.add(module)
                waiting.extend(graph.get(module, ()))
        return False

    cyclic = [module for module in graph if reaches(module, module)]
    assert cyclic == []
    for user in ("services", "websocket_api", "views"):
        assert "access" in graph[user], user


def test_access_rules_live_in_one_module() -> None:
    defined = {
        module: {
            node.name
            for node in ast.walk(ast.parse((INTEGRATION / f"{module}.py").read_text()))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        }
        for module in _top_level_modules()
    }
    rules = {"SessionFilter", "session_filter", "scoped_filter", "visible_tags", "persons_of"}
    for module, names in defined.items():
        if module != "access":
            assert not names & rules, module
    assert rules <= defined["access"]
    assert "UnknownCardLog" in defined["storage"]


def test_services_import_nothing_inside_functions() -> None:
    tree = ast.parse((INTEGRATION / "services.py").read_text())
    local = [
        ast.unparse(node)
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(function)
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]
    assert local == []
