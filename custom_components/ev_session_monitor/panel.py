"""The Charging portal (a sidebar panel) and the dashboard card, served from the integration.

The bundles (frontend/ev-session-monitor-panel.js, frontend/ev-session-card.js) are built from the
repository's `frontend/` sources by `scripts/build-frontend` and committed, so installing the
integration needs no build step and the browser loads nothing from anywhere else. The card's
loader is added to every frontend page, so a dashboard needs no resource entry for it; it imports
the card's element (frontend/ev-session-card-element.js) once the frontend's app has started.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

from homeassistant.components import frontend, panel_custom
from homeassistant.components.http.server import StaticPathConfig
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN
from .site_config import wallbox_entries
from .views import DownloadView, StatementView
from .websocket_api import async_register_commands

PANEL_URL_PATH = "ev-session-monitor"
PANEL_ELEMENT = "ev-session-monitor-panel"
PANEL_TITLE = "Charging"
PANEL_ICON = "mdi:ev-station"
STATIC_URL = f"/{DOMAIN}_static"
BUNDLE_DIR = Path(__file__).parent / "frontend"
BUNDLE_NAME = "ev-session-monitor-panel.js"
CARD_BUNDLE_NAME = "ev-session-card.js"
PANEL_LOCK: HassKey[asyncio.Lock] = HassKey(f"{DOMAIN}_panel_lock")


async def async_setup_portal(hass: HomeAssistant) -> None:
    """Register commands, download view, bundles and the card module (once)."""
    async_register_commands(hass)
    hass.http.register_view(DownloadView())
    hass.http.register_view(StatementView())
    await hass.http.async_register_static_paths(
        [StaticPathConfig(STATIC_URL, str(BUNDLE_DIR), cache_headers=False)]
    )
    card_version = await hass.async_add_executor_job(_bundle_version, CARD_BUNDLE_NAME)
    frontend.add_extra_js_url(hass, f"{STATIC_URL}/{CARD_BUNDLE_NAME}?v={card_version}")


def _bundle_version(name: str) -> str:
    """A digest of a bundle, so a browser never runs a cached older panel or card."""
    digest = hashlib.sha256((BUNDLE_DIR / name).read_bytes())
    return digest.hexdigest()[:12]


async def async_show_panel(hass: HomeAssistant) -> None:
    """Add the sidebar entry, unless a wallbox already did (wallboxes set up concurrently)."""
    async with hass.data.setdefault(PANEL_LOCK, asyncio.Lock()):
        if PANEL_URL_PATH in hass.data.get(frontend.DATA_PANELS, {}):
            return
        version = await hass.async_add_executor_job(_bundle_version, BUNDLE_NAME)
        await _register_panel(hass, version)


async def _register_panel(hass: HomeAssistant, version: str) -> None:
    await panel_custom.async_register_panel(
        hass,
        frontend_url_path=PANEL_URL_PATH,
        webcomponent_name=PANEL_ELEMENT,
        sidebar_title=PANEL_TITLE,
        sidebar_icon=PANEL_ICON,
        module_url=f"{STATIC_URL}/{BUNDLE_NAME}?v={version}",
        require_admin=False,
    )


def async_hide_panel_if_unused(hass: HomeAssistant, unloading_entry_id: str) -> None:
    """Remove the sidebar entry when the last wallbox is unloaded."""
    others = [
        entry
        for entry in wallbox_entries(hass)
        if entry.entry_id != unloading_entry_id and entry.state is ConfigEntryState.LOADED
    ]
    if not others:
        frontend.async_remove_panel(hass, PANEL_URL_PATH, warn_if_unknown=False)
