"""The OCPP steps of the config flow: add a charge point (typed or knocking), new password."""

from __future__ import annotations

import secrets
import string
from typing import Any

import probatio as vol
from homeassistant.config_entries import ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_NAME, CONF_PASSWORD
from homeassistant.helpers import selector

from .const import (
    CONF_CHARGE_POINT_ID,
    CONF_OCPP_PORT,
    CONF_PROFILE,
    CONF_TRANSPORT,
    DEFAULT_OCPP_PORT,
    TRANSPORT_OCPP,
)
from .core.ocpp.identity import IdentityError, validate_charge_point_id
from .core.ocpp.wallbox import OCPP_PROFILE_ID
from .flow_fields import check_name, number_field, whole_numbers

# Boxes take passwords of limited length (OCPP 2.0.1's BasicAuthPassword: 16 to 40 characters);
# a generated one has 20, letters and digits only, which every box's web form accepts.
PASSWORD_MIN_LENGTH = 16
PASSWORD_MAX_LENGTH = 40
_GENERATED_LENGTH = 20
_ALPHABET = string.ascii_letters + string.digits


def generate_password() -> str:
    """A random password for a charge point."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(_GENERATED_LENGTH))


def check_charge_point_id(user_input: dict[str, Any], errors: dict[str, str]) -> None:
    """The id as the central system will accept it in the URL."""
    try:
        user_input[CONF_CHARGE_POINT_ID] = validate_charge_point_id(
            str(user_input.get(CONF_CHARGE_POINT_ID, "")).strip()
        )
    except IdentityError:
        errors[CONF_CHARGE_POINT_ID] = "invalid_charge_point_id"


def check_port(user_input: dict[str, Any], errors: dict[str, str]) -> None:
    """A whole port number (the selector's range is checked before)."""
    user_input.update(whole_numbers(user_input, (CONF_OCPP_PORT,), errors))


def check_password(user_input: dict[str, Any], errors: dict[str, str]) -> None:
    """Printable ASCII of a length boxes take."""
    password = str(user_input.get(CONF_PASSWORD, ""))
    if not (
        PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH
        and all(" " < char <= "~" for char in password)
    ):
        errors[CONF_PASSWORD] = "invalid_ocpp_password"


def ocpp_schema(defaults: dict[str, Any]) -> vol.Schema:
    """Name and charge point id of a new OCPP box."""
    return vol.Schema(
        {
            vol.Required(CONF_NAME, default=defaults.get(CONF_NAME, "Wallbox")): str,
            vol.Required(
                CONF_CHARGE_POINT_ID, default=defaults.get(CONF_CHARGE_POINT_ID, vol.UNDEFINED)
            ): selector.TextSelector(selector.TextSelectorConfig(autocomplete="off")),
            vol.Required(
                CONF_OCPP_PORT, default=defaults.get(CONF_OCPP_PORT, DEFAULT_OCPP_PORT)
            ): number_field(1, 65535),
        }
    )


def password_schema() -> vol.Schema:
    """A new password for an OCPP box."""
    return vol.Schema(
        {
            vol.Required(CONF_PASSWORD): selector.TextSelector(
                selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
            )
        }
    )


class OcppConfigSteps(ConfigFlow):
    """The config flow's steps for OCPP charge points (mixed into the integration's flow)."""

    _ocpp: dict[str, Any] | None = None  # a new OCPP box, until its password was shown

    async def async_step_ocpp(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """An OCPP 1.6J charge point: its name and charge point id; a password is generated."""
        errors: dict[str, str] = {}
        if user_input is not None:
            user_input = dict(user_input)
            check_charge_point_id(user_input, errors)
            check_port(user_input, errors)
            check_name(user_input, errors)
            if not errors:
                charge_point_id = user_input[CONF_CHARGE_POINT_ID]
                await self.async_set_unique_id(f"ocpp_{charge_point_id}")
                self._abort_if_unique_id_configured()
                self._ocpp = {**user_input, CONF_PASSWORD: generate_password()}
                return await self.async_step_ocpp_password()
        return self.async_show_form(
            step_id="ocpp", data_schema=ocpp_schema(user_input or {}), errors=errors
        )

    async def async_step_integration_discovery(
        self, discovery_info: dict[str, Any]
    ) -> ConfigFlowResult:
        """An unknown charge point id keeps knocking at the central system: offer to add it."""
        charge_point_id = str(discovery_info[CONF_CHARGE_POINT_ID])
        await self.async_set_unique_id(f"ocpp_{charge_point_id}")
        self._abort_if_unique_id_configured()
        self._ocpp = {
            CONF_CHARGE_POINT_ID: charge_point_id,
            CONF_OCPP_PORT: int(discovery_info[CONF_OCPP_PORT]),
        }
        self.context["title_placeholders"] = {"name": charge_point_id, "host": "OCPP"}
        return await self.async_step_ocpp_confirm()

    async def async_step_ocpp_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Name the knocking box; its password is generated and shown next."""
        assert self._ocpp is not None
        errors: dict[str, str] = {}
        if user_input is not None:
            user_input = dict(user_input)
            check_name(user_input, errors)
            if not errors:
                self._ocpp.update(user_input, **{CONF_PASSWORD: generate_password()})
                return await self.async_step_ocpp_password()
        return self.async_show_form(
            step_id="ocpp_confirm",
            data_schema=vol.Schema({vol.Required(CONF_NAME, default="Wallbox"): str}),
            description_placeholders={"charge_point_id": self._ocpp[CONF_CHARGE_POINT_ID]},
            errors=errors,
        )

    async def async_step_ocpp_password(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the box's address and password once; the entry is created when confirmed."""
        assert self._ocpp is not None
        if user_input is not None:
            return self.async_create_entry(
                title=self._ocpp[CONF_NAME],
                data={
                    CONF_TRANSPORT: TRANSPORT_OCPP,
                    CONF_PROFILE: OCPP_PROFILE_ID,
                    CONF_CHARGE_POINT_ID: self._ocpp[CONF_CHARGE_POINT_ID],
                    CONF_PASSWORD: self._ocpp[CONF_PASSWORD],
                },
                options={CONF_OCPP_PORT: self._ocpp[CONF_OCPP_PORT]},
            )
        return self.async_show_form(
            step_id="ocpp_password",
            data_schema=vol.Schema({}),
            description_placeholders={
                "charge_point_id": self._ocpp[CONF_CHARGE_POINT_ID],
                "password": self._ocpp[CONF_PASSWORD],
                "port": str(self._ocpp[CONF_OCPP_PORT]),
            },
        )

    async def async_step_reconfigure_ocpp(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A new password for an OCPP box; the old one stops working."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            check_password(user_input, errors)
            if not errors:
                return self.async_update_reload_and_abort(
                    entry, data={**entry.data, CONF_PASSWORD: user_input[CONF_PASSWORD]}
                )
        return self.async_show_form(
            step_id="reconfigure_ocpp",
            data_schema=password_schema(),
            errors=errors,
            description_placeholders={"charge_point_id": entry.data[CONF_CHARGE_POINT_ID]},
        )
