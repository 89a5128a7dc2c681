"""The event store's contract, run against every backend on the real FerretDB server.

One abstract class states what any event store must do; each subclass plugs in a backend
(the asyncio store, and the blocking store driven from threads).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from community_common.errors import InvalidArgument
from community_common.event_store import (
    BlockingEventStore,
    ConcurrencyConflict,
    EventStore,
    NewEvent,
    Provenance,
    RequestKey,
    retry_on_conflict,
)
from community_common.mongo import async_client, blocking_client
from google.protobuf import struct_pb2
from pymongo import AsyncMongoClient
from pymongo.database import Database

SOURCE = "/services/test"
WHO = Provenance(actor_id="u-1", correlation_id="corr-1", causation_id="req-1")


def event(**fields: Any) -> NewEvent:
    message = struct_pb2.Struct()
    message.update(fields)
    return NewEvent(message, community_id="c-1")


class ThreadedStore:
    """Drives the blocking store from worker threads, so the same async tests apply."""

    def __init__(self, store: BlockingEventStore) -> None:
        self.store = store
        self.db = store.db

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self.store, name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            return await asyncio.to_thread(method, *args, **kwargs)

        return call


class EventStoreContract:
    """What every event store backend must do. Subclasses provide the `store` fixture."""

    @pytest.fixture
    def db_name(self, uid: str) -> str:
        return f"es_{uid}"

    @pytest.fixture
    def raw(self, mongo_uri: str, db_name: str) -> Iterator[Database[Any]]:
        """The same database through a plain client, to look at or tamper with documents."""
        client = blocking_client(mongo_uri)
        yield client[db_name]
        client.drop_database(db_name)
        client.close()

    async def test_new_stream_is_empty(self, store: Any, uid: str) -> None:
        stream = await store.load(f"s-{uid}")
        assert (stream.version, stream.events, stream.exists) == (0, (), False)

    async def test_append_then_load(self, store: Any, uid: str) -> None:
        commit = await store.append(f"s-{uid}", 0, [event(n=1)], provenance=WHO)
        assert (commit.base_version, commit.version) == (0, 1)
        stream = await store.load(f"s-{uid}")
        assert stream.version == 1
        [stored] = stream.events
        assert stored == commit.events[0]
        assert stored.type == "google.protobuf.Struct"
        assert stored.sequence == 1 and stored.subject == f"s-{uid}"
        assert stored.source == SOURCE and stored.community_id == "c-1" and stored.key == "c-1"
        assert (stored.actor_id, stored.correlation_id, stored.causation_id) == (
            "u-1",
            "corr-1",
            "req-1",
        )
        assert stored.message()["n"] == 1

    async def test_event_ids_and_times_are_fixed_when_stored(self, store: Any, uid: str) -> None:
        commit = await store.append(f"s-{uid}", 0, [event(n=1), event(n=2)], provenance=WHO)
        first = await store.load(f"s-{uid}")
        second = await store.load(f"s-{uid}")
        assert [e.id for e in first.events] == [e.id for e in second.events]
        assert [e.id for e in first.events] == [e.id for e in commit.events]
        assert [e.time for e in first.events] == [e.time for e in commit.events]
        assert len({e.id for e in first.events}) == 2

    async def test_conflict_on_same_base(self, store: Any, uid: str) -> None:
        await store.append(f"s-{uid}", 0, [event(who="first")], provenance=WHO)
        with pytest.raises(ConcurrencyConflict):
            await store.append(f"s-{uid}", 0, [event(who="second")], provenance=WHO)
        stream = await store.load(f"s-{uid}")
        assert [e.message()["who"] for e in stream.events] == ["first"]

    async def test_conflict_on_stale_base(self, store: Any, uid: str) -> None:
        # Loaded at version 0, but two commits landed since (one of two events).
        await store.append(f"s-{uid}", 0, [event(n=1), event(n=2)], provenance=WHO)
        await store.append(f"s-{uid}", 2, [event(n=3)], provenance=WHO)
        with pytest.raises(ConcurrencyConflict):
            await store.append(f"s-{uid}", 0, [event(n=99)], provenance=WHO)
        with pytest.raises(ConcurrencyConflict):
            await store.append(f"s-{uid}", 2, [event(n=99)], provenance=WHO)
        stream = await store.load(f"s-{uid}")
        assert [e.message()["n"] for e in stream.events] == [1, 2, 3]

    async def test_multi_event_commit(self, store: Any, uid: str) -> None:
        await store.append(f"s-{uid}", 0, [event(n=1)], provenance=WHO)
        commit = await store.append(
            f"s-{uid}", 1, [event(n=2), event(n=3), event(n=4)], provenance=WHO
        )
        assert [e.sequence for e in commit.events] == [2, 3, 4]
        assert commit.version == 4
        stream = await store.load(f"s-{uid}")
        assert [e.sequence for e in stream.events] == [1, 2, 3, 4]
        assert stream.version == 4
        await store.append(f"s-{uid}", 4, [event(n=5)], provenance=WHO)
        assert (await store.load(f"s-{uid}")).version == 5

    async def test_load_starts_from_snapshot(self, store: Any, uid: str) -> None:
        await store.append(f"s-{uid}", 0, [event(n=1), event(n=2)], provenance=WHO)
        await store.append(f"s-{uid}", 2, [event(n=3)], provenance=WHO, snapshot={"total": 6})
        await store.append(f"s-{uid}", 3, [event(n=4)], provenance=WHO)
        stream = await store.load(f"s-{uid}")
        assert stream.snapshot == {"total": 6}
        assert stream.snapshot_version == 3
        assert [e.sequence for e in stream.events] == [4]
        assert stream.version == 4
        full = await store.load(f"s-{uid}", use_snapshot=False)
        assert ([e.sequence for e in full.events], full.snapshot) == ([1, 2, 3, 4], None)

    async def test_stale_snapshot_is_walked_forward(
        self, store: Any, raw: Database[Any], uid: str
    ) -> None:
        # Last writer wins on snapshots: an older one only means walking more commits.
        await store.append(f"s-{uid}", 0, [event(n=1)], provenance=WHO, snapshot={"total": 1})
        await store.append(f"s-{uid}", 1, [event(n=2)], provenance=WHO, snapshot={"total": 3})
        raw["snapshots"].replace_one({"_id": f"s-{uid}"}, {"version": 1, "state": {"total": 1}})
        stream = await store.load(f"s-{uid}")
        assert (stream.snapshot, stream.snapshot_version, stream.version) == ({"total": 1}, 1, 2)
        assert [e.sequence for e in stream.events] == [2]

    async def test_commit_is_announced_in_outbox(
        self, store: Any, raw: Database[Any], uid: str
    ) -> None:
        commit = await store.append(f"s-{uid}", 0, [event(n=1)], provenance=WHO)
        with pytest.raises(ConcurrencyConflict):
            await store.append(f"s-{uid}", 0, [event(n=2)], provenance=WHO)
        entries = list(raw["outbox"].find({}))
        # Only the winner's entry stays; the loser removed its own.
        assert [(e["commit_id"], e["base_version"]) for e in entries] == [(commit.commit_id, 0)]

    async def test_idempotent_request(self, store: Any, uid: str) -> None:
        key = RequestKey("alice", f"r-{uid}", "CreateThing")
        assert await store.recall(key) is None
        commit = await store.append(f"s-{uid}", 0, [event(n=1)], provenance=WHO, request=key)
        first = await store.remember(key, b"first-result", commit)
        assert (first.result, first.commit_id) == (b"first-result", commit.commit_id)
        again = await store.recall(key)
        assert again is not None and again.result == b"first-result"
        # A twin request that raced ahead of the recall sees the first result, not its own.
        twin = await store.remember(key, b"second-result", None)
        assert twin.result == b"first-result"

    async def test_request_ids_are_scoped_to_caller_and_operation(
        self, store: Any, uid: str
    ) -> None:
        await store.remember(RequestKey("a:b", f"c-{uid}", "Op"), b"for a:b")
        assert await store.recall(RequestKey("a", f"b:c-{uid}", "Op")) is None
        assert await store.recall(RequestKey("bob", f"c-{uid}", "Op")) is None
        with pytest.raises(InvalidArgument):
            await store.recall(RequestKey("a:b", f"c-{uid}", "OtherOp"))
        assert RequestKey.of("a", "", "Op") is None
        assert await store.recall(None) is None

    async def test_concurrent_writers_resolve_their_conflicts(self, store: Any, uid: str) -> None:
        async def add_one(n: int) -> int:
            async def attempt() -> int:
                stream = await store.load(f"s-{uid}")
                commit = await store.append(
                    f"s-{uid}", stream.version, [event(n=n)], provenance=WHO
                )
                return int(commit.version)

            return await retry_on_conflict(attempt)

        versions = await asyncio.gather(*(add_one(n) for n in range(8)))
        assert sorted(versions) == list(range(1, 9))
        stream = await store.load(f"s-{uid}")
        assert sorted(e.message()["n"] for e in stream.events) == list(range(8))
        assert [e.sequence for e in stream.events] == list(range(1, 9))


class TestAsyncEventStoreOnFerretDB(EventStoreContract):
    @pytest.fixture
    async def store(
        self, mongo_uri: str, db_name: str, raw: Database[Any]
    ) -> AsyncIterator[EventStore]:
        client: AsyncMongoClient[Any] = async_client(mongo_uri)
        store = EventStore(client[db_name], SOURCE)
        await store.ensure_indexes()
        yield store
        await client.close()


class TestBlockingEventStoreOnFerretDB(EventStoreContract):
    @pytest.fixture
    def store(self, mongo_uri: str, db_name: str, raw: Database[Any]) -> Iterator[ThreadedStore]:
        client = blocking_client(mongo_uri)
        store = BlockingEventStore(client[db_name], SOURCE)
        store.ensure_indexes()
        yield ThreadedStore(store)
        client.close()
