"""Parsing one entry of a profile: a value, a register write, a condition, a probe check."""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

import voluptuous as vol

from ..decode import TYPE_REGISTERS
from .model import (
    STATUS_VALUES,
    VALUE_UNITS,
    Condition,
    DhcpMatcher,
    DiscoveryMatchers,
    HttpWrite,
    ListMatch,
    ModbusWrite,
    PathStep,
    ProbeCheck,
    ProfileError,
    ValueSpec,
    Variant,
)
from .schema import (
    CONDITION,
    DHCP_MATCHER,
    DISCOVERY,
    HTTP_VALUE,
    HTTP_WRITE,
    MODBUS_VALUE,
    MODBUS_WRITE,
    PROBE_CHECK,
    VARIANT,
    validate,
)

_PATH_STEP = re.compile(r"\[([^=\]]+)=([^\]]*)\]|[^.\[\]]+")


def parse_path(text: str) -> tuple[PathStep, ...]:
    """'a.0.[channelId=X.Y].value' -> ('a', 0, ListMatch('channelId', 'X.Y'), 'value')."""
    steps: list[PathStep] = []
    for match in _PATH_STEP.finditer(text):
        if match.group(1) is not None:
            steps.append(ListMatch(match.group(1), match.group(2)))
        else:
            part = match.group()
            steps.append(int(part) if part.isdigit() else part)
    return tuple(steps)


def value_spec(
    name: str, raw: dict[str, Any], config: dict[str, Any], source: str, section: str
) -> ValueSpec:
    """Parse one value or identity entry for the transport; check its unit and map."""
    prefix = f"{section}.{name}"
    if config["transport"] == "http":
        data = validate(HTTP_VALUE, raw, source, prefix)
        if data["endpoint"] not in config["http"]["endpoints"]:
            raise ProfileError(
                source,
                f"field '{prefix}.endpoint': unknown endpoint '{data['endpoint']}',"
                f" expected one of {sorted(config['http']['endpoints'])}",
            )
        spec = ValueSpec(
            name=name,
            endpoint=data["endpoint"],
            path=parse_path(data["path"]),
            scale=data["scale"],
            value_map=data.get("map"),
            number_in_text=data["number_in_text"],
        )
    else:
        data = validate(MODBUS_VALUE, raw, source, prefix)
        data_type = data["type"]
        terms = data["terms"]
        if data_type in TYPE_REGISTERS:
            count = data.get("count", TYPE_REGISTERS[data_type] * terms)
            if count != TYPE_REGISTERS[data_type] * terms:
                what = data_type if terms == 1 else f"{terms} x {data_type}"
                raise ProfileError(
                    source,
                    f"field '{prefix}.count': {what} spans"
                    f" {TYPE_REGISTERS[data_type] * terms} registers, not {count}",
                )
        elif "count" not in data:
            raise ProfileError(source, f"field '{prefix}.count': required for type {data_type}")
        elif terms != 1:
            raise ProfileError(source, f"field '{prefix}.terms': only numbers can be summed")
        else:
            count = data["count"]
        sentinels = data.get("sentinels", config["modbus"]["sentinels"].get(data_type, []))
        spec = ValueSpec(
            name=name,
            address=data["address"],
            count=count,
            table=data["table"],
            data_type=data_type,
            word_order=data["word_order"],
            byte_order=data["byte_order"],
            chars_per_register=data["chars_per_register"],
            as_hex=data["as_hex"],
            shift=data["shift"],
            mask=data.get("mask"),
            sentinels=frozenset(sentinels),
            terms=terms,
            text_format=data["format"],
            stuck_at_zero_fallback=data["stuck_at_zero_fallback"],
            scale=data["scale"],
            value_map=data.get("map"),
        )
    expected_unit = VALUE_UNITS.get(name)
    if "unit" in data and data["unit"] != expected_unit:
        raise ProfileError(
            source,
            f"field '{prefix}.unit': expected '{expected_unit}' (set 'scale' to convert),"
            f" got '{data['unit']}'",
        )
    if name == "status":
        mapping = spec.value_map or {}
        bad = sorted(str(v) for v in mapping.values() if v not in STATUS_VALUES)
        if not mapping or bad:
            raise ProfileError(
                source,
                f"field '{prefix}.map': expected raw codes mapped to one of {STATUS_VALUES},"
                f" got {bad or 'no map'}",
            )
    if name in ("plug", "charging", "enabled"):
        bool_map = spec.value_map
        if bool_map is not None and any(not isinstance(v, bool) for v in bool_map.values()):
            raise ProfileError(
                source, f"field '{prefix}.map': expected raw values mapped to true/false"
            )
    return spec


def _yaml_on_off(raw: dict[Any, Any]) -> dict[Any, Any]:
    """YAML 1.1 reads bare `on:` / `off:` keys as booleans; take them as meant."""
    names = {True: "on", False: "off"}
    return {names[key] if isinstance(key, bool) else key: value for key, value in raw.items()}


def control_write(
    raw: dict[str, Any], config: dict[str, Any], source: str, prefix: str
) -> tuple[ModbusWrite | HttpWrite, dict[str, Any]]:
    """Parse a register or HTTP write; also return the validated keys (min, max, interval_s)."""
    raw = _yaml_on_off(raw)
    if config["transport"] == "http":
        data = validate(HTTP_WRITE, raw, source, prefix)
        if not data["param"] and "body" not in data:
            raise ProfileError(source, f"field '{prefix}': expected 'param' or 'body'")
        return HttpWrite(
            path=data["path"],
            method=data["method"],
            param=data["param"],
            on=data["on"],
            off=data["off"],
            merge=data["merge"],
            encoding=data["encoding"],
            decimals=data.get("decimals"),
            value=data.get("value"),
            scale=data["scale"],
            as_text=data["as_text"],
            expect=next(
                ((parse_path(key), value) for key, value in data.get("expect", {}).items()), None
            ),
            body=data.get("body"),
        ), data
    data = validate(MODBUS_WRITE, raw, source, prefix)
    if data["function"] in (5, 6) and TYPE_REGISTERS[data["type"]] != 1:
        raise ProfileError(
            source,
            f"field '{prefix}.function': function code {data['function']} writes one"
            f" register or coil, {data['type']} needs {TYPE_REGISTERS[data['type']]}",
        )
    size = TYPE_REGISTERS[data["type"]]
    targets = sorted([data["address"], *data["also"]])
    if any(b - a < size for a, b in pairwise(targets)):
        raise ProfileError(
            source, f"field '{prefix}.also': the registers written overlap ({size} each)"
        )
    return ModbusWrite(
        address=data["address"],
        data_type=data["type"],
        word_order=data["word_order"],
        scale=data["scale"],
        on=data["on"],
        off=data["off"],
        value=data["value"],
        function=data["function"],
        also=tuple(data["also"]),
    ), data


def split_extra(
    raw: dict[str, Any], extra: vol.Schema, source: str, prefix: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Separate a control's own keys (validated by `extra`) from its register keys."""
    raw = _yaml_on_off(raw)
    keys = {str(key.schema) for key in extra.schema}
    own = {key: value for key, value in raw.items() if key in keys}
    rest = {key: value for key, value in raw.items() if key not in keys}
    return rest, validate(extra, own, source, prefix)


def modbus_write(raw: Any, config: dict[str, Any], source: str, prefix: str) -> ModbusWrite:
    """Parse a write that must be a Modbus register whatever the transport."""
    if config["transport"] != "modbus" or not isinstance(raw, dict):
        raise ProfileError(source, f"field '{prefix}': expected a Modbus register")
    write, _ = control_write(raw, config, source, prefix)
    assert isinstance(write, ModbusWrite)
    return write


def parse_version(text: str | None) -> tuple[int, ...] | None:
    """'v3.187.0-abc' -> (3, 187, 0); None when there is no version number in the text."""
    if not text:
        return None
    match = re.search(r"\d+(?:\.\d+)*", text)
    return tuple(int(part) for part in match.group().split(".")) if match else None


def parse_condition(
    raw: dict[str, Any], config: dict[str, Any], source: str, prefix: str
) -> Condition:
    """Parse one test of a variant's `when` list."""
    data = validate(CONDITION, raw, source, prefix)
    if ("read" in data) == ("firmware_below" in data):
        raise ProfileError(source, f"field '{prefix}': expected either 'read' or 'firmware_below'")
    if "firmware_below" in data:
        return Condition(firmware_below=parse_version(data["firmware_below"]))
    spec = value_spec("probe", data["read"], config, source, f"{prefix}.read")
    if not data["fails"] and "min" not in data and "max" not in data:
        raise ProfileError(source, f"field '{prefix}': expected 'min', 'max' or 'fails: true'")
    return Condition(
        spec=spec, fails=data["fails"], minimum=data.get("min"), maximum=data.get("max")
    )


def parse_probe_check(
    raw: dict[str, Any], config: dict[str, Any], source: str, prefix: str
) -> ProbeCheck:
    """Parse one identification read of the `probe` list."""
    data = validate(PROBE_CHECK, raw, source, prefix)
    if config["transport"] != "modbus":
        raise ProfileError(source, f"field '{prefix}': only Modbus profiles are probed")
    if "min" not in data and "max" not in data and "match" not in data:
        raise ProfileError(source, f"field '{prefix}': expected 'min', 'max' or 'match'")
    if "match" in data:
        try:
            re.compile(data["match"])
        except re.error as err:
            raise ProfileError(source, f"field '{prefix}.match': {err}") from None
    return ProbeCheck(
        spec=value_spec("probe", data["read"], config, source, f"{prefix}.read"),
        unit_id=data.get("unit_id"),
        minimum=data.get("min"),
        maximum=data.get("max"),
        pattern=data.get("match"),
    )


def parse_discovery(raw: dict[str, Any], source: str) -> DiscoveryMatchers:
    """Parse the zeroconf and DHCP matchers."""
    data = validate(DISCOVERY, raw, source, "discovery")
    dhcp: list[DhcpMatcher] = []
    for index, item in enumerate(data["dhcp"]):
        matcher = validate(DHCP_MATCHER, item, source, f"discovery.dhcp.{index}")
        if not matcher:
            raise ProfileError(
                source, f"field 'discovery.dhcp.{index}': expected 'hostname' or 'macaddress'"
            )
        dhcp.append(DhcpMatcher(matcher.get("hostname"), matcher.get("macaddress")))
    return DiscoveryMatchers(zeroconf=tuple(data["zeroconf"]), dhcp=tuple(dhcp))


def parse_variant(raw: dict[str, Any], config: dict[str, Any], source: str, prefix: str) -> Variant:
    """Parse a variant: its conditions, and its overrides kept raw until applied."""
    data = validate(VARIANT, raw, source, prefix)
    when = tuple(
        parse_condition(item, config, source, f"{prefix}.when.{index}")
        for index, item in enumerate(data["when"])
    )
    overrides = {key: value for key, value in data.items() if key not in ("id", "label", "when")}
    return Variant(variant_id=data["id"], label=data["label"], when=when, overrides=overrides)
