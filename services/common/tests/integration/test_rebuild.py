"""The one rebuild mechanism on the real servers: drop, replay from the event store and a
topic, checkpoint, resume after a kill mid-way with the same result, one run at a time."""

from __future__ import annotations

import asyncio
import io
import os
import sys
import textwrap
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from community_common.envelope import EventEnvelope
from community_common.event_store import COMMITS, EventStore, NewEvent
from community_common.lease import Lease
from community_common.mongo import async_client, blocking_client
from community_common.rebuild import (
    DONE,
    REBUILDS,
    RUNNING,
    BulkInserts,
    Progress,
    RebuildRefused,
    StoreSource,
    TopicSource,
    insert_new,
    rebuild,
    take_lease,
)
from community_common.testing.events import (
    create_topic,
    event_envelope,
    produce_envelopes,
    produce_raw,
)
from google.protobuf.struct_pb2 import Struct
from pymongo.database import Database

TALLIES = "tallies"


@pytest.fixture
def db(mongo_uri: str, uid: str) -> Iterator[Database[Any]]:
    client = blocking_client(mongo_uri)
    yield client[f"rebuild_{uid}"]
    client.drop_database(f"rebuild_{uid}")
    client.close()


def struct(text: str) -> Struct:
    message = Struct()
    message.update({"text": text})
    return message


def note(text: str) -> NewEvent:
    return NewEvent(struct(text), community_id="c1", key="c1")


class Tally:
    """A toy read model: per stream, the texts of its events in order (per-stream marks)."""

    service = "toy"
    read_models = (TALLIES,)

    def __init__(self, database: Database[Any]) -> None:
        self.db = database
        self.applied = 0

    def sources(self) -> Sequence[StoreSource]:
        return [StoreSource(self.db, "toy", batch_commits=3)]

    def prepare(self) -> None:
        self.db[TALLIES].create_index("texts")

    def apply(self, events: Sequence[EventEnvelope]) -> None:
        for event in events:
            doc = self.db[TALLIES].find_one({"_id": event.subject}) or {"seq": 0, "texts": []}
            if event.sequence <= doc["seq"]:
                continue  # applied before a crash: changes nothing
            text = Struct.FromString(event.payload)["text"]
            self.db[TALLIES].replace_one(
                {"_id": event.subject},
                {"seq": event.sequence, "texts": [*doc["texts"], text]},
                upsert=True,
            )
            self.applied += 1

    def flush(self) -> None:
        pass


async def store_history(mongo_uri: str, name: str, streams: int, events: int) -> None:
    client = async_client(mongo_uri)
    try:
        store = EventStore(client[name], "toy")
        await store.ensure_indexes()
        for s in range(streams):
            for e in range(events):
                await store.append(f"s{s}", e, [note(f"s{s}-{e}")])
    finally:
        await client.close()


def tallies(db: Database[Any]) -> dict[str, list[str]]:
    return {d["_id"]: d["texts"] for d in db[TALLIES].find()}


async def test_a_rebuild_drops_and_replays_every_stream_in_order(
    db: Database[Any], mongo_uri: str
) -> None:
    await store_history(mongo_uri, db.name, streams=4, events=5)
    db[TALLIES].insert_one({"_id": "stale", "seq": 9, "texts": ["from before"]})
    out = io.StringIO()
    outcome = rebuild(db, Tally(db), checkpoint_every=4, out=out)
    assert outcome.events == 20 and not outcome.resumed
    assert tallies(db) == {f"s{s}": [f"s{s}-{e}" for e in range(5)] for s in range(4)}
    assert db[REBUILDS].find_one({"_id": "toy"})["state"] == DONE
    # Not a terminal: one line per notch, the last at 100%.
    lines = out.getvalue().splitlines()
    assert 1 <= len(lines) <= Progress.NOTCHES and "100%" in lines[-1]
    assert db[COMMITS].count_documents({}) == 20  # the write side is untouched


async def test_a_rebuild_killed_mid_way_resumes_to_the_same_answer(
    db: Database[Any], mongo_uri: str
) -> None:
    await store_history(mongo_uri, db.name, streams=6, events=4)
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from pymongo import MongoClient
        from community_common.rebuild import rebuild
        from test_rebuild import Tally
        db = MongoClient({mongo_uri!r})[{db.name!r}]
        rebuild(db, Tally(db), checkpoint_every=5, lease_s=1.0)
        """
    )
    env = {**os.environ, "COMMUNITY_FAILPOINTS": "rebuild-checkpointed"}
    killed = await asyncio.create_subprocess_exec(sys.executable, "-c", script, env=env)
    assert await asyncio.wait_for(killed.wait(), 60) == -9
    state = db[REBUILDS].find_one({"_id": "toy"})
    assert state["state"] == RUNNING and state["checkpoints"]
    part = tallies(db)
    assert 0 < sum(len(t) for t in part.values()) < 24

    outcome = rebuild(db, Tally(db), checkpoint_every=5, lease_s=1.0, out=io.StringIO())
    assert outcome.resumed and outcome.events < 24
    assert tallies(db) == {f"s{s}": [f"s{s}-{e}" for e in range(4)] for s in range(6)}


def test_a_second_rebuild_of_the_same_service_is_refused_while_the_first_lives(
    db: Database[Any],
) -> None:
    first = Lease(db, "rebuild:toy", 1.0, holder="first")
    stop = threading.Event()

    def keep() -> None:
        while not stop.wait(0.1):
            first.held()

    assert first.held()
    keeper = threading.Thread(target=keep, daemon=True)
    keeper.start()
    try:
        with pytest.raises(RebuildRefused, match="first"):
            take_lease(Lease(db, "rebuild:toy", 1.0, holder="second"), "toy")
    finally:
        stop.set()
        keeper.join()
    # Once the first is gone, the lease lapses and the next run gets it.
    take_lease(Lease(db, "rebuild:toy", 1.0, holder="third"), "toy")


def test_a_topic_source_reads_every_partition_to_the_end_seen_at_the_start_and_resumes(
    kafka_bootstrap: str, uid: str
) -> None:
    topic = create_topic(kafka_bootstrap, f"rebuild-test-{uid}", partitions=3)
    sent = [
        event_envelope(struct(f"e{n}"), subject=f"s{n % 5}", key=f"s{n % 5}", sequence=n)
        for n in range(1, 31)
    ]
    produce_envelopes(kafka_bootstrap, topic, sent[:20])
    produce_raw(kafka_bootstrap, topic, b"not an event", key=b"s1")  # dead-lettered live
    source = TopicSource(kafka_bootstrap, topic, max_records=4)
    assert source.total(None) == 21

    batches = source.read(None)
    first, position = next(batches)
    produce_envelopes(kafka_bootstrap, topic, sent[20:])  # after the start: not this run's
    rest = [event for events, position in batches for event in events]
    assert sorted(e.id for e in [*first, *rest]) == sorted(e.id for e in sent[:20])

    # Resumed from the first batch's position: the rest, and still only up to the same end.
    again = [e for events, _ in TopicSource(kafka_bootstrap, topic).read(position) for e in events]
    assert sorted(e.id for e in again) == sorted(e.id for e in rest)
    assert TopicSource(kafka_bootstrap, topic).total(position) == len(again) + 1


@pytest.mark.parametrize("look_first", [False, True])
def test_bulk_inserts_write_what_is_new_and_report_what_was_taken(
    db: Database[Any], look_first: bool
) -> None:
    db["docs"].insert_many([{"_id": "d1", "v": "stored"}, {"_id": "d7", "v": "stored"}])
    inserts = BulkInserts(writers=2, chunk_size=3)
    inserts.insert(
        db["docs"], [{"_id": f"d{n}", "v": "replayed"} for n in range(10)], look_first=look_first
    )
    taken = inserts.wait()
    assert sorted(d["_id"] for d in taken) == ["d1", "d7"]
    values = {d["_id"]: d["v"] for d in db["docs"].find()}
    assert len(values) == 10 and values["d1"] == values["d7"] == "stored"
    assert insert_new(db["docs"], [{"_id": "d3"}, {"_id": "d10"}]) == [{"_id": "d3"}]
