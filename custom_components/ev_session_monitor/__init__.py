"""EV Session Monitor: local wallbox power, RFID authorization and charging-session reports."""

from __future__ import annotations

from typing import cast

from homeassistant.const import CONF_PASSWORD, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryError, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.storage import Store
from homeassistant.helpers.typing import ConfigType

from .client import create_client
from .const import (
    CONF_CHARGE_POINT_ID,
    CONF_OCPP_CERTIFICATE,
    CONF_OCPP_HA_CERTIFICATE,
    CONF_OCPP_KEY,
    CONF_OCPP_PORT,
    CONF_PROFILE,
    CONF_TRANSPORT,
    DEFAULT_OCPP_PORT,
    DOMAIN,
    TRANSPORT_OCPP,
)
from .coordinator import EvConfigEntry, EvCoordinator, EvRuntimeData
from .core.errors import WallboxAuthError, WallboxError
from .core.model import DeviceIdentity
from .core.ocpp.wallbox import OcppWallboxClient
from .ocpp_coordinator import OcppCoordinator, ocpp_store_key
from .ocpp_hub import OcppHub, async_join_hub, async_leave_hub, home_assistant_certificate
from .panel import async_hide_panel_if_unused, async_setup_portal, async_show_panel
from .services import async_setup_services
from .site_config import is_site_entry
from .site_controller import SiteConfigEntry, async_setup_site, async_unload_site
from .storage import DATA_DOMAIN, async_domain_data
from .tag_sensors import TAG_ENERGY, async_setup_tag_energy
from .wallbox.entry_store import STORE_VERSION, entry_store_key

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CALENDAR,
    Platform.EVENT,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Load profiles, tags and the session history once for all wallboxes; register actions."""
    domain = await async_domain_data(hass)
    async_setup_tag_energy(hass, domain)
    async_setup_services(hass)
    await async_setup_portal(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: EvConfigEntry) -> bool:
    """Connect to the wallbox and start polling it."""
    if is_site_entry(entry):
        return await async_setup_site(hass, cast("SiteConfigEntry", entry))
    domain = hass.data[DATA_DOMAIN]
    if entry.data.get(CONF_TRANSPORT) == TRANSPORT_OCPP:
        await _async_setup_ocpp(hass, entry)
        return await _async_finish_setup(hass, entry)
    profile = domain.catalog.profiles.get(entry.data[CONF_PROFILE])
    if profile is None:
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="profile_missing",
            translation_placeholders={"profile": entry.data[CONF_PROFILE]},
        )
    client = create_client(hass, domain.pool, profile, dict(entry.data))
    try:
        identity = await client.read_identity()
    except WallboxAuthError as err:
        await client.close()
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        ) from err
    except WallboxError as err:
        await client.close()
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"error": str(err)},
        ) from err
    profile = client.profile  # with the firmware or model variant identification chose
    coordinator = EvCoordinator(hass, entry, client, domain)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, entry.unique_id or entry.entry_id)},
        manufacturer=profile.manufacturer,
        model=profile.model,
        model_id=profile.profile_id,
        name=entry.title,
        serial_number=identity.serial,
        sw_version=identity.firmware,
    )
    coordinator.device_id = device.id
    try:
        await coordinator.async_config_entry_first_refresh()
    except BaseException:
        await client.close()
        raise
    entry.runtime_data = EvRuntimeData(
        client=client,
        coordinator=coordinator,
        profile=profile,
        identity=identity,
        device_id=device.id,
    )
    entry.async_on_unload(domain.clock.async_add(coordinator))
    return await _async_finish_setup(hass, entry)


def _ocpp_tls(hass: HomeAssistant, entry: EvConfigEntry) -> tuple[str, str] | None:
    """The certificate and key for wss://: Home Assistant's own, or the files named."""
    if entry.options.get(CONF_OCPP_HA_CERTIFICATE):
        tls = home_assistant_certificate(hass)
        if tls is None:
            raise ConfigEntryError(
                translation_domain=DOMAIN, translation_key="ocpp_no_ha_certificate"
            )
        return tls
    certificate = entry.options.get(CONF_OCPP_CERTIFICATE)
    key = entry.options.get(CONF_OCPP_KEY)
    return (str(certificate), str(key or certificate)) if certificate else None


async def _async_setup_ocpp(hass: HomeAssistant, entry: EvConfigEntry) -> None:
    """An OCPP charge point: it connects to the central system on the entry's port."""
    domain = hass.data[DATA_DOMAIN]
    charge_point_id = str(entry.data[CONF_CHARGE_POINT_ID])
    port = int(entry.options.get(CONF_OCPP_PORT, DEFAULT_OCPP_PORT))
    hubs: list[OcppHub] = []
    client = OcppWallboxClient(
        charge_point_id, lambda: hubs[0].connection(charge_point_id) if hubs else None
    )
    coordinator = OcppCoordinator(hass, entry, client, domain, str(entry.data[CONF_PASSWORD]))
    tls = _ocpp_tls(hass, entry)
    hub = await async_join_hub(hass, port, charge_point_id, coordinator, tls)
    hubs.append(hub)
    profile = client.profile
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, entry.unique_id or entry.entry_id)},
        manufacturer=profile.manufacturer,
        model=profile.model,
        model_id=profile.profile_id,
        name=entry.title,
    )
    coordinator.device_id = device.id
    try:
        await coordinator.async_config_entry_first_refresh()
    except BaseException:
        await async_leave_hub(hass, hub, charge_point_id)
        raise
    entry.runtime_data = EvRuntimeData(
        client=client,
        coordinator=coordinator,
        profile=profile,
        identity=DeviceIdentity(),
        device_id=device.id,
    )

    async def leave() -> None:
        await async_leave_hub(hass, hub, charge_point_id)

    entry.runtime_data.on_unload = leave


async def _async_finish_setup(hass: HomeAssistant, entry: EvConfigEntry) -> bool:
    """What every wallbox gets once its coordinator runs: entities, card energy, the panel."""
    _forget_entities_of_removed_entries(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    await hass.data[TAG_ENERGY].async_entry_loaded(entry)
    await async_show_panel(hass)
    return True


def _forget_entities_of_removed_entries(hass: HomeAssistant, entry: EvConfigEntry) -> None:
    """Let the entities of a box added again take their ids from its new name.

    The entity registry keeps the entities of a removed entry and gives a re-added unique id
    its old entity id back: a box removed and added as "Car port" kept `sensor.garage_status`
    (or the ids of a 300-character name), not the `sensor.car_port_status` the README and the
    dashboards expect. Entities this entry itself deleted keep their ids.
    """
    registry = er.async_get(hass)
    prefix = f"{entry.unique_id or entry.entry_id}_"
    stale = [
        key
        for key, deleted in registry.deleted_entities.items()
        if key[1] == DOMAIN
        and key[2].startswith(prefix)
        and deleted.config_entry_id != entry.entry_id
    ]
    for key in stale:
        del registry.deleted_entities[key]
    if stale:
        registry.async_schedule_save()


async def async_unload_entry(hass: HomeAssistant, entry: EvConfigEntry) -> bool:
    """Stop polling; persist the open session so it resumes after reload."""
    if is_site_entry(entry):
        return await async_unload_site(hass, cast("SiteConfigEntry", entry))
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.coordinator.async_save_now()
        await entry.runtime_data.client.close()
        if entry.runtime_data.on_unload is not None:
            await entry.runtime_data.on_unload()
        await hass.data[TAG_ENERGY].async_entry_unloaded(entry)
        async_hide_panel_if_unused(hass, entry.entry_id)
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: EvConfigEntry) -> None:
    """Forget the wallbox's open-session state; recorded sessions stay in the history."""
    if is_site_entry(entry):
        return
    if (tag_energy := hass.data.get(TAG_ENERGY)) is not None:
        await tag_energy.async_place()  # the card devices move if they were this entry's
    await Store[dict[str, object]](
        hass, STORE_VERSION, entry_store_key(entry.entry_id)
    ).async_remove()
    if entry.data.get(CONF_TRANSPORT) == TRANSPORT_OCPP:
        await Store[dict[str, object]](hass, 1, ocpp_store_key(entry.entry_id)).async_remove()
