"""The one repository every command service loads its aggregates from and saves them with.

An aggregate (any class; see `Aggregate`) changes only by applying events; the repository
replays a stream's stored events with `apply_stored` (their stored ce_time), so what a load
builds, what a save keeps and every snapshot are the state a full replay builds.

- **Load**: the kept copy, else the stored snapshot and the commits after it by `_id`.
  Commits are immutable and chained by version, so a kept copy at version v is exact up to
  v, and a query reloading it only asks for the commit at v: one `_id` get that misses unless
  another writer (or process) appended since.
- **A command's own stream** (`appending=True`): the kept copy is taken without that read.
  The append at the kept version is the check: a stale copy collides, is dropped, and the
  command re-runs on a fresh load (`community_common.commands.run_once`); a command refused
  on a kept copy is decided again on fresh loads (`KeptTrust`), so no refusal is ever
  decided on stale state.
- **Save**: the new events become the commit after the loaded version (ConcurrencyConflict
  if someone appended first, DuplicateRequest if a twin of the request did), applied at their
  stored times; the state is snapshotted each time the stream passes a multiple of
  `snapshot_every` versions, so a cold load reads a snapshot and at most that many commits,
  and most saves are a single insert.
- **One at a time**: a process's commands on one stream queue (`one_at_a_time`): concurrent
  commands would otherwise load the same version, and each round of their insert race lets
  only one through while the others reload and retry.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from contextvars import ContextVar
from typing import Any, Protocol, TypeVar

from google.protobuf.message import Message

from community_common.envelope import EventEnvelope
from community_common.event_store import (
    Commit,
    ConcurrencyConflict,
    EventStore,
    NewEvent,
    Provenance,
    RequestKey,
)
from community_common.stream_locks import StreamLocks

# Aggregates kept per process: a few thousand posts or communities stay within tens of MB.
KEPT_AGGREGATES = 4096
SNAPSHOT_EVERY = 10

R = TypeVar("R", bound=Message)


class Aggregate(Protocol):
    """What the repository needs of an aggregate. Its commands check rules and say which
    events happen; only applying events changes its state."""

    version: int

    def apply_stored(self, event: EventEnvelope) -> None:
        """Apply an event as stored (its payload, `sequence` and ce_time)."""
        ...

    def snapshot(self) -> dict[str, Any]:
        """The state as a BSON-able document (no nested arrays: FerretDB refuses them)."""
        ...


A = TypeVar("A", bound=Aggregate)
A_co = TypeVar("A_co", bound=Aggregate, covariant=True)


class AggregateKind(Protocol[A_co]):
    """An aggregate class: its empty state, and its state from a snapshot (None for a
    snapshot of an older shape, which is then ignored and the stream replayed)."""

    def empty(self, stream_id: str) -> A_co: ...

    def from_snapshot(
        self, stream_id: str, version: int, state: dict[str, Any]
    ) -> A_co | None: ...


class KeptTrust:
    """Whether the current command may decide on kept copies unread, and whether it did."""

    def __init__(self) -> None:
        self.verify = False
        self.used = False


# Set per command by run_once; a mutable holder, so loads in gathered tasks report back.
TRUST: ContextVar[KeptTrust | None] = ContextVar("kept_trust", default=None)


class Repository:
    def __init__(
        self,
        store: EventStore,
        keep: int = KEPT_AGGREGATES,
        snapshot_every: int = SNAPSHOT_EVERY,
    ) -> None:
        self.store = store
        self.keep = keep
        self.snapshot_every = snapshot_every
        self._kept: OrderedDict[str, Aggregate] = OrderedDict()
        self._locks = StreamLocks()

    def one_at_a_time(self, stream_id: str) -> AbstractAsyncContextManager[None]:
        return self._locks.hold(stream_id)

    async def load(
        self, kind: AggregateKind[A], stream_id: str, *, appending: bool = False, kept: bool = False
    ) -> A:
        """The aggregate as stored now (its empty state for an unknown stream). `appending`:
        the command appends to this stream (see the module's docstring). `kept`: the kept
        copy as it is, for an answer that may show others' recent changes late (never for a
        decision). Callers get their own copy, which they may change freely."""
        held = self._kept.get(stream_id)
        trust = TRUST.get()
        unread = kept or (appending and trust is not None and not trust.verify)
        if isinstance(held, kind) and unread:  # type: ignore[arg-type]
            if appending and trust is not None:
                trust.used = True
            return copy.deepcopy(held)  # type: ignore[return-value]
        if isinstance(held, kind):  # type: ignore[arg-type]
            aggregate: A = copy.deepcopy(held)  # type: ignore[assignment]
            newer = (await self.store.load_after(stream_id, aggregate.version)).events
            if not newer:  # the kept copy is current: keep it, no second copy
                # Unless, while this load awaited, the copy was evicted or replaced.
                if self._kept.get(stream_id) is held:
                    self._kept.move_to_end(stream_id)
                return aggregate
            for event in newer:
                aggregate.apply_stored(event)
        else:
            aggregate = await self._load_stored(kind, stream_id)
        self._remember(stream_id, aggregate)
        return aggregate

    async def _load_stored(self, kind: AggregateKind[A], stream_id: str) -> A:
        stream = await self.store.load(stream_id)
        restored = (
            kind.from_snapshot(stream_id, stream.snapshot_version, dict(stream.snapshot))
            if stream.snapshot is not None
            else None
        )
        if restored is None and stream.snapshot is not None:
            stream = await self.store.load(stream_id, use_snapshot=False)  # an older shape
        aggregate = restored if restored is not None else kind.empty(stream_id)
        for event in stream.events:
            aggregate.apply_stored(event)
        return aggregate

    async def save(
        self,
        stream_id: str,
        aggregate: Aggregate,
        events: Sequence[Message | NewEvent],
        request: RequestKey | None,
        respond: Callable[[Commit], Awaitable[R]],
        *,
        subject: str | None = None,
        provenance: Provenance | None = None,
    ) -> tuple[R, Commit]:
        """Append `events` after the aggregate's version, as loaded (the aggregate must not
        have applied them): they are applied to it at their stored times, then `respond`
        builds the response from it, and the commit is inserted together with that response
        (see community_common.commands)."""
        new = [e if isinstance(e, NewEvent) else NewEvent(e) for e in events]
        prepared = self.store.prepare(
            stream_id, aggregate.version, new, subject=subject, provenance=provenance
        )
        base = aggregate.version
        for stored in prepared.commit.events:
            aggregate.apply_stored(stored)
        if aggregate.version // self.snapshot_every > base // self.snapshot_every:
            prepared = prepared.with_snapshot(aggregate.snapshot())
        response = await respond(prepared.commit)
        try:
            commit = await self.store.insert(prepared, request=request, result=response)
        except ConcurrencyConflict:
            self.forget(stream_id)  # stale: the re-run loads the stream afresh
            raise
        self._remember(stream_id, aggregate)
        return response, commit

    def forget(self, stream_id: str) -> None:
        self._kept.pop(stream_id, None)

    def _remember(self, stream_id: str, aggregate: Aggregate) -> None:
        # A copy: callers change the aggregate they were given (a command applies its events).
        self._kept[stream_id] = copy.deepcopy(aggregate)
        self._kept.move_to_end(stream_id)
        if len(self._kept) > self.keep:
            self._kept.popitem(last=False)
