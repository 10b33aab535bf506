"""Test setup shared by all tests.

Home Assistant's loader puts the test config dir's own `custom_components` package first on
sys.path; importing ours first makes the integration resolvable.
"""

from __future__ import annotations

import logging

import pytest

import custom_components.ev_session_monitor  # noqa: F401

# The Home Assistant test plugin logs every SQL statement of the recorder at INFO; the tests
# with the real recorder would fill the CI log with them.
logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: None) -> None:
    """Tests talk to the wallbox simulator over real sockets; connects stay on 127.0.0.1."""


@pytest.fixture
def hass_config_dir(hass_tmp_config_dir: str) -> str:
    """Each test gets its own config dir: history file, exports and user profiles."""
    return hass_tmp_config_dir
