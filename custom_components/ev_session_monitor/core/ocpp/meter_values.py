"""Turn OCPP 1.6 MeterValue elements into our Reading.

OCPP 1.6 edition 2, the MeterValue, SampledValue, Measurand, ReadingContext, Phase and
UnitOfMeasure data types: a sampled value without a measurand is
Energy.Active.Import.Register, without a unit it is Wh (W for power, A, V), and its value
is a decimal number in a string.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ..model import Reading

_LOGGER = logging.getLogger(__name__)

ENERGY_REGISTER = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"
CURRENT = "Current.Import"
VOLTAGE = "Voltage"
SOC = "SoC"
DEFAULT_CONTEXT = "Sample.Periodic"

# Multipliers to our canonical units (Wh, W, A, V, %).
_UNITS: Mapping[str, Mapping[str, Decimal]] = {
    ENERGY_REGISTER: {"Wh": Decimal(1), "kWh": Decimal(1000)},
    POWER: {"W": Decimal(1), "kW": Decimal(1000)},
    CURRENT: {"A": Decimal(1)},
    VOLTAGE: {"V": Decimal(1)},
    SOC: {"Percent": Decimal(1)},
}
_DEFAULT_UNIT = {ENERGY_REGISTER: "Wh", POWER: "W", CURRENT: "A", VOLTAGE: "V", SOC: "Percent"}
# A voltage may be given phase to neutral ("L1-N") or as the bare phase.
_PHASE_INDEX = {"L1": 0, "L2": 1, "L3": 2, "L1-N": 0, "L2-N": 1, "L3-N": 2}


@dataclass(frozen=True, slots=True)
class MeterSample:
    """One MeterValue element of a charge point, in canonical units."""

    connector_id: int
    transaction_id: int | None
    timestamp: str
    # The context of the sampled values (Transaction.Begin, Sample.Periodic, ...); the
    # first one given, as a box sends one context per MeterValue element.
    context: str
    reading: Reading
    soc_percent: float | None = None
    # The register read lower than before in this transaction (a counter reset or a
    # swapped meter): no session energy is derived from it, so it is never negative.
    counter_reset: bool = False


def _number(sampled: Mapping[str, Any], measurand: str) -> float | None:
    unit = sampled.get("unit") or _DEFAULT_UNIT[measurand]
    factor = _UNITS[measurand].get(unit)
    if factor is None:
        _LOGGER.warning("%s in unit %r is not understood; value ignored", measurand, unit)
        return None
    try:
        value = Decimal(str(sampled.get("value")))
    except InvalidOperation:
        _LOGGER.warning("%s value %r is not a number; ignored", measurand, sampled.get("value"))
        return None
    result = float(value * factor)
    if not math.isfinite(result):
        _LOGGER.warning("%s value %r is not finite; ignored", measurand, sampled.get("value"))
        return None
    return result


class _Collector:
    def __init__(self) -> None:
        self.energy_wh: float | None = None
        self.power_w: float | None = None
        self.phase_power_w: list[float | None] = [None, None, None]
        self.currents: list[float | None] = [None, None, None]
        self.voltages: list[float | None] = [None, None, None]
        self.soc: float | None = None

    def add(self, sampled: Mapping[str, Any]) -> None:
        if sampled.get("format") == "SignedData":
            return  # a signed blob, not a number
        if sampled.get("location") not in (None, "Outlet"):
            return  # an EV or grid-connection meter, not what the box delivered
        measurand = sampled.get("measurand") or ENERGY_REGISTER
        if measurand not in _UNITS:
            return
        value = _number(sampled, measurand)
        if value is None:
            return
        phase = sampled.get("phase")
        index = _PHASE_INDEX.get(phase) if isinstance(phase, str) else None
        if measurand == ENERGY_REGISTER:
            if phase is None:
                self.energy_wh = value
        elif measurand == POWER:
            if phase is None:
                self.power_w = value
            elif index is not None:
                self.phase_power_w[index] = value
        elif measurand == SOC:
            self.soc = value
        elif index is not None:
            target = self.currents if measurand == CURRENT else self.voltages
            target[index] = value

    def power(self) -> float | None:
        if self.power_w is not None:
            return max(self.power_w, 0.0)
        phases = [value for value in self.phase_power_w if value is not None]
        return max(sum(phases), 0.0) if phases else None


def _triple(values: list[float | None]) -> tuple[float | None, float | None, float | None]:
    return (values[0], values[1], values[2])


def meter_samples(
    connector_id: int,
    transaction_id: int | None,
    meter_value: Sequence[Mapping[str, Any]],
    *,
    meter_start_wh: int | None = None,
    previous_energy_wh: float | None = None,
) -> list[MeterSample]:
    """Convert the (snake_case) meterValue list of a message into samples.

    `previous_energy_wh` is the transaction's last register reading before this message;
    a reading below it or below `meter_start_wh` is flagged as a counter reset.
    """
    samples: list[MeterSample] = []
    floor = meter_start_wh if previous_energy_wh is None else previous_energy_wh
    for element in meter_value:
        collector = _Collector()
        contexts: list[str] = []
        for sampled in element.get("sampled_value", ()):
            collector.add(sampled)
            contexts.append(sampled.get("context") or DEFAULT_CONTEXT)
        energy = collector.energy_wh
        reset = energy is not None and floor is not None and energy < floor
        session = (
            energy - meter_start_wh
            if energy is not None and meter_start_wh is not None and energy >= meter_start_wh
            else None
        )
        if reset:
            session = None
        if energy is not None:
            floor = energy  # after a reset, later readings count from the new base
        reading = Reading(
            power_w=collector.power(),
            currents_a=_triple(collector.currents),
            voltages_v=_triple(collector.voltages),
            session_energy_wh=session,
            lifetime_energy_wh=energy,
        )
        samples.append(
            MeterSample(
                connector_id=connector_id,
                transaction_id=transaction_id,
                timestamp=str(element.get("timestamp")),
                context=contexts[0] if contexts else DEFAULT_CONTEXT,
                reading=reading,
                soc_percent=collector.soc,
                counter_reset=reset,
            )
        )
    return samples
