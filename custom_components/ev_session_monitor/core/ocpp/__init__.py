"""An OCPP 1.6J central system: charge points connect and push their readings (plain Python)."""
