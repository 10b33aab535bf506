"""Form fields and checks of the OCPP steps of the config flow."""

from __future__ import annotations

import secrets
import string
from typing import Any

import probatio as vol
from homeassistant.const import CONF_NAME, CONF_PASSWORD
from homeassistant.helpers import selector

from .const import CONF_CHARGE_POINT_ID, CONF_OCPP_PORT, DEFAULT_OCPP_PORT
from .core.ocpp.identity import IdentityError, validate_charge_point_id
from .flow_fields import number_field, whole_numbers

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
