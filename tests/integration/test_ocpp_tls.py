"""wss:// with Home Assistant's own certificate (the http integration's ssl_certificate/ssl_key).

Home Assistant's real http integration is set up with a self-signed certificate for 127.0.0.1;
the strict simulated charge point (tools/ocpp_charge_point) connects over TLS, trusting only it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component

from custom_components.ev_session_monitor.const import (
    CONF_OCPP_CERTIFICATE,
    CONF_OCPP_HA_CERTIFICATE,
    CONF_OCPP_PORT,
)
from tools.ocpp_charge_point.charge_point import connect
from tools.ports import free_port

from .test_ocpp import CHARGE_POINT_ID, PASSWORD, _boot, _entry, _self_signed, set_up_entry

SETTINGS = {
    "price_source": "none",
    "suspicious_attempts": 3,
    "suspicious_window_min": 10,
    "requires_authorization": True,
    "enforce_authorization": False,
    "release_current": 16,
    "hash_unknown_tags": False,
}


async def _http_with_certificate(hass: HomeAssistant, certificate: Path, key: Path) -> None:
    config = {
        "server_port": free_port(),
        "ssl_certificate": str(certificate),
        "ssl_key": str(key),
    }
    assert await async_setup_component(hass, "http", {"http": config})
    await hass.async_block_till_done()


async def test_wss_with_home_assistants_certificate(hass: HomeAssistant, tmp_path: Path) -> None:
    """The option takes the web server's certificate and key: the box connects over TLS."""
    cert_path, key_path, client = await hass.async_add_executor_job(_self_signed, tmp_path)
    await _http_with_certificate(hass, cert_path, key_path)
    port = free_port()
    await set_up_entry(hass, port, **{CONF_OCPP_HA_CERTIFICATE: True})
    url = f"wss://127.0.0.1:{port}/{CHARGE_POINT_ID}"
    async with connect(url, CHARGE_POINT_ID, PASSWORD, ssl_context=client) as cp:
        await _boot(cp)
        assert cp.state.configuration["LocalPreAuthorize"] == "false"


async def test_option_without_a_home_assistant_certificate_is_a_clear_error(
    hass: HomeAssistant,
) -> None:
    """Home Assistant serves plain http: the entry stops and says why."""
    entry = _entry(free_port(), **{CONF_OCPP_HA_CERTIFICATE: True})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert entry.reason is not None
    assert "ssl_certificate" in entry.reason


@pytest.mark.parametrize(
    ("with_http_certificate", "named", "error"),
    [
        (False, None, {CONF_OCPP_HA_CERTIFICATE: "ocpp_no_ha_certificate"}),
        (True, "/ssl/other.pem", {CONF_OCPP_CERTIFICATE: "ocpp_two_certificates"}),
    ],
)
async def test_options_check_the_choice(
    hass: HomeAssistant,
    tmp_path: Path,
    with_http_certificate: bool,
    named: str | None,
    error: dict[str, str],
) -> None:
    """No certificate to take, or two at once: the form says so; a valid choice is kept."""
    if with_http_certificate:
        cert_path, key_path, _ = await hass.async_add_executor_job(_self_signed, tmp_path)
        await _http_with_certificate(hass, cert_path, key_path)
    port = free_port()
    entry = await set_up_entry(hass, port)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "settings"}
    )
    chosen = {**SETTINGS, CONF_OCPP_PORT: port, CONF_OCPP_HA_CERTIFICATE: True}
    if named:
        chosen[CONF_OCPP_CERTIFICATE] = named
    result = await hass.config_entries.options.async_configure(result["flow_id"], chosen)
    assert result["errors"] == error
    if with_http_certificate:
        del chosen[CONF_OCPP_CERTIFICATE]
        result = await hass.config_entries.options.async_configure(result["flow_id"], chosen)
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert entry.options[CONF_OCPP_HA_CERTIFICATE] is True
