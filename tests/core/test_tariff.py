"""Prices from fixed values and price sensors in any common unit."""

from __future__ import annotations

import pytest

from custom_components.ev_session_monitor.core.tariff import (
    PriceError,
    price_in_force,
    price_per_kwh,
)


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


@pytest.mark.parametrize(
    ("tag_price", "source", "sensor_price", "expected"),
    [
        (0.12, "sensor", ("31", "ct/kWh"), (0.12, "EUR")),  # a staff card's own rate wins
        (None, "fixed", None, (0.32, "EUR")),
        (None, "sensor", ("250", "SEK/MWh"), (0.25, "SEK")),  # the sensor's currency
        (None, "sensor", ("31", "ct/kWh"), (0.31, "EUR")),
        (None, "sensor", None, (None, "EUR")),  # sensor unavailable: energy counted unpriced
        (None, "none", ("31", "ct/kWh"), (None, "EUR")),
    ],
)
def test_price_in_force(
    tag_price: float | None,
    source: str,
    sensor_price: tuple[str, str | None] | None,
    expected: tuple[float | None, str],
) -> None:
    price, currency = price_in_force(
        tag_price=tag_price,
        source=source,
        fixed_price=0.32,
        sensor_price=sensor_price,
        currency="EUR",
    )
    assert (None if price is None else round(price, 6), currency) == expected


def test_price_in_force_refuses_a_sensor_value_that_is_no_price() -> None:
    with pytest.raises(PriceError):
        price_in_force(
            tag_price=None,
            source="sensor",
            fixed_price=None,
            sensor_price=("unknown", "EUR/kWh"),
            currency="EUR",
        )
