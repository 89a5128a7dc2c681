# ruff: noqa: E501
"""Feed's member index rebuilds from membership's events on the kernel, and feed's own events reach
`community.feed.events.v1` through the outbox relay with the CloudEvents headers."""

from __future__ import annotations

import asyncio
import io
import time
import uuid
from typing import Any

from community.feed.v1 import events_pb2 as ev
from community.feed.v1 import feed_service_pb2 as api
from community.membership.v1 import events_pb2 as mem
from community.membership.v1.types_pb2 import Role
from community_common import rebuild as kernel
from community_common.mongo import blocking_client
from community_common.testing.events import create_topic, event_envelope, event_record
from community_contracts import headers, topics
from feed.adapters.knowledge_store import MEMBER_INDEX, STANDING, KnowledgeWriter
from feed.rebuild import FeedProjector
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from .conftest import Feed


def member_index(db: Any) -> dict[str, set[str]]:
    """Each user's communities. Their numbering follows the order the events were applied
    in, which across partitions may differ between the consumer and a replay; the home
    feed merges the communities' timelines by time, so it does not depend on it."""
    found: dict[str, set[str]] = {}
    for doc in db[MEMBER_INDEX].find({}):
        user, _, _ = doc["_id"].rpartition(":")
        found.setdefault(user, set()).add(doc["community_id"])
    return found


async def test_the_home_feeds_member_index_is_rebuilt_from_membership_events_as_the_consumer_built_it(
    kafka_bootstrap: str, mongo_uri: str
) -> None:
    run = uuid.uuid4().hex[:10]
    membership_topic = create_topic(kafka_bootstrap, f"feed-rebuild-m-{run}")
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    events: list[tuple[Any, int]] = []
    for c in (f"c1-{run}", f"c2-{run}", f"c3-{run}"):
        history = [
            mem.CommunityCreated(community_id=c, owner_id="owner"),
            mem.MemberJoined(community_id=c, user_id="bob", role=Role.ROLE_MEMBER),
            mem.GroupCreated(community_id=c, group_id=f"g-{c}", creator_id="owner"),
            mem.GroupMemberJoined(community_id=c, group_id=f"g-{c}", user_id="bob"),
            mem.MemberJoined(community_id=c, user_id="ann", role=Role.ROLE_MEMBER),
            mem.MemberRoleChanged(community_id=c, user_id="bob", new_role=Role.ROLE_MODERATOR),
        ]
        events += [(message, n) for n, message in enumerate(history, start=1)]
    for message, n in events:
        key, value, hdrs = event_record(message, sequence=n)
        producer.send(membership_topic, key=key, value=value, headers=hdrs)
    producer.send(membership_topic, key=b"c", value=b"not an event")  # skipped, not fatal
    producer.flush(30)
    producer.close()

    client = blocking_client(mongo_uri)
    db = client[f"feed_rebuild_{run}"]
    try:
        # What the live consumer writes, event by event.
        writer = KnowledgeWriter(db)
        for message, n in events:
            envelope = event_envelope(message, sequence=n)
            writer.apply(envelope, envelope.message())
        built, standing = member_index(db), list(db[STANDING].find({}))
        assert sum(map(len, built.values())) == 3 * 3  # owner, bob, ann in each community

        projector = FeedProjector(db, kafka_bootstrap, membership_topic)
        outcome = await asyncio.to_thread(kernel.rebuild, db, projector, out=io.StringIO())
        assert outcome.events == len(events) and not outcome.resumed
        assert member_index(db) == built
        assert list(db[STANDING].find({})) == standing  # kept, untouched
        # And again: the same.
        projector = FeedProjector(db, kafka_bootstrap, membership_topic)
        await asyncio.to_thread(kernel.rebuild, db, projector, out=io.StringIO())
        assert member_index(db) == built
    finally:
        client.drop_database(db.name)
        client.close()


def feed_events_for(
    bootstrap: str, community_id: str, count: int, timeout_s: float = 30
) -> list[Any]:
    """Our community's records on the feed topic, read from the partition its key maps to."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [
            TopicPartition(topics.FEED_EVENTS, p)
            for p in consumer.partitions_for_topic(topics.FEED_EVENTS)
        ]
        ends = consumer.end_offsets(partitions)
        consumer.assign(partitions)
        for tp in partitions:  # only what arrived recently: this test's records are at the end
            consumer.seek(tp, max(0, ends[tp] - 500))
        found: list[Any] = []
        deadline = time.monotonic() + timeout_s
        while len(found) < count and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=200).values():
                found += [r for r in records if r.key == community_id.encode()]
        return found
    finally:
        consumer.close()


async def test_feed_events_are_published_with_cloudevents_headers(
    feed: Feed, kafka_bootstrap: str
) -> None:
    community = feed.community()
    bob = feed.ids("bob")
    token = community.join(bob)
    post = (
        await feed.call(
            "CreatePost",
            api.CreatePostRequest(community_id=community.id, body="hi", consistency_token=token),
            bob,
        )
    ).post
    await feed.call("LikePost", api.LikePostRequest(post_id=post.post_id), community.owner)
    await feed.call(
        "AddComment", api.AddCommentRequest(post_id=post.post_id, body="nice"), community.owner
    )
    records = await asyncio.to_thread(feed_events_for, kafka_bootstrap, community.id, 3)
    by_type = {dict(r.headers)[headers.TYPE].decode(): r for r in records}
    assert set(by_type) == {
        ev.PostCreated.DESCRIPTOR.full_name,
        ev.PostLiked.DESCRIPTOR.full_name,
        ev.CommentAdded.DESCRIPTOR.full_name,
    }
    created = by_type[ev.PostCreated.DESCRIPTOR.full_name]
    h = {k: v.decode() for k, v in created.headers}
    assert (h[headers.SUBJECT], h[headers.SEQUENCE], h[headers.SOURCE], h[headers.COMMUNITY_ID], h[headers.ACTOR_ID]) == (
        post.post_id, "1", "/services/feed", community.id, bob,
    )  # fmt: skip
    liked = ev.PostLiked.FromString(by_type[ev.PostLiked.DESCRIPTOR.full_name].value)
    assert (liked.post_id, liked.user_id, liked.post_author_id) == (
        post.post_id,
        community.owner,
        bob,
    )
