"""A caller's W3C `traceparent` (gRPC metadata) is carried into the events its call causes:
the `PostCreated` published on the feed topic has the same `traceparent` header; a malformed
one is dropped, never carried on."""

from __future__ import annotations

import asyncio
import time
import uuid

from community.feed.v1 import feed_service_pb2 as api
from community_common.envelope import EventEnvelope
from community_contracts import topics
from kafka import KafkaConsumer, TopicPartition

from .conftest import Feed

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


class FeedTopic:
    """The feed topic from its current end: what the relay publishes from now on."""

    def __init__(self, bootstrap: str) -> None:
        self.consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        partitions = self.consumer.partitions_for_topic(topics.FEED_EVENTS) or set()
        assigned = [TopicPartition(topics.FEED_EVENTS, p) for p in sorted(partitions)]
        self.consumer.assign(assigned)
        self.consumer.seek_to_end(*assigned)
        for partition in assigned:
            self.consumer.position(partition)  # resolve "end" now, before the call

    def find(self, subject: str, timeout_s: float = 30.0) -> EventEnvelope:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for records in self.consumer.poll(timeout_ms=200).values():
                for r in records:
                    envelope = EventEnvelope.from_kafka_record(r.key, r.value, r.headers)
                    if envelope.subject == subject:
                        return envelope
        raise AssertionError(f"no event of {subject} published in {timeout_s} s")

    def close(self) -> None:
        self.consumer.close()


async def test_a_callers_traceparent_arrives_on_the_event(feed: Feed, kafka_bootstrap: str) -> None:
    community = feed.community()
    author = feed.ids("author")
    token = community.join(author)
    watched = await asyncio.to_thread(FeedTopic, kafka_bootstrap)
    try:
        for sent, carried in ((TRACEPARENT, TRACEPARENT), ("not-a-trace", None)):
            request = api.CreatePostRequest(
                community_id=community.id,
                body="traced",
                consistency_token=token,
                request_id=uuid.uuid4().hex,
            )
            metadata = [*feed.auth(author), ("traceparent", sent)]
            created = await feed.stub.CreatePost(request, metadata=metadata)
            event = await asyncio.to_thread(watched.find, created.post.post_id)
            assert event.type == "community.feed.v1.PostCreated"
            assert event.traceparent == carried
    finally:
        watched.close()
