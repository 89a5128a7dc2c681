"""Loading feed aggregates from their event streams and saving their new events.

Each aggregate (Post, LikeShard, LiveSession, ViewerShard) has `apply(event, time)`,
`snapshot()` and `from_snapshot(...)`; a load starts from the stored snapshot and applies the
events after it; a save appends with the loaded version as the expected one and stores the new
snapshot, so the next load is one or two `_id` gets.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any, Protocol

from community.feed.v1 import events_pb2 as ev
from community_common.event_store import Commit, EventStore, NewEvent, RequestKey
from google.protobuf.message import Message


class Aggregate(Protocol):
    version: int

    def apply(self, event: Message, time: str) -> None: ...

    def snapshot(self) -> dict[str, Any]: ...


async def load(store: EventStore, kind: Any, stream_id: str) -> Any:
    stream = await store.load(stream_id)
    aggregate = (
        kind.from_snapshot(stream_id, stream.snapshot_version, dict(stream.snapshot))
        if stream.snapshot is not None
        else kind(stream_id)
    )
    for event in stream.events:
        aggregate.apply(event.message(), event.time)
    return aggregate


async def save(
    store: EventStore,
    stream_id: str,
    aggregate: Aggregate,
    events: Sequence[Message],
    request: RequestKey | None = None,
) -> Commit:
    """Append `events` after the loaded version (ConcurrencyConflict if someone was faster)
    and apply them, with their stored ce_time, to the aggregate."""
    commit = await store.append(
        stream_id,
        aggregate.version,
        [NewEvent(event) for event in events],
        snapshot=_after(aggregate, events),
        request=request,
    )
    for event, stored in zip(events, commit.events, strict=True):
        aggregate.apply(event, stored.time)
    return commit


# Events whose stored ce_time becomes part of the state (created_at, started_at, ended_at):
# that time is only known once stored, so their commit saves no snapshot; the next one does.
_TIMED = (ev.PostCreated, ev.LiveSessionStarted, ev.LiveSessionEnded)


def _after(aggregate: Aggregate, events: Sequence[Message]) -> dict[str, Any] | None:
    if any(isinstance(event, _TIMED) for event in events):
        return None
    probe = copy.deepcopy(aggregate)
    for event in events:
        probe.apply(event, "")
    return probe.snapshot()
