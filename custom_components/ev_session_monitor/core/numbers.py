"""Numbers people enter (forms, websocket, actions, profiles): finite, or a clear error.

`float("nan")` passes every range check (each comparison with NaN is false), and one NaN price
turns every total it reaches into NaN; so each entry point checks finiteness before its range.
Plain Python (voluptuous only, as the profile schema); no Home Assistant imports.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import voluptuous as vol

NOT_FINITE = "expected a finite number, not NaN or infinity"


def is_finite_number(value: object) -> bool:
    """Return True for an int or float that is neither NaN nor infinite (bools are not numbers)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def finite_or_none(value: object) -> float | None:
    """A stored number as a float; None for anything else (NaN saved by an older release, say)."""
    return float(value) if is_finite_number(value) else None  # type: ignore[arg-type]


def finite_float(
    minimum: float | None = None, maximum: float | None = None
) -> Callable[[Any], float]:
    """A voluptuous validator: coerce to float, reject NaN and infinity, then check the range."""
    in_range = vol.Range(min=minimum, max=maximum)

    def validate(value: Any) -> float:
        if isinstance(value, bool):
            raise vol.Invalid("expected a number")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise vol.Invalid("expected a number") from None
        if not math.isfinite(number):
            raise vol.Invalid(NOT_FINITE)
        return float(in_range(number))

    return validate
