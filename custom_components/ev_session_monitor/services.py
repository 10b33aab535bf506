"""Actions: session reports (get_sessions, export_sessions) and learning a tag."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import probatio as vol
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util

from .const import DOMAIN, EXPORT_DIR
from .core.history import summarize, totals, write_csv
from .core.model import SessionRecord
from .core.tags import normalize_tag
from .storage import DATA_DOMAIN

ATTR_CONFIG_ENTRY_ID = "config_entry_id"
ATTR_TAG_ID = "tag_id"
ATTR_START = "start"
ATTR_END = "end"
ATTR_LIMIT = "limit"
ATTR_PATH = "path"
ATTR_NAME = "name"

SERVICE_GET_SESSIONS = "get_sessions"
SERVICE_EXPORT_SESSIONS = "export_sessions"
SERVICE_LEARN_LAST_TAG = "learn_last_tag"

_FILTERS = {
    vol.Optional(ATTR_CONFIG_ENTRY_ID): vol.All(cv.ensure_list, [cv.string]),
    vol.Optional(ATTR_TAG_ID): vol.All(cv.ensure_list, [cv.string]),
    vol.Optional(ATTR_START): cv.datetime,
    vol.Optional(ATTR_END): cv.datetime,
}
GET_SESSIONS_SCHEMA = vol.Schema(
    {**_FILTERS, vol.Optional(ATTR_LIMIT): vol.All(vol.Coerce(int), vol.Range(min=1, max=100000))}
)
EXPORT_SESSIONS_SCHEMA = vol.Schema({**_FILTERS, vol.Optional(ATTR_PATH): cv.string})
LEARN_LAST_TAG_SCHEMA = vol.Schema(
    {vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string, vol.Optional(ATTR_NAME): cv.string}
)


def _aware(value: datetime | None) -> datetime | None:
    """Datetimes without a zone are in Home Assistant's time zone."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt_util.get_default_time_zone())


def _charger_ids(hass: HomeAssistant, entry_ids: list[str] | None) -> list[str] | None:
    if not entry_ids:
        return None
    charger_ids = []
    for entry_id in entry_ids:
        entry = hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unknown_entry",
                translation_placeholders={"entry_id": entry_id},
            )
        charger_ids.append(entry.unique_id or entry.entry_id)
    return charger_ids


async def _query(hass: HomeAssistant, call: ServiceCall) -> list[SessionRecord]:
    start, end = _aware(call.data.get(ATTR_START)), _aware(call.data.get(ATTR_END))
    if start is not None and end is not None and end <= start:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="invalid_range")
    tags = call.data.get(ATTR_TAG_ID)
    return await hass.data[DATA_DOMAIN].archive.async_query(
        charger_ids=_charger_ids(hass, call.data.get(ATTR_CONFIG_ENTRY_ID)),
        tag_ids=[normalize_tag(tag) for tag in tags] if tags else None,
        start=start,
        end=end,
        limit=call.data.get(ATTR_LIMIT),
    )


def _report(records: list[SessionRecord]) -> dict[str, Any]:
    tz = dt_util.get_default_time_zone()
    return {
        "sessions": [record.to_dict() for record in records],
        "totals": [row.to_dict() for row in totals(records, tz)],
        "summary": summarize(records).to_dict(),
    }


def _export_path(hass: HomeAssistant, requested: str | None) -> Path:
    """Resolve the CSV path; anything outside the config directory is refused."""
    config_dir = Path(hass.config.config_dir).resolve()
    if requested is None:
        stamp = dt_util.now().strftime("%Y%m%d-%H%M%S")
        requested = f"{EXPORT_DIR}/sessions-{stamp}.csv"
    path = Path(requested)
    resolved = (path if path.is_absolute() else config_dir / path).resolve()
    if not resolved.is_relative_to(config_dir) or resolved == config_dir:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="path_outside_config",
            translation_placeholders={"path": requested},
        )
    if resolved.suffix.lower() != ".csv":
        resolved = resolved.with_suffix(".csv")
    return resolved


def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions."""

    async def get_sessions(call: ServiceCall) -> ServiceResponse:
        return _report(await _query(hass, call))

    async def export_sessions(call: ServiceCall) -> ServiceResponse:
        path = _export_path(hass, call.data.get(ATTR_PATH))
        records = await _query(hass, call)
        tz = dt_util.get_default_time_zone()

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_csv(path, records, totals(records, tz), tz)

        try:
            await hass.async_add_executor_job(write)
        except OSError as err:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="export_failed",
                translation_placeholders={"path": str(path), "error": err.strerror or str(err)},
            ) from err
        return {"path": str(path), "sessions": len(records)}

    async def learn_last_tag(call: ServiceCall) -> ServiceResponse:
        from .coordinator import async_learn_last_unknown_tag  # noqa: PLC0415

        entry = hass.config_entries.async_get_entry(call.data[ATTR_CONFIG_ENTRY_ID])
        if entry is None or entry.domain != DOMAIN or entry.state is not ConfigEntryState.LOADED:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unknown_entry",
                translation_placeholders={"entry_id": call.data[ATTR_CONFIG_ENTRY_ID]},
            )
        tag = await async_learn_last_unknown_tag(
            entry.runtime_data.coordinator, call.data.get(ATTR_NAME)
        )
        return {"tag_id": tag.tag_id, "name": tag.name}

    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_SESSIONS,
        get_sessions,
        schema=GET_SESSIONS_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_EXPORT_SESSIONS,
        export_sessions,
        schema=EXPORT_SESSIONS_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_LEARN_LAST_TAG,
        learn_last_tag,
        schema=LEARN_LAST_TAG_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
