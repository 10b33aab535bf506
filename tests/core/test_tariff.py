"""Prices from fixed values and price sensors in any common unit."""

from __future__ import annotations

import pytest

from custom_components.ev_session_monitor.core.tariff import PriceError, price_per_kwh


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        ("0.31", "EUR/kWh", (0.31, "EUR")),
        ("31", "ct/kWh", (0.31, None)),
        ("310", "EUR/MWh", (0.31, "EUR")),
        ("-0.02", "SEK/kWh", (-0.02, "SEK")),  # negative prices exist on dynamic tariffs
        ("0.0003", "€/Wh", (0.3, "€")),
        (0.25, None, (0.25, None)),
        ("28.5", "öre/kWh", (0.285, None)),
    ],
)
def test_units(value: str, unit: str | None, expected: tuple[float, str | None]) -> None:
    price, currency = price_per_kwh(value, unit)
    assert price == pytest.approx(expected[0])
    assert currency == expected[1]


@pytest.mark.parametrize(
    ("value", "unit"), [("unknown", "EUR/kWh"), ("nan", "EUR/kWh"), ("1", "EUR"), ("1", "kWh")]
)
def test_bad_prices_are_refused(value: str, unit: str) -> None:
    with pytest.raises(PriceError):
        price_per_kwh(value, unit)
