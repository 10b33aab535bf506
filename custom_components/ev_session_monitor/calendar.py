"""A calendar per wallbox: its charging sessions, read from the session history.

Every range the calendar view or `calendar.get_events` asks for is read from the history file, so
a year back costs one indexed query and nothing is kept in memory. Completed sessions that could
not be written to the history yet, and the running session, come from the wallbox's coordinator.
Event texts are plain English, like the logbook's: calendar events carry no translation keys.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from homeassistant.components.calendar import (
    CalendarEntity,
    CalendarEntityDescription,
    CalendarEvent,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .access import UNKNOWN_VIEWER, Viewer, async_viewer, card_label_shown
from .coordinator import EvConfigEntry, EvCoordinator
from .core.durations import duration_text
from .core.model import SessionRecord
from .core.tags import tag_label
from .entity import EvEntity

PARALLEL_UPDATES = 0

SEPARATOR = " · "
NO_CARD = "No card"
UNKNOWN_CARD = "Unknown card"
# The calendar's state shows the running session ending this far ahead; when that time comes the
# state is written again with a new end, so it stays "on" without a write on every poll.
ONGOING_AHEAD = timedelta(minutes=15)
MINUTE = timedelta(minutes=1)

CALENDAR = CalendarEntityDescription(key="charging_sessions", translation_key="charging_sessions")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the wallbox's session calendar."""
    async_add_entities([SessionCalendar(entry.runtime_data.coordinator)])


def _time(moment: datetime) -> str:
    return dt_util.as_local(moment).strftime("%Y-%m-%d %H:%M")


def _overlaps(first: datetime, last: datetime, start: datetime, end: datetime) -> bool:
    return first < end and (last > start or first >= start)


class SessionCalendar(EvEntity, CalendarEntity):
    """The charging sessions of one wallbox."""

    _available_without_box = True  # the history can be read whether or not the box answers

    def __init__(self, coordinator: EvCoordinator) -> None:
        """Attach to the wallbox's device."""
        super().__init__(coordinator, CALENDAR)

    def _refresh_shown(self) -> object:
        live = self.coordinator.data.session
        return None if live is None else (live.session_id, self._card(live, UNKNOWN_VIEWER))

    @property
    def event(self) -> CalendarEvent | None:
        """The running session, if any (a calendar's state shows only current or future)."""
        live = self.coordinator.data.session
        if live is None:
            return None
        return CalendarEvent(
            start=live.started_at,
            end=max(dt_util.utcnow(), live.started_at) + ONGOING_AHEAD,
            summary=f"{self._card(live, UNKNOWN_VIEWER)}{SEPARATOR}in progress",
            description=f"Start: {_time(live.started_at)}",
            location=live.charger_name,
            uid=live.session_id,
        )

    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """The sessions that overlap the range, from the history; the running one as ongoing."""
        coordinator = self.coordinator
        # Card names only for whoever may see them (the option "card names for administrators").
        shown_to = await async_viewer(hass, self._context)
        records = await coordinator.domain.archive.async_query_overlapping(
            start=start_date, end=end_date, charger_ids=[coordinator.charger_id]
        )
        seen = {record.session_id for record in records}
        for record in coordinator.recorder.unarchived:  # completed, not in the history file yet
            if record.session_id not in seen and _overlaps(
                record.started_at, record.ended_at, start_date, end_date
            ):
                records.append(record)
                seen.add(record.session_id)
        records.sort(key=lambda record: (record.started_at, record.session_id))
        events = [
            self._event(record, record.ended_at, shown_to, running=False) for record in records
        ]
        live = coordinator.data.session
        if live is not None and live.session_id not in seen:
            # Shown up to the next full minute: the event grows while the session runs.
            now = max(dt_util.utcnow(), live.started_at)
            end = now.replace(second=0, microsecond=0) + MINUTE
            if _overlaps(live.started_at, end, start_date, end_date):
                events.append(self._event(live, end, shown_to, running=True))
        return events

    def _card(self, record: SessionRecord, shown_to: Viewer) -> str:
        """The card's name now (a card learned or renamed later shows so), else the recorded."""
        if not record.tag_id:
            return NO_CARD
        label = tag_label(record.tag_id, record.tag_name, self.coordinator.domain.tags.registry)
        label = card_label_shown(self.hass, shown_to, record.tag_id, label)
        return label or UNKNOWN_CARD

    def _event(
        self, record: SessionRecord, end: datetime, shown_to: Viewer, *, running: bool
    ) -> CalendarEvent:
        currency = record.currency or self.hass.config.currency
        card = self._card(record, shown_to)
        summary = f"{card}{SEPARATOR}{record.energy_wh / 1000:.1f} kWh"
        if record.cost is not None:
            summary += f"{SEPARATOR}{record.cost:.2f} {currency}"
        lines = [f"Card: {card}"]
        if record.tag_id and card == UNKNOWN_CARD:
            lines.append(f"Card ID: {record.tag_id}")
        lines.append(f"Start: {_time(record.started_at)}")
        if running:
            lines.append("End: still plugged in")
        elif record.end_latest is not None:
            lines.append(
                f"End: between {_time(record.ended_at)} and {_time(record.end_latest)}"
                " (estimated: Home Assistant was not running when the vehicle left)"
            )
        else:
            lines.append(f"End: {_time(record.ended_at)}")
        lines.append(f"Energy: {record.energy_wh / 1000:.3f} kWh")
        if record.cost is None:
            lines.append("Cost: no price known")
        else:
            lines.append(f"Cost: {record.cost:.2f} {currency}")
        if record.unpriced_wh > 0:
            lines.append(f"Unpriced energy: {record.unpriced_wh / 1000:.3f} kWh")
        lines.append(f"Duration: {duration_text((end - record.started_at).total_seconds())}")
        lines.append(f"Charging time: {duration_text(record.charging_s)}")
        if record.avg_power_w is not None:
            lines.append(f"Average power: {record.avg_power_w / 1000:.2f} kW")
        if record.peak_power_w is not None:
            lines.append(f"Peak power: {record.peak_power_w / 1000:.2f} kW")
        lines.append(f"Measured by: {record.energy_source}")
        if record.gaps:
            lines.append(f"Polling gaps: {record.gaps}")
        if record.unseen_s > 0:
            lines.append(f"Time without measurement: {duration_text(record.unseen_s)}")
        return CalendarEvent(
            start=record.started_at,
            end=end,
            summary=summary,
            description="\n".join(lines),
            location=record.charger_name,
            uid=record.session_id,
        )
