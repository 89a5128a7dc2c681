"""Loading feed aggregates from their event streams and saving their new events.

Each aggregate (Post, LikeShard, LiveSession, ViewerShard) has `apply(event, time)`,
`snapshot()` and `from_snapshot(...)`; a load starts from the stored snapshot and applies the
events after it; a save appends with the loaded version as the expected one, and stores the
new state as the snapshot each time the stream passes a multiple of SNAPSHOT_EVERY versions,
so a cold load is a snapshot get and at most SNAPSHOT_EVERY commit gets, and most saves are
one insert (a post is created, liked or commented on without a second write).

`Streams` also keeps the aggregates it recently loaded or saved (bounded, least recently used
first out). Commits are immutable and chained by version, so a kept aggregate at version v is
exact up to v, and loading it again only asks for the commit at v: one `_id` get that misses
unless another writer (or process) appended since. Saving still appends at the loaded
version, so a stale copy can only lose the insert race, never overwrite anything.

A command loading the stream it is about to append to (`appending=True`) takes the kept copy
without that read when the command runs under `trusting_kept()`: the append at the kept
version is the check (a stale copy collides, is dropped, and the command re-runs on a fresh
load), and a command refused on a kept copy is run again on fresh loads (`KeptTrust`), so a
refusal is never decided on stale state.

`one_at_a_time(stream_id)` queues a process's commands on one stream (load, decide, save):
concurrent likers of one post would otherwise load the same version, and each round of
their insert race lets only one through while the others reload and retry.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from contextvars import ContextVar
from typing import Any, Protocol, TypeVar

from community_common.event_store import (
    Commit,
    ConcurrencyConflict,
    EventStore,
    NewEvent,
    RequestKey,
)
from community_common.stream_locks import StreamLocks
from google.protobuf.message import Message

# Aggregates kept per process: posts hold their body (up to 10,000 chars) and comment ids, so
# a few thousand stay within a few tens of MB.
KEPT_AGGREGATES = 4096
SNAPSHOT_EVERY = 10

R = TypeVar("R", bound=Message)


class Aggregate(Protocol):
    version: int

    def apply(self, event: Message, time: str) -> None: ...

    def snapshot(self) -> dict[str, Any]: ...


class KeptTrust:
    """Whether this command may decide on kept copies unread, and whether it did."""

    def __init__(self) -> None:
        self.verify = False
        self.used = False


# Set per command (Deps.once); a mutable holder, so loads in gathered tasks report back.
TRUST: ContextVar[KeptTrust | None] = ContextVar("feed_kept_trust", default=None)


class Streams:
    def __init__(self, store: EventStore, keep: int = KEPT_AGGREGATES) -> None:
        self.store = store
        self.keep = keep
        self._kept: OrderedDict[str, Aggregate] = OrderedDict()
        self._locks = StreamLocks()

    def one_at_a_time(self, stream_id: str) -> AbstractAsyncContextManager[None]:
        return self._locks.hold(stream_id)

    async def load(self, kind: Any, stream_id: str, *, appending: bool = False) -> Any:
        kept = self._kept.get(stream_id)
        trust = TRUST.get()
        if isinstance(kept, kind) and appending and trust is not None and not trust.verify:
            trust.used = True
            return copy.deepcopy(kept)
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
        base = aggregate.version
        for event, stored in zip(events, prepared.commit.events, strict=True):
            aggregate.apply(event, stored.time)
        if aggregate.version // SNAPSHOT_EVERY > base // SNAPSHOT_EVERY:
            # Applied at their stored times: the snapshot is what a full replay builds.
            prepared = prepared.with_snapshot(aggregate.snapshot())
        response = await respond(prepared.commit)
        try:
            commit = await self.store.insert(prepared, request=request, result=response)
        except ConcurrencyConflict:
            self._kept.pop(stream_id, None)  # stale: the re-run loads the stream afresh
            raise
        self._remember(stream_id, aggregate)
        return response, commit

    def _remember(self, stream_id: str, aggregate: Aggregate) -> None:
        # A copy: callers change the aggregate they were given (a command applies its events).
        self._kept[stream_id] = copy.deepcopy(aggregate)
        self._kept.move_to_end(stream_id)
        if len(self._kept) > self.keep:
            self._kept.popitem(last=False)
