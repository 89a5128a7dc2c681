"""The event store: one MongoDB document per command, chained by version, plus its outbox.

Layout (collections in the service's own database):

- `commits`   `_id = "<stream_id>:<base_version:012d>"`, one per command. `base_version` is
  the stream's version before the write, so two writers that loaded the same version, or a
  writer that loaded a stale one, collide on insert (DuplicateKeyError -> ConcurrencyConflict).
  That colliding insert is the only "only one wins" step: it works the same on MongoDB and on
  FerretDB, whose updates are not atomic.
- `snapshots` `_id = stream_id`, {version, state}: written after a commit, last writer wins;
  loading starts from it and walks the chain forward by `_id` gets (never a scan).
- `outbox`    `_id = attempt id`, written before the commit; the relay publishes from it.
- `requests`  `_id = "<caller>:<request_id>"`: the stored result of a command that carried a
  request id, written after its commit, so a retried mutation returns the first result.

`EventStore` serves asyncio handlers; `BlockingEventStore` is the same store for threads
(consumers that turn incoming events into commands). Both share the document shapes below.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from bson.binary import Binary
from community_contracts.reasons import REQUEST_ID_REUSED
from google.protobuf.message import Message
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from community_common.context import caller_var, correlation_id_var, request_id_var
from community_common.envelope import EventEnvelope, event_routing, new_event_id, now_time
from community_common.errors import Aborted, InvalidArgument
from community_common.mongo import MONGO_OUTAGE_ERRORS

log = logging.getLogger("community_common.event_store")

# Rung after every commit this process stores: the process's outbox relay then publishes it at
# once instead of at its next idle poll (which only commits stored by other processes wait for).
COMMITTED = threading.Event()

COMMITS = "commits"
SNAPSHOTS = "snapshots"
OUTBOX = "outbox"
REQUESTS = "requests"

# How many times a command is re-run after losing a write race before the client gets ABORTED.
# Each round one writer wins, so this is roughly how many concurrent writers to one stream are
# absorbed without a client-visible error (with the backoff below, about two seconds at most).
CONFLICT_ATTEMPTS = 25

T = TypeVar("T")


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


@dataclass(frozen=True)
class RequestKey:
    """A client's request id, scoped to the caller and to the operation it was sent with."""

    caller: str
    request_id: str
    operation: str

    @classmethod
    def of(cls, caller: str, request_id: str, operation: str) -> RequestKey | None:
        """None when the request carries no request id (no deduplication asked)."""
        return cls(caller, request_id, operation) if request_id else None

    @property
    def document_id(self) -> str:
        # Escaping ':' keeps "a:b" + "c" and "a" + "b:c" apart, so no caller sees another's.
        caller = self.caller.replace("%", "%25").replace(":", "%3A")
        return f"{caller}:{self.request_id}"


@dataclass(frozen=True)
class RememberedResult:
    result: bytes
    commit_id: str | None


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
            "ce_time": stored_at,
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
class _PreparedCommit:
    outbox_entry: dict[str, Any]
    commit_document: dict[str, Any]
    snapshot_document: dict[str, Any] | None

    @property
    def commit_id(self) -> str:
        return str(self.commit_document["_id"])

    def stored(self) -> Commit:
        return commit_from_document(self.commit_document)


def _prepare(
    source: str,
    stream_id: str,
    expected_version: int,
    events: Sequence[NewEvent],
    subject: str | None,
    provenance: Provenance | None,
    snapshot: Mapping[str, Any] | None,
    request: RequestKey | None,
) -> _PreparedCommit:
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
    attempt_id = str(uuid.uuid4())
    cid = commit_id(stream_id, expected_version)
    now = datetime.now(UTC)
    commit: dict[str, Any] = {
        "_id": cid,
        "source": source,
        "stream_id": stream_id,
        "base_version": expected_version,
        "attempt_id": attempt_id,
        "committed_at": now,
        "events": event_documents,
    }
    if request is not None:
        commit["request"] = {"caller": request.caller, "request_id": request.request_id}
    snapshot_document = None
    if snapshot is not None:
        snapshot_document = {
            "_id": stream_id,
            "version": expected_version + len(events),
            "state": dict(snapshot),
        }
    return _PreparedCommit(
        outbox_entry={
            "_id": attempt_id,
            "commit_id": cid,
            "stream_id": stream_id,
            "base_version": expected_version,
            "created_at": now,
        },
        commit_document=commit,
        snapshot_document=snapshot_document,
    )


def _remembered(document: Mapping[str, Any] | None, key: RequestKey) -> RememberedResult | None:
    if document is None:
        return None
    if document.get("operation") != key.operation:
        raise InvalidArgument(
            {"request_id": f"already used for {document.get('operation')}; use a new one"},
            reason=REQUEST_ID_REUSED,
        )
    return RememberedResult(bytes(document["result"]), document.get("commit_id"))


def _request_document(key: RequestKey, result: bytes, commit_id: str | None) -> dict[str, Any]:
    return {
        "_id": key.document_id,
        "caller": key.caller,
        "operation": key.operation,
        "result": Binary(result),
        "commit_id": commit_id,
        "created_at": datetime.now(UTC),
    }


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


# --- the asyncio store ------------------------------------------------------------------------


class EventStore:
    """Event streams for asyncio handlers (pymongo's AsyncMongoClient)."""

    def __init__(self, database: AsyncDatabase[Any], source: str) -> None:
        """`source` is the ce_source of every event written, e.g. "/services/membership"."""
        self.db = database
        self.source = source

    async def ensure_indexes(self) -> None:
        # The relay reads the (small) outbox oldest first.
        await self.db[OUTBOX].create_index("created_at")

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

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        *,
        subject: str | None = None,
        provenance: Provenance | None = None,
        snapshot: Mapping[str, Any] | None = None,
        request: RequestKey | None = None,
    ) -> Commit:
        """Store `events` as the commit after `expected_version`, or raise ConcurrencyConflict.

        `snapshot` is the aggregate's state after these events (BSON-able), if the caller
        wants the next load to start from it. `provenance` defaults to the current gRPC call.
        """
        prepared = _prepare(
            self.source, stream_id, expected_version, events, subject, provenance, snapshot, request
        )
        # The outbox entry goes first: if this process dies after the commit insert, the relay
        # still finds the commit through it.
        await self.db[OUTBOX].insert_one(prepared.outbox_entry)
        try:
            await self.db[COMMITS].insert_one(prepared.commit_document)
        except DuplicateKeyError:
            await self.db[OUTBOX].delete_one({"_id": prepared.outbox_entry["_id"]})
            raise ConcurrencyConflict(stream_id, expected_version) from None
        except MONGO_OUTAGE_ERRORS:
            # The insert may have landed before the connection broke; if ours is stored, the
            # command succeeded.
            stored = await self.db[COMMITS].find_one({"_id": prepared.commit_id})
            if stored is None or stored.get("attempt_id") != prepared.outbox_entry["_id"]:
                raise
        COMMITTED.set()
        if prepared.snapshot_document is not None:
            try:
                await self.db[SNAPSHOTS].replace_one(
                    {"_id": stream_id}, prepared.snapshot_document, upsert=True
                )
            except Exception:
                # The commit stands; the next load just walks a few more commits.
                log.warning("snapshot of %s not saved", stream_id, exc_info=True)
        return prepared.stored()

    async def recall(self, request: RequestKey | None) -> RememberedResult | None:
        """The stored result of an earlier success with this request id, if any."""
        if request is None:
            return None
        return _remembered(await self.db[REQUESTS].find_one({"_id": request.document_id}), request)

    async def remember(
        self, request: RequestKey | None, result: bytes, commit: Commit | None = None
    ) -> RememberedResult:
        """Store a successful command's result; if a twin request got there first, theirs."""
        remembered = RememberedResult(result, commit.commit_id if commit else None)
        if request is None:
            return remembered
        try:
            await self.db[REQUESTS].insert_one(
                _request_document(request, result, remembered.commit_id)
            )
        except DuplicateKeyError:
            return await self.recall(request) or remembered
        return remembered


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


# --- the blocking store -----------------------------------------------------------------------


class BlockingEventStore:
    """The same event streams for threads (blocking pymongo), e.g. a consumer's commands."""

    def __init__(self, database: Database[Any], source: str) -> None:
        self.db = database
        self.source = source

    def ensure_indexes(self) -> None:
        self.db[OUTBOX].create_index("created_at")

    def load(self, stream_id: str, *, use_snapshot: bool = True) -> EventStream:
        snapshot = self.db[SNAPSHOTS].find_one({"_id": stream_id}) if use_snapshot else None
        walk = _StreamWalk(stream_id, snapshot)
        while (commit := self.db[COMMITS].find_one({"_id": walk.next_commit_id})) is not None:
            walk.add(commit)
        return walk.result()

    def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        *,
        subject: str | None = None,
        provenance: Provenance | None = None,
        snapshot: Mapping[str, Any] | None = None,
        request: RequestKey | None = None,
    ) -> Commit:
        prepared = _prepare(
            self.source, stream_id, expected_version, events, subject, provenance, snapshot, request
        )
        self.db[OUTBOX].insert_one(prepared.outbox_entry)
        try:
            self.db[COMMITS].insert_one(prepared.commit_document)
        except DuplicateKeyError:
            self.db[OUTBOX].delete_one({"_id": prepared.outbox_entry["_id"]})
            raise ConcurrencyConflict(stream_id, expected_version) from None
        except MONGO_OUTAGE_ERRORS:
            stored = self.db[COMMITS].find_one({"_id": prepared.commit_id})
            if stored is None or stored.get("attempt_id") != prepared.outbox_entry["_id"]:
                raise
        COMMITTED.set()
        if prepared.snapshot_document is not None:
            try:
                self.db[SNAPSHOTS].replace_one(
                    {"_id": stream_id}, prepared.snapshot_document, upsert=True
                )
            except Exception:
                log.warning("snapshot of %s not saved", stream_id, exc_info=True)
        return prepared.stored()

    def recall(self, request: RequestKey | None) -> RememberedResult | None:
        if request is None:
            return None
        return _remembered(self.db[REQUESTS].find_one({"_id": request.document_id}), request)

    def remember(
        self, request: RequestKey | None, result: bytes, commit: Commit | None = None
    ) -> RememberedResult:
        remembered = RememberedResult(result, commit.commit_id if commit else None)
        if request is None:
            return remembered
        try:
            self.db[REQUESTS].insert_one(_request_document(request, result, remembered.commit_id))
        except DuplicateKeyError:
            return self.recall(request) or remembered
        return remembered


def retry_on_conflict_blocking(command: Callable[[], T], attempts: int = CONFLICT_ATTEMPTS) -> T:
    for attempt in range(attempts):
        try:
            return command()
        except ConcurrencyConflict:
            time.sleep(_backoff(attempt))
    raise Aborted("too many concurrent writes, retry")


__all__ = [
    "BlockingEventStore",
    "Commit",
    "ConcurrencyConflict",
    "EventStore",
    "EventStream",
    "NewEvent",
    "Provenance",
    "RememberedResult",
    "RequestKey",
    "commit_from_document",
    "commit_id",
    "retry_on_conflict",
    "retry_on_conflict_blocking",
]
