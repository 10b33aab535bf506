"""Config flow (user, reconfigure, reauth) and options flow (settings and known tags)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import probatio as vol
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import selector
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo

from .client import create_client
from .const import (
    CONF_BATTERY_CAPACITY,
    CONF_ENFORCE,
    CONF_FIXED_PRICE,
    CONF_HASH_UNKNOWN_TAGS,
    CONF_IDLE_POLL_INTERVAL,
    CONF_POLL_INTERVAL,
    CONF_PRICE_ENTITY,
    CONF_PRICE_SOURCE,
    CONF_PROFILE,
    CONF_RELEASE_CURRENT,
    CONF_REQUIRES_AUTHORIZATION,
    CONF_SOC_ENTITY,
    CONF_SUSPICIOUS_ATTEMPTS,
    CONF_SUSPICIOUS_WINDOW_MIN,
    CONF_UNIT_ID,
    DEFAULT_POLL_INTERVAL_S,
    DEFAULT_SUSPICIOUS_ATTEMPTS,
    DEFAULT_SUSPICIOUS_WINDOW_MIN,
    DOMAIN,
    MIN_POLL_INTERVAL_S,
    PRICE_FIXED,
    PRICE_NONE,
    PRICE_SENSOR,
)
from .core.errors import WallboxAuthError, WallboxConnectionError, WallboxError
from .core.host import InvalidHostError, validate_host
from .core.modbus_link import ModbusLinkPool
from .core.model import Capability, DeviceIdentity
from .core.numbers import is_finite_number
from .core.probe import detect_models, dhcp_candidates, read_modbus_serial, zeroconf_candidates
from .core.profile import ProfileCatalog, WallboxProfile
from .core.tags import (
    DuplicateTagError,
    InvalidTagError,
    InvalidTagNameError,
    KnownTag,
    validate_tag,
    validate_tag_name,
)
from .storage import DATA_DOMAIN, TagStore, async_domain_data

CONF_TAG_ID = "tag_id"
CONF_TAG_NAME = "name"
CONF_TAG_OWNER = "owner"
CONF_TAG_PRICE = "price_per_kwh"
CONF_TAG_CHARGERS = "chargers"
CONF_TAGS = "tags"


def _number(
    minimum: float, maximum: float, *, step: float = 1, unit: str | None = None
) -> selector.NumberSelector:
    """A number typed in a box (a slider hides the value), with its unit."""
    config = selector.NumberSelectorConfig(
        min=minimum, max=maximum, step=step, mode=selector.NumberSelectorMode.BOX
    )
    if unit is not None:
        config["unit_of_measurement"] = unit
    return selector.NumberSelector(config)


def _whole_numbers(
    user_input: dict[str, Any], keys: tuple[str, ...], errors: dict[str, str]
) -> dict[str, Any]:
    """Return the input with these fields as int; 1.5 for a port is an error, never 1."""
    cleaned = dict(user_input)
    for key in keys:
        value = cleaned.get(key)
        if value is None:
            continue
        if isinstance(value, float) and value.is_integer():
            cleaned[key] = int(value)
        elif not isinstance(value, int) or isinstance(value, bool):
            errors[key] = "whole_number"
    return cleaned


def _finite_numbers(
    user_input: Mapping[str, Any], keys: tuple[str, ...], errors: dict[str, str]
) -> None:
    """Flag NaN and infinity: the number selectors' range checks let NaN through."""
    for key in keys:
        value = user_input.get(key)
        if value is not None and not is_finite_number(value):
            errors[key] = "not_a_number"


def _valid_name(user_input: dict[str, Any], errors: dict[str, str]) -> None:
    """Bound the wallbox name as card names are: it becomes entity ids, states and events."""
    try:
        user_input[CONF_NAME] = validate_tag_name(str(user_input.get(CONF_NAME, "")))
    except InvalidTagNameError:
        errors[CONF_NAME] = "invalid_name"


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
        _number(1, 65535)
    )
    fields[
        vol.Optional(CONF_UNIT_ID, description={"suggested_value": defaults.get(CONF_UNIT_ID)})
    ] = _number(0, 255)
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


class EvSessionMonitorConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a wallbox."""

    VERSION = 1

    _detect_input: dict[str, Any] | None = None  # the user step's input while picking a match
    _detected: tuple[str, ...] = ()
    _discovered: dict[str, Any] | None = None  # connection data of a discovered box

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> EvOptionsFlow:
        """Return the options flow."""
        return EvOptionsFlow()

    async def _async_validate(
        self, data: dict[str, Any]
    ) -> tuple[WallboxProfile | None, DeviceIdentity | None, dict[str, str]]:
        """Check the typed values, then connect; `data` gets the cleaned host, port and unit."""
        errors: dict[str, str] = {}
        data.update(_whole_numbers(data, (CONF_PORT, CONF_UNIT_ID), errors))
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
        """Ask where the wallbox is and which model it is; test the connection."""
        errors: dict[str, str] = {}
        if user_input is not None and not user_input.get(CONF_PROFILE):
            return await self._async_detect(dict(user_input))
        if user_input is not None:
            user_input = dict(user_input)
            profile, identity, errors = await self._async_validate(user_input)
            _valid_name(user_input, errors)
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
            step_id="user",
            data_schema=_connection_schema(domain.catalog, user_input or {}, with_profile=True),
            errors=errors,
        )

    async def _async_detect(self, user_input: dict[str, Any]) -> ConfigFlowResult:
        """No model chosen: probe the host's identification registers for every model."""
        errors: dict[str, str] = {}
        user_input.pop(CONF_PROFILE, None)
        user_input.update(_whole_numbers(user_input, (CONF_PORT, CONF_UNIT_ID), errors))
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
            step_id="user",
            data_schema=_connection_schema(domain.catalog, user_input, with_profile=True),
            errors=errors,
        )

    async def async_step_detected(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The box answered like these models: confirm the first, or pick another of them."""
        assert self._detect_input is not None
        if user_input is not None:
            return await self.async_step_user({**self._detect_input, **user_input})
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
            _valid_name(user_input, errors)
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
        """Change host, port or unit id of an existing wallbox."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
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


class EvOptionsFlow(OptionsFlowWithReload):
    """Settings of one wallbox, and the known tags shared by all wallboxes."""

    _tag_id: str | None = None
    _settings: dict[str, Any] | None = None
    _to_remove: list[str] | None = None

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose what to change."""
        return self.async_show_menu(
            step_id="init", menu_options=["settings", "add_tag", "edit_tag", "remove_tag"]
        )

    def _profile(self) -> WallboxProfile | None:
        domain = self.hass.data.get(DATA_DOMAIN)
        return (
            None
            if domain is None
            else domain.catalog.profiles.get(self.config_entry.data[CONF_PROFILE])
        )

    def _price_unit(self) -> str:
        return f"{self.hass.config.currency}/kWh"

    async def async_step_settings(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Polling, price source, suspicious-activity thresholds, enforcement, time to full."""
        errors: dict[str, str] = {}
        if user_input is not None:
            settings = _whole_numbers(
                user_input,
                (
                    CONF_POLL_INTERVAL,
                    CONF_IDLE_POLL_INTERVAL,
                    CONF_SUSPICIOUS_ATTEMPTS,
                    CONF_SUSPICIOUS_WINDOW_MIN,
                ),
                errors,
            )
            _finite_numbers(settings, (CONF_RELEASE_CURRENT, CONF_BATTERY_CAPACITY), errors)
            if not errors:
                self._settings = settings
                source = settings.get(CONF_PRICE_SOURCE, PRICE_NONE)
                if source == PRICE_FIXED:
                    return await self.async_step_fixed_price()
                if source == PRICE_SENSOR:
                    return await self.async_step_price_sensor()
                return self.async_create_entry(data=settings)
        profile = self._profile()
        fields: dict[Any, Any] = {
            vol.Required(CONF_POLL_INTERVAL, default=DEFAULT_POLL_INTERVAL_S): _number(
                MIN_POLL_INTERVAL_S, 3600, unit="s"
            ),
            vol.Optional(CONF_IDLE_POLL_INTERVAL, default=0): _number(0, 3600, unit="s"),
            vol.Required(CONF_PRICE_SOURCE, default=PRICE_NONE): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=[PRICE_NONE, PRICE_FIXED, PRICE_SENSOR],
                    translation_key="price_source",
                )
            ),
            vol.Required(CONF_SUSPICIOUS_ATTEMPTS, default=DEFAULT_SUSPICIOUS_ATTEMPTS): _number(
                1, 100
            ),
            vol.Required(
                CONF_SUSPICIOUS_WINDOW_MIN, default=DEFAULT_SUSPICIOUS_WINDOW_MIN
            ): _number(1, 1440, unit="min"),
            vol.Required(
                CONF_REQUIRES_AUTHORIZATION,
                default=profile.requires_authorization if profile else False,
            ): bool,
        }
        if profile is not None and Capability.CURRENT_LIMIT in profile.capabilities:
            assert profile.current_limit is not None
            fields[vol.Required(CONF_ENFORCE, default=False)] = bool
            fields[vol.Required(CONF_RELEASE_CURRENT, default=profile.current_limit.max_a)] = (
                _number(
                    profile.current_limit.min_a, profile.current_limit.max_a, step=0.1, unit="A"
                )
            )
        fields[vol.Optional(CONF_BATTERY_CAPACITY)] = _number(1, 250, step=0.1, unit="kWh")
        fields[vol.Optional(CONF_SOC_ENTITY)] = selector.EntitySelector(
            selector.EntitySelectorConfig(domain=["sensor", "input_number", "number"])
        )
        fields[vol.Required(CONF_HASH_UNKNOWN_TAGS, default=False)] = bool
        shown = user_input or {
            key: value
            for key, value in self.config_entry.options.items()
            if not isinstance(value, float) or is_finite_number(value)  # NaN of older releases
        }
        schema = self.add_suggested_values_to_schema(vol.Schema(fields), shown)
        return self.async_show_form(step_id="settings", data_schema=schema, errors=errors)

    async def async_step_fixed_price(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The fixed price: asked only when that source was chosen."""
        assert self._settings is not None
        errors: dict[str, str] = {}
        if user_input is not None:
            price = user_input.get(CONF_FIXED_PRICE)
            if price is None:
                errors[CONF_FIXED_PRICE] = "price_required"
            else:
                _finite_numbers(user_input, (CONF_FIXED_PRICE,), errors)
            if not errors:
                return self.async_create_entry(data={**self._settings, CONF_FIXED_PRICE: price})
        # Optional, so that the box starts empty (or with the price in force): the frontend
        # fills a required number without a value with the selector's minimum, -10.
        schema = vol.Schema(
            {vol.Optional(CONF_FIXED_PRICE): _number(-10, 100, step=0.001, unit=self._price_unit())}
        )
        stored = self.config_entry.options.get(CONF_FIXED_PRICE)
        shown = user_input or ({CONF_FIXED_PRICE: stored} if is_finite_number(stored) else {})
        return self.async_show_form(
            step_id="fixed_price",
            data_schema=self.add_suggested_values_to_schema(schema, shown),
            errors=errors,
        )

    async def async_step_price_sensor(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The price sensor: asked only when that source was chosen; it must exist."""
        assert self._settings is not None
        errors: dict[str, str] = {}
        if user_input is not None:
            entity_id = user_input[CONF_PRICE_ENTITY]
            if self.hass.states.get(entity_id) is None:
                errors[CONF_PRICE_ENTITY] = "price_entity_not_found"
            else:
                return self.async_create_entry(
                    data={**self._settings, CONF_PRICE_ENTITY: entity_id}
                )
        schema = vol.Schema(
            {
                vol.Required(CONF_PRICE_ENTITY): selector.EntitySelector(
                    selector.EntitySelectorConfig(domain=["sensor", "input_number", "number"])
                )
            }
        )
        return self.async_show_form(
            step_id="price_sensor",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or self.config_entry.options
            ),
            errors=errors,
        )

    # --- tags ------------------------------------------------------------------------------

    def _tags(self) -> TagStore:
        return self.hass.data[DATA_DOMAIN].tags

    def _tag_schema(self, *, with_id: bool) -> vol.Schema:
        chargers = [
            selector.SelectOptionDict(value=entry.unique_id or entry.entry_id, label=entry.title)
            for entry in self.hass.config_entries.async_entries(DOMAIN)
        ]
        fields: dict[Any, Any] = {}
        if with_id:
            fields[vol.Required(CONF_TAG_ID)] = str
        fields[vol.Required(CONF_TAG_NAME)] = str
        fields[vol.Optional(CONF_TAG_OWNER)] = str
        fields[vol.Optional(CONF_TAG_PRICE)] = _number(
            -10, 100, step=0.001, unit=self._price_unit()
        )
        fields[vol.Optional(CONF_TAG_CHARGERS)] = selector.SelectSelector(
            selector.SelectSelectorConfig(options=chargers, multiple=True)
        )
        return vol.Schema(fields)

    def _known_tag(
        self, tag_id: str, user_input: dict[str, Any], errors: dict[str, str]
    ) -> KnownTag | None:
        """The tag as entered; None (and `errors` filled) when name or owner is unusable."""
        try:
            name = validate_tag_name(user_input[CONF_TAG_NAME])
        except InvalidTagNameError:
            errors[CONF_TAG_NAME] = "invalid_tag_name"
        try:
            owner = validate_tag_name(
                user_input.get(CONF_TAG_OWNER) or "", what="owner", required=False
            )
        except InvalidTagNameError:
            errors[CONF_TAG_OWNER] = "invalid_tag_owner"
        _finite_numbers(user_input, (CONF_TAG_PRICE,), errors)
        if errors:
            return None
        assert name is not None
        return KnownTag(
            tag_id=tag_id,
            name=name,
            owner=owner,
            price_per_kwh=user_input.get(CONF_TAG_PRICE),
            chargers=frozenset(user_input.get(CONF_TAG_CHARGERS) or ()),
        )

    async def async_step_add_tag(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a known tag; a card waiting at a wallbox is admitted there at once."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                tag_id = validate_tag(user_input[CONF_TAG_ID])
            except InvalidTagError:
                errors[CONF_TAG_ID] = "invalid_tag"
                tag_id = ""
            tag = self._known_tag(tag_id, user_input, errors) if not errors else None
            if tag is not None:
                try:
                    await self._tags().async_add(tag)
                except DuplicateTagError:
                    errors[CONF_TAG_ID] = "duplicate_tag"
                else:
                    return self.async_create_entry(data=dict(self.config_entry.options))
        schema = self.add_suggested_values_to_schema(
            self._tag_schema(with_id=True), user_input or {}
        )
        return self.async_show_form(
            step_id="add_tag",
            data_schema=schema,
            errors=errors,
        )

    def _tag_picker(self, *, multiple: bool) -> selector.SelectSelector:
        return selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=[
                    selector.SelectOptionDict(value=tag.tag_id, label=_tag_label(tag))
                    for tag in self._tags().registry
                ],
                multiple=multiple,
            )
        )

    async def async_step_edit_tag(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick the tag to rename or change."""
        if not len(self._tags().registry):
            return self.async_abort(reason="no_tags")
        if user_input is not None:
            self._tag_id = user_input[CONF_TAG_ID]
            return await self.async_step_edit_tag_details()
        return self.async_show_form(
            step_id="edit_tag",
            data_schema=vol.Schema({vol.Required(CONF_TAG_ID): self._tag_picker(multiple=False)}),
        )

    async def async_step_edit_tag_details(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change name, owner, price or allowed wallboxes of a tag."""
        assert self._tag_id is not None
        tag = self._tags().registry.get(self._tag_id)
        if tag is None:
            return self.async_abort(reason="no_tags")
        errors: dict[str, str] = {}
        if user_input is not None and CONF_TAG_NAME in user_input:
            changed = self._known_tag(tag.tag_id, user_input, errors)
            if changed is not None:
                # The form does not show the person link (the portal sets it): keep it.
                await self._tags().async_update(replace(changed, person=tag.person))
                return self.async_create_entry(data=dict(self.config_entry.options))
        current = {
            CONF_TAG_NAME: tag.name,
            CONF_TAG_OWNER: tag.owner,
            CONF_TAG_PRICE: tag.price_per_kwh,
            CONF_TAG_CHARGERS: sorted(tag.chargers),
        }
        shown = user_input if errors and user_input is not None else current
        return self.async_show_form(
            step_id="edit_tag_details",
            data_schema=self.add_suggested_values_to_schema(
                self._tag_schema(with_id=False), {k: v for k, v in shown.items() if v is not None}
            ),
            errors=errors,
            description_placeholders={"tag_id": tag.tag_id},
        )

    async def async_step_remove_tag(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick the tags to forget; nothing is ticked until the user ticks it."""
        if not len(self._tags().registry):
            return self.async_abort(reason="no_tags")
        errors: dict[str, str] = {}
        if user_input is not None:
            picked = [tag_id for tag_id in user_input.get(CONF_TAGS) or () if tag_id]
            if picked:
                self._to_remove = picked
                return await self.async_step_remove_tag_confirm()
            errors[CONF_TAGS] = "no_tag_selected"
        return self.async_show_form(
            step_id="remove_tag",
            # Optional: a required multi-select opens with its first option ticked.
            data_schema=vol.Schema({vol.Optional(CONF_TAGS): self._tag_picker(multiple=True)}),
            errors=errors,
        )

    async def async_step_remove_tag_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Say which tags will be removed; remove them when the user confirms."""
        assert self._to_remove is not None
        registry = self._tags().registry
        doomed = [tag for tag_id in self._to_remove if (tag := registry.get(tag_id)) is not None]
        if not doomed:
            return self.async_abort(reason="no_tags")
        if user_input is not None:
            for tag in doomed:
                await self._tags().async_remove(tag.tag_id)
            return self.async_create_entry(data=dict(self.config_entry.options))
        return self.async_show_form(
            step_id="remove_tag_confirm",
            data_schema=vol.Schema({}),
            description_placeholders={"tags": "\n".join(f"- {_tag_label(tag)}" for tag in doomed)},
        )


def _tag_label(tag: KnownTag) -> str:
    return f"{tag.name} ({tag.tag_id})"
