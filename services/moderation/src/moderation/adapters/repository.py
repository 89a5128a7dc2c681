"""Loads moderation aggregates from the event store and saves what they recorded.

Each aggregate kind has its own stream prefix, so ids of different kinds never share a
stream; the event's ce_subject is the bare id, as the contract names it. Every save writes a
snapshot of the state after the commit, so a load is one snapshot get plus a probe for newer
commits, however long the stream has grown.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from community_common.event_store import Commit, EventStore, NewEvent, Provenance, RequestKey
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


def stream_id(kind: type[Aggregate], aggregate_id: str) -> str:
    return f"{STREAM_PREFIX[kind]}:{aggregate_id}"


class Repository:
    def __init__(self, store: EventStore, clock: Callable[[], datetime] | None = None) -> None:
        self.store = store
        self.clock = clock or (lambda: datetime.now(UTC))

    async def load(self, kind: type[A], aggregate_id: str) -> A:
        aggregate = kind(aggregate_id)  # type: ignore[call-arg]
        stream = await self.store.load(stream_id(kind, aggregate_id))
        snapshot = dict(stream.snapshot) if stream.snapshot is not None else None
        if snapshot is not None:
            aggregate.restore_snapshot(snapshot)
            aggregate.version = stream.snapshot_version
        events = [(envelope.message(), envelope.occurred_at) for envelope in stream.events]
        for event, at in events:
            aggregate.apply(event, at)
        aggregate.loaded_from = (snapshot, events)
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
        base_version = aggregate.version - len(aggregate.pending)
        prepared = self.store.prepare(
            stream_id(type(aggregate), aggregate_id),
            base_version,
            [NewEvent(event) for event in aggregate.pending],
            subject=aggregate_id,
            provenance=provenance,
        )
        replayed = _replayed(aggregate, aggregate_id, prepared.commit)
        commit = await self.store.insert(
            prepared.with_snapshot(replayed), request=request, result=result
        )
        aggregate.pending = []
        aggregate.loaded_from = (replayed, [])  # a later save of this object replays from here
        return commit


def _replayed(aggregate: Aggregate, aggregate_id: str, commit: Commit) -> dict[str, Any]:
    """The snapshot a full replay would build after `commit`: what the aggregate was loaded
    from, plus the new events applied at their stored ce_time (the command applied them at
    its own clock, which a replay never sees). Done at save, not at every load."""
    replay = type(aggregate)(aggregate_id)  # type: ignore[call-arg]
    snapshot, events = aggregate.loaded_from
    if snapshot is not None:
        replay.restore_snapshot(copy.deepcopy(snapshot))
    for event, at in events:
        replay.apply(event, at)
    for event, stored in zip(aggregate.pending, commit.events, strict=True):
        replay.apply(event, stored.occurred_at)
    return replay.snapshot()
