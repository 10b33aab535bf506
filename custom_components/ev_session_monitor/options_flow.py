"""Options flow: settings of one wallbox, and the known cards shared by all wallboxes."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import probatio as vol
from homeassistant.config_entries import ConfigFlowResult, OptionsFlowWithReload
from homeassistant.helpers import selector

from .access import is_person
from .const import (
    CONF_BATTERY_CAPACITY,
    CONF_CARD_NAMES_ADMIN_ONLY,
    CONF_CONTROLS_ADMIN_ONLY,
    CONF_ENFORCE,
    CONF_FIXED_PRICE,
    CONF_HASH_UNKNOWN_TAGS,
    CONF_IDLE_POLL_INTERVAL,
    CONF_OCPP_CERTIFICATE,
    CONF_OCPP_HA_CERTIFICATE,
    CONF_OCPP_KEY,
    CONF_OCPP_PORT,
    CONF_POLL_INTERVAL,
    CONF_PRICE_ENTITY,
    CONF_PRICE_SOURCE,
    CONF_PROFILE,
    CONF_RELEASE_CURRENT,
    CONF_REMOTE_START_TAG,
    CONF_REQUIRES_AUTHORIZATION,
    CONF_SOC_ENTITY,
    CONF_SUSPICIOUS_ATTEMPTS,
    CONF_SUSPICIOUS_WINDOW_MIN,
    CONF_TRANSPORT,
    DEFAULT_OCPP_PORT,
    DEFAULT_POLL_INTERVAL_S,
    DEFAULT_SUSPICIOUS_ATTEMPTS,
    DEFAULT_SUSPICIOUS_WINDOW_MIN,
    MIN_POLL_INTERVAL_S,
    PRICE_FIXED,
    PRICE_NONE,
    PRICE_SENSOR,
    TRANSPORT_OCPP,
)
from .core.model import Capability
from .core.numbers import is_finite_number
from .core.ocpp.wallbox import OCPP_PROFILE
from .core.profile import WallboxProfile
from .core.site.model import MAX_PRIORITY
from .core.tags import (
    DuplicateTagError,
    InvalidTagError,
    InvalidTagNameError,
    KnownTag,
    validate_tag,
    validate_tag_name,
)
from .flow_fields import finite_numbers, number_field, whole_numbers
from .ocpp_hub import home_assistant_certificate
from .site_config import wallbox_entries
from .storage import DATA_DOMAIN, TagStore

CONF_TAG_ID = "tag_id"
CONF_TAG_NAME = "name"
# The person who owns the card: the same link the portal sets, which decides who sees its sessions.
CONF_TAG_PERSON = "person"
CONF_TAG_PRICE = "price_per_kwh"
CONF_TAG_CHARGERS = "chargers"
# The car's odometer: read into the session record at the start and end of its sessions.
CONF_TAG_ODOMETER = "odometer_entity"
CONF_TAG_PRIORITY = "priority"
CONF_TAGS = "tags"


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

    def _is_ocpp(self) -> bool:
        return self.config_entry.data.get(CONF_TRANSPORT) == TRANSPORT_OCPP

    def _profile(self) -> WallboxProfile | None:
        if self._is_ocpp():
            return OCPP_PROFILE
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
            settings = whole_numbers(
                user_input,
                (
                    CONF_POLL_INTERVAL,
                    CONF_IDLE_POLL_INTERVAL,
                    CONF_SUSPICIOUS_ATTEMPTS,
                    CONF_SUSPICIOUS_WINDOW_MIN,
                    CONF_OCPP_PORT,
                ),
                errors,
            )
            if CONF_REMOTE_START_TAG in settings:
                try:
                    settings[CONF_REMOTE_START_TAG] = validate_tag(settings[CONF_REMOTE_START_TAG])
                except InvalidTagError:
                    errors[CONF_REMOTE_START_TAG] = "invalid_tag"
            finite_numbers(settings, (CONF_RELEASE_CURRENT, CONF_BATTERY_CAPACITY), errors)
            if settings.get(CONF_OCPP_HA_CERTIFICATE):
                if settings.get(CONF_OCPP_CERTIFICATE):
                    errors[CONF_OCPP_CERTIFICATE] = "ocpp_two_certificates"
                elif home_assistant_certificate(self.hass) is None:
                    errors[CONF_OCPP_HA_CERTIFICATE] = "ocpp_no_ha_certificate"
            if not errors:
                self._settings = settings
                source = settings.get(CONF_PRICE_SOURCE, PRICE_NONE)
                if source == PRICE_FIXED:
                    return await self.async_step_fixed_price()
                if source == PRICE_SENSOR:
                    return await self.async_step_price_sensor()
                return self.async_create_entry(data=settings)
        profile = self._profile()
        fields: dict[Any, Any] = {}
        if self._is_ocpp():
            # The box pushes: no polling; its central system's port and the switch's card.
            fields[vol.Required(CONF_OCPP_PORT, default=DEFAULT_OCPP_PORT)] = number_field(1, 65535)
            fields[vol.Optional(CONF_REMOTE_START_TAG)] = str
            fields[vol.Required(CONF_OCPP_HA_CERTIFICATE, default=False)] = bool
            fields[vol.Optional(CONF_OCPP_CERTIFICATE)] = str
            fields[vol.Optional(CONF_OCPP_KEY)] = str
        else:
            fields[vol.Required(CONF_POLL_INTERVAL, default=DEFAULT_POLL_INTERVAL_S)] = (
                number_field(MIN_POLL_INTERVAL_S, 3600, unit="s")
            )
            fields[vol.Optional(CONF_IDLE_POLL_INTERVAL, default=0)] = number_field(
                0, 3600, unit="s"
            )
        fields |= {
            vol.Required(CONF_PRICE_SOURCE, default=PRICE_NONE): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=[PRICE_NONE, PRICE_FIXED, PRICE_SENSOR],
                    translation_key="price_source",
                )
            ),
            vol.Required(
                CONF_SUSPICIOUS_ATTEMPTS, default=DEFAULT_SUSPICIOUS_ATTEMPTS
            ): number_field(1, 100),
            vol.Required(
                CONF_SUSPICIOUS_WINDOW_MIN, default=DEFAULT_SUSPICIOUS_WINDOW_MIN
            ): number_field(1, 1440, unit="min"),
            vol.Required(
                CONF_REQUIRES_AUTHORIZATION,
                default=profile.requires_authorization if profile else False,
            ): bool,
        }
        if profile is not None and Capability.CURRENT_LIMIT in profile.capabilities:
            assert profile.current_limit is not None
            fields[vol.Required(CONF_ENFORCE, default=False)] = bool
            fields[vol.Required(CONF_RELEASE_CURRENT, default=profile.current_limit.max_a)] = (
                number_field(
                    profile.current_limit.min_a, profile.current_limit.max_a, step=0.1, unit="A"
                )
            )
        fields[vol.Optional(CONF_BATTERY_CAPACITY)] = number_field(1, 250, step=0.1, unit="kWh")
        fields[vol.Optional(CONF_SOC_ENTITY)] = selector.EntitySelector(
            selector.EntitySelectorConfig(domain=["sensor", "input_number", "number"])
        )
        fields[vol.Required(CONF_HASH_UNKNOWN_TAGS, default=False)] = bool
        fields[vol.Required(CONF_CONTROLS_ADMIN_ONLY, default=False)] = bool
        fields[vol.Required(CONF_CARD_NAMES_ADMIN_ONLY, default=False)] = bool
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
                finite_numbers(user_input, (CONF_FIXED_PRICE,), errors)
            if not errors:
                return self.async_create_entry(data={**self._settings, CONF_FIXED_PRICE: price})
        # Optional, so that the box starts empty (or with the price in force): the frontend
        # fills a required number without a value with the selector's minimum, -10.
        schema = vol.Schema(
            {
                vol.Optional(CONF_FIXED_PRICE): number_field(
                    -10, 100, step=0.001, unit=self._price_unit()
                )
            }
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
            for entry in wallbox_entries(self.hass)
        ]
        fields: dict[Any, Any] = {}
        if with_id:
            fields[vol.Required(CONF_TAG_ID)] = str
        fields[vol.Required(CONF_TAG_NAME)] = str
        fields[vol.Optional(CONF_TAG_PERSON)] = selector.EntitySelector(
            selector.EntitySelectorConfig(domain="person")
        )
        fields[vol.Optional(CONF_TAG_PRICE)] = number_field(
            -10, 100, step=0.001, unit=self._price_unit()
        )
        fields[vol.Optional(CONF_TAG_CHARGERS)] = selector.SelectSelector(
            selector.SelectSelectorConfig(options=chargers, multiple=True)
        )
        fields[vol.Optional(CONF_TAG_ODOMETER)] = selector.EntitySelector(
            selector.EntitySelectorConfig(domain="sensor", device_class="distance")
        )
        fields[vol.Optional(CONF_TAG_PRIORITY, default=0)] = number_field(0, MAX_PRIORITY)
        return vol.Schema(fields)

    def _known_tag(
        self, tag_id: str, user_input: dict[str, Any], errors: dict[str, str]
    ) -> KnownTag | None:
        """The tag as entered; None (and `errors` filled) when name or person is unusable."""
        try:
            name = validate_tag_name(user_input[CONF_TAG_NAME])
        except InvalidTagNameError:
            errors[CONF_TAG_NAME] = "invalid_tag_name"
        person = user_input.get(CONF_TAG_PERSON) or None
        if person is not None and not is_person(self.hass, person):
            errors[CONF_TAG_PERSON] = "unknown_person"
        odometer = user_input.get(CONF_TAG_ODOMETER) or None
        if odometer is not None and self.hass.states.get(odometer) is None:
            errors[CONF_TAG_ODOMETER] = "unknown_odometer"
        finite_numbers(user_input, (CONF_TAG_PRICE,), errors)
        priority = whole_numbers(user_input, (CONF_TAG_PRIORITY,), errors).get(CONF_TAG_PRIORITY)
        if errors:
            return None
        assert name is not None
        return KnownTag(
            tag_id=tag_id,
            name=name,
            person=person,
            price_per_kwh=user_input.get(CONF_TAG_PRICE),
            chargers=frozenset(user_input.get(CONF_TAG_CHARGERS) or ()),
            odometer_entity=odometer,
            priority=priority or 0,
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
                # An owner written as text by an earlier release stays on the card, and so
                # does the blocked state (changed in the portal).
                await self._tags().async_update(
                    replace(changed, owner=tag.owner, blocked=tag.blocked)
                )
                return self.async_create_entry(data=dict(self.config_entry.options))
        current = {
            CONF_TAG_NAME: tag.name,
            CONF_TAG_PERSON: tag.person,
            CONF_TAG_PRICE: tag.price_per_kwh,
            CONF_TAG_CHARGERS: sorted(tag.chargers),
            CONF_TAG_ODOMETER: tag.odometer_entity,
            CONF_TAG_PRIORITY: tag.priority,
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
