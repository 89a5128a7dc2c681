"""The event store's contract, on the real FerretDB server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from community_common.errors import InvalidArgument
from community_common.event_store import (
    UNPUBLISHED,
    ConcurrencyConflict,
    DuplicateRequest,
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


def struct(**fields: Any) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(fields)
    return message


def event(**fields: Any) -> NewEvent:
    message = struct_pb2.Struct()
    message.update(fields)
    return NewEvent(message, community_id="c-1")


class TestEventStoreOnFerretDB:
    @pytest.fixture
    async def store(
        self, mongo_uri: str, db_name: str, raw: Database[Any]
    ) -> AsyncIterator[EventStore]:
        client: AsyncMongoClient[Any] = async_client(mongo_uri)
        store = EventStore(client[db_name], SOURCE)
        await store.ensure_indexes()
        yield store
        await client.close()

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

    async def test_a_commit_is_its_own_outbox_entry(
        self, store: Any, raw: Database[Any], uid: str
    ) -> None:
        commit = await store.append(f"s-{uid}", 0, [event(n=1)], provenance=WHO)
        with pytest.raises(ConcurrencyConflict):
            await store.append(f"s-{uid}", 0, [event(n=2)], provenance=WHO)
        # Only the winner is stored, flagged for the relay; the loser left nothing behind.
        assert unpublished(raw) == [commit.commit_id]

    async def test_a_request_stores_its_result_with_its_commit(
        self, store: Any, raw: Database[Any], uid: str
    ) -> None:
        key = RequestKey("alice", f"r-{uid}", "CreateThing")
        assert await store.recall(key) is None
        prepared = store.prepare(f"s-{uid}", 0, [event(n=1)], provenance=WHO)
        commit = await store.insert(prepared, request=key, result=struct(answer="first"))
        assert await store.recall(key) == struct(answer="first").SerializeToString()
        [stored] = raw["commits"].find({"_id": commit.commit_id})
        assert stored["request_key"] == key.document_id  # one document: effect and answer
        # A twin that missed the recall collides on the key and gets the first answer.
        twin = store.prepare(f"other-{uid}", 0, [event(n=2)], provenance=WHO)
        with pytest.raises(DuplicateRequest) as raised:
            await store.insert(twin, request=key, result=struct(answer="second"))
        assert raised.value.result == struct(answer="first").SerializeToString()
        assert not (await store.load(f"other-{uid}")).exists
        assert unpublished(raw) == [commit.commit_id]

    async def test_concurrent_twins_store_one_commit(
        self, store: Any, raw: Database[Any], uid: str
    ) -> None:
        key = RequestKey("alice", f"r-{uid}", "CreateThing")

        async def create(n: int) -> bytes:
            prepared = store.prepare(f"s-{uid}-{n}", 0, [event(n=n)], provenance=WHO)
            try:
                await store.insert(prepared, request=key, result=struct(n=n))
            except DuplicateRequest as twin:
                return bytes(twin.result)
            return struct(n=n).SerializeToString()

        answers = await asyncio.gather(*(create(n) for n in range(8)))
        assert len(set(answers)) == 1
        assert raw["commits"].count_documents({}) == 1
        assert len(unpublished(raw)) == 1

    async def test_a_result_without_a_commit_is_remembered(self, store: Any, uid: str) -> None:
        key = RequestKey("alice", f"r-{uid}", "LikeThing")
        assert await store.remember(key, struct(answer="first")) == struct(
            answer="first"
        ).SerializeToString()
        # A twin that got there second gets the first answer.
        assert await store.remember(key, struct(answer="second")) == struct(
            answer="first"
        ).SerializeToString()
        assert await store.recall(key) == struct(answer="first").SerializeToString()
        assert await store.remember(None, struct(answer="x")) == struct(
            answer="x"
        ).SerializeToString()

    async def test_request_ids_are_scoped_to_caller_and_operation(
        self, store: Any, uid: str
    ) -> None:
        await store.remember(RequestKey("a:b", f"c-{uid}", "Op"), struct(answer="for a:b"))
        assert await store.recall(RequestKey("a", f"b:c-{uid}", "Op")) is None
        assert await store.recall(RequestKey("bob", f"c-{uid}", "Op")) is None
        with pytest.raises(InvalidArgument):
            await store.recall(RequestKey("a:b", f"c-{uid}", "OtherOp"))
        assert RequestKey.of("a", "", "Op") is None
        assert await store.recall(None) is None

    def test_request_ids_are_at_most_128_characters(self) -> None:
        assert RequestKey.of("a", "r" * 128, "Op") is not None
        with pytest.raises(InvalidArgument) as raised:
            RequestKey.of("a", "r" * 129, "Op")
        assert [f for f, _ in raised.value.violations] == ["request_id"]

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


def unpublished(raw: Database[Any]) -> list[str]:
    return [d["_id"] for d in raw["commits"].find({UNPUBLISHED: True}, {"_id": 1})]
