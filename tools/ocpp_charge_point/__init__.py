"""A simulated OCPP 1.6J charge point built on the `ocpp` library's client side."""

from .charge_point import (
    ClientConnection,
    SimulatedChargePoint,
    StrictViolationError,
    basic_auth,
    connect,
)
from .strict import StrictValidator

__all__ = [
    "ClientConnection",
    "SimulatedChargePoint",
    "StrictValidator",
    "StrictViolationError",
    "basic_auth",
    "connect",
]
