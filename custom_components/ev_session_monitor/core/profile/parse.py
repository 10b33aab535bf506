"""Building a WallboxProfile from a parsed profile file, one section at a time."""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import Any

from .fields import (
    control_write,
    modbus_write,
    parse_discovery,
    parse_probe_check,
    parse_variant,
    parse_version,
    split_extra,
    value_spec,
)
from .model import (
    BoxTimeout,
    CurrentLimitControl,
    HttpWrite,
    Keepalive,
    ModbusWrite,
    PhaseSwitch,
    ProfileError,
    ValueSpec,
    Variant,
    WakeUp,
    WallboxProfile,
)
from .schema import (
    CURRENT_LIMIT_EXTRA,
    FAILSAFE_EXTRA,
    KEEPALIVE_EXTRA,
    PHASE_SWITCH_EXTRA,
    PROFILE,
    WAKE_UP_EXTRA,
    validate,
)


@dataclass(frozen=True, slots=True)
class _Controls:
    """The parsed `controls` section."""

    current_limit: CurrentLimitControl | None = None
    enable: ModbusWrite | HttpWrite | None = None
    keepalive: Keepalive | None = None
    failsafe_current: ModbusWrite | None = None
    failsafe_timeout_s: float | None = None
    failsafe_setting: ValueSpec | None = None
    on_start: tuple[ModbusWrite, ...] = ()
    on_first_control: tuple[ModbusWrite | HttpWrite, ...] = ()
    wake_up: WakeUp | None = None
    phase_switch: PhaseSwitch | None = None


def apply_variant(profile: WallboxProfile, variant: Variant) -> WallboxProfile:
    """Return the profile with a variant's overrides (None removes an entry) applied."""
    raw = copy.deepcopy(dict(profile.raw))
    raw.pop("variants", None)  # checked once, when the base profile was loaded
    for key, value in variant.overrides.items():
        if key in ("values", "identity", "controls", "modbus"):
            section = raw.setdefault(key, {})
            for name, spec in value.items():
                if spec is None:
                    section.pop(name, None)
                else:
                    section[name] = spec
        elif value is None:
            raw.pop(key, None)
        else:
            raw[key] = value
    merged = parse_profile(profile.profile_id, raw, f"{profile.profile_id} ({variant.variant_id})")
    return replace(
        merged,
        variants=profile.variants,
        active_variants=(*profile.active_variants, variant.label),
    )


def apply_firmware_variants(profile: WallboxProfile, firmware: str | None) -> WallboxProfile:
    """Apply every variant whose `firmware_below` conditions the firmware meets (HTTP boxes).

    Unknown firmware counts as old: the variant for old firmware is the safe one.
    """
    version = parse_version(firmware)
    for variant in profile.variants:
        if all(
            version is None or version < (condition.firmware_below or ())
            for condition in variant.when
        ):
            profile = apply_variant(profile, variant)
    return profile


def parse_profile(profile_id: str, raw: Any, source: str) -> WallboxProfile:
    """Validate parsed YAML and build a profile; raise ProfileError naming what is wrong."""
    config = validate(PROFILE, raw, source, "")
    _check_token(config, source)
    values = _values(config, source)
    identity = {
        name: value_spec(name, spec, config, source, "identity")
        for name, spec in config["identity"].items()
    }
    controls = _controls(config, source)
    probe = tuple(
        parse_probe_check(item, config, source, f"probe.{index}")
        for index, item in enumerate(config["probe"])
    )
    modbus = config["modbus"]
    forbidden = tuple((item["start"], item["end"]) for item in modbus["forbidden"])
    _check_forbidden(
        [*values.values(), *identity.values(), *(check.spec for check in probe)], forbidden, source
    )
    profile = WallboxProfile(
        profile_id=profile_id,
        name=config["name"],
        manufacturer=config["manufacturer"],
        model=config["model"],
        source=config["source"],
        transport=config["transport"],
        default_port=config["defaults"]["port"],
        default_unit_id=config["defaults"]["unit_id"],
        max_power_w=config["max_power_w"],
        values=values,
        identity=identity,
        max_registers_per_read=modbus["max_registers_per_read"],
        max_gap=modbus["max_gap"],
        one_value_per_read=modbus["one_value_per_read"],
        forbidden=forbidden,
        request_delay_s=modbus["request_delay_ms"] / 1000,
        identity_unit_id=modbus.get("identity_unit_id"),
        endpoints={
            name: (endpoint["path"], endpoint["query"])
            for name, endpoint in config["http"]["endpoints"].items()
        },
        http_auth=config["http"]["auth"],
        token_path=config["http"].get("token_path"),
        endpoint_bodies={
            name: endpoint["body"]
            for name, endpoint in config["http"]["endpoints"].items()
            if "body" in endpoint
        },
        current_limit=controls.current_limit,
        enable=controls.enable,
        keepalive=controls.keepalive,
        failsafe_current=controls.failsafe_current,
        failsafe_timeout_s=controls.failsafe_timeout_s,
        failsafe_setting=controls.failsafe_setting,
        on_start=controls.on_start,
        on_first_control=controls.on_first_control,
        wake_up=controls.wake_up,
        phase_switch=controls.phase_switch,
        finished_ends_session=config["finished_ends_session"],
        requires_authorization=config["requires_authorization"],
        calibrated_meter=(config.get("calibrated_meter") or {}).get("standard"),
        power_from_currents_v=config.get("power_from_currents_v"),
        raw=raw,
        probe=probe,
        discovery=parse_discovery(config["discovery"], source),
    )
    return _with_variants(profile, config, source)


def _check_token(config: dict[str, Any], source: str) -> None:
    if (config["http"]["auth"] == "token") != ("token_path" in config["http"]):
        raise ProfileError(
            source, "field 'http.token_path': required with auth 'token', and only with it"
        )


def _values(config: dict[str, Any], source: str) -> dict[str, ValueSpec]:
    values = {
        name: value_spec(name, spec, config, source, "values")
        for name, spec in config["values"].items()
    }
    if "status" not in values and "plug" not in values and "charging" not in values:
        raise ProfileError(
            source, "field 'values': expected at least one of 'status', 'plug' or 'charging'"
        )
    return values


def _check_forbidden(
    specs: list[ValueSpec], forbidden: tuple[tuple[int, int], ...], source: str
) -> None:
    """No value may read a register range the box must never be asked for."""
    for spec in specs:
        if spec.address is None:
            continue
        for start, end in forbidden:
            if spec.address <= end and spec.end - 1 >= start:
                raise ProfileError(
                    source,
                    f"field 'values.{spec.name}': registers {spec.address}-{spec.end - 1}"
                    f" overlap the forbidden range {start}-{end}",
                )


def _controls(config: dict[str, Any], source: str) -> _Controls:
    controls = config["controls"]
    enable = None
    if "enable" in controls:
        enable = control_write(controls["enable"], config, source, "controls.enable")[0]
    failsafe, timeout_s, setting = _failsafe_current(controls, config, source)
    return _Controls(
        current_limit=_current_limit(controls, config, source),
        enable=enable,
        keepalive=_keepalive(controls, config, source),
        failsafe_current=failsafe,
        failsafe_timeout_s=timeout_s,
        failsafe_setting=setting,
        on_start=tuple(
            modbus_write(item, config, source, f"controls.on_start.{index}")
            for index, item in enumerate(controls.get("on_start", []))
        ),
        on_first_control=tuple(
            control_write(item, config, source, f"controls.on_first_control.{index}")[0]
            for index, item in enumerate(controls.get("on_first_control", []))
        ),
        wake_up=_wake_up(controls, config, source),
        phase_switch=_phase_switch(controls, config, source),
    )


def _current_limit(
    controls: dict[str, Any], config: dict[str, Any], source: str
) -> CurrentLimitControl | None:
    if "current_limit" not in controls:
        return None
    prefix = "controls.current_limit"
    rest, extra = split_extra(controls["current_limit"], CURRENT_LIMIT_EXTRA, source, prefix)
    write, data = control_write(rest, config, source, prefix)
    if "min" not in data or "max" not in data or data["min"] > data["max"]:
        raise ProfileError(
            source, "field 'controls.current_limit': expected 'min' and 'max' in A, min <= max"
        )
    return CurrentLimitControl(
        write=write, min_a=data["min"], max_a=data["max"], refresh_s=extra.get("refresh_s")
    )


def _keepalive(controls: dict[str, Any], config: dict[str, Any], source: str) -> Keepalive | None:
    if "keepalive" not in controls:
        return None
    prefix = "controls.keepalive"
    rest, extra = split_extra(controls["keepalive"], KEEPALIVE_EXTRA, source, prefix)
    write, data = control_write(rest, config, source, prefix)
    if "interval_s" not in data:
        raise ProfileError(source, "field 'controls.keepalive': expected 'interval_s'")
    if isinstance(write, HttpWrite) and (
        write.value is None or "timeout" in extra or extra["value_is_timeout"]
    ):
        raise ProfileError(
            source,
            "field 'controls.keepalive': an HTTP keepalive sends a fixed 'value'"
            " (the box's timeout is read over Modbus only)",
        )
    timeout = None
    if "timeout" in extra:
        timeout = BoxTimeout(
            spec=value_spec("timeout", extra["timeout"], config, source, f"{prefix}.timeout"),
            fraction=extra["timeout_fraction"],
            min_interval_s=extra["min_interval_s"],
            when_zero=extra["when_timeout_zero"],
        )
    return Keepalive(
        write=write,
        interval_s=data["interval_s"],
        timeout=timeout,
        value_is_timeout=extra["value_is_timeout"],
    )


def _failsafe_current(
    controls: dict[str, Any], config: dict[str, Any], source: str
) -> tuple[ModbusWrite | None, float | None, ValueSpec | None]:
    """The failsafe current written, the timeout that turns it on, or the setting only read."""
    if "failsafe_current" not in controls:
        return None, None, None
    prefix = "controls.failsafe_current"
    if config["transport"] != "modbus" or not isinstance(controls["failsafe_current"], dict):
        raise ProfileError(source, f"field '{prefix}': expected a Modbus register")
    rest, extra = split_extra(controls["failsafe_current"], FAILSAFE_EXTRA, source, prefix)
    if extra["read_only"]:
        # The box falls back to this current by itself (Alfen: when our setpoint expires).
        if "timeout_s" in extra:
            raise ProfileError(
                source, f"field '{prefix}.timeout_s': a read-only failsafe current sets nothing"
            )
        return None, None, value_spec("failsafe_current", rest, config, source, "controls")
    if "keepalive" not in controls:
        # The box falls back to this current only when a watchdog we feed runs out.
        raise ProfileError(source, f"field '{prefix}': needs 'controls.keepalive' (the watchdog)")
    keepalive = controls["keepalive"]
    if "timeout_s" in extra and not (
        isinstance(keepalive, dict)
        and keepalive.get("value_is_timeout")
        and keepalive.get("when_timeout_zero") == "none"
    ):
        raise ProfileError(
            source,
            f"field '{prefix}.timeout_s': needs a keepalive that writes the timeout"
            " ('value_is_timeout: true', 'when_timeout_zero: none')",
        )
    return modbus_write(rest, config, source, prefix), extra.get("timeout_s"), None


def _wake_up(controls: dict[str, Any], config: dict[str, Any], source: str) -> WakeUp | None:
    if "wake_up" not in controls:
        return None
    prefix = "controls.wake_up"
    rest, extra = split_extra(controls["wake_up"], WAKE_UP_EXTRA, source, prefix)
    write = modbus_write(rest, config, source, prefix)
    lock = ValueSpec(name="lock", address=write.address, data_type=write.data_type)
    return WakeUp(write=write, lock=lock, fault_status=extra["fault_status"])


def _phase_switch(
    controls: dict[str, Any], config: dict[str, Any], source: str
) -> PhaseSwitch | None:
    if "phase_switch" not in controls:
        return None
    prefix = "controls.phase_switch"
    rest, extra = split_extra(controls["phase_switch"], PHASE_SWITCH_EXTRA, source, prefix)
    state = None
    if "state" in extra:
        state = value_spec("phases", extra["state"], config, source, f"{prefix}.state")
        if not state.value_map or set(state.value_map.values()) - {1, 3}:
            raise ProfileError(
                source, f"field '{prefix}.state.map': expected raw values mapped to 1 or 3"
            )
    if config["transport"] == "http" and extra["pause_s"]:
        # HTTP boxes in our profiles pause around a switch themselves (go-e).
        raise ProfileError(source, f"field '{prefix}.pause_s': only Modbus profiles pause")
    trigger = None
    if "trigger" in extra:
        trigger = modbus_write(extra["trigger"], config, source, f"{prefix}.trigger")
    return PhaseSwitch(
        write=control_write(rest, config, source, prefix)[0],
        one_phase=extra["one_phase"],
        three_phase=extra["three_phase"],
        trigger=trigger,
        state=state,
        pause_s=extra["pause_s"],
    )


def _with_variants(profile: WallboxProfile, config: dict[str, Any], source: str) -> WallboxProfile:
    """Attach the profile's variants, each checked to give a usable profile."""
    if not config["variants"]:
        return profile
    variants = tuple(
        parse_variant(item, config, source, f"variants.{index}")
        for index, item in enumerate(config["variants"])
    )
    if config["transport"] == "http" and any(
        condition.firmware_below is None for variant in variants for condition in variant.when
    ):
        # An HTTP box is told apart by the firmware its identity reports, nothing else.
        raise ProfileError(
            source, "field 'variants': HTTP profiles choose variants by 'firmware_below' only"
        )
    for variant in variants:
        try:
            apply_variant(profile, variant)
        except ProfileError as err:
            raise ProfileError(source, f"variant '{variant.variant_id}': {err.detail}") from None
    return replace(profile, variants=variants)
