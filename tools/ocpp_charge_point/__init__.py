"""A simulated OCPP 1.6J charge point built on the `ocpp` library's client side."""

from .charge_point import ClientConnection, SimulatedChargePoint, basic_auth, connect

__all__ = ["ClientConnection", "SimulatedChargePoint", "basic_auth", "connect"]
