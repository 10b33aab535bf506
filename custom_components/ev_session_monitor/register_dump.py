"""The read_registers action: a bounded, read-only register dump of a Modbus wallbox.

An owner whose model we do not read sends us such a dump with the vendor's document; it needs
nothing but Home Assistant. Only administrators may run it: it reads any register of the box.
Nothing is ever written.
"""

from __future__ import annotations

import probatio as vol
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.service import async_register_admin_service

from .const import DOMAIN
from .core.errors import WallboxError
from .core.modbus import ModbusWallboxClient
from .site_config import is_site_entry

SERVICE_READ_REGISTERS = "read_registers"
ATTR_CONFIG_ENTRY_ID = "config_entry_id"
ATTR_TABLE = "table"
ATTR_ADDRESS = "address"
ATTR_COUNT = "count"
MAX_REGISTERS_PER_REQUEST = 125  # the Modbus limit for one read (function codes 3 and 4)
MAX_REGISTERS_PER_CALL = 1000  # 8 requests: a dump never keeps the box busy for long
LAST_ADDRESS = 0xFFFF

READ_REGISTERS_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Optional(ATTR_TABLE, default="holding"): vol.In(["holding", "input"]),
        vol.Required(ATTR_ADDRESS): vol.All(vol.Coerce(int), vol.Range(min=0)),
        vol.Optional(ATTR_COUNT, default=1): vol.All(vol.Coerce(int), vol.Range(min=1)),
    }
)


def _refuse(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def _client(hass: HomeAssistant, entry_id: str) -> ModbusWallboxClient:
    entry = hass.config_entries.async_get_entry(entry_id)
    if (
        entry is None
        or entry.domain != DOMAIN
        or is_site_entry(entry)
        or entry.state is not ConfigEntryState.LOADED
    ):
        raise _refuse("unknown_entry", entry_id=entry_id)
    client = entry.runtime_data.coordinator.client
    if not isinstance(client, ModbusWallboxClient):
        raise _refuse("not_modbus", name=entry.title)
    return client


async def _read_registers(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    address, count = call.data[ATTR_ADDRESS], call.data[ATTR_COUNT]
    if count > MAX_REGISTERS_PER_CALL:
        raise _refuse("too_many_registers", max=str(MAX_REGISTERS_PER_CALL))
    if address + count - 1 > LAST_ADDRESS:
        raise _refuse("registers_out_of_range", last=str(LAST_ADDRESS))
    client = _client(hass, call.data[ATTR_CONFIG_ENTRY_ID])
    table = call.data[ATTR_TABLE]
    size = min(MAX_REGISTERS_PER_REQUEST, client.profile.max_registers_per_read)
    words: list[int] = []
    for start in range(address, address + count, size):
        chunk = min(size, address + count - start)
        try:
            words += await client.read_raw(table, start, chunk)
        except WallboxError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="register_read_failed",
                translation_placeholders={"address": str(start), "error": str(err)},
            ) from err
    return {
        "table": table,
        "address": address,
        "unit_id": client.unit_id,
        "words": words,
        "hex": " ".join(f"{word:04X}" for word in words),
    }


def async_setup_register_dump(hass: HomeAssistant) -> None:
    """Register the admin-only read_registers action."""

    async def read_registers(call: ServiceCall) -> ServiceResponse:
        return await _read_registers(hass, call)

    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_READ_REGISTERS,
        read_registers,
        schema=READ_REGISTERS_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
