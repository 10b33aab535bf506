"""Kill tests run only when selected (`-m durability`): they take minutes of real time.

scripts/test runs them as a separate pytest invocation; the main run skips them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .harness import TABLE_KEY

_HERE = Path(__file__).parent


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker."""
    config.addinivalue_line(
        "markers", "durability: kill tests with a real Home Assistant process (minutes)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the kill tests unless the marker expression asks for them."""
    if "durability" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="kill tests run with: pytest tests/durability -m durability")
    for item in items:
        if item.path.is_relative_to(_HERE):
            item.add_marker(skip)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """Print the scenario table, pass or fail."""
    table = config.stash.get(TABLE_KEY, None)
    if table:
        terminalreporter.section("durability: delivered vs recorded")
        terminalreporter.write_line(table)
