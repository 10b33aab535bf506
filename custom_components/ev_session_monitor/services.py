"""Actions: session reports (get_sessions, export_sessions) and learning a tag."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, tzinfo
from functools import partial
from pathlib import Path
from typing import Any

import probatio as vol
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util

from .access import (
    ATTR_CONFIG_ENTRY_ID,
    ATTR_END,
    ATTR_START,
    ATTR_TAG_ID,
    async_caller,
    async_require_admin,
    scoped_filter,
)
from .const import CONF_BATTERY_CAPACITY, CONF_SOC_ENTITY, DOMAIN, EXPORT_DIR
from .coordinator import async_learn_last_unknown_tag
from .core.history import summarize, totals, write_csv
from .core.model import SessionRecord
from .core.numbers import finite_float, finite_or_none
from .core.planner import (
    PriceFormatError,
    PriceSlot,
    merge_prices,
    next_departure,
    parse_price_list,
    plan_cheapest,
    prices_from_attributes,
)
from .core.tags import (
    TAG_NAME_MAX_LENGTH,
    InvalidTagNameError,
    clip_text,
    validate_tag_name,
)
from .register_dump import async_setup_register_dump
from .report_services import async_setup_report_services
from .site_config import is_site_entry
from .storage import DATA_DOMAIN

ATTR_LIMIT = "limit"
ATTR_ORDER = "order"
ORDER_NEWEST_FIRST = "newest_first"
ORDER_OLDEST_FIRST = "oldest_first"
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
    {
        **_FILTERS,
        vol.Optional(ATTR_LIMIT): vol.All(vol.Coerce(int), vol.Range(min=1, max=100000)),
        # Newest first: "the last 10 sessions" is what a limit usually means.
        vol.Optional(ATTR_ORDER, default=ORDER_NEWEST_FIRST): vol.In(
            [ORDER_NEWEST_FIRST, ORDER_OLDEST_FIRST]
        ),
    }
)
EXPORT_SESSIONS_SCHEMA = vol.Schema({**_FILTERS, vol.Optional(ATTR_PATH): cv.string})
LEARN_LAST_TAG_SCHEMA = vol.Schema(
    {vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string, vol.Optional(ATTR_NAME): cv.string}
)


async def _query(
    hass: HomeAssistant, call: ServiceCall, *, newest_first: bool = False
) -> list[SessionRecord]:
    """The sessions asked for, of the cards the caller may see (as in the portal)."""
    query = scoped_filter(hass, await async_caller(hass, call.context), call.data)
    return await hass.data[DATA_DOMAIN].archive.async_query(
        **query.as_kwargs(),
        limit=call.data.get(ATTR_LIMIT),
        newest_first=newest_first,
    )


def _session_dict(record: SessionRecord, entry_ids: Mapping[str, str]) -> dict[str, Any]:
    """A session as the action returns it: with the config entry id its filter takes."""
    data = record.to_dict()
    # The history keys sessions by the entry's unique id; users only ever see entry ids.
    data.pop("charger_id")
    return {ATTR_CONFIG_ENTRY_ID: entry_ids.get(record.charger_id), **data}


def _report(hass: HomeAssistant, records: list[SessionRecord]) -> dict[str, Any]:
    tz = dt_util.get_default_time_zone()
    entry_ids = {
        entry.unique_id or entry.entry_id: entry.entry_id
        for entry in hass.config_entries.async_entries(DOMAIN)
    }
    return {
        "sessions": [_session_dict(record, entry_ids) for record in records],
        "totals": [row.to_dict() for row in totals(records, tz)],
        "summary": summarize(records).to_dict(),
    }


# A plain file name: no folder, no hidden file, no control character; the extension is .csv.
_EXPORT_NAME = re.compile(r"[^\W_][\w .-]{0,95}\.csv", re.IGNORECASE)


class _OutsideExports(Exception):
    """The exports folder (or the file) is a link leading elsewhere."""


def _export_path(hass: HomeAssistant, requested: str | None) -> Path:
    """The CSV file in the exports folder; any name that is not a plain file name is refused.

    Nothing is renamed: a name that would be changed to fit is refused, so the file is always
    where the user said. `ev_session_monitor/exports/<name>` is accepted for older automations.
    """
    folder = Path(hass.config.path(EXPORT_DIR))
    if requested is None:
        return folder / f"sessions-{dt_util.now().strftime('%Y%m%d-%H%M%S')}.csv"
    name = requested.strip().removeprefix(f"{EXPORT_DIR}/")
    if _EXPORT_NAME.fullmatch(name) is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_export_name",
            translation_placeholders={"name": clip_text(requested, 60), "folder": EXPORT_DIR},
        )
    return folder / name


def _write_export(config_dir: Path, path: Path, records: list[SessionRecord], tz: tzinfo) -> None:
    """Write the CSV (executor); refuse if a link would take it out of the exports folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = path.parent.resolve()
    if not folder.is_relative_to(config_dir.resolve()) or path.resolve().parent != folder:
        raise _OutsideExports
    write_csv(path, records, totals(records, tz), tz)


def _shown_path(config_dir: Path, path: Path) -> str:
    """A file's path relative to the config folder."""
    return path.relative_to(config_dir).as_posix()


def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions.

    learn_last_tag changes the known cards: administrators and automations only. The others read,
    scoped like the portal (access.py); plan_charging tells only what the Now tab shows everyone.
    """
    async_setup_register_dump(hass)
    async_setup_report_services(hass)

    async def get_sessions(call: ServiceCall) -> ServiceResponse:
        newest_first = call.data.get(ATTR_ORDER, ORDER_NEWEST_FIRST) == ORDER_NEWEST_FIRST
        return _report(hass, await _query(hass, call, newest_first=newest_first))

    async def export_sessions(call: ServiceCall) -> ServiceResponse:
        path = _export_path(hass, call.data.get(ATTR_PATH))
        records = await _query(hass, call)
        tz = dt_util.get_default_time_zone()
        config_dir = Path(hass.config.config_dir)
        try:
            await hass.async_add_executor_job(_write_export, config_dir, path, records, tz)
        except _OutsideExports as err:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="export_outside_folder",
                translation_placeholders={"folder": EXPORT_DIR},
            ) from err
        except OSError as err:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="export_failed",
                translation_placeholders={
                    "path": _shown_path(config_dir, path),
                    "error": err.strerror or str(err),
                },
            ) from err
        # Relative to the config folder: where the server keeps it is none of the caller's business.
        return {"path": _shown_path(config_dir, path), "sessions": len(records)}

    async def learn_last_tag(call: ServiceCall) -> ServiceResponse:
        await async_require_admin(hass, call.context)
        entry = hass.config_entries.async_get_entry(call.data[ATTR_CONFIG_ENTRY_ID])
        if (
            entry is None
            or entry.domain != DOMAIN
            or is_site_entry(entry)
            or entry.state is not ConfigEntryState.LOADED
        ):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unknown_entry",
                translation_placeholders={"entry_id": call.data[ATTR_CONFIG_ENTRY_ID]},
            )
        name = call.data.get(ATTR_NAME)
        if name is not None:
            try:
                name = validate_tag_name(name)
            except InvalidTagNameError as err:
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="invalid_tag_name",
                    translation_placeholders={"max": str(TAG_NAME_MAX_LENGTH)},
                ) from err
        tag = await async_learn_last_unknown_tag(entry.runtime_data.coordinator, name)
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
    hass.services.async_register(
        DOMAIN,
        SERVICE_PLAN_CHARGING,
        partial(_plan_charging, hass),
        schema=PLAN_CHARGING_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )


# --- plan_charging: cheapest slots before departure (the logic is core/planner.py) -----------

SERVICE_PLAN_CHARGING = "plan_charging"
ATTR_DEPARTURE = "departure"
ATTR_ENERGY_KWH = "energy_kwh"
ATTR_TARGET_SOC = "target_soc"
ATTR_POWER_KW = "power_kw"
ATTR_PRICES = "prices"
ATTR_PRICE_ENTITY = "price_entity"

PLAN_CHARGING_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_DEPARTURE): vol.Any(cv.time, cv.datetime),
        vol.Optional(ATTR_ENERGY_KWH): finite_float(0, 500),
        vol.Optional(ATTR_TARGET_SOC): finite_float(0, 100),
        vol.Optional(ATTR_POWER_KW): finite_float(0.5, 400),
        vol.Optional(ATTR_PRICES): vol.All(cv.ensure_list, [vol.Any(dict, vol.Coerce(float))]),
        vol.Optional(ATTR_PRICE_ENTITY): cv.entity_id,
    }
)


def _plan_error(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def _energy_needed_wh(hass: HomeAssistant, entry: ConfigEntry, data: Mapping[str, Any]) -> float:
    """Energy still to charge: asked for, to a state of charge, or the wallbox's target."""
    coordinator = entry.runtime_data.coordinator
    session = coordinator.data.session if coordinator.data else None
    charged_wh = session.energy_wh if session else 0.0
    if ATTR_ENERGY_KWH in data:
        return float(data[ATTR_ENERGY_KWH]) * 1000 - charged_wh
    if ATTR_TARGET_SOC in data:
        # The state of charge already counts what this session delivered.
        capacity = finite_or_none(entry.options.get(CONF_BATTERY_CAPACITY))
        soc_state = hass.states.get(entry.options.get(CONF_SOC_ENTITY) or "")
        try:
            soc = finite_or_none(float(soc_state.state)) if soc_state is not None else None
        except ValueError:
            soc = None
        if not capacity or soc is None:
            raise _plan_error("no_battery_settings", charger=entry.title)
        return (float(data[ATTR_TARGET_SOC]) - soc) / 100 * float(capacity) * 1000
    if coordinator.target_energy_wh:
        return float(coordinator.target_energy_wh) - charged_wh
    raise _plan_error("no_energy_target", charger=entry.title)


def _plan_prices(hass: HomeAssistant, data: Mapping[str, Any], now: datetime) -> list[PriceSlot]:
    tz = dt_util.get_default_time_zone()
    slots: list[PriceSlot] = []
    try:
        if ATTR_PRICES in data:
            slots += parse_price_list(data[ATTR_PRICES], tz, now.astimezone(tz).date())
        if entity_id := data.get(ATTR_PRICE_ENTITY):
            state = hass.states.get(entity_id)
            if state is None:
                raise PriceFormatError("no such entity")
            slots += prices_from_attributes(state.attributes, tz, now.astimezone(tz).date())
    except PriceFormatError as err:
        raise _plan_error("invalid_prices", error=str(err)) from err
    if ATTR_PRICES not in data and ATTR_PRICE_ENTITY not in data:
        raise _plan_error("no_prices")
    return merge_prices(slots)


async def _plan_charging(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry = hass.config_entries.async_get_entry(call.data[ATTR_CONFIG_ENTRY_ID])
    if (
        entry is None
        or entry.domain != DOMAIN
        or is_site_entry(entry)
        or entry.state is not ConfigEntryState.LOADED
    ):
        raise _plan_error("unknown_entry", entry_id=call.data[ATTR_CONFIG_ENTRY_ID])
    now = dt_util.utcnow()
    tz = dt_util.get_default_time_zone()
    departure_value = call.data[ATTR_DEPARTURE]
    departure = (
        dt_util.as_utc(departure_value.replace(tzinfo=departure_value.tzinfo or tz))
        if isinstance(departure_value, datetime)
        else next_departure(now, departure_value, tz)
    )
    power_w = call.data.get(ATTR_POWER_KW, 0.0) * 1000 or entry.runtime_data.profile.max_power_w
    plan = plan_cheapest(
        _plan_prices(hass, call.data, now),
        now=now,
        departure=departure,
        energy_wh=_energy_needed_wh(hass, entry, call.data),
        power_w=power_w,
    )
    next_change = plan.next_change(now)

    def local(moment: datetime) -> str:
        return moment.astimezone(tz).isoformat()

    def rounded(value: float | None, digits: int) -> float | None:
        return None if value is None else round(value, digits)

    return {
        "charge_now": plan.charging_at(now),
        "next_change": local(next_change) if next_change else None,
        "departure": local(departure),
        "power_kw": round(power_w / 1000, 3),
        "energy_needed_kwh": round(plan.needed_wh / 1000, 3),
        "energy_planned_kwh": round(plan.planned_wh / 1000, 3),
        "shortfall_kwh": round(plan.shortfall_wh / 1000, 3),
        "cost": rounded(plan.cost, 4),
        "cost_straight_away": rounded(plan.cost_straight_away, 4),
        "slots": [
            {
                "start": local(slot.start),
                "end": local(slot.end),
                "price": slot.price,
                "energy_kwh": round(slot.energy_wh / 1000, 3),
            }
            for slot in plan.slots
        ],
    }
