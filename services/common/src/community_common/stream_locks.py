"""One asyncio lock per event stream, held while a command loads, decides and appends.

Optimistic concurrency alone keeps a stream correct, but commands racing on one hot stream in
the same process (a popular community's joins) mostly lose: each loser has done its load and
append for nothing, backs off and tries again. Queuing them in-process instead lets every
command's other round trips (request ids, read models) overlap, while the version check still
guards against other processes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class StreamLocks:
    def __init__(self) -> None:
        # stream id -> (its lock, how many hold or wait for it); gone when nobody does
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, stream_id: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(stream_id) or (asyncio.Lock(), 0)
        self._locks[stream_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[stream_id]
            if users == 1:
                del self._locks[stream_id]
            else:
                self._locks[stream_id] = (lock, users - 1)

    def __len__(self) -> int:
        """Streams currently held or waited for."""
        return len(self._locks)
