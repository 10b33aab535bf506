"""Transaction ids that stay unique across restarts of the central system.

OCPP 1.6 edition 2, StartTransaction.conf: the central system assigns the
transaction id. A box may deliver a StopTransaction long after the start, even after Home
Assistant restarted, so an id must never be handed out twice: it is persisted before it
is answered.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Protocol


class TransactionIdAllocator(Protocol):
    """Hands out transaction ids; each is durable before `next_id` returns."""

    async def next_id(self) -> int:
        """Return a transaction id never returned before."""
        ...


class TransactionIdStoreError(OSError):
    """The allocator's file cannot be read or written."""


class JsonFileTransactionIds:
    """Keeps the last id in a small JSON file, written atomically (temp file, fsync, rename)."""

    def __init__(self, path: Path) -> None:
        """Use the file at `path`; it is created on the first id."""
        self._path = path
        self._lock = asyncio.Lock()
        self._last: int | None = None

    def _read(self) -> int:
        try:
            text = self._path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return 0
        try:
            last = json.loads(text)["last_transaction_id"]
        except (ValueError, KeyError, TypeError) as err:
            raise TransactionIdStoreError(f"{self._path} is not a transaction id file") from err
        if not isinstance(last, int) or isinstance(last, bool) or last < 0:
            raise TransactionIdStoreError(f"{self._path} holds no valid last transaction id")
        return last

    def _write(self, last: int) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._path.with_suffix(self._path.suffix + ".tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump({"last_transaction_id": last}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(self._path)

    def _allocate(self) -> int:
        last = self._read() if self._last is None else self._last
        allocated = last + 1
        self._write(allocated)
        return allocated

    async def next_id(self) -> int:
        """Return the next id after writing it to disk (in an executor thread)."""
        async with self._lock:
            try:
                allocated = await asyncio.to_thread(self._allocate)
            except OSError as err:
                raise TransactionIdStoreError(f"cannot store a transaction id: {err}") from err
            self._last = allocated
            return allocated
