"""Development tools (the wallbox simulator)."""
