"""A second transaction at once (another connector) is priced like the shown session.

The box's messages follow OCPP 1.6 edition 2 (StartTransaction.req, MeterValues.req with the
connector's Energy.Active.Import.Register, StopTransaction.req); each connector has its own
register. The tariff is a price that changes during the transactions, as a dynamic-tariff
sensor does; the wallbox layer takes the price in force at every update (`reprice_concurrent`,
as the session tracker takes it for the shown session) and at every reading.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custom_components.ev_session_monitor.core.model import Reading
from custom_components.ev_session_monitor.core.ocpp.events import (
    CardDecision,
    TransactionStarted,
    TransactionStopped,
)
from custom_components.ev_session_monitor.core.ocpp.meter_values import MeterSample
from custom_components.ev_session_monitor.core.ocpp.transaction_meter import (
    TransactionMeter,
    concurrent_session,
    meter_to_dict,
)
from custom_components.ev_session_monitor.core.ocpp.wallbox import OcppWallboxClient

ALICE = "04A2B3C4D5"
BOB = "04B0B0B0B0"
END = datetime(2026, 12, 7, 13, tzinfo=UTC)


class Tariff:
    """The price in force now, per kWh in EUR (None: the price sensor has no value)."""

    def __init__(self, price: float | None) -> None:
        self.now = price

    def __call__(self, id_tag: str | None) -> tuple[float | None, str | None]:
        return self.now, "EUR"


def _client(tariff: Tariff) -> OcppWallboxClient:
    client = OcppWallboxClient("CP-1", lambda: None)
    client.price_of = tariff
    return client


def _two_transactions(client: OcppWallboxClient, bob_start_wh: int = 9_000) -> None:
    """Alice on connector 1 (the shown session), Bob on connector 2 ten minutes later."""
    client.apply_start(
        TransactionStarted(1, 7, ALICE, 1_000, "2026-12-07T10:00:00Z", CardDecision.ACCEPTED)
    )
    client.apply_start(
        TransactionStarted(2, 8, BOB, bob_start_wh, "2026-12-07T10:10:00Z", CardDecision.ACCEPTED)
    )


def _sample(client: OcppWallboxClient, connector: int, transaction: int, at: str, wh: int) -> None:
    client.apply_sample(
        MeterSample(connector, transaction, at, "Sample.Periodic", Reading(lifetime_energy_wh=wh))
    )


def _stop(client: OcppWallboxClient, wh: int, at: str, tariff: Tariff):
    stopped = client.stop_concurrent(TransactionStopped(8, wh, at, None, BOB, True))
    assert stopped is not None
    return concurrent_session(stopped, at, END, "box", "Carport", tariff(BOB))


def test_tariff_changing_during_the_transactions_prices_the_second_one_in_parts() -> None:
    """900 Wh at 0.30, then the price is 0.50 (from 11:00) for 1200 Wh, then 0.20 from 12:00.

    Energy a reading reports is priced at the price the transaction last took, as the shown
    session's is: the 10:40-11:10 interval took 0.50 at the change at 11:00. A restart in
    between changes nothing.
    """
    tariff = Tariff(0.30)
    client = _client(tariff)
    _two_transactions(client)
    _sample(client, 1, 7, "2026-12-07T10:40:00Z", 2_000)  # Alice's meter: not Bob's energy
    _sample(client, 2, 8, "2026-12-07T10:40:00Z", 9_900)  # 900 Wh at 0.30
    tariff.now = 0.50  # 11:00, the next hour's price
    assert client.reprice_concurrent() is True
    assert client.reprice_concurrent() is False  # nothing changed: nothing to save
    _sample(client, 2, 8, "2026-12-07T11:10:00Z", 10_500)  # 600 Wh at 0.50
    _sample(client, 2, 8, "2026-12-07T11:40:00Z", 11_100)  # 600 Wh at 0.50
    restarted = _client(tariff)
    restarted.restore(client.stored())
    tariff.now = 0.20  # 12:00
    assert restarted.reprice_concurrent() is True
    record = _stop(restarted, 11_334, "2026-12-07T12:10:00Z", tariff)  # 234 Wh at 0.20

    expected_cost = 0.9 * 0.30 + 1.2 * 0.50 + 0.234 * 0.20  # 0.9168 EUR
    assert record.energy_wh == 2_334
    assert record.cost == pytest.approx(expected_cost)
    assert record.currency == "EUR"
    assert record.unpriced_wh == 0
    assert record.price_per_kwh == pytest.approx(expected_cost / 2.334)
    assert [
        (part.started_at.isoformat(), part.energy_wh, part.price_per_kwh)
        for part in record.price_parts
    ] == [
        ("2026-12-07T10:10:00+00:00", 900, 0.30),
        ("2026-12-07T10:40:00+00:00", 1_200, 0.50),
        ("2026-12-07T11:40:00+00:00", 234, 0.20),
    ]


def test_only_start_and_stop_known_prices_all_at_the_price_last_taken() -> None:
    """A box that sends no MeterValues for connector 2: 2000 Wh at the price in force just
    before the stop (the shown session of such a box is priced so too)."""
    tariff = Tariff(0.30)
    client = _client(tariff)
    _two_transactions(client)
    tariff.now = 0.50
    client.reprice_concurrent()
    record = _stop(client, 11_000, "2026-12-07T12:10:00Z", tariff)
    assert (record.energy_wh, record.cost, record.price_parts) == (2_000, pytest.approx(1.0), ())
    # Without an update after the change, the price of the start.
    client = _client(tariff := Tariff(0.30))
    _two_transactions(client)
    tariff.now = 0.50
    assert _stop(client, 11_000, "2026-12-07T12:10:00Z", tariff).cost == pytest.approx(0.6)


def test_energy_without_a_known_price_stays_unpriced() -> None:
    """The price sensor has no value at the start: 900 Wh unpriced, the rest at 0.40 once the
    price is back (the price now when none was known, the shown session's rule)."""
    tariff = Tariff(None)
    client = _client(tariff)
    _two_transactions(client)
    _sample(client, 2, 8, "2026-12-07T10:40:00Z", 9_900)  # 900 Wh at the price now: none
    tariff.now = 0.40
    _sample(client, 2, 8, "2026-12-07T11:10:00Z", 10_500)  # 600 Wh at 0.40 (none was known)
    record = _stop(client, 11_000, "2026-12-07T11:30:00Z", tariff)  # 500 Wh at 0.40
    assert (record.energy_wh, record.unpriced_wh) == (2_000, 900)
    assert record.cost == pytest.approx(1.1 * 0.40)
    assert record.price_per_kwh == pytest.approx(0.40)
    assert [part.price_per_kwh for part in record.price_parts] == [None, 0.40]
    # No price at all: no cost, every Wh unpriced.
    client = _client(tariff := Tariff(None))
    _two_transactions(client)
    record = _stop(client, 11_000, "2026-12-07T11:30:00Z", tariff)
    assert (record.cost, record.unpriced_wh, record.price_per_kwh) == (None, 2_000, None)


def test_a_reading_above_the_stop_never_adds_energy() -> None:
    """A register that went back (swapped meter): the energy is meterStop - meterStart, priced
    from its earliest parts; a stop below the start is no energy and no cost."""
    tariff = Tariff(0.30)
    client = _client(tariff)
    _two_transactions(client)
    _sample(client, 2, 8, "2026-12-07T10:40:00Z", 10_000)  # 1000 Wh at 0.30
    tariff.now = 0.50
    client.reprice_concurrent()
    _sample(client, 2, 8, "2026-12-07T11:10:00Z", 12_000)  # 2000 Wh at 0.50
    _sample(client, 2, 8, "2026-12-07T11:20:00Z", 500)  # reset: left out
    record = _stop(client, 10_500, "2026-12-07T11:30:00Z", tariff)
    assert (record.energy_wh, record.unpriced_wh) == (1_500, 0)
    assert record.cost == pytest.approx(1.0 * 0.30 + 0.5 * 0.50)
    assert sum(part.energy_wh for part in record.price_parts) == 1_500
    client = _client(tariff)
    _two_transactions(client)
    record = _stop(client, 8_000, "2026-12-07T11:30:00Z", tariff)
    assert (record.energy_wh, record.cost, record.unpriced_wh) == (0, None, 0)


def test_a_transaction_stored_by_an_older_release_is_priced_from_its_next_reading() -> None:
    """No pricing in the store: the energy up to the next reading takes the price then."""
    tariff = Tariff(0.25)
    client = _client(tariff)
    stored = meter_to_dict(TransactionMeter(8, 9_000, None, 2, BOB, "2026-12-07T10:10:00Z"))
    assert "priced" not in stored
    client.restore({"transaction": None, "concurrent": [stored]})
    assert client.reprice_concurrent() is False
    _sample(client, 2, 8, "2026-12-07T10:40:00Z", 9_800)  # 800 Wh at 0.25
    tariff.now = 0.50
    client.reprice_concurrent()
    record = _stop(client, 10_000, "2026-12-07T11:00:00Z", tariff)  # 200 Wh at 0.50
    assert record.cost == pytest.approx(0.8 * 0.25 + 0.2 * 0.50)
