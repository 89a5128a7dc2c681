# ruff: noqa: E501
"""Feed's read models rebuild from the event log with one command, and feed's own events reach
`community.feed.events.v1` through the outbox relay with the CloudEvents headers."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from community.feed.v1 import events_pb2 as ev
from community.feed.v1 import feed_service_pb2 as api
from community.membership.v1 import events_pb2 as mem
from community.membership.v1.types_pb2 import Role
from community.moderation.v1 import events_pb2 as mod
from community_common.mongo import blocking_client
from community_common.testing.events import create_topic, event_record
from community_contracts import headers, topics
from feed import rebuild
from feed.adapters.knowledge_store import COLLECTIONS
from feed.entrypoints.consumers import MEMBERSHIP_TYPES, MODERATION_TYPES
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from .conftest import Feed


def snapshot(db: Any) -> dict[str, list[Any]]:
    return {name: sorted(db[name].find({}), key=lambda d: d["_id"]) for name in COLLECTIONS}


async def test_rebuild_replays_the_topics_into_the_same_read_models(
    kafka_bootstrap: str, mongo_uri: str
) -> None:
    run = uuid.uuid4().hex[:10]
    membership_topic = create_topic(kafka_bootstrap, f"feed-rebuild-m-{run}")
    moderation_topic = create_topic(kafka_bootstrap, f"feed-rebuild-x-{run}")
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    c = f"c-{run}"
    membership = [
        mem.CommunityCreated(community_id=c, owner_id="owner"),
        mem.MemberJoined(community_id=c, user_id="bob", role=Role.ROLE_MEMBER),
        mem.GroupCreated(community_id=c, group_id="g", creator_id="owner"),
        mem.GroupMemberJoined(community_id=c, group_id="g", user_id="bob"),
        mem.MemberRoleChanged(community_id=c, user_id="bob", new_role=Role.ROLE_MODERATOR),
    ]
    for n, message in enumerate(membership, start=1):
        key, value, hdrs = event_record(message, sequence=n)
        producer.send(membership_topic, key=key, value=value, headers=hdrs)
    for n, message in enumerate(
        [
            mod.MemberMuted(community_id=c, user_id="bob"),
            mod.MemberBanned(community_id=c, user_id="eve"),
        ],
        1,
    ):
        key, value, hdrs = event_record(message, sequence=n)
        producer.send(moderation_topic, key=key, value=value, headers=hdrs)
    key, value, hdrs = event_record(mod.ContentRemoved(community_id=c, post_id="p"), sequence=1)
    producer.send(moderation_topic, key=key, value=value, headers=hdrs)
    producer.send(membership_topic, key=c.encode(), value=b"not an event")  # skipped, not fatal
    producer.flush(30)
    producer.close()

    client = blocking_client(mongo_uri)
    db = client[f"feed_rebuild_{run}"]
    sources = (
        (membership_topic, MEMBERSHIP_TYPES, True),
        (moderation_topic, MODERATION_TYPES, False),
    )
    try:
        applied = await asyncio.to_thread(rebuild.rebuild, db, kafka_bootstrap, sources)
        assert applied == 8
        first = snapshot(db)
        assert db["standing"].find_one({"_id": f"member:{c}:bob"})["role"] == Role.ROLE_MODERATOR
        assert db["consistency_checkpoints"].find_one({"_id": f"membership:{c}"})["version"] == 5
        # Rebuilding again gives the same read models.
        await asyncio.to_thread(rebuild.rebuild, db, kafka_bootstrap, sources)
        assert snapshot(db) == first
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
