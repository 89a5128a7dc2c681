"""Loading feed aggregates from their event streams and saving their new events.

Each aggregate (Post, LikeShard, LiveSession, ViewerShard) has `apply(event, time)`,
`snapshot()` and `from_snapshot(...)`; a load starts from the stored snapshot and applies the
events after it; a save appends with the loaded version as the expected one and stores the new
snapshot, so a cold load is one or two `_id` gets.

`Streams` also keeps the aggregates it recently loaded or saved (bounded, least recently used
first out). Commits are immutable and chained by version, so a kept aggregate at version v is
exact up to v, and loading it again only asks for the commit at v: one `_id` get that misses
unless another writer (or process) appended since. Saving still appends at the loaded
version, so a stale copy can only lose the insert race, never overwrite anything.

`one_at_a_time(stream_id)` queues a process's commands on one stream (load, decide, save):
concurrent likers of one post would otherwise load the same version, and each round of
their insert race lets only one through while the others reload and retry.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol, TypeVar

from community_common.event_store import Commit, EventStore, NewEvent, RequestKey
from community_common.stream_locks import StreamLocks
from google.protobuf.message import Message

# Aggregates kept per process: posts hold their body (up to 10,000 chars) and comment ids, so
# a few thousand stay within a few tens of MB.
KEPT_AGGREGATES = 4096

R = TypeVar("R", bound=Message)


class Aggregate(Protocol):
    version: int

    def apply(self, event: Message, time: str) -> None: ...

    def snapshot(self) -> dict[str, Any]: ...


class Streams:
    def __init__(self, store: EventStore, keep: int = KEPT_AGGREGATES) -> None:
        self.store = store
        self.keep = keep
        self._kept: OrderedDict[str, Aggregate] = OrderedDict()
        self._locks = StreamLocks()

    def one_at_a_time(self, stream_id: str) -> AbstractAsyncContextManager[None]:
        return self._locks.hold(stream_id)

    async def load(self, kind: Any, stream_id: str) -> Any:
        kept = self._kept.get(stream_id)
        if isinstance(kept, kind):
            aggregate: Any = copy.deepcopy(kept)
            for event in (await self.store.load_after(stream_id, aggregate.version)).events:
                aggregate.apply(event.message(), event.time)
        else:
            stream = await self.store.load(stream_id)
            aggregate = (
                kind.from_snapshot(stream_id, stream.snapshot_version, dict(stream.snapshot))
                if stream.snapshot is not None
                else kind(stream_id)
            )
            for event in stream.events:
                aggregate.apply(event.message(), event.time)
        self._remember(stream_id, aggregate)
        return aggregate

    async def save(
        self,
        stream_id: str,
        aggregate: Aggregate,
        events: Sequence[Message],
        request: RequestKey | None,
        respond: Callable[[Commit], Awaitable[R]],
    ) -> tuple[R, Commit]:
        """Apply `events` (with the ce_time they are stored with) to the aggregate, build the
        response from it, and append them after the loaded version together with that
        response (ConcurrencyConflict if someone was faster, DuplicateRequest if a twin of
        this request was)."""
        prepared = self.store.prepare(
            stream_id, aggregate.version, [NewEvent(event) for event in events]
        )
        for event, stored in zip(events, prepared.commit.events, strict=True):
            aggregate.apply(event, stored.time)
        # Applied at their stored times: the snapshot is what a full replay builds.
        prepared = prepared.with_snapshot(aggregate.snapshot())
        response = await respond(prepared.commit)
        commit = await self.store.insert(prepared, request=request, result=response)
        self._remember(stream_id, aggregate)
        return response, commit

    def _remember(self, stream_id: str, aggregate: Aggregate) -> None:
        # A copy: callers change the aggregate they were given (a command applies its events).
        self._kept[stream_id] = copy.deepcopy(aggregate)
        self._kept.move_to_end(stream_id)
        if len(self._kept) > self.keep:
            self._kept.popitem(last=False)
