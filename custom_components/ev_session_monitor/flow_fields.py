"""Form fields and input checks shared by the config flow and the options flow."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import CONF_NAME
from homeassistant.helpers import selector

from .core.numbers import is_finite_number
from .core.tags import InvalidTagNameError, validate_tag_name


def number_field(
    minimum: float, maximum: float, *, step: float = 1, unit: str | None = None
) -> selector.NumberSelector:
    """A number typed in a box (a slider hides the value), with its unit."""
    config = selector.NumberSelectorConfig(
        min=minimum, max=maximum, step=step, mode=selector.NumberSelectorMode.BOX
    )
    if unit is not None:
        config["unit_of_measurement"] = unit
    return selector.NumberSelector(config)


def whole_numbers(
    user_input: dict[str, Any], keys: tuple[str, ...], errors: dict[str, str]
) -> dict[str, Any]:
    """Return the input with these fields as int; 1.5 for a port is an error, never 1."""
    cleaned = dict(user_input)
    for key in keys:
        value = cleaned.get(key)
        if value is None:
            continue
        if isinstance(value, float) and value.is_integer():
            cleaned[key] = int(value)
        elif not isinstance(value, int) or isinstance(value, bool):
            errors[key] = "whole_number"
    return cleaned


def finite_numbers(
    user_input: Mapping[str, Any], keys: tuple[str, ...], errors: dict[str, str]
) -> None:
    """Flag NaN and infinity: the number selectors' range checks let NaN through."""
    for key in keys:
        value = user_input.get(key)
        if value is not None and not is_finite_number(value):
            errors[key] = "not_a_number"


def check_name(user_input: dict[str, Any], errors: dict[str, str]) -> None:
    """Bound the wallbox name as card names are: it becomes entity ids, states and events."""
    try:
        user_input[CONF_NAME] = validate_tag_name(str(user_input.get(CONF_NAME, "")))
    except InvalidTagNameError:
        errors[CONF_NAME] = "invalid_name"
