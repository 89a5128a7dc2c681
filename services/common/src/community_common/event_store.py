"""The event store: one MongoDB document per command, chained by version; it is its own outbox.

Layout (collections in the service's own database):

- `commits`   `_id = "<stream_id>:<base_version:012d>"`, one per command. `base_version` is
  the stream's version before the write, so two writers that loaded the same version, or a
  writer that loaded a stale one, collide on insert (DuplicateKeyError -> ConcurrencyConflict).
  That colliding insert is the only "only one wins" step: it works the same on MongoDB and on
  FerretDB, whose updates are not atomic.
- `snapshots` `_id = stream_id`, {version, state}: written after a commit, last writer wins;
  loading starts from it and walks the chain forward by `_id` gets (never a scan).

A commit is stored with `unpublished: true` (a sparse index): that flag is the outbox. The
relay finds unpublished commits by that one equality, publishes them and unsets it, so the
effect, its announcement and (below) its answer are one insert: nothing can be stored
without being published, and no separate outbox write precedes the commit.

A command sent with a request id stores its key and its response IN its commit
(`request_key`, unique): a concurrent twin's commit collides on that index and gets the
first response (`DuplicateRequest`), and a retry after a crash finds it with one indexed
read (`recall`). The response is built from the prepared commit (its events' ids and times
are fixed before the insert), so no crash can separate the effect from its answer. A command
that changed nothing stores its response as a commit without events (`remember`).
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import threading
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from bson.binary import Binary
from community_contracts.reasons import REQUEST_ID_REUSED
from google.protobuf.message import Message
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from community_common.context import (
    caller_var,
    correlation_id_var,
    request_id_var,
    traceparent_var,
)
from community_common.envelope import (
    EventEnvelope,
    event_routing,
    format_time,
    new_event_id,
    now_time,
)
from community_common.errors import Aborted, InvalidArgument
from community_common.mongo import MONGO_OUTAGE_ERRORS

log = logging.getLogger("community_common.event_store")

# Rung after every commit this process stores: the process's outbox relay then publishes it at
# once instead of at its next idle poll (which only commits stored by other processes wait for).
COMMITTED = threading.Event()

COMMITS = "commits"
SNAPSHOTS = "snapshots"
UNPUBLISHED = "unpublished"
REQUEST_KEY = "request_key"

# A request id is the client's own retry key; longer ones are refused (they end up in an index).
REQUEST_ID_MAX = 128
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")

# How many times a command is re-run after losing a write race before the client gets ABORTED.
# Each round one writer wins, so this is roughly how many concurrent writers to one stream are
# absorbed without a client-visible error (with the backoff below, about two seconds at most).
CONFLICT_ATTEMPTS = 25

T = TypeVar("T")


class DuplicateRequest(Exception):
    """A command with this request id already took effect; `result` is its first response."""

    def __init__(self, result: bytes) -> None:
        super().__init__("request already handled")
        self.result = result


class ConcurrencyConflict(Exception):
    """Another command wrote to the stream since it was loaded; reload and try again."""

    def __init__(self, stream_id: str, base_version: int) -> None:
        super().__init__(f"stream {stream_id} already has a commit at version {base_version}")
        self.stream_id = stream_id
        self.base_version = base_version


def commit_id(stream_id: str, base_version: int) -> str:
    return f"{stream_id}:{base_version:012d}"


@dataclass(frozen=True)
class NewEvent:
    """An event a command records.

    `community_id` and `key` default to what the event's contract says (the registry's
    `key_field` / `community_id`); set them only for messages outside the contracts.
    """

    message: Message
    community_id: str | None = None
    key: str | None = None
    # When it happened, if not when it is stored (an expiry recorded after its time).
    time: datetime | None = None


@dataclass(frozen=True)
class Provenance:
    """Who and what caused a command: becomes ce_actorid / ce_correlationid / ce_causationid."""

    actor_id: str = ""
    correlation_id: str = ""
    causation_id: str = ""
    traceparent: str | None = None

    @classmethod
    def from_request(cls) -> Provenance:
        """For a gRPC handler: the caller, the call's correlation id, caused by the request."""
        caller = caller_var.get()
        return cls(
            actor_id=caller.user_id if caller else "",
            correlation_id=correlation_id_var.get() or "",
            causation_id=request_id_var.get() or "",
            traceparent=traceparent_var.get(),
        )

    @classmethod
    def caused_by(cls, event: EventEnvelope, actor_id: str | None = None) -> Provenance:
        """For a command a consumer runs because of `event`: same correlation, caused by it."""
        return cls(
            actor_id=event.actor_id if actor_id is None else actor_id,
            correlation_id=event.correlation_id or event.id,
            causation_id=event.id,
            traceparent=event.traceparent,
        )


def request_id_problem(request_id: str) -> str | None:
    """What is wrong with a client's request id, if anything."""
    if len(request_id) > REQUEST_ID_MAX:
        return f"must be at most {REQUEST_ID_MAX} characters"
    if CONTROL_CHARACTERS.search(request_id):
        # It is stored and looked up as it is, and FerretDB on PostgreSQL cannot even look
        # up a NUL (jsonb has none): a fuzzed AddRule answered INTERNAL.
        return "must not contain control characters"
    return None


@dataclass(frozen=True)
class RequestKey:
    """A client's request id, scoped to the caller and to the operation it was sent with."""

    caller: str
    request_id: str
    operation: str

    @classmethod
    def of(cls, caller: str, request_id: str, operation: str) -> RequestKey | None:
        """None when the request carries no request id (no deduplication asked)."""
        if problem := request_id_problem(request_id):
            raise InvalidArgument({"request_id": problem})
        return cls(caller, request_id, operation) if request_id else None

    @property
    def document_id(self) -> str:
        # Escaping ':' keeps "a:b" + "c" and "a" + "b:c" apart, so no caller sees another's.
        caller = self.caller.replace("%", "%25").replace(":", "%3A")
        return f"{caller}:{self.request_id}"


@dataclass(frozen=True)
class Commit:
    """A stored command: its events (with ce_id / ce_time fixed now) and the new version."""

    commit_id: str
    stream_id: str
    base_version: int
    events: tuple[EventEnvelope, ...]

    @property
    def version(self) -> int:
        return self.base_version + len(self.events)


@dataclass(frozen=True)
class EventStream:
    """A loaded stream: the latest snapshot (if any) and the events after it."""

    stream_id: str
    version: int
    snapshot: Mapping[str, Any] | None
    snapshot_version: int
    events: tuple[EventEnvelope, ...]

    @property
    def exists(self) -> bool:
        return self.version > 0


# --- document shapes shared by both stores ---------------------------------------------------


def _event_documents(
    stream_id: str,
    subject: str,
    base_version: int,
    events: Sequence[NewEvent],
    provenance: Provenance,
) -> list[dict[str, Any]]:
    stored_at = now_time()
    documents = []
    for index, event in enumerate(events):
        routing = event_routing(event.message)
        community_id = (
            event.community_id if event.community_id is not None else routing.community_id
        )
        key = event.key if event.key is not None else (routing.key or community_id or subject)
        document: dict[str, Any] = {
            "ce_id": new_event_id(),
            "ce_time": format_time(event.time) if event.time is not None else stored_at,
            "ce_type": event.message.DESCRIPTOR.full_name,
            "ce_subject": subject,
            "community_id": community_id,
            "key": key,
            "actor_id": provenance.actor_id,
            "correlation_id": provenance.correlation_id,
            "causation_id": provenance.causation_id,
            "sequence": base_version + index + 1,
            "payload": Binary(event.message.SerializeToString()),
        }
        if provenance.traceparent:
            document["traceparent"] = provenance.traceparent
        documents.append(document)
    return documents


def envelope_from_document(document: Mapping[str, Any], source: str) -> EventEnvelope:
    """A stored event as the envelope it is published as (same ce_id / ce_time every time)."""
    return EventEnvelope(
        id=document["ce_id"],
        source=source,
        type=document["ce_type"],
        time=document["ce_time"],
        subject=document["ce_subject"],
        payload=bytes(document["payload"]),
        key=document["key"],
        community_id=document.get("community_id", ""),
        sequence=int(document["sequence"]),
        actor_id=document.get("actor_id", ""),
        correlation_id=document.get("correlation_id", ""),
        causation_id=document.get("causation_id", ""),
        traceparent=document.get("traceparent"),
    )


def commit_from_document(document: Mapping[str, Any]) -> Commit:
    source = document["source"]
    return Commit(
        commit_id=document["_id"],
        stream_id=document["stream_id"],
        base_version=document["base_version"],
        events=tuple(envelope_from_document(e, source) for e in document["events"]),
    )


@dataclass(frozen=True)
class PreparedCommit:
    """A commit ready to insert: its events already have their ids and stored times, so a
    command can build its response from `commit` before anything is written."""

    document: dict[str, Any]
    snapshot_document: dict[str, Any] | None

    @property
    def commit(self) -> Commit:
        return commit_from_document(self.document)

    def with_snapshot(self, state: Mapping[str, Any]) -> PreparedCommit:
        """The same commit, saving `state` (BSON-able) as the stream's snapshot after it: the
        aggregate's state with these events applied at their stored times, so the next load
        starts from exactly what a full replay would build."""
        version = self.document["base_version"] + len(self.document["events"])
        snapshot = {"_id": self.document["stream_id"], "version": version, "state": dict(state)}
        return replace(self, snapshot_document=snapshot)


def _prepare(
    source: str,
    stream_id: str,
    expected_version: int,
    events: Sequence[NewEvent],
    subject: str | None,
    provenance: Provenance | None,
) -> PreparedCommit:
    if not events:
        raise ValueError("a commit needs at least one event")
    if expected_version < 0:
        raise ValueError("expected_version must be >= 0")
    event_documents = _event_documents(
        stream_id,
        subject or stream_id,
        expected_version,
        events,
        provenance or Provenance.from_request(),
    )
    if len({document["key"] for document in event_documents}) > 1:
        # One command changes one aggregate, whose events share one Kafka key; the relay
        # numbers and orders each key's events (ce_keysequence) relying on that.
        raise ValueError(f"events of one commit to {stream_id} must share one key")
    return PreparedCommit(
        document={
            "_id": commit_id(stream_id, expected_version),
            "source": source,
            "stream_id": stream_id,
            "base_version": expected_version,
            # Tells this insert from a rival's after a connection broke mid-insert.
            "attempt_id": str(uuid.uuid4()),
            "committed_at": datetime.now(UTC),
            UNPUBLISHED: True,
            "events": event_documents,
        },
        snapshot_document=None,
    )


def _with_request(
    document: dict[str, Any], key: RequestKey, result: Message
) -> dict[str, Any]:
    return {
        **document,
        REQUEST_KEY: key.document_id,
        "request": {
            "caller": key.caller,
            "request_id": key.request_id,
            "operation": key.operation,
            "result": Binary(result.SerializeToString()),
        },
    }


def _first_result(document: Mapping[str, Any] | None, key: RequestKey) -> bytes | None:
    if document is None:
        return None
    operation = document["request"]["operation"]
    if operation != key.operation:
        raise InvalidArgument(
            {"request_id": f"already used for {operation}; use a new one"},
            reason=REQUEST_ID_REUSED,
        )
    return bytes(document["request"]["result"])


class _StreamWalk:
    """Accumulates a stream load: snapshot first, then commits by `_id` until one is missing."""

    def __init__(self, stream_id: str, snapshot: Mapping[str, Any] | None) -> None:
        self.stream_id = stream_id
        self.snapshot = snapshot.get("state") if snapshot else None
        self.snapshot_version = int(snapshot["version"]) if snapshot else 0
        self.version = self.snapshot_version
        self.events: list[EventEnvelope] = []

    @property
    def next_commit_id(self) -> str:
        return commit_id(self.stream_id, self.version)

    def add(self, commit: Mapping[str, Any]) -> None:
        self.events.extend(commit_from_document(commit).events)
        self.version += len(commit["events"])

    def result(self) -> EventStream:
        return EventStream(
            self.stream_id, self.version, self.snapshot, self.snapshot_version, tuple(self.events)
        )


class EventStore:
    """Event streams for asyncio handlers (pymongo's AsyncMongoClient)."""

    def __init__(self, database: AsyncDatabase[Any], source: str) -> None:
        """`source` is the ce_source of every event written, e.g. "/services/membership"."""
        self.db = database
        self.source = source

    async def ensure_indexes(self) -> None:
        # The relay's one query: the few commits not yet on Kafka.
        await self.db[COMMITS].create_index(UNPUBLISHED, sparse=True)
        # Sparse: commits without a request id carry no key (MongoDB 7 and FerretDB both skip
        # them; FerretDB has no partial indexes).
        await self.db[COMMITS].create_index(REQUEST_KEY, unique=True, sparse=True)

    async def load(self, stream_id: str, *, use_snapshot: bool = True) -> EventStream:
        snapshot = await self.db[SNAPSHOTS].find_one({"_id": stream_id}) if use_snapshot else None
        return await self._walk(_StreamWalk(stream_id, snapshot))

    async def load_after(self, stream_id: str, version: int) -> EventStream:
        """The events after `version`, for a caller that holds the state at `version` (e.g. a
        cached aggregate): one `_id` miss when nothing is newer."""
        return await self._walk(_StreamWalk(stream_id, {"version": version, "state": None}))

    async def _walk(self, walk: _StreamWalk) -> EventStream:
        while (commit := await self.db[COMMITS].find_one({"_id": walk.next_commit_id})) is not None:
            walk.add(commit)
        return walk.result()

    def prepare(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        *,
        subject: str | None = None,
        provenance: Provenance | None = None,
    ) -> PreparedCommit:
        """`events` as the commit after `expected_version`, not yet stored (their ids and
        ce_times are fixed now). `provenance` defaults to the current gRPC call; add a
        snapshot with `PreparedCommit.with_snapshot`."""
        return _prepare(self.source, stream_id, expected_version, events, subject, provenance)

    async def insert(
        self,
        prepared: PreparedCommit,
        *,
        request: RequestKey | None = None,
        result: Message | None = None,
    ) -> Commit:
        """Store the commit, or raise ConcurrencyConflict (someone appended first) or
        DuplicateRequest (a twin with the same request id took effect first).

        With `request`, `result` is the response the command gives; a retry gets it back.
        """
        document = prepared.document
        if request is not None:
            if result is None:
                raise ValueError("a commit with a request id stores its result")
            document = _with_request(document, request, result)
        try:
            await self.db[COMMITS].insert_one(document)
        except DuplicateKeyError:
            first = await self.recall(request)
            if first is not None:
                raise DuplicateRequest(first) from None
            raise ConcurrencyConflict(document["stream_id"], document["base_version"]) from None
        except MONGO_OUTAGE_ERRORS:
            # The insert may have landed before the connection broke; if ours is stored, the
            # command succeeded.
            stored = await self.db[COMMITS].find_one({"_id": document["_id"]})
            if stored is None or stored.get("attempt_id") != document["attempt_id"]:
                raise
        COMMITTED.set()
        if prepared.snapshot_document is not None:
            try:
                await self.db[SNAPSHOTS].replace_one(
                    {"_id": document["stream_id"]}, prepared.snapshot_document, upsert=True
                )
            except Exception:
                # The commit stands; the next load just walks a few more commits.
                log.warning("snapshot of %s not saved", document["stream_id"], exc_info=True)
        return prepared.commit

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        *,
        subject: str | None = None,
        provenance: Provenance | None = None,
        snapshot: Mapping[str, Any] | None = None,
    ) -> Commit:
        """`prepare` then `insert`, for a commit that carries no request id; `snapshot` is the
        state after these events, if it does not depend on their stored times."""
        prepared = self.prepare(
            stream_id, expected_version, events, subject=subject, provenance=provenance
        )
        if snapshot is not None:
            prepared = prepared.with_snapshot(snapshot)
        return await self.insert(prepared)

    async def recall(self, request: RequestKey | None) -> bytes | None:
        """The first response to this request id, if a command with it took effect."""
        if request is None:
            return None
        document = await self.db[COMMITS].find_one({REQUEST_KEY: request.document_id})
        return _first_result(document, request)

    async def remember(self, request: RequestKey | None, result: Message) -> bytes:
        """Store the response of a command that changed nothing (as a commit without events,
        so `recall` finds it the same way); if a twin got there first, theirs."""
        answer = result.SerializeToString()
        if request is None:
            return answer
        document = _with_request(
            {"_id": f"request:{request.document_id}", "events": []}, request, result
        )
        try:
            await self.db[COMMITS].insert_one(document)
        except DuplicateKeyError:
            return await self.recall(request) or answer
        return answer


async def retry_on_conflict(
    command: Callable[[], Awaitable[T]], attempts: int = CONFLICT_ATTEMPTS
) -> T:
    """Run `command` (load, check rules, append) again each time it loses a write race.

    After `attempts` losses the client gets ABORTED (safe to retry).
    """
    for attempt in range(attempts):
        try:
            return await command()
        except ConcurrencyConflict as conflict:
            log.debug("conflict on %s, attempt %d", conflict.stream_id, attempt + 1)
            await asyncio.sleep(_backoff(attempt))
    raise Aborted("too many concurrent writes, retry")


def _backoff(attempt: int) -> float:
    # Jitter spreads the losers out so they do not collide again on the next round.
    return random.uniform(0, min(0.1, 0.004 * 2**attempt))


__all__ = [
    "Commit",
    "ConcurrencyConflict",
    "DuplicateRequest",
    "EventStore",
    "EventStream",
    "NewEvent",
    "PreparedCommit",
    "Provenance",
    "RequestKey",
    "commit_from_document",
    "commit_id",
    "retry_on_conflict",
]
