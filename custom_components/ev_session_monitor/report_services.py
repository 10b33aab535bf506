"""Actions for the money and the decisions: statements, corrections, utilization.

create_statement writes the monthly PDF statement of a card, or of a person (all the cards they
own), into the config folder, where a notify action can attach it, and answers with its path
relative to that folder. correct_session moves a
session to another card or notes it, kept in the audit trail with who did it. Both change what
a company files: administrators and automations only. get_utilization answers the figures of
core/utilization.py for a period, over every wallbox (administrators and automations only: it
shows every card's use of the site); with `export` it also writes them as CSV or XLSX into the
exports folder. The portal's statement and utilization downloads and its websocket commands call
the same functions after their own access checks.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import probatio as vol
from homeassistant.auth.models import User
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from .access import async_caller, async_require_admin
from .const import DOMAIN, EXPORT_DIR
from .core.history import IssuedStatement, SessionHistory
from .core.statement import LABEL_KEYS, MeterInfo, Statement, render_statement
from .core.tags import InvalidTagError, validate_tag
from .core.utilization import Utilization, utilization
from .core.utilization_export import render_utilization_csv, render_utilization_xlsx
from .site_config import is_site_entry
from .storage import DATA_DOMAIN

STATEMENT_DIR = "ev_session_monitor/statements"
SERVICE_CREATE_STATEMENT = "create_statement"
SERVICE_CORRECT_SESSION = "correct_session"
SERVICE_GET_UTILIZATION = "get_utilization"
ATTR_TAG_ID = "tag_id"
ATTR_PERSON = "person"
ATTR_MONTH = "month"
ATTR_SESSION_ID = "session_id"
ATTR_NOTE = "note"
ATTR_START = "start"
ATTR_END = "end"
ATTR_EXPORT = "export"
UTILIZATION_FORMATS = ("csv", "xlsx")
# Spreadsheet programs read a CSV as UTF-8 only with a byte-order mark.
BOM = "\ufeff"
NOTE_MAX_LENGTH = 500
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")

# Exactly one of tag_id and person: checked in the action, for an error in the user's language.
CREATE_STATEMENT_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_TAG_ID): cv.string,
        vol.Optional(ATTR_PERSON): cv.entity_domain("person"),
        vol.Optional(ATTR_MONTH): cv.string,
    }
)
CORRECT_SESSION_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_SESSION_ID): cv.string,
        vol.Optional(ATTR_TAG_ID): cv.string,
        vol.Optional(ATTR_NOTE): vol.All(cv.string, vol.Length(max=NOTE_MAX_LENGTH)),
    }
)
GET_UTILIZATION_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_START): cv.datetime,
        vol.Optional(ATTR_END): cv.datetime,
        vol.Optional(ATTR_EXPORT): vol.In(UTILIZATION_FORMATS),
    }
)


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def _month_bounds(hass: HomeAssistant, month: str | None) -> tuple[str, datetime, datetime]:
    """The month asked for (default: the last complete one) and its bounds in local time."""
    tz = dt_util.get_default_time_zone()
    if month is None:
        first = dt_util.now(tz).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        start = (first - timedelta(days=1)).replace(day=1)
    else:
        match = _MONTH.fullmatch(month.strip())
        if match is None:
            raise _invalid("invalid_month", month=month[:20])
        start = datetime(int(match[1]), int(match[2]), 1, tzinfo=tz)
    end = (start + timedelta(days=32)).replace(day=1)
    return start.strftime("%Y-%m"), start, end


def _tag(value: str) -> str:
    try:
        return validate_tag(value)
    except InvalidTagError as err:
        raise _invalid("invalid_tag_id", tag_id=value[:40]) from err


async def _labels(hass: HomeAssistant) -> dict[str, str]:
    strings = await async_get_translations(hass, hass.config.language, "selector", [DOMAIN])
    prefix = f"component.{DOMAIN}.selector.statement_label.options."
    english = await async_get_translations(hass, "en", "selector", [DOMAIN])
    return {key: strings.get(prefix + key) or english[prefix + key] for key in LABEL_KEYS}


def _write_statement(
    history: SessionHistory, config_dir: Path, statement_of: dict[str, Any]
) -> dict[str, Any]:
    """Render, write and remember one statement (executor): its answer for the action."""
    scope, month = statement_of["scope"], statement_of["month"]
    records = history.query(
        tag_ids=statement_of["tag_ids"], start=statement_of["start"], end=statement_of["end"]
    )
    earlier = history.statements(scope, month)
    statement = Statement(records=records, **statement_of["fields"])
    # The same figures as the last statement of this month: nothing replaced.
    supersedes = earlier[-1] if earlier and earlier[-1].reference != statement.reference else None
    if supersedes is not None:
        statement = replace(statement, supersedes=supersedes.issued_at)
    folder = config_dir / STATEMENT_DIR
    same = earlier[-1] if earlier and supersedes is None else None
    if same is not None and (config_dir / same.path).is_file():
        # The same figures, already filed: that file stands (repeated clicks add no files).
        return _statement_answer(statement, same.path, config_dir, month, len(records), None)
    issued = statement.issued_at
    name = f"statement-{statement_of['name']}-{month}-{issued.strftime('%Y%m%dT%H%M%S')}.pdf"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    temporary = path.with_name(f".{name}.tmp")
    temporary.write_bytes(render_statement(statement))
    temporary.replace(path)
    relative = path.relative_to(config_dir).as_posix()
    history.add_statement(IssuedStatement(scope, month, issued, statement.reference, relative))
    return _statement_answer(statement, relative, config_dir, month, len(records), supersedes)


def _statement_answer(
    statement: Statement,
    relative: str,
    config_dir: Path,
    month: str,
    sessions: int,
    supersedes: IssuedStatement | None,
) -> dict[str, Any]:
    """The action's answer for the statement filed at `relative` (to the config folder)."""
    cost = statement.cost
    return {
        "path": relative,
        "file": str(config_dir / relative),  # the same, absolute: what notify actions attach
        "reference": statement.reference,
        "month": month,
        "sessions": sessions,
        "energy_kwh": round(statement.energy_wh / 1000, 3),
        "cost": None if cost is None else float(cost),
        "currency": statement.currency or None,
        "supersedes": None if supersedes is None else supersedes.path,
    }


def _meters(hass: HomeAssistant) -> dict[str, MeterInfo]:
    """Each loaded wallbox's meter: its serial and its calibration as its profile says."""
    meters = {}
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        if is_site_entry(entry):
            continue
        runtime = entry.runtime_data
        meters[entry.unique_id or entry.entry_id] = MeterInfo(
            serial=runtime.identity.serial, calibration=runtime.profile.calibrated_meter
        )
    return meters


def _person_name(hass: HomeAssistant, person: str | None) -> str | None:
    state = hass.states.get(person) if person else None
    return state.name if state is not None else None


def _statement_subject(
    hass: HomeAssistant, tag_id: str | None, person: str | None
) -> dict[str, Any]:
    """Whose statement: its scope, file name part, cards and the fields naming them."""
    if (tag_id is None) == (person is None):
        raise _invalid("statement_card_or_person")
    registry = hass.data[DATA_DOMAIN].tags.registry
    if tag_id is not None:
        tag_id = _tag(tag_id)
        known = registry.get(tag_id)
        holder = _person_name(hass, known.person) if known is not None else None
        return {
            "scope": f"tag:{tag_id}",
            "name": tag_id,
            "tag_ids": [tag_id],
            "holder": holder or (known.owner if known else None),
            "cards": [f"{known.name} ({tag_id})" if known else tag_id],
            "per_card": {},
        }
    assert person is not None
    owned = {tag.tag_id: f"{tag.name} ({tag.tag_id})" for tag in registry if tag.person == person}
    if not owned:
        raise _invalid("person_without_cards", person=person)
    return {
        "scope": f"person:{person}",
        "name": f"person-{person.removeprefix('person.')}",
        "tag_ids": list(owned),
        "holder": _person_name(hass, person) or person,
        "cards": list(owned.values()),
        "per_card": owned,
    }


async def async_file_statement(
    hass: HomeAssistant,
    month: str | None,
    *,
    tag_id: str | None = None,
    person: str | None = None,
) -> dict[str, Any]:
    """Write (or find) the statement of a card or a person and a month: action and portal.

    Exactly one of `tag_id` and `person`. The caller has checked that the user may see it.
    """
    domain = hass.data[DATA_DOMAIN]
    subject = _statement_subject(hass, tag_id, person)
    month, start, end = _month_bounds(hass, month)
    fields = {
        "month": month,
        "labels": await _labels(hass),
        "language": hass.config.language,
        "tz": dt_util.get_default_time_zone(),
        "issued_at": dt_util.utcnow(),
        "holder": subject["holder"],
        "cards": subject["cards"],
        "per_card": subject["per_card"],
        "meters": _meters(hass),
    }
    statement_of = {
        "scope": subject["scope"],
        "name": subject["name"],
        "tag_ids": subject["tag_ids"],
        "month": month,
        "start": start,
        "end": end,
        "fields": fields,
    }
    config_dir = Path(hass.config.config_dir)
    answer: dict[str, Any] = await domain.archive.async_run(
        lambda history: _write_statement(history, config_dir, statement_of)
    )
    return answer


async def async_correct_session(
    hass: HomeAssistant,
    user: User | None,
    session_id: str,
    *,
    tag_id: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Reassign a session's card and/or note it, as `user`: the session and its audit trail.

    The caller has checked that `user` is an administrator (or that no user made the call).
    """
    domain = hass.data[DATA_DOMAIN]
    tag = None
    if tag_id is not None:
        tag_id = _tag(tag_id)
        known = domain.tags.registry.get(tag_id)
        tag = (tag_id, known.name if known else None)

    def correct(history: SessionHistory) -> dict[str, Any]:
        changed = history.correct(
            session_id,
            at=dt_util.utcnow(),
            user_id=None if user is None else user.id,
            user_name=None if user is None else user.name,
            tag=tag,
            note=note,
        )
        trail = [correction.to_dict() for correction in history.corrections(session_id)]
        return {"session": changed.to_dict(), "corrections": trail}

    try:
        answer: dict[str, Any] = await domain.archive.async_run(correct)
    except KeyError as err:
        raise _invalid("unknown_session", session_id=session_id[:60]) from err
    return answer


async def async_site_figures(
    hass: HomeAssistant, start: datetime | None, end: datetime | None
) -> Utilization:
    """The utilization of every wallbox over [start, end) (default: the last 30 days)."""
    tz = dt_util.get_default_time_zone()
    end = end or dt_util.now(tz)
    start = start or end - timedelta(days=30)
    start, end = (dt_util.as_local(moment) for moment in (start, end))
    if end <= start:
        raise _invalid("invalid_period")
    records = await hass.data[DATA_DOMAIN].archive.async_query_overlapping(start=start, end=end)
    return utilization(records, start, end, tz)


async def async_site_utilization(
    hass: HomeAssistant, start: datetime | None, end: datetime | None
) -> dict[str, Any]:
    """The utilization figures of every wallbox over [start, end), JSON-ready."""
    return (await async_site_figures(hass, start, end)).to_dict()


def render_utilization(figures: Utilization, file_format: str) -> bytes:
    """The figures as a CSV (UTF-8 with a byte-order mark) or an XLSX file (executor)."""
    tz = dt_util.get_default_time_zone()
    if file_format == "xlsx":
        return render_utilization_xlsx(figures, tz)
    return (BOM + render_utilization_csv(figures, tz)).encode("utf-8")


def _write_utilization(config_dir: Path, figures: Utilization, file_format: str) -> Path:
    """Write the figures into the exports folder (executor); the file appears only complete."""
    folder = config_dir / EXPORT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"utilization-{dt_util.now().strftime('%Y%m%d-%H%M%S')}.{file_format}"
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(render_utilization(figures, file_format))
    temporary.replace(path)
    return path


async def _create_statement(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    await async_require_admin(hass, call.context)
    return await async_file_statement(
        hass,
        call.data.get(ATTR_MONTH),
        tag_id=call.data.get(ATTR_TAG_ID),
        person=call.data.get(ATTR_PERSON),
    )


async def _correct_session(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    await async_require_admin(hass, call.context)
    return await async_correct_session(
        hass,
        await async_caller(hass, call.context),
        call.data[ATTR_SESSION_ID],
        tag_id=call.data.get(ATTR_TAG_ID),
        note=call.data.get(ATTR_NOTE),
    )


async def _get_utilization(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    await async_require_admin(hass, call.context)
    figures = await async_site_figures(hass, call.data.get(ATTR_START), call.data.get(ATTR_END))
    answer = figures.to_dict()
    file_format = call.data.get(ATTR_EXPORT)
    if file_format is None:
        return answer
    config_dir = Path(hass.config.config_dir)
    try:
        path = await hass.async_add_executor_job(
            _write_utilization, config_dir, figures, file_format
        )
    except OSError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="export_failed",
            translation_placeholders={"path": EXPORT_DIR, "error": err.strerror or str(err)},
        ) from err
    # Relative to the config folder, and absolute for a notify action's attachment.
    return {**answer, "path": path.relative_to(config_dir).as_posix(), "file": str(path)}


def async_setup_report_services(hass: HomeAssistant) -> None:
    """Register the statement, correction and utilization actions."""
    for name, handler, schema in (
        (SERVICE_CREATE_STATEMENT, _create_statement, CREATE_STATEMENT_SCHEMA),
        (SERVICE_CORRECT_SESSION, _correct_session, CORRECT_SESSION_SCHEMA),
        (SERVICE_GET_UTILIZATION, _get_utilization, GET_UTILIZATION_SCHEMA),
    ):
        hass.services.async_register(
            DOMAIN,
            name,
            partial(handler, hass),
            schema=schema,
            supports_response=SupportsResponse.ONLY,
        )
