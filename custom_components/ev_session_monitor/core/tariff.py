"""Electricity prices: read a price from a value and its unit, in currency per kWh."""

from __future__ import annotations

import math
import re

from .numbers import finite_or_none

# Units price sensors use, as a factor to "per kWh" and whether the amount is in cents.
_ENERGY_FACTORS = {"kwh": 1.0, "mwh": 0.001, "wh": 1000.0}
_CENT_PREFIXES = {"ct", "cent", "cents", "c", "öre", "ore", "øre", "p", "pence", "rappen", "rp"}
_UNIT_RE = re.compile(r"^\s*(?P<money>[^/\s]+)\s*/\s*(?P<energy>[kKmM]?[wW][hH])\s*$")


class PriceError(ValueError):
    """A price that cannot be used (not a number, negative nonsense, unknown unit)."""


def price_per_kwh(value: str | float, unit: str | None) -> tuple[float, str | None]:
    """Return (price per kWh in the main currency unit, currency or None for plain numbers).

    `unit` is like "EUR/kWh", "€/MWh", "ct/kWh" or "SEK/kWh"; None means the value is already
    in the main currency unit per kWh.
    """
    try:
        amount = float(value)
    except (TypeError, ValueError):
        raise PriceError(f"price {value!r} is not a number") from None
    if not math.isfinite(amount):
        raise PriceError(f"price {value!r} is not a number")
    if unit is None or not unit.strip():
        return amount, None
    match = _UNIT_RE.match(unit)
    if match is None:
        raise PriceError(f"unit {unit!r} is not a price per energy (expected e.g. EUR/kWh)")
    money = match["money"]
    amount *= _ENERGY_FACTORS[match["energy"].lower()]
    if money.lower() in _CENT_PREFIXES:
        return amount / 100, None
    return amount, money


def price_in_force(
    *,
    tag_price: float | None,
    source: str | None,
    fixed_price: float | None,
    sensor_price: tuple[str, str | None] | None,
    currency: str,
) -> tuple[float | None, str]:
    """The price per kWh in force and its currency.

    A card's own price wins over the wallbox's; then the wallbox's source: "fixed" (the fixed
    price), "sensor" (`sensor_price` as (state, unit), None while the sensor has no value) or
    none. Raises PriceError for a sensor value that is not a price.
    """
    if tag_price is not None:
        return tag_price, currency
    if source == "fixed":
        # NaN saved by an older release: unpriced (counted as such), not a NaN total.
        return finite_or_none(fixed_price or 0.0), currency
    if source == "sensor" and sensor_price is not None:
        price, unit_currency = price_per_kwh(*sensor_price)
        return price, unit_currency or currency
    return None, currency
