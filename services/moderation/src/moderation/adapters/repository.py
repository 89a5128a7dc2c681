"""Loads moderation aggregates from the event store and saves what they recorded.

Each aggregate kind has its own stream prefix, so ids of different kinds never share a
stream; the event's ce_subject is the bare id, as the contract names it.

What a save stores as the state after its commit is a replay: the state the aggregate was
loaded with, plus its new events applied at their stored ce_time (a command applies them at
its own clock, which a replay never sees). That state is kept in this process and, each time
the stream passes a multiple of SNAPSHOT_EVERY versions, saved as the stream's snapshot in
the commit's write, so a cold load is a snapshot get and fewer than SNAPSHOT_EVERY commit
gets, and most saves are one insert.

The repository keeps the aggregates it recently loaded or saved (bounded, least recently used
first out). Commits are immutable and chained by version, so a kept aggregate at version v is
exact up to v, and loading it again asks only for the commit at v: one `_id` get that misses
unless another writer (or process) appended since. A command loading the stream it is about
to append to (`appending=True`) takes the kept copy without that read, as
`community_common.repository` does for feed and membership (whose `KeptTrust`, set by
`run_once`, it reports to): the append at the kept version is the check (a stale copy
collides, is dropped, and the command re-runs on a fresh load), and `run_once` decides again
on fresh loads whatever a command refused, or found nothing to do, on a kept copy.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from contextlib import AbstractAsyncContextManager
from typing import TypeVar

from community_common.event_store import (
    Commit,
    ConcurrencyConflict,
    EventStore,
    NewEvent,
    Provenance,
    RequestKey,
)
from community_common.repository import TRUST
from community_common.stream_locks import StreamLocks
from google.protobuf.message import Message

from moderation.domain.aggregate import Aggregate
from moderation.domain.automod import AutomodRule
from moderation.domain.content import PostModeration
from moderation.domain.reports import Report
from moderation.domain.restrictions import UserRestrictions
from moderation.domain.rules import Rule
from moderation.domain.sanctions import CommunitySanctions

A = TypeVar("A", bound=Aggregate)

STREAM_PREFIX: dict[type[Aggregate], str] = {
    Rule: "rule",
    Report: "report",
    CommunitySanctions: "sanctions",
    UserRestrictions: "restrictions",
    PostModeration: "post",
    AutomodRule: "automod",
}

SNAPSHOT_EVERY = 10
# Aggregates kept per process (per event loop): rules and reports are small, a community's
# sanctions hold one entry per sanctioned member.
KEPT_AGGREGATES = 4096


def stream_id(kind: type[Aggregate], aggregate_id: str) -> str:
    return f"{STREAM_PREFIX[kind]}:{aggregate_id}"


class Repository:
    def __init__(
        self,
        store: EventStore,
        *,
        keep: int = KEPT_AGGREGATES,
        snapshot_every: int = SNAPSHOT_EVERY,
    ) -> None:
        self.store = store
        self.keep = keep
        self.snapshot_every = snapshot_every
        # stream id -> the replayed aggregate at its version; never changed in place
        self._kept: OrderedDict[str, Aggregate] = OrderedDict()
        self._locks = StreamLocks()

    def one_at_a_time(
        self, kind: type[Aggregate], aggregate_id: str
    ) -> AbstractAsyncContextManager[None]:
        """Queue this process's commands on one stream (load, decide, save): concurrent
        commands would otherwise load the same version and all but one lose the insert."""
        return self._locks.hold(stream_id(kind, aggregate_id))

    async def load(self, kind: type[A], aggregate_id: str, *, appending: bool = False) -> A:
        """The aggregate as stored now (version 0 if its stream is empty): the caller's own
        copy. With `appending`, in a command run by `run_once`, the kept copy as it is."""
        stream = stream_id(kind, aggregate_id)
        kept = self._kept.get(stream)
        trust = TRUST.get()
        if isinstance(kept, kind):
            if not (appending and trust is not None and not trust.verify):
                newer = await self.store.load_after(stream, kept.version)
                if newer.events:
                    kept = copy.deepcopy(kept)
                    for envelope in newer.events:
                        kept.apply(envelope.message(), envelope.occurred_at)
                    self._remember(stream, kept)
            elif trust is not None:
                trust.used = True
            if stream in self._kept:  # (others may have pushed it out meanwhile)
                self._kept.move_to_end(stream)
            base: A = kept
        else:
            loaded = await self.store.load(stream)
            base = kind(aggregate_id)  # type: ignore[call-arg]
            if loaded.snapshot is not None:
                base.restore_snapshot(dict(loaded.snapshot))
                base.version = loaded.snapshot_version
            for envelope in loaded.events:
                base.apply(envelope.message(), envelope.occurred_at)
            self._remember(stream, base)
        aggregate = copy.deepcopy(base)
        aggregate.loaded_from = base
        return aggregate

    async def save(
        self,
        aggregate: Aggregate,
        aggregate_id: str,
        *,
        request: RequestKey | None = None,
        result: Message | None = None,
        provenance: Provenance | None = None,
    ) -> Commit | None:
        """Append what the aggregate recorded since it was loaded (ConcurrencyConflict if
        someone else wrote first, DuplicateRequest if a twin of `request` did); None when it
        recorded nothing. With `request`, `result` is stored with the commit (see
        community_common.commands)."""
        if not aggregate.pending:
            return None
        stream = stream_id(type(aggregate), aggregate_id)
        base_version = aggregate.version - len(aggregate.pending)
        prepared = self.store.prepare(
            stream,
            base_version,
            [NewEvent(event) for event in aggregate.pending],
            subject=aggregate_id,
            provenance=provenance,
        )
        replayed = _replayed(aggregate, aggregate_id, prepared.commit)
        if replayed.version // self.snapshot_every > base_version // self.snapshot_every:
            prepared = prepared.with_snapshot(replayed.snapshot())
        try:
            commit = await self.store.insert(prepared, request=request, result=result)
        except ConcurrencyConflict:
            self._kept.pop(stream, None)  # stale: the re-run loads the stream afresh
            raise
        self._remember(stream, replayed)
        aggregate.pending = []
        aggregate.loaded_from = replayed  # a later save of this object replays from here
        return commit

    def _remember(self, stream: str, aggregate: Aggregate) -> None:
        kept = self._kept.get(stream)
        if kept is None or kept.version <= aggregate.version:  # a load may finish after a save
            self._kept[stream] = aggregate
        self._kept.move_to_end(stream)
        while len(self._kept) > self.keep:
            self._kept.popitem(last=False)


def _replayed(aggregate: Aggregate, aggregate_id: str, commit: Commit) -> Aggregate:
    """The state a full replay builds after `commit`: the state the aggregate was loaded with,
    plus the new events applied at their stored ce_time."""
    base = aggregate.loaded_from
    if base is None:  # a new aggregate, never loaded
        replay = type(aggregate)(aggregate_id)  # type: ignore[call-arg]
    else:
        replay = copy.deepcopy(base)
    for event, stored in zip(aggregate.pending, commit.events, strict=True):
        replay.apply(event, stored.occurred_at)
    return replay
