"""The idempotent consumer against the real broker: poison records go to the dead-letter
topic and the consumer moves on; duplicates change nothing; a MongoDB outage only delays."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from community.membership.v1 import events_pb2 as membership_events
from community_common.consumer import EventConsumer
from community_common.envelope import EventEnvelope
from community_common.mongo import blocking_client
from community_common.projection import already_applied, applied_marker
from community_common.testing.events import (
    create_topic,
    event_envelope,
    produce_envelopes,
    produce_event,
    produce_raw,
    read_records,
)
from community_common.testing.ferretdb import OwnFerretDB
from google.protobuf import struct_pb2
from google.protobuf.message import Message
from pymongo import MongoClient
from pymongo.database import Database
from pymongo.errors import OperationFailure, PyMongoError

from .conftest import wait_until


def payload(n: int) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update({"n": n})
    return message


def envelope(community: str, sequence: int) -> EventEnvelope:
    return event_envelope(
        payload(sequence), subject=community, community_id=community, sequence=sequence
    )


class CountingProjection:
    """A tiny read model: per community, how many events and which numbers were applied."""

    def __init__(self, database: Database[Any]) -> None:
        self.collection = database["counts"]

    def apply(self, event: EventEnvelope, message: Message) -> None:
        document = self.collection.find_one({"_id": event.community_id})
        if already_applied(document, event):
            return
        self.collection.update_one(
            {"_id": event.community_id},
            {
                "$inc": {"events": 1},
                "$push": {"applied": event.sequence},
                "$set": applied_marker(event),
            },
            upsert=True,
        )

    def count(self, community: str) -> int:
        document = self.collection.find_one({"_id": community})
        return int(document["events"]) if document else 0


@pytest.fixture
def db(mongo_uri: str, uid: str) -> Iterator[Database[Any]]:
    client = blocking_client(mongo_uri)
    yield client[f"consumer_{uid}"]
    client.drop_database(f"consumer_{uid}")
    client.close()


@pytest.fixture
def topic(kafka_bootstrap: str, uid: str) -> str:
    return create_topic(kafka_bootstrap, f"consumer-test-{uid}", partitions=3)


def start(consumers: list[EventConsumer], *args: Any, **kwargs: Any) -> EventConsumer:
    consumer = EventConsumer(*args, **kwargs)
    consumer.start()
    consumers.append(consumer)
    return consumer


def dead_letters(kafka_bootstrap: str, topic: str, count: int, timeout_s: float = 20) -> list[Any]:
    return read_records(kafka_bootstrap, f"{topic}.dlq", count=count, timeout_s=timeout_s)


def test_undecodable_records_go_to_the_dead_letter_topic(
    kafka_bootstrap: str, topic: str, db: Database[Any], uid: str, running: list[EventConsumer]
) -> None:
    projection = CountingProjection(db)
    start(running, kafka_bootstrap, f"g-{uid}", [topic], projection.apply)
    produce_raw(kafka_bootstrap, topic, b"not an event", key=b"c1")
    good_headers = envelope("c1", 1).to_kafka_record().headers
    produce_raw(kafka_bootstrap, topic, b"\xff\xff\xff", key=b"c1", headers=good_headers)
    produce_envelopes(kafka_bootstrap, topic, [envelope("c1", 1)])

    assert wait_until(lambda: projection.count("c1") == 1)  # it moved on to the good one
    letters = dead_letters(kafka_bootstrap, topic, 2)
    assert {r.value for r in letters} == {b"\xff\xff\xff", b"not an event"}
    for record in letters:
        found = dict(record.headers)
        assert found["dlq_error_type"] == b"MalformedEvent"
        assert found["dlq_topic"] == topic.encode()
        assert found["dlq_consumer_group"] == f"g-{uid}".encode()
        assert {"dlq_error", "dlq_partition", "dlq_offset"} <= set(found)
        assert record.key == b"c1"
    with_original_headers = next(r for r in letters if r.value == b"\xff\xff\xff")
    assert dict(with_original_headers.headers)["ce_id"] == dict(good_headers)["ce_id"]


def test_a_handler_failing_every_time_dead_letters_after_bounded_retries(
    kafka_bootstrap: str, topic: str, db: Database[Any], uid: str, running: list[EventConsumer]
) -> None:
    projection = CountingProjection(db)
    tries: list[int] = []

    def picky(event: EventEnvelope, message: Message) -> None:
        if event.sequence == 1:
            tries.append(1)
            raise ValueError("cannot handle sequence 1")
        projection.apply(event, message)

    start(running, kafka_bootstrap, f"g-{uid}", [topic], picky)
    produce_envelopes(kafka_bootstrap, topic, [envelope("c1", 1), envelope("c1", 2)])
    assert wait_until(lambda: projection.count("c1") == 1)
    [letter] = dead_letters(kafka_bootstrap, topic, 1)
    found = dict(letter.headers)
    assert found["dlq_error"] == b"cannot handle sequence 1"
    assert found["dlq_error_type"] == b"ValueError"
    assert found["dlq_attempts"] == b"3"
    assert len(tries) == 3


def test_ferretdb_without_its_postgresql_is_waited_out_not_dead_lettered(
    kafka_bootstrap: str, topic: str, db: Database[Any], uid: str, running: list[EventConsumer]
) -> None:
    # What FerretDB answers while its PostgreSQL restarts (make chaos saw a consumer give up
    # on a real event after three of these).
    starting_up = OperationFailure(
        "failed to connect to `user=postgres database=ferretdb`: server error: FATAL: the "
        "database system is starting up (SQLSTATE 57P03)", 1)
    projection = CountingProjection(db)
    tries: list[int] = []

    def during_a_restart(event: EventEnvelope, message: Message) -> None:
        if event.sequence == 1 and len(tries) < 5:
            tries.append(1)
            raise starting_up
        projection.apply(event, message)

    start(running, kafka_bootstrap, f"g-{uid}", [topic], during_a_restart)
    produce_envelopes(kafka_bootstrap, topic, [envelope("c1", 1), envelope("c1", 2)])
    assert wait_until(lambda: projection.count("c1") == 2)
    assert len(tries) == 5  # past the 3 attempts a failing event gets: an outage is waited out


def test_redelivered_and_republished_events_are_applied_once(
    kafka_bootstrap: str, topic: str, db: Database[Any], uid: str, running: list[EventConsumer]
) -> None:
    projection = CountingProjection(db)
    events = [envelope("c1", n) for n in (1, 2, 3)]
    # The relay re-published the first two (same ce_id, same sequence) after a crash.
    produce_envelopes(kafka_bootstrap, topic, [*events, events[0], events[1]])
    first = start(running, kafka_bootstrap, f"g-{uid}", [topic], projection.apply)
    assert wait_until(lambda: projection.count("c1") == 3)
    first.stop()
    # A replay from the start (a new group: as if no offset had ever been committed).
    start(running, kafka_bootstrap, f"g2-{uid}", [topic], projection.apply)
    produce_envelopes(kafka_bootstrap, topic, [envelope("c1", 4)])
    assert wait_until(lambda: projection.count("c1") == 4)
    assert projection.collection.find_one({"_id": "c1"})["applied"] == [1, 2, 3, 4]


def test_skipped_types_are_not_decoded_and_checkpoints_still_advance(
    kafka_bootstrap: str, topic: str, db: Database[Any], uid: str, running: list[EventConsumer]
) -> None:
    seen: list[int] = []
    checkpoints: list[int] = []
    start(
        running,
        kafka_bootstrap,
        f"g-{uid}",
        [topic],
        lambda e, m: seen.append(e.sequence),
        handles={"google.protobuf.Empty"},
        checkpoint=lambda e: checkpoints.append(e.sequence),
    )
    produce_envelopes(kafka_bootstrap, topic, [envelope("c1", 1), envelope("c1", 2)])
    assert wait_until(lambda: checkpoints == [1, 2])
    assert seen == []


# --- a MongoDB outage under a running consumer ---------------------------------------------


def test_mongodb_restart_mid_stream_fills_no_dead_letter_topic(
    kafka_bootstrap: str, topic: str, uid: str, running: list[EventConsumer]
) -> None:
    ferret = OwnFerretDB()
    ferret.start()
    client: MongoClient[Any] = MongoClient(
        ferret.uri, serverSelectionTimeoutMS=1000, connectTimeoutMS=1000
    )
    try:
        projection = CountingProjection(client[f"outage_{uid}"])
        outage_failures: list[str] = []

        def apply(event: EventEnvelope, message: Message) -> None:
            try:
                projection.apply(event, message)
            except PyMongoError as error:
                outage_failures.append(type(error).__name__)
                raise

        start(running, kafka_bootstrap, f"g-{uid}", [topic], apply)
        produce_envelopes(kafka_bootstrap, topic, [envelope("c1", n) for n in range(1, 11)])
        assert wait_until(lambda: projection.count("c1") == 10)

        ferret.kill()
        produce_envelopes(kafka_bootstrap, topic, [envelope("c1", n) for n in range(11, 31)])
        # More failed attempts than a poison record gets: an outage is never the record's fault.
        assert wait_until(lambda: len(outage_failures) >= 4, timeout_s=30)
        ferret.start()

        assert wait_until(lambda: projection.count("c1") == 30, timeout_s=60)
        assert projection.collection.find_one({"_id": "c1"})["applied"] == list(range(1, 31))
        assert dead_letters(kafka_bootstrap, topic, 1, timeout_s=2) == []
    finally:
        client.close()
        ferret.remove()


def test_handlers_receive_contract_events_as_their_generated_messages(
    kafka_bootstrap: str, topic: str, uid: str, running: list[EventConsumer]
) -> None:
    received: list[Message] = []
    start(
        running,
        kafka_bootstrap,
        f"g-{uid}",
        [topic],
        lambda e, m: received.append(m),
        handles={"community.membership.v1.MemberJoined"},
    )
    joined = membership_events.MemberJoined(community_id="c-1", user_id="u-2")
    produce_event(kafka_bootstrap, joined, topic=topic, sequence=2)
    assert wait_until(lambda: received == [joined])
    assert isinstance(received[0], membership_events.MemberJoined)


def test_a_paused_consumer_handles_nothing_stays_in_its_group_and_resumes_where_it_was(
    kafka_bootstrap: str, topic: str, db: Database[Any], uid: str, running: list[EventConsumer]
) -> None:
    projection = CountingProjection(db)
    paused = threading.Event()
    consumer = start(
        running, kafka_bootstrap, f"g-{uid}", [topic], projection.apply, paused=paused.is_set
    )
    produce_envelopes(kafka_bootstrap, topic, [envelope("c1", 1)])
    assert wait_until(lambda: projection.count("c1") == 1)

    paused.set()
    run = consumer._run
    assert run is not None

    def all_paused() -> bool:
        kafka = run._consumer
        return kafka is not None and kafka.paused() == kafka.assignment() != set()

    assert wait_until(all_paused)
    produce_envelopes(kafka_bootstrap, topic, [envelope("c1", 2)])
    # A second of polls later: still nothing handled, and the consumer counts as healthy.
    since = run.progress.moved_at
    assert wait_until(lambda: run.progress.moved_at > since + 1.0)
    assert projection.count("c1") == 1
    assert consumer.unready_reason() is None

    paused.clear()
    assert wait_until(lambda: projection.count("c1") == 2)
