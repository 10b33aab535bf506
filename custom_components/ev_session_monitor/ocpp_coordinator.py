"""The wallbox of an OCPP entry: the box pushes its facts, each one is recorded as it comes.

No poll loop: every fact updates the box's Reading (core/ocpp/wallbox.py) and runs the same
path a poll runs (authorization, session recorder, lock, entities), before the box gets its
answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import (
    CONF_REMOTE_START_TAG,
    DOMAIN,
    HOME_ASSISTANT_TAG_ID,
    LOGGER,
)
from .coordinator import EvConfigEntry, EvCoordinator, EvData
from .core.errors import WallboxError
from .core.ocpp.commands import CommandError
from .core.ocpp.events import (
    BootInfo,
    CardAttempt,
    CardDecision,
    ConfigurationReport,
    StatusReport,
    TransactionStarted,
    TransactionStopped,
)
from .core.ocpp.local_list import LocalListLimits, async_sync_local_list, wanted_entries
from .core.ocpp.meter_values import MeterSample
from .core.ocpp.transaction_meter import TransactionMeter, concurrent_session
from .core.ocpp.wallbox import OcppWallboxClient, decide_card, refused_because
from .core.tags import KnownTag
from .issues import async_clear_wallbox_issue, async_wallbox_issue
from .ocpp_hub import SAMPLE_INTERVAL_S
from .storage import DomainData

# The box refused its Local Authorization List (also in full); cleared by the next update taken.
LOCAL_LIST_FAILED_ISSUE = "ocpp_local_list_failed"


def ocpp_store_key(entry_id: str) -> str:
    """The storage key of an OCPP entry's transaction."""
    return f"{DOMAIN}.ocpp_{entry_id}"


class OcppCoordinator(EvCoordinator):
    """One OCPP charge point's wallbox; the central system's facts for it arrive here."""

    client: OcppWallboxClient

    def __init__(
        self,
        hass: HomeAssistant,
        entry: EvConfigEntry,
        client: OcppWallboxClient,
        domain: DomainData,
        password: str,
    ) -> None:
        """Record what `client`'s box pushes; `password` is the one it connects with."""
        super().__init__(hass, entry, client, domain)
        self.password = password
        self.events.refuses_unknown_cards = True
        self.recorder.transaction_meter = self._transaction_meter
        # A second transaction (another connector) is priced like the shown session, at the
        # price in force for its card (core/ocpp/transaction_meter.py says how).
        self.client.price_of = self.recorder.price
        self._last_time: datetime | None = None
        self._store: Store[dict[str, Any]] = Store(
            hass, 1, ocpp_store_key(entry.entry_id), atomic_writes=True
        )
        # What the connected box's configuration says about its local list (None: not read).
        self._local_list_limits: LocalListLimits | None = None
        self._local_list_lock = asyncio.Lock()
        # Transactions told to stop because their card was withdrawn (sent once each).
        self._withdrawn_stops: set[int] = set()

    async def _async_setup(self) -> None:
        await super()._async_setup()
        stored = await self._store.async_load()
        if isinstance(stored, dict):
            self.client.restore(stored)
        self.config_entry.async_on_unload(self.domain.tags.async_listen(self._cards_changed))

    @callback
    def _cards_changed(self) -> None:
        """The known cards changed: the box's local list gets the difference.

        A running transaction whose card may no longer charge here is stopped.
        """
        if self._local_list_limits is not None and self._local_list_limits.enabled:
            self.config_entry.async_create_background_task(
                self.hass, self._async_sync_local_list(full=False), f"{self.name} local list"
            )
        self._stop_if_card_withdrawn()

    @callback
    def _stop_if_card_withdrawn(self) -> None:
        """RemoteStopTransaction for a transaction whose card was blocked, removed or moved.

        OCPP 1.6 gives a box a card's new status only in the answers to Authorize,
        StartTransaction and StopTransaction; StopTransactionOnInvalidId acts only on the
        first two. A transaction that is already running is ended by the central system.
        """
        for running in self.client.running():
            if running.id_tag is None or running.transaction_id in self._withdrawn_stops:
                continue
            reason = refused_because(self.domain.tags.registry, self.charger_id, running.id_tag)
            if reason is None:
                continue
            self._withdrawn_stops.add(running.transaction_id)
            self.config_entry.async_create_background_task(
                self.hass,
                self._async_stop_withdrawn(running, reason),
                f"{self.name} card withdrawn",
            )

    async def _async_stop_withdrawn(self, running: TransactionMeter, reason: str) -> None:
        tag_id, tag_name = self.recorder.label(running.id_tag)
        data: dict[str, Any] = {
            "tag_id": tag_id,
            "tag_name": tag_name,
            "reason": reason,
            "transaction_id": running.transaction_id,
        }
        try:
            await self.client.remote_stop(running.transaction_id)
        except WallboxError as err:
            # Not stopped: tried again when the box reconnects or the cards change again.
            self._withdrawn_stops.discard(running.transaction_id)
            LOGGER.warning(
                "%s: transaction %s of card %s (%s) was not stopped: %s",
                self.name,
                running.transaction_id,
                tag_id,
                reason,
                err,
            )
            self.events.announce("card_withdrawn", {**data, "stopped": False, "error": str(err)})
            return
        LOGGER.info(
            "%s: transaction %s stopped, its card %s may no longer charge here (%s)",
            self.name,
            running.transaction_id,
            tag_id,
            reason,
        )
        self.events.announce("card_withdrawn", {**data, "stopped": True})

    async def _async_sync_local_list(self, *, full: bool) -> None:
        async with self._local_list_lock:
            live = self.client.connection()
            limits = self._local_list_limits
            if live is None or limits is None:
                return
            wanted = wanted_entries(self.domain.tags.registry, self.charger_id)
            try:
                await async_sync_local_list(live, self.client.local_list, wanted, limits, full=full)
            except CommandError as err:
                # The box keeps the list it had: offline it may admit a card withdrawn since.
                LOGGER.warning("%s: the local list was not updated: %s", self.name, err)
                async_wallbox_issue(
                    self.hass, self.config_entry, LOCAL_LIST_FAILED_ISSUE, answer=err.status
                )
                if err.status == "NotSupported":
                    # No more updates on this connection; the next boot tries again.
                    self._local_list_limits = LocalListLimits(enabled=False)
            else:
                async_clear_wallbox_issue(self.hass, self.config_entry, LOCAL_LIST_FAILED_ISSUE)
            await self._store.async_save(self.client.stored())

    async def async_save_now(self) -> None:
        """Persist the session state and the box's transaction (before the box is answered)."""
        await super().async_save_now()
        await self._store.async_save(self.client.stored())

    @staticmethod
    def _poll_seconds(options: Mapping[str, Any]) -> float:
        # The box sends MeterValues this often during a transaction (set at its boot).
        return float(SAMPLE_INTERVAL_S)

    def _reading_time(self) -> datetime:
        """The box's time of its latest fact (never going back); Home Assistant's without one.

        Only the box's own times are compared: messages it queued while Home Assistant was
        down carry times before the restart, and count there.
        """
        when = self.client.reading_time
        if when is None:
            return dt_util.utcnow()
        if self._last_time is not None and when < self._last_time:
            when = self._last_time
        self._last_time = when
        return when

    def _transaction_meter(self) -> tuple[float | None, float | None]:
        meter = self.client.take_meter()
        if meter is None:
            return None, None
        end = None if meter.meter_end_wh is None else float(meter.meter_end_wh)
        return float(meter.meter_start_wh), end

    async def _async_update_data(self) -> EvData:
        if self.data is None and not self.client.connected:
            # Set up before the box connected: nothing to record yet, and its entities wait.
            return self._data(self.client.reading, dt_util.utcnow())
        if self.recorder.tracker.open is not None and not self.client.status_seen:
            # A session from before the restart: until the box says what its outlet does,
            # a reading without a status would end it.
            return self._data(self.client.reading, dt_util.utcnow())
        data = await super()._async_update_data()
        if self.client.reprice_concurrent():
            # Saved when it changes: after a restart the energy since the last save is priced
            # at this price, as it would have been.
            await self._store.async_save(self.client.stored())
        return data

    @callback
    def async_tick(self, tick: int) -> None:
        """Nothing to poll: the box pushes."""

    async def _async_push(self) -> None:
        await self.async_refresh()

    # --- the central system's facts ------------------------------------------------------

    def decide(self, id_tag: str) -> CardDecision:
        """Known cards allowed on this wallbox are accepted; every other one is refused."""
        return decide_card(self.domain.tags.registry, self.charger_id, id_tag)

    @callback
    def disconnected(self) -> None:
        """The box went away: its entities become unavailable."""
        self._local_list_limits = None
        self.config_entry.async_create_task(
            self.hass, self.async_refresh(), f"{self.name} disconnected"
        )

    async def boot(self, charge_point_id: str, info: BootInfo) -> None:
        """The box booted: its identity goes on the device."""
        self.client.apply_boot(info)
        if self.device_id is not None:
            dr.async_get(self.hass).async_update_device(
                self.device_id,
                manufacturer=info.vendor,
                model=info.model,
                serial_number=info.serial,
                sw_version=info.firmware,
            )
        await self._async_push()

    async def status(self, charge_point_id: str, report: StatusReport) -> None:
        """A StatusNotification."""
        self.client.apply_status(report)
        await self._async_push()

    async def meter_sample(self, charge_point_id: str, sample: MeterSample) -> None:
        """MeterValues."""
        self.client.apply_sample(sample)
        await self._async_push()

    async def card(self, charge_point_id: str, attempt: CardAttempt) -> None:
        """A card the box asked about: an attempt, counted as a polled box's would be."""
        self.client.apply_card(attempt)
        await self._async_push()

    async def transaction_started(self, charge_point_id: str, event: TransactionStarted) -> None:
        """StartTransaction."""
        self.client.apply_start(event)
        await self._async_push()
        await self.async_save_now()

    async def transaction_stopped(self, charge_point_id: str, event: TransactionStopped) -> None:
        """StopTransaction: counted and saved before the box hears it was accepted.

        A concurrent transaction (another connector's, while the shown one runs) is its own
        session record.
        """
        concurrent = self.client.stop_concurrent(event)
        if concurrent is not None:
            record = concurrent_session(
                concurrent,
                event.timestamp,
                dt_util.utcnow(),
                self.charger_id,
                self.config_entry.title,
                self.recorder.price(concurrent.id_tag),
            )
            self.recorder.completed(record)
            if record.cost is not None:
                self.recorder.total_cost += record.cost
            await self._async_push()
            await self.async_save_now()
            return
        running = self.client.transaction
        # The connection knows only the transactions it started; a box that reconnected
        # mid-transaction stops one this wallbox still knows.
        known = event.known or (
            running is not None and running.transaction_id == event.transaction_id
        )
        self.client.apply_stop(event)
        if not known:
            LOGGER.warning(
                "%s: StopTransaction for transaction %s, which this central system never"
                " started; its meter reading %s Wh was kept",
                self.name,
                event.transaction_id,
                event.meter_stop_wh,
            )
            async_wallbox_issue(
                self.hass,
                self.config_entry,
                "ocpp_unknown_transaction",
                transaction=str(event.transaction_id),
                meter=str(event.meter_stop_wh),
            )
        await self._async_push()
        await self.async_save_now()

    async def configuration(self, charge_point_id: str, report: ConfigurationReport) -> None:
        """A key the box refused could let it bypass the card check (a repair); its list."""
        self._local_list_limits = LocalListLimits.from_configuration(report.read_back)
        await self._async_sync_local_list(full=True)
        self._stop_if_card_withdrawn()  # a card withdrawn while the box was away
        if report.rejected:
            async_wallbox_issue(
                self.hass,
                self.config_entry,
                "ocpp_configuration_rejected",
                keys=", ".join(report.rejected),
            )
        else:
            async_clear_wallbox_issue(self.hass, self.config_entry, "ocpp_configuration_rejected")

    # --- controls --------------------------------------------------------------------------

    async def _async_remote_start_tag(self) -> str:
        """The card named in RemoteStartTransaction; the "Home Assistant" card by default."""
        chosen = self.config_entry.options.get(CONF_REMOTE_START_TAG)
        if chosen:
            return str(chosen)
        tags = self.domain.tags
        if tags.registry.get(HOME_ASSISTANT_TAG_ID) is None:
            await tags.async_add(KnownTag(tag_id=HOME_ASSISTANT_TAG_ID, name="Home Assistant"))
        return HOME_ASSISTANT_TAG_ID

    async def async_set_enabled(self, enabled: bool) -> None:
        """On: RemoteStartTransaction with the configured card; off: RemoteStopTransaction."""
        if enabled:
            await self.client.remote_start(await self._async_remote_start_tag())
        else:
            await self.client.set_enabled(False)

    async def async_reset(self) -> None:
        """Restart the box."""
        await self.client.reset()

    async def async_set_operative(self, operative: bool) -> None:
        """Let the box take sessions or not (ChangeAvailability)."""
        await self.client.set_operative(operative)

    async def async_refresh_values(self) -> None:
        """Ask the box for its status and meter values now (TriggerMessage)."""
        await self.client.refresh()
