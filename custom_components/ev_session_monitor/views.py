"""The portal's CSV downloads: an authenticated HTTP endpoint of the integration.

`GET /api/ev_session_monitor/download/sessions` gives every session matching the filters (in the
order the Sessions view shows), with the monthly totals below, in the `export_sessions` format.
`GET /api/ev_session_monitor/download/totals` gives the Reports view's two tables. Filters are
the websocket ones as query parameters (`config_entry_id` and `tag_id` may repeat). With
`format=xlsx`, either gives one workbook of the three tables (sessions, per card and month, per
wallbox and month), numbers as numbers and times in Home Assistant's time zone.
`GET /api/ev_session_monitor/download/utilization?start=…&end=…` gives the get_utilization figures
(default: the last 30 days) as CSV or XLSX; administrators only, as utilization itself.

`GET /api/ev_session_monitor/statement?tag_id=…&month=YYYY-MM` gives a card's monthly PDF
statement, filed as the create_statement action files it (the same figures give the same file);
`?person=person.…&month=…` instead gives that person's, over all the cards they own.
Administrators may ask for any card and person; any other user for their own person and the
cards linked to it.
"""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path

import probatio as vol
from aiohttp import web
from homeassistant.components.http.const import KEY_HASS_USER
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView
from homeassistant.util import dt as dt_util

from .access import (
    parse_filter_query,
    persons_of,
    scoped_filter,
    sees_everything,
    visible_tags,
)
from .const import DOMAIN
from .core.history import (
    SORT_COLUMNS,
    charger_totals,
    render_csv,
    render_report_xlsx,
    render_totals_csv,
    totals,
)
from .core.tags import normalize_tag
from .report_services import (
    BOM,
    UTILIZATION_FORMATS,
    async_file_statement,
    async_site_figures,
    render_utilization,
)
from .storage import DATA_DOMAIN

DOWNLOAD_URL = f"/api/{DOMAIN}/download"
KINDS = ("sessions", "totals", "utilization")
FORMATS = UTILIZATION_FORMATS
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DownloadView(HomeAssistantView):
    """CSV of what the Sessions or Reports view shows, for the logged-in user."""

    url = DOWNLOAD_URL + "/{kind}"
    name = f"api:{DOMAIN}:download"
    requires_auth = True

    async def get(self, request: web.Request, kind: str) -> web.StreamResponse:
        """Answer with the CSV; 400 for bad filters, 403 for another person's sessions."""
        if kind not in KINDS:
            return self.json_message("unknown download", HTTPStatus.NOT_FOUND)
        hass = request.app[KEY_HASS]
        user = request[KEY_HASS_USER]
        file_format = request.query.get("format", "csv")
        if file_format not in FORMATS:
            return self.json_message("unknown format", HTTPStatus.BAD_REQUEST)
        if kind == "utilization":
            return await self._utilization(request, file_format)
        sort = request.query.get("sort", "started_at")
        descending = request.query.get("descending", "true").lower() != "false"
        if sort not in SORT_COLUMNS:
            return self.json_message("unknown sort column", HTTPStatus.BAD_REQUEST)
        try:
            data = parse_filter_query(request.query, lambda key: request.query.getall(key, []))
            query = scoped_filter(hass, user, data)
        except (vol.Invalid, ServiceValidationError) as err:
            return self.json_message(str(err), HTTPStatus.BAD_REQUEST)
        except Unauthorized:
            return self.json_message("not your sessions", HTTPStatus.FORBIDDEN)
        archive = hass.data[DATA_DOMAIN].archive
        tz = dt_util.get_default_time_zone()
        records = await archive.async_query(**query.as_kwargs(), sort=sort, newest_first=descending)

        def render() -> str:  # tens of thousands of rows: not in the event loop
            if kind == "sessions":
                return render_csv(records, totals(records, tz), tz)
            return render_totals_csv(totals(records, tz), charger_totals(records, tz))

        stamp = _stamp()
        if file_format == "xlsx":
            workbook = await hass.async_add_executor_job(
                lambda: render_report_xlsx(
                    records, totals(records, tz), charger_totals(records, tz), tz
                )
            )
            return web.Response(
                body=workbook,
                content_type=XLSX_TYPE,
                headers={"Content-Disposition": f'attachment; filename="ev-{kind}-{stamp}.xlsx"'},
            )
        text = await hass.async_add_executor_job(render)
        return web.Response(
            body=(BOM + text).encode("utf-8"),
            content_type="text/csv",
            charset="utf-8",
            headers={"Content-Disposition": f'attachment; filename="ev-{kind}-{stamp}.csv"'},
        )

    async def _utilization(self, request: web.Request, file_format: str) -> web.StreamResponse:
        """The utilization figures as a file: administrators only, as utilization itself."""
        hass = request.app[KEY_HASS]
        if not sees_everything(request[KEY_HASS_USER]):
            return self.json_message("administrators only", HTTPStatus.FORBIDDEN)
        try:
            start, end = (
                cv.datetime(request.query[key]) if key in request.query else None
                for key in ("start", "end")
            )
            figures = await async_site_figures(hass, start, end)
        except (vol.Invalid, ServiceValidationError) as err:
            return self.json_message(str(err) or "invalid period", HTTPStatus.BAD_REQUEST)
        body = await hass.async_add_executor_job(render_utilization, figures, file_format)
        name = f"ev-utilization-{_stamp()}.{file_format}"
        return web.Response(
            body=body,
            content_type=XLSX_TYPE if file_format == "xlsx" else "text/csv",
            charset=None if file_format == "xlsx" else "utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )


def _stamp() -> str:
    return dt_util.now().strftime("%Y%m%d-%H%M")


class StatementView(HomeAssistantView):
    """A card's or a person's monthly PDF statement, for a user who may see those sessions."""

    url = f"/api/{DOMAIN}/statement"
    name = f"api:{DOMAIN}:statement"
    requires_auth = True

    async def get(self, request: web.Request) -> web.StreamResponse:
        """Answer with the PDF; 400 for a bad card, person or month, 403 for another person's."""
        hass = request.app[KEY_HASS]
        user = request[KEY_HASS_USER]
        tag_id = normalize_tag(request.query["tag_id"]) if "tag_id" in request.query else None
        person = request.query.get("person")
        if not sees_everything(user):
            if tag_id is not None and tag_id not in (visible_tags(hass, user) or ()):
                return self.json_message("not your card", HTTPStatus.FORBIDDEN)
            if person is not None and person not in persons_of(hass, user):
                return self.json_message("not your person", HTTPStatus.FORBIDDEN)
        try:
            if person is not None:
                person = cv.entity_domain("person")(person)
            filed = await async_file_statement(
                hass, request.query.get("month"), tag_id=tag_id, person=person
            )
        except (vol.Invalid, ServiceValidationError) as err:
            return self.json_message(
                str(err) or "invalid card, person or month", HTTPStatus.BAD_REQUEST
            )
        path = Path(hass.config.path(filed["path"]))
        body = await hass.async_add_executor_job(path.read_bytes)
        return web.Response(
            body=body,
            content_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="{path.name}"',
                "X-Statement-Reference": filed["reference"],
            },
        )
