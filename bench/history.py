"""Synthetic event histories for the benchmarks, as the relay would publish them.

Every record is a real CloudEvents Kafka record (community_common's envelope): key = the
community, ce_keysequence dense per key, ce_time spread over the last 27 days so the insights
state holds a realistic month. Communities open with an owner and 60 members (over SPEC §7's
50-member threshold, so GetInsights answers), then get a mix of posts, likes and comments.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from community.feed.v1 import events_pb2 as feed
from community.membership.v1 import events_pb2 as membership
from community.membership.v1 import types_pb2 as membership_types
from community_common.envelope import KafkaRecord, envelope_for, format_time
from kafka import KafkaProducer

MEMBERS_PER_COMMUNITY = 60
HISTORY_DAYS = 27


def owner_of(community_id: str) -> str:
    return f"{community_id}-owner"


class Community:
    """One community's stream positions: the next ce_keysequence and membership version."""

    def __init__(self, community_id: str) -> None:
        self.community_id = community_id
        self.key_sequence = 0
        self.version = 0
        self.posts: list[str] = []

    def record(self, message, source: str, at: datetime, membership_event: bool) -> KafkaRecord:
        self.key_sequence += 1
        sequence = self.key_sequence
        if membership_event:
            self.version += 1
            sequence = self.version
        return envelope_for(
            message, source=source, sequence=sequence, key_sequence=self.key_sequence,
            actor_id="bench", time=format_time(at),
        ).to_kafka_record()


def opening(c: Community, at: datetime) -> list[KafkaRecord]:
    """CommunityCreated plus MEMBERS_PER_COMMUNITY joins."""
    src = "/services/membership"
    records = [c.record(membership.CommunityCreated(
        community_id=c.community_id, name=c.community_id, owner_id=owner_of(c.community_id),
        visibility=membership_types.VISIBILITY_PUBLIC,
        join_policy=membership_types.JOIN_POLICY_OPEN,
    ), src, at, True)]
    for m in range(MEMBERS_PER_COMMUNITY):
        records.append(c.record(membership.MemberJoined(
            community_id=c.community_id, user_id=f"{c.community_id}-m{m}",
            role=membership_types.ROLE_MEMBER,
        ), src, at, True))
    return records


def activity(c: Community, at: datetime, rng: random.Random) -> KafkaRecord:
    """One engagement event: 30% posts, 50% likes, 20% comments."""
    src = "/services/feed"
    user = f"{c.community_id}-m{rng.randrange(MEMBERS_PER_COMMUNITY)}"
    roll = rng.random()
    if roll < 0.3 or not c.posts:
        post_id = f"{c.community_id}-p{len(c.posts)}"
        c.posts.append(post_id)
        return c.record(feed.PostCreated(post_id=post_id, community_id=c.community_id,
                                         author_id=user, body="bench post"), src, at, False)
    post_id = rng.choice(c.posts[-50:])
    if roll < 0.8:
        return c.record(feed.PostLiked(post_id=post_id, community_id=c.community_id,
                                       user_id=user), src, at, False)
    return c.record(feed.CommentAdded(comment_id=f"{post_id}-c{c.key_sequence}",
                                      post_id=post_id, community_id=c.community_id,
                                      author_id=user, body="bench comment"), src, at, False)


def mixed_history(
    prefix: str, communities: int, total: int, seed: int = 7
) -> Iterator[KafkaRecord]:
    """`total` records over `communities` communities, oldest first."""
    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(days=HISTORY_DAYS)
    span = timedelta(days=HISTORY_DAYS) / max(total, 1)
    comms = [Community(f"{prefix}-c{i}") for i in range(communities)]
    produced = 0
    for c in comms:
        for record in opening(c, start):
            produced += 1
            yield record
    while produced < total:
        yield activity(rng.choice(comms), start + span * produced, rng)
        produced += 1


def membership_history(prefix: str, communities: int, total: int) -> Iterator[KafkaRecord]:
    """Membership events only (what feed's read models are rebuilt from)."""
    at = datetime.now(UTC)
    src = "/services/membership"
    comms = [Community(f"{prefix}-m{i}") for i in range(communities)]
    produced = 0
    for c in comms:
        yield c.record(membership.CommunityCreated(
            community_id=c.community_id, name=c.community_id, owner_id=owner_of(c.community_id),
            visibility=membership_types.VISIBILITY_PUBLIC,
            join_policy=membership_types.JOIN_POLICY_OPEN), src, at, True)
        produced += 1
    i = 0
    while produced < total:
        c = comms[i % communities]
        yield c.record(membership.MemberJoined(community_id=c.community_id, user_id=f"u{i}",
                                               role=membership_types.ROLE_MEMBER), src, at, True)
        produced += 1
        i += 1


def produce(bootstrap: str, topic: str, records) -> tuple[int, float]:
    """Publish records with acks=all in large batches; returns (count, seconds)."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20,
                             batch_size=512 * 1024, max_request_size=4 * 1024 * 1024)
    started, count = time.perf_counter(), 0
    try:
        for key, value, headers in records:
            producer.send(topic, key=key, value=value, headers=headers)
            count += 1
        producer.flush(timeout=300)
    finally:
        producer.close(timeout=10)
    return count, time.perf_counter() - started
