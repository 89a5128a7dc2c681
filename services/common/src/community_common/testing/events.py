"""Test event builders: a valid CloudEvents Kafka record for any event in one line.

    envelope = produce_event(kafka_bootstrap, MemberJoined(community_id=c, user_id=u), sequence=2)

puts a realistic event on its real topic (the contracts say which topic, subject and key;
ce_id is fresh, ce_time now, ce_source the owning service), so consumer tests exercise exactly
what the relay would publish. `read_records` reads a topic back with bounded polling.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from community_contracts import registry
from google.protobuf.message import Message
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import TopicAlreadyExistsError

from community_common.envelope import EventEnvelope, KafkaRecord, envelope_for

TEST_SOURCE = "/services/test"


def event_envelope(message: Message, **overrides: Any) -> EventEnvelope:
    """An envelope with sensible defaults; any `envelope_for` argument may be overridden.

    Defaults: ce_source of the service owning the event type, subject / key / community id
    from the contract, sequence 1, key_sequence = sequence (as when the key has one stream),
    actor "test-actor", fresh correlation id.
    """
    try:
        source = registry.event_type_of(message).source
    except registry.UnknownEventType:
        source = TEST_SOURCE
    arguments: dict[str, Any] = {
        "source": source,
        "sequence": 1,
        "actor_id": "test-actor",
        "correlation_id": f"test-{uuid.uuid4().hex[:12]}",
    }
    arguments.update(overrides)
    arguments.setdefault("key_sequence", arguments["sequence"])
    return envelope_for(message, **arguments)


def event_record(message: Message, **overrides: Any) -> KafkaRecord:
    """(key, value, headers) of a valid CloudEvents record for `message`."""
    return event_envelope(message, **overrides).to_kafka_record()


def topic_of(message: Message) -> str:
    return registry.event_type_of(message).topic


def produce_event(
    bootstrap_servers: str, message: Message, *, topic: str | None = None, **overrides: Any
) -> EventEnvelope:
    """Publish one event (to its contract topic unless `topic` is given); returns it."""
    envelope = event_envelope(message, **overrides)
    produce_envelopes(bootstrap_servers, topic or topic_of(message), [envelope])
    return envelope


def produce_envelopes(bootstrap_servers: str, topic: str, envelopes: list[EventEnvelope]) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap_servers, acks="all")
    try:
        for envelope in envelopes:
            key, value, headers = envelope.to_kafka_record()
            producer.send(topic, key=key, value=value, headers=headers)
        producer.flush(timeout=30)
    finally:
        producer.close(timeout=5)


def produce_raw(
    bootstrap_servers: str,
    topic: str,
    value: bytes,
    *,
    key: bytes | None = None,
    headers: list[tuple[str, bytes]] | None = None,
) -> None:
    """Publish arbitrary bytes (e.g. garbage, to test the dead-letter path)."""
    producer = KafkaProducer(bootstrap_servers=bootstrap_servers, acks="all")
    try:
        producer.send(topic, key=key, value=value, headers=headers or [])
        producer.flush(timeout=30)
    finally:
        producer.close(timeout=5)


def create_topic(bootstrap_servers: str, name: str, partitions: int = 3) -> str:
    """Create a (fresh, test-owned) topic and wait until it can be used."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers)
    try:
        admin.create_topics({name: {"num_partitions": partitions}}, wait_for_metadata=True)
    except TopicAlreadyExistsError:
        pass
    finally:
        admin.close()
    return name


def read_records(
    bootstrap_servers: str, topic: str, *, count: int, timeout_s: float = 20.0
) -> list[ConsumerRecord]:
    """Read a topic from the beginning until `count` records arrived or the time is up."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap_servers, enable_auto_commit=False, fetch_max_wait_ms=50
    )
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        consumer.seek_to_beginning(*assigned)
        found: list[ConsumerRecord] = []
        deadline = time.monotonic() + timeout_s
        while len(found) < count and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=100).values():
                found.extend(records)
        return found
    finally:
        consumer.close()


def read_envelopes(
    bootstrap_servers: str, topic: str, *, count: int, timeout_s: float = 20.0
) -> list[EventEnvelope]:
    return [
        EventEnvelope.from_kafka_record(r.key, r.value, r.headers)
        for r in read_records(bootstrap_servers, topic, count=count, timeout_s=timeout_s)
    ]
