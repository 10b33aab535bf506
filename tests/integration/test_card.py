"""The dashboard card's module: added to every frontend page by the integration and served."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

from homeassistant.components import frontend
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .conftest import SetupEntry

CARD_BUNDLE = (
    Path(__file__).resolve().parents[2]
    / "custom_components/ev_session_monitor/frontend/ev-session-card.js"
)


def card_urls(hass: HomeAssistant) -> list[str]:
    """The extra module URLs Home Assistant's frontend loads that point at the card's bundle."""
    return [
        url
        for url in hass.data[frontend.DATA_EXTRA_MODULE_URL].urls
        if urlsplit(url).path.endswith("/ev-session-card.js")
    ]


async def test_card_module_is_registered_and_served(
    hass: HomeAssistant, setup_entry: SetupEntry, hass_client: ClientSessionGenerator
) -> None:
    """After setup every page loads the card's module (no resource step); it is the bundle."""
    await setup_entry()
    [url] = card_urls(hass)
    # The version changes with the bundle's content, so a browser never keeps an older card.
    expected = hashlib.sha256(CARD_BUNDLE.read_bytes()).hexdigest()[:12]
    assert urlsplit(url).query == f"v={expected}"
    client = await hass_client()
    response = await client.get(url)
    assert response.status == 200
    body = await response.read()
    assert body == CARD_BUNDLE.read_bytes()
    assert b'"ev-session-card"' in body or b"ev-session-card" in body


async def test_card_module_is_added_once(hass: HomeAssistant, setup_entry: SetupEntry) -> None:
    """Reloading a wallbox does not add the module a second time."""
    entry = await setup_entry()
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert len(card_urls(hass)) == 1
