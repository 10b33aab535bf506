"""Config flow: add a wallbox (user, discovery), reconfigure, reauth."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import probatio as vol
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import selector
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo

from .client import create_client
from .const import (
    CONF_PROFILE,
    CONF_TRANSPORT,
    CONF_UNIT_ID,
    DOMAIN,
    TRANSPORT_OCPP,
)
from .core.errors import WallboxAuthError, WallboxConnectionError, WallboxError
from .core.host import InvalidHostError, validate_host
from .core.modbus_link import ModbusLinkPool
from .core.model import DeviceIdentity
from .core.probe import detect_models, dhcp_candidates, read_modbus_serial, zeroconf_candidates
from .core.profile import ProfileCatalog, WallboxProfile
from .flow_fields import check_name, number_field, whole_numbers
from .ocpp_flow import OcppConfigSteps
from .options_flow import EvOptionsFlow
from .site_config import is_site_entry
from .site_flow import SiteConfigSteps, SiteOptionsFlow
from .storage import async_domain_data


async def _async_probe(
    hass: HomeAssistant, profile: WallboxProfile, data: dict[str, Any]
) -> tuple[DeviceIdentity | None, str | None]:
    """Connect, read identity and one full poll; return (identity, error key)."""
    client = create_client(hass, ModbusLinkPool(), profile, data)
    try:
        identity = await client.read_identity()
        await client.read()
    except WallboxAuthError:
        return None, "invalid_auth"
    except WallboxConnectionError:
        return None, "cannot_connect"
    except WallboxError:
        return None, "invalid_response"
    finally:
        await client.close()
    return identity, None


async def _async_identify_discovered(
    hass: HomeAssistant, profile: WallboxProfile, data: dict[str, Any]
) -> DeviceIdentity | None:
    """Read a discovered box's identity without writing to it; None if it is not this model.

    An HTTP box gets the user step's connection test (reads only). A Modbus box must pass its
    profile's probe checks first; then only its serial is read (no start-up writes before
    the user confirms).
    """
    if profile.transport == "http":
        identity, error = await _async_probe(hass, profile, data)
        return identity if error is None else None
    detection = await detect_models(data[CONF_HOST], [profile], port=data.get(CONF_PORT))
    if not detection.matches:
        return None
    try:
        serial = await read_modbus_serial(profile, data[CONF_HOST], port=data.get(CONF_PORT))
    except WallboxError:
        return None
    return DeviceIdentity(serial=serial)


def _connection_schema(
    catalog: ProfileCatalog, defaults: Mapping[str, Any], *, with_profile: bool
) -> vol.Schema:
    fields: dict[Any, Any] = {}
    if with_profile:
        fields[vol.Required(CONF_NAME, default=defaults.get(CONF_NAME, "Wallbox"))] = str
        # Left empty: the model is detected from the box (Modbus boxes with probe checks).
        fields[
            vol.Optional(CONF_PROFILE, description={"suggested_value": defaults.get(CONF_PROFILE)})
        ] = selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=[
                    selector.SelectOptionDict(value=profile_id, label=profile.name)
                    for profile_id, profile in sorted(
                        catalog.profiles.items(), key=lambda item: item[1].name
                    )
                ],
                mode=selector.SelectSelectorMode.DROPDOWN,
            )
        )
    fields[vol.Required(CONF_HOST, default=defaults.get(CONF_HOST, vol.UNDEFINED))] = (
        selector.TextSelector(selector.TextSelectorConfig(autocomplete="off"))
    )
    fields[vol.Optional(CONF_PORT, description={"suggested_value": defaults.get(CONF_PORT)})] = (
        number_field(1, 65535)
    )
    fields[
        vol.Optional(CONF_UNIT_ID, description={"suggested_value": defaults.get(CONF_UNIT_ID)})
    ] = number_field(0, 255)
    fields[
        vol.Optional(CONF_USERNAME, description={"suggested_value": defaults.get(CONF_USERNAME)})
    ] = str
    fields[vol.Optional(CONF_PASSWORD)] = selector.TextSelector(
        selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
    )
    return vol.Schema(fields)


def _unique_id(profile: WallboxProfile, data: Mapping[str, Any], identity: DeviceIdentity) -> str:
    """The box's serial when it reports one; else where it lives."""
    if identity.serial:
        return f"{profile.manufacturer}_{identity.serial}".lower().replace(" ", "_")
    port = data.get(CONF_PORT) or profile.default_port
    unit = data.get(CONF_UNIT_ID, profile.default_unit_id)
    return f"{profile.profile_id}_{data[CONF_HOST]}_{port}_{unit}"


class EvSessionMonitorConfigFlow(OcppConfigSteps, SiteConfigSteps, ConfigFlow, domain=DOMAIN):
    """Add a wallbox, or a site several wallboxes share."""

    VERSION = 1

    _detect_input: dict[str, Any] | None = None  # the user step's input while picking a match
    _detected: tuple[str, ...] = ()
    _discovered: dict[str, Any] | None = None  # connection data of a discovered box

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> EvOptionsFlow | SiteOptionsFlow:
        """Return the options flow (a site's, or a wallbox's)."""
        return SiteOptionsFlow() if is_site_entry(config_entry) else EvOptionsFlow()

    async def _async_validate(
        self, data: dict[str, Any]
    ) -> tuple[WallboxProfile | None, DeviceIdentity | None, dict[str, str]]:
        """Check the typed values, then connect; `data` gets the cleaned host, port and unit."""
        errors: dict[str, str] = {}
        data.update(whole_numbers(data, (CONF_PORT, CONF_UNIT_ID), errors))
        try:
            data[CONF_HOST] = validate_host(data[CONF_HOST])
        except InvalidHostError:
            errors[CONF_HOST] = "invalid_host"
        if errors:
            return None, None, errors
        domain = await async_domain_data(self.hass)
        profile = domain.catalog.profiles.get(data[CONF_PROFILE])
        if profile is None:
            return None, None, {CONF_PROFILE: "unknown_profile"}
        identity, error = await _async_probe(self.hass, profile, data)
        if error is not None:
            return profile, None, {"base": error}
        return profile, identity, {}

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """A box Home Assistant reads (Modbus TCP, HTTP), one that connects to it (OCPP), a site."""
        return self.async_show_menu(step_id="user", menu_options=["network", "ocpp", "site"])

    async def async_step_network(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask where the wallbox is and which model it is; test the connection."""
        errors: dict[str, str] = {}
        if user_input is not None and not user_input.get(CONF_PROFILE):
            return await self._async_detect(dict(user_input))
        if user_input is not None:
            user_input = dict(user_input)
            profile, identity, errors = await self._async_validate(user_input)
            check_name(user_input, errors)
            if not errors:
                assert profile is not None and identity is not None
                await self.async_set_unique_id(_unique_id(profile, user_input, identity))
                self._abort_if_unique_id_configured()
                data = {key: value for key, value in user_input.items() if key != CONF_NAME}
                return self.async_create_entry(title=user_input[CONF_NAME], data=data)
        domain = await async_domain_data(self.hass)
        if not domain.catalog.profiles:
            return self.async_abort(reason="no_profiles")
        return self.async_show_form(
            step_id="network",
            data_schema=_connection_schema(domain.catalog, user_input or {}, with_profile=True),
            errors=errors,
        )

    async def _async_detect(self, user_input: dict[str, Any]) -> ConfigFlowResult:
        """No model chosen: probe the host's identification registers for every model."""
        errors: dict[str, str] = {}
        user_input.pop(CONF_PROFILE, None)
        user_input.update(whole_numbers(user_input, (CONF_PORT, CONF_UNIT_ID), errors))
        try:
            user_input[CONF_HOST] = validate_host(user_input[CONF_HOST])
        except InvalidHostError:
            errors[CONF_HOST] = "invalid_host"
        domain = await async_domain_data(self.hass)
        if not errors:
            detection = await detect_models(
                user_input[CONF_HOST],
                domain.catalog.profiles.values(),
                port=user_input.get(CONF_PORT),
                unit_id=user_input.get(CONF_UNIT_ID),
            )
            if detection.matches:
                self._detect_input, self._detected = user_input, detection.matches
                return await self.async_step_detected()
            errors = (
                {CONF_PROFILE: "no_model_detected"}
                if detection.reachable
                else {"base": "cannot_connect"}
            )
        return self.async_show_form(
            step_id="network",
            data_schema=_connection_schema(domain.catalog, user_input, with_profile=True),
            errors=errors,
        )

    async def async_step_detected(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The box answered like these models: confirm the first, or pick another of them."""
        assert self._detect_input is not None
        if user_input is not None:
            return await self.async_step_network({**self._detect_input, **user_input})
        domain = await async_domain_data(self.hass)
        names = [domain.catalog.profiles[profile_id].name for profile_id in self._detected]
        return self.async_show_form(
            step_id="detected",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_PROFILE, default=self._detected[0]): selector.SelectSelector(
                        selector.SelectSelectorConfig(
                            options=[
                                selector.SelectOptionDict(value=profile_id, label=name)
                                for profile_id, name in zip(self._detected, names, strict=True)
                            ],
                            mode=selector.SelectSelectorMode.LIST,
                        )
                    )
                }
            ),
            description_placeholders={
                "host": self._detect_input[CONF_HOST],
                "models": ", ".join(names),
            },
        )

    async def async_step_zeroconf(self, discovery_info: ZeroconfServiceInfo) -> ConfigFlowResult:
        """A box announced itself over mDNS."""
        domain = await async_domain_data(self.hass)
        candidates = zeroconf_candidates(domain.catalog.profiles.values(), discovery_info.type)
        return await self._async_discovered(
            discovery_info.host, candidates, port=discovery_info.port
        )

    async def async_step_dhcp(self, discovery_info: DhcpServiceInfo) -> ConfigFlowResult:
        """A box with a known host name or MAC prefix asked for an address."""
        domain = await async_domain_data(self.hass)
        candidates = dhcp_candidates(
            domain.catalog.profiles.values(), discovery_info.hostname, discovery_info.macaddress
        )
        return await self._async_discovered(discovery_info.ip, candidates)

    async def _async_discovered(
        self, host: str, candidates: list[str], *, port: int | None = None
    ) -> ConfigFlowResult:
        """Identify the box (reads only) as the first candidate model it answers as.

        The unique id is the user step's (serial, else address), so a configured or ignored
        box is not offered again, and a configured one found at a new address follows it.
        """
        self._async_abort_entries_match({CONF_HOST: host})
        domain = await async_domain_data(self.hass)
        for profile_id in candidates:
            profile = domain.catalog.profiles[profile_id]
            data: dict[str, Any] = {CONF_HOST: host, CONF_PROFILE: profile_id}
            if port and port != profile.default_port:
                data[CONF_PORT] = port
            identity = await _async_identify_discovered(self.hass, profile, data)
            if identity is None:
                continue
            await self.async_set_unique_id(_unique_id(profile, data, identity))
            self._abort_if_unique_id_configured(updates={CONF_HOST: host})
            self._discovered = data
            self.context["title_placeholders"] = {"name": profile.name, "host": host}
            return await self.async_step_discovery_confirm()
        return self.async_abort(reason="not_identified")

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Offer the discovered box with its model chosen; connect as the user step does."""
        assert self._discovered is not None
        domain = await async_domain_data(self.hass)
        profile = domain.catalog.profiles[self._discovered[CONF_PROFILE]]
        errors: dict[str, str] = {}
        if user_input is not None:
            data = dict(self._discovered)
            _, identity, errors = await self._async_validate(data)
            user_input = dict(user_input)
            check_name(user_input, errors)
            if not errors:
                assert identity is not None
                await self.async_set_unique_id(
                    _unique_id(profile, data, identity), raise_on_progress=False
                )
                self._abort_if_unique_id_configured(updates={CONF_HOST: data[CONF_HOST]})
                return self.async_create_entry(title=user_input[CONF_NAME], data=data)
        return self.async_show_form(
            step_id="discovery_confirm",
            data_schema=vol.Schema({vol.Required(CONF_NAME, default=profile.name): str}),
            description_placeholders={"model": profile.name, "host": self._discovered[CONF_HOST]},
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change host, port or unit id of an existing wallbox (an OCPP box's password)."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if is_site_entry(entry):
            return self.async_abort(reason="site_in_options")
        if entry.data.get(CONF_TRANSPORT) == TRANSPORT_OCPP:
            return await self.async_step_reconfigure_ocpp(user_input)
        if user_input is not None:
            data = {**entry.data, **user_input}
            for key in (CONF_PORT, CONF_UNIT_ID, CONF_USERNAME, CONF_PASSWORD):
                if key not in user_input:
                    data.pop(key, None)
            profile, identity, errors = await self._async_validate(data)
            if not errors:
                assert profile is not None and identity is not None
                if identity.serial:
                    await self.async_set_unique_id(_unique_id(profile, data, identity))
                    self._abort_if_unique_id_mismatch(reason="different_device")
                return self.async_update_reload_and_abort(entry, data=data)
        domain = await async_domain_data(self.hass)
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=_connection_schema(
                domain.catalog, user_input or entry.data, with_profile=False
            ),
            errors=errors,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The box rejected the credentials."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for new credentials."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, **user_input}
            profile, identity, errors = await self._async_validate(data)
            if not errors:
                assert profile is not None and identity is not None
                # Credentials that open another box at this address must not take this entry.
                if identity.serial:
                    await self.async_set_unique_id(_unique_id(profile, data, identity))
                    self._abort_if_unique_id_mismatch(reason="different_device")
                return self.async_update_reload_and_abort(entry, data=data)
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_USERNAME, default=entry.data.get(CONF_USERNAME, "")): str,
                    vol.Required(CONF_PASSWORD): selector.TextSelector(
                        selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
                    ),
                }
            ),
            errors=errors,
        )
