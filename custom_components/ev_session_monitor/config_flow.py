"""Config flow (user, reconfigure, reauth) and options flow (settings and known tags)."""

from __future__ import annotations

from collections.abc import Mapping
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

from . import create_client
from .const import (
    CONF_BATTERY_CAPACITY,
    CONF_ENFORCE,
    CONF_FIXED_PRICE,
    CONF_HASH_UNKNOWN_TAGS,
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
from .core.modbus import ModbusLinkPool
from .core.model import Capability, DeviceIdentity
from .core.profile import ProfileCatalog, WallboxProfile
from .core.tags import DuplicateTagError, InvalidTagError, KnownTag, validate_tag
from .storage import DATA_DOMAIN, DomainData, SessionArchive, TagStore, async_load_catalog

CONF_TAG_ID = "tag_id"
CONF_TAG_NAME = "name"
CONF_TAG_OWNER = "owner"
CONF_TAG_PRICE = "price_per_kwh"
CONF_TAG_CHARGERS = "chargers"
CONF_TAGS = "tags"


async def _async_domain(hass: HomeAssistant) -> DomainData:
    """Shared data; a flow may run before the integration's async_setup."""
    if DATA_DOMAIN in hass.data:
        return hass.data[DATA_DOMAIN]
    tags = TagStore(hass)
    await tags.async_load()
    return DomainData(
        catalog=await async_load_catalog(hass), tags=tags, archive=SessionArchive(hass)
    )


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


def _connection_schema(
    catalog: ProfileCatalog, defaults: Mapping[str, Any], *, with_profile: bool
) -> vol.Schema:
    fields: dict[Any, Any] = {}
    if with_profile:
        fields[vol.Required(CONF_NAME, default=defaults.get(CONF_NAME, "Wallbox"))] = str
        fields[vol.Required(CONF_PROFILE, default=defaults.get(CONF_PROFILE, vol.UNDEFINED))] = (
            selector.SelectSelector(
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
        )
    fields[vol.Required(CONF_HOST, default=defaults.get(CONF_HOST, vol.UNDEFINED))] = (
        selector.TextSelector(selector.TextSelectorConfig(autocomplete="off"))
    )
    fields[vol.Optional(CONF_PORT, description={"suggested_value": defaults.get(CONF_PORT)})] = (
        vol.All(vol.Coerce(int), vol.Range(min=1, max=65535))
    )
    fields[
        vol.Optional(CONF_UNIT_ID, description={"suggested_value": defaults.get(CONF_UNIT_ID)})
    ] = vol.All(vol.Coerce(int), vol.Range(min=0, max=255))
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

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> EvOptionsFlow:
        """Return the options flow."""
        return EvOptionsFlow()

    async def _async_validate(
        self, data: dict[str, Any]
    ) -> tuple[WallboxProfile | None, DeviceIdentity | None, dict[str, str]]:
        domain = await _async_domain(self.hass)
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
        if user_input is not None:
            profile, identity, errors = await self._async_validate(user_input)
            if not errors:
                assert profile is not None and identity is not None
                await self.async_set_unique_id(_unique_id(profile, user_input, identity))
                self._abort_if_unique_id_configured()
                data = {key: value for key, value in user_input.items() if key != CONF_NAME}
                return self.async_create_entry(title=user_input[CONF_NAME], data=data)
        domain = await _async_domain(self.hass)
        if not domain.catalog.profiles:
            return self.async_abort(reason="no_profiles")
        return self.async_show_form(
            step_id="user",
            data_schema=_connection_schema(domain.catalog, user_input or {}, with_profile=True),
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
        domain = await _async_domain(self.hass)
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
            _profile, _identity, errors = await self._async_validate(data)
            if not errors:
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

    async def async_step_settings(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Polling, price, suspicious-activity thresholds, enforcement, time to full."""
        errors: dict[str, str] = {}
        if user_input is not None:
            source = user_input.get(CONF_PRICE_SOURCE, PRICE_NONE)
            if source == PRICE_SENSOR and not user_input.get(CONF_PRICE_ENTITY):
                errors[CONF_PRICE_ENTITY] = "price_entity_required"
            elif source == PRICE_FIXED and CONF_FIXED_PRICE not in user_input:
                errors[CONF_FIXED_PRICE] = "fixed_price_required"
            else:
                return self.async_create_entry(data=user_input)
        profile = self._profile()
        fields: dict[Any, Any] = {
            vol.Required(CONF_POLL_INTERVAL, default=DEFAULT_POLL_INTERVAL_S): vol.All(
                vol.Coerce(int), vol.Range(min=MIN_POLL_INTERVAL_S, max=3600)
            ),
            vol.Required(CONF_PRICE_SOURCE, default=PRICE_NONE): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=[PRICE_NONE, PRICE_FIXED, PRICE_SENSOR],
                    translation_key="price_source",
                )
            ),
            vol.Optional(CONF_FIXED_PRICE): vol.All(vol.Coerce(float), vol.Range(min=-10, max=100)),
            vol.Optional(CONF_PRICE_ENTITY): selector.EntitySelector(
                selector.EntitySelectorConfig(domain=["sensor", "input_number", "number"])
            ),
            vol.Required(CONF_SUSPICIOUS_ATTEMPTS, default=DEFAULT_SUSPICIOUS_ATTEMPTS): vol.All(
                vol.Coerce(int), vol.Range(min=1, max=100)
            ),
            vol.Required(
                CONF_SUSPICIOUS_WINDOW_MIN, default=DEFAULT_SUSPICIOUS_WINDOW_MIN
            ): vol.All(vol.Coerce(int), vol.Range(min=1, max=1440)),
            vol.Required(
                CONF_REQUIRES_AUTHORIZATION,
                default=profile.requires_authorization if profile else False,
            ): bool,
        }
        if profile is not None and Capability.CURRENT_LIMIT in profile.capabilities:
            assert profile.current_limit is not None
            fields[vol.Required(CONF_ENFORCE, default=False)] = bool
            fields[vol.Required(CONF_RELEASE_CURRENT, default=profile.current_limit.max_a)] = (
                vol.All(
                    vol.Coerce(float),
                    vol.Range(min=profile.current_limit.min_a, max=profile.current_limit.max_a),
                )
            )
        fields[vol.Optional(CONF_BATTERY_CAPACITY)] = vol.All(
            vol.Coerce(float), vol.Range(min=1, max=250)
        )
        fields[vol.Optional(CONF_SOC_ENTITY)] = selector.EntitySelector(
            selector.EntitySelectorConfig(domain=["sensor", "input_number", "number"])
        )
        fields[vol.Required(CONF_HASH_UNKNOWN_TAGS, default=False)] = bool
        schema = self.add_suggested_values_to_schema(
            vol.Schema(fields), user_input or self.config_entry.options
        )
        return self.async_show_form(step_id="settings", data_schema=schema, errors=errors)

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
        fields[vol.Optional(CONF_TAG_PRICE)] = vol.All(
            vol.Coerce(float), vol.Range(min=-10, max=100)
        )
        fields[vol.Optional(CONF_TAG_CHARGERS)] = selector.SelectSelector(
            selector.SelectSelectorConfig(options=chargers, multiple=True)
        )
        return vol.Schema(fields)

    def _known_tag(self, tag_id: str, user_input: dict[str, Any]) -> KnownTag:
        return KnownTag(
            tag_id=tag_id,
            name=user_input[CONF_TAG_NAME].strip(),
            owner=(user_input.get(CONF_TAG_OWNER) or "").strip() or None,
            price_per_kwh=user_input.get(CONF_TAG_PRICE),
            chargers=frozenset(user_input.get(CONF_TAG_CHARGERS) or ()),
        )

    async def async_step_add_tag(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a known tag."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                tag_id = validate_tag(user_input[CONF_TAG_ID])
                await self._tags().async_add(self._known_tag(tag_id, user_input))
            except InvalidTagError:
                errors[CONF_TAG_ID] = "invalid_tag"
            except DuplicateTagError:
                errors[CONF_TAG_ID] = "duplicate_tag"
            else:
                return self.async_create_entry(data=dict(self.config_entry.options))
        schema = self.add_suggested_values_to_schema(
            self._tag_schema(with_id=True), user_input or {}
        )
        return self.async_show_form(step_id="add_tag", data_schema=schema, errors=errors)

    def _tag_picker(self, *, multiple: bool) -> selector.SelectSelector:
        return selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=[
                    selector.SelectOptionDict(value=tag.tag_id, label=f"{tag.name} ({tag.tag_id})")
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
        if user_input is not None and CONF_TAG_NAME in user_input:
            await self._tags().async_update(self._known_tag(tag.tag_id, user_input))
            return self.async_create_entry(data=dict(self.config_entry.options))
        current = {
            CONF_TAG_NAME: tag.name,
            CONF_TAG_OWNER: tag.owner,
            CONF_TAG_PRICE: tag.price_per_kwh,
            CONF_TAG_CHARGERS: sorted(tag.chargers),
        }
        return self.async_show_form(
            step_id="edit_tag_details",
            data_schema=self.add_suggested_values_to_schema(
                self._tag_schema(with_id=False), {k: v for k, v in current.items() if v is not None}
            ),
            description_placeholders={"tag_id": tag.tag_id},
        )

    async def async_step_remove_tag(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Forget tags (their past sessions keep the name they had)."""
        if not len(self._tags().registry):
            return self.async_abort(reason="no_tags")
        if user_input is not None:
            for tag_id in user_input[CONF_TAGS]:
                await self._tags().async_remove(tag_id)
            return self.async_create_entry(data=dict(self.config_entry.options))
        return self.async_show_form(
            step_id="remove_tag",
            data_schema=vol.Schema({vol.Required(CONF_TAGS): self._tag_picker(multiple=True)}),
        )
