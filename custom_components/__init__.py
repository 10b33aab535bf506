"""Custom integrations of this repository (makes the package importable in tests)."""
