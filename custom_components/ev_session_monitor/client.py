"""The transport a wallbox's profile needs, built from its config entry's data."""

from __future__ import annotations

from collections.abc import Mapping

from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .const import CONF_UNIT_ID
from .core.client import WallboxClient
from .core.http import HttpWallboxClient
from .core.modbus import ModbusWallboxClient
from .core.modbus_link import ModbusLinkPool
from .core.profile import WallboxProfile


def create_client(
    hass: HomeAssistant, pool: ModbusLinkPool, profile: WallboxProfile, data: Mapping[str, object]
) -> WallboxClient:
    """The client for `profile` at the address in `data`.

    Modbus TCP clients share `pool`'s connections; HTTP clients share Home Assistant's session.
    """
    host = str(data[CONF_HOST])
    port = int(data.get(CONF_PORT) or profile.default_port)  # type: ignore[call-overload]
    if profile.transport == "modbus":
        unit = data.get(CONF_UNIT_ID)
        unit_id = profile.default_unit_id if unit is None else int(unit)  # type: ignore[call-overload]
        return ModbusWallboxClient(profile, pool, host, port, unit_id)
    username = data.get(CONF_USERNAME)
    password = data.get(CONF_PASSWORD)
    return HttpWallboxClient(
        profile,
        async_get_clientsession(hass),
        host,
        port,
        username=str(username) if username else None,
        password=str(password) if password else None,
    )
