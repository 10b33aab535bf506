"""Transaction ids that stay unique across restarts, and what each open transaction began with.

OCPP 1.6 edition 2, StartTransaction.conf: the central system assigns the transaction id.
A box may deliver a StopTransaction long after the start, even after Home Assistant
restarted, so an id must never be handed out twice, and the meterStart and card of an open
transaction must still be known at its stop: all three are persisted before the
StartTransaction is answered. A transaction that was closed stays remembered (the last
`CLOSED_REMEMBERED` ids), so a StopTransaction the box sends again is accepted without
being reported twice.

Public API (used by the Home Assistant layer):
- `TransactionIdAllocator`: the protocol `ChargePointSettings.transaction_ids` needs.
- `JsonFileTransactionIds(path)`: the durable implementation (one small JSON file).
- `OpenTransaction`, `Closing`: what `begin`, `lookup` and `finish` take and return.
- `TransactionIdStoreError`: the file cannot be read or written.
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

# How many closed transaction ids are kept to recognise a StopTransaction sent again.
CLOSED_REMEMBERED = 1000


@dataclass(frozen=True, slots=True)
class OpenTransaction:
    """What a StartTransaction said, kept until its StopTransaction."""

    charge_point_id: str
    connector_id: int
    id_tag: str
    meter_start_wh: int
    timestamp: str


@dataclass(frozen=True, slots=True)
class Closing:
    """The outcome of `finish`: the transaction it closed, or why there was none."""

    transaction: OpenTransaction | None
    # True when this id was closed before: the StopTransaction is a repeat.
    already_closed: bool = False


class TransactionIdAllocator(Protocol):
    """Hands out transaction ids and keeps open transactions; each change is durable first."""

    async def next_id(self) -> int:
        """Return a transaction id never returned before."""
        ...

    async def begin(self, transaction: OpenTransaction) -> int:
        """Store `transaction` under a new id and return the id."""
        ...

    async def lookup(self, transaction_id: int) -> OpenTransaction | None:
        """Return the open transaction with this id, None if it is not open."""
        ...

    async def closed(self, transaction_id: int) -> bool:
        """Return True if this id was closed before (a StopTransaction sent again)."""
        ...

    async def finish(self, transaction_id: int) -> Closing:
        """Close a transaction; say whether it was open, closed before, or never known."""
        ...


class TransactionIdStoreError(OSError):
    """The allocator's file cannot be read or written."""


@dataclass(slots=True)
class _State:
    last: int
    open: dict[int, OpenTransaction]
    closed: list[int]


def _parse(path: Path, text: str) -> _State:
    try:
        data = json.loads(text)
        last = data["last_transaction_id"]
        open_transactions = {
            int(key): OpenTransaction(**value) for key, value in data.get("open", {}).items()
        }
        closed = [int(value) for value in data.get("closed", [])]
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise TransactionIdStoreError(f"{path} is not a transaction id file") from err
    if not isinstance(last, int) or isinstance(last, bool) or last < 0:
        raise TransactionIdStoreError(f"{path} holds no valid last transaction id")
    return _State(last, open_transactions, closed)


class JsonFileTransactionIds:
    """Keeps the last id and the open transactions in a JSON file, written atomically.

    Every change is applied in memory at once and its caller waits until a write that holds
    it has reached the disk. Changes made while a write is under way go to disk together in
    the next one (a group commit): 500 boxes starting at once cost a few writes, not 500
    serial ones, and no caller is answered before its change is durable.
    """

    def __init__(self, path: Path) -> None:
        """Use the file at `path`; it is created on the first id."""
        self._path = path
        self._load_lock = asyncio.Lock()
        self._state: _State | None = None
        # What the file holds: the state to fall back to when a write fails.
        self._durable: _State | None = None
        # Callers whose change is in `_state` but not yet on disk.
        self._waiting: list[asyncio.Future[None]] = []
        self._writer: asyncio.Task[None] | None = None

    def _read(self) -> _State:
        try:
            text = self._path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return _State(0, {}, [])
        return _parse(self._path, text)

    def _write(self, state: _State) -> None:
        document: dict[str, Any] = {
            "last_transaction_id": state.last,
            "open": {str(key): asdict(value) for key, value in state.open.items()},
            "closed": state.closed,
        }
        self._path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._path.with_suffix(self._path.suffix + ".tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump(document, handle)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(self._path)

    async def _loaded(self) -> _State:
        async with self._load_lock:
            if self._state is None:
                try:
                    self._state = self._durable = await asyncio.to_thread(self._read)
                except TransactionIdStoreError:
                    raise
                except OSError as err:
                    raise TransactionIdStoreError(f"cannot read {self._path}: {err}") from err
            return self._state

    async def _commit(self, state: _State) -> None:
        """Make `state` the current one; return once a write holding it is on disk."""
        self._state = state
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(written)
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_waiting())
        await written

    async def _write_waiting(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                state = self._state
                assert state is not None
                try:
                    await asyncio.to_thread(self._write, state)
                except OSError as err:
                    # Nothing of this batch, nor of the changes made on top of it, is durable:
                    # back to what the file holds, and every caller hears it failed.
                    self._state = self._durable
                    batch += self._waiting
                    self._waiting = []
                    error = TransactionIdStoreError(f"cannot store a transaction id: {err}")
                    for written in batch:
                        if not written.done():
                            written.set_exception(error)
                    return
                self._durable = state
                for written in batch:
                    if not written.done():
                        written.set_result(None)
        finally:
            self._writer = None

    async def next_id(self) -> int:
        """Return the next id after writing it to disk (in an executor thread)."""
        state = await self._loaded()
        allocated = state.last + 1
        await self._commit(_State(allocated, state.open, state.closed))
        return allocated

    async def begin(self, transaction: OpenTransaction) -> int:
        """Store the transaction under the next id, on disk before the id is returned."""
        state = await self._loaded()
        allocated = state.last + 1
        await self._commit(_State(allocated, {**state.open, allocated: transaction}, state.closed))
        return allocated

    async def lookup(self, transaction_id: int) -> OpenTransaction | None:
        """Return the open transaction with this id."""
        return (await self._loaded()).open.get(transaction_id)

    async def closed(self, transaction_id: int) -> bool:
        """Return True if this id was closed before."""
        return transaction_id in (await self._loaded()).closed

    async def finish(self, transaction_id: int) -> Closing:
        """Close the transaction; an id never started is noted as closed too."""
        state = await self._loaded()
        if transaction_id in state.closed:
            return Closing(None, already_closed=True)
        remaining = dict(state.open)
        transaction = remaining.pop(transaction_id, None)
        closed = [*state.closed, transaction_id][-CLOSED_REMEMBERED:]
        await self._commit(_State(state.last, remaining, closed))
        return Closing(transaction)
