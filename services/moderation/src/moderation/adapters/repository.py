"""Moderation's aggregates through the kernel's repository (community_common.repository).

Each aggregate kind has its own stream prefix, so ids of different kinds never share a
stream; the event's ce_subject is the bare id, as the contract names it. Commands `record`
their events on the aggregate they loaded; a save hands the kernel the state it was loaded
with and those events, so what is kept and snapshotted is the replay (the events applied at
their stored ce_time), never the command's own clock.

A save starts in a later millisecond than the end of this process's last one. The lists are
in the order the events were stored, by commit time in milliseconds (moderation.rebuild), so a
commit that follows another (a report's resolution after its action, an automod removal after
its mute, one client's calls one after the other) never shares its millisecond and the order
of ids cannot reverse them; only commits that overlap in time can tie.
"""

from __future__ import annotations

import asyncio
import copy
import time
from contextlib import AbstractAsyncContextManager
from typing import TypeVar

from community_common import repository
from community_common.event_store import Commit, EventStore, Provenance, RequestKey
from google.protobuf import empty_pb2
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


def _millisecond() -> int:
    return time.time_ns() // 1_000_000


class _LastSave:
    """The millisecond this process's last save ended in (every loop and thread of it)."""

    ended = 0

    @classmethod
    async def passed(cls) -> None:
        for _ in range(5):  # a sleep may end a hair early
            wait = (cls.ended + 1) / 1000 - time.time()
            if wait <= 0:
                return
            await asyncio.sleep(wait)

    @classmethod
    def end(cls) -> None:
        cls.ended = max(cls.ended, _millisecond())


class Repository:
    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.streams = repository.Repository(store)

    def one_at_a_time(
        self, kind: type[Aggregate], aggregate_id: str
    ) -> AbstractAsyncContextManager[None]:
        return self.streams.one_at_a_time(stream_id(kind, aggregate_id))

    async def load(self, kind: type[A], aggregate_id: str, *, appending: bool = False) -> A:
        """The aggregate as stored now (version 0 if its stream is empty): the caller's own
        copy. `appending`: see community_common.repository."""
        # mypy cannot match a `type[A]` of a type variable to the kernel's AggregateKind
        # protocol, so the load is typed by the bound and narrowed back to `kind`.
        any_kind: repository.AggregateKind[Aggregate] = kind
        aggregate = await self.streams.load(
            any_kind, stream_id(kind, aggregate_id), appending=appending
        )
        assert isinstance(aggregate, kind)
        aggregate.loaded_from = copy.deepcopy(aggregate)
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
        if not aggregate.recorded:
            return None
        loaded = aggregate.loaded_from or type(aggregate).empty(
            stream_id(type(aggregate), aggregate_id)
        )

        async def respond(_: Commit) -> Message:
            return result if result is not None else empty_pb2.Empty()

        await _LastSave.passed()
        try:
            _, commit = await self.streams.save(
                stream_id(type(aggregate), aggregate_id),
                loaded,
                aggregate.recorded,
                request,
                respond,
                subject=aggregate_id,
                provenance=provenance,
            )
        finally:
            _LastSave.end()
        aggregate.recorded = []
        aggregate.loaded_from = loaded  # a later save of this object replays from here
        return commit
