"""A real moderation service for the integration tests: the process's own wiring (bootstrap)
on a free port, against the real Kafka broker and FerretDB, with a fresh database and fresh
consumer groups that start at the topics' current end (so earlier runs' events are not
replayed). Membership and feed are played by producing their real events onto their topics.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import grpc
import pytest
from community.feed.v1 import events_pb2 as feed
from community.membership.v1 import events_pb2 as membership
from community.membership.v1 import types_pb2 as roles
from community.moderation.v1 import moderation_service_pb2 as api
from community.moderation.v1 import moderation_service_pb2_grpc as api_grpc
from community_common.auth import mint_token
from community_common.config import Settings
from community_common.envelope import EventEnvelope
from community_common.errors import bad_request, error_info
from community_common.mongo import async_client
from community_common.testing.events import event_envelope, produce_envelopes
from community_common.testing.polling import eventually_async, projection_reached
from community_contracts import topics
from google.protobuf.message import Message
from google.rpc import status_pb2
from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc
from kafka import KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata
from moderation.bootstrap import ModerationSettings, build

SECRET = os.environ.get("COMMUNITY_AUTH_HS256_SECRET", "moderation-tests-secret-0123456789abcdef")
CONSUMED = {
    "membership": topics.MEMBERSHIP_EVENTS,
    "feed": topics.FEED_EVENTS,
    "lists": topics.MODERATION_EVENTS,
}


def end_offsets(bootstrap: str, topic: str) -> dict[TopicPartition, int]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        return consumer.end_offsets(partitions)
    finally:
        consumer.close()


def start_group_at_end(bootstrap: str, group: str, topic: str) -> None:
    """Commit the topic's end offsets for a new group, so it starts with what comes next."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        ends = consumer.end_offsets(partitions)
        consumer.assign(partitions)
        consumer.commit({tp: OffsetAndMetadata(offset, "", -1) for tp, offset in ends.items()})
    finally:
        consumer.close(autocommit=False)


class TopicWatcher:
    """Reads a topic from the offsets it had when the watcher was made, keeping what it saw."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.consumer = KafkaConsumer(
            bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=50
        )
        starts = end_offsets(bootstrap, topic)
        self.consumer.assign(list(starts))
        for partition, offset in starts.items():
            self.consumer.seek(partition, offset)
        self.seen: list[EventEnvelope] = []

    def _poll(self) -> None:
        for records in self.consumer.poll(timeout_ms=100).values():
            for record in records:
                self.seen.append(
                    EventEnvelope.from_kafka_record(record.key, record.value, record.headers)
                )

    def matching(
        self, predicate: Callable[[EventEnvelope, Message], bool]
    ) -> list[tuple[EventEnvelope, Message]]:
        return [(e, e.message()) for e in self.seen if predicate(e, e.message())]

    async def wait_for(
        self,
        predicate: Callable[[EventEnvelope, Message], bool],
        *,
        count: int = 1,
        timeout_s: float = 20.0,
    ) -> list[tuple[EventEnvelope, Message]]:
        """The first `count` events matching, waiting for them by bounded polling."""
        deadline = time.monotonic() + timeout_s
        while len(found := self.matching(predicate)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"only {len(found)} of {count} expected events arrived")
            await asyncio.to_thread(self._poll)
        return found[:count]

    async def settle(self, seconds: float = 1.0) -> None:
        """Keep reading for a while (to see that no further event comes)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            await asyncio.to_thread(self._poll)


def of_type(kind: type[Message], **fields: Any) -> Callable[[EventEnvelope, Message], bool]:
    def matches(envelope: EventEnvelope, message: Message) -> bool:
        return isinstance(message, kind) and all(
            getattr(message, name) == value for name, value in fields.items()
        )

    return matches


def reason_of(error: grpc.aio.AioRpcError) -> str:
    """The ErrorInfo reason of a refusal."""
    status = status_pb2.Status.FromString(_details(error))
    info = error_info(status)
    assert info is not None, f"no ErrorInfo in {error}"
    return info.reason


def violated_fields(error: grpc.aio.AioRpcError) -> list[str]:
    violations = bad_request(status_pb2.Status.FromString(_details(error)))
    return [v.field for v in violations.field_violations] if violations else []


def _details(error: grpc.aio.AioRpcError) -> bytes:
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            return value
    raise AssertionError(f"no rich status in {error.code()} {error.details()}")


@dataclass
class Community:
    community_id: str
    owner: str
    # The consistency token after the last membership event produced for it.
    token: str
    version: int
    roles: dict[str, int] = field(default_factory=dict)


@dataclass
class Moderation:
    """The running service and what tests need to drive it."""

    stub: api_grpc.ModerationServiceStub
    kafka: str
    events: TopicWatcher
    database: Any
    new_id: Callable[[str], str]

    @staticmethod
    def auth(user: str, platform_admin: bool = False) -> list[tuple[str, str]]:
        return [("authorization", f"Bearer {mint_token(SECRET, user, platform_admin)}")]

    async def call(self, rpc: str, request: Message, user: str, **kwargs: Any) -> Any:
        method = getattr(self.stub, rpc)
        return await method(request, metadata=self.auth(user, **kwargs), timeout=15)

    async def refusal(self, rpc: str, request: Message, user: str, **kwargs: Any) -> Any:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await self.call(rpc, request, user, **kwargs)
        return refused.value

    # --- playing membership ----------------------------------------------------------

    def membership_events(self, community: Community, *messages: Message) -> None:
        envelopes = []
        for message in messages:
            community.version += 1
            envelopes.append(
                event_envelope(message, sequence=community.version, subject=community.community_id)
            )
        produce_envelopes(self.kafka, topics.MEMBERSHIP_EVENTS, envelopes)
        community.token = f"{community.community_id}:{community.version}"

    async def community(
        self, members: dict[str, int] | None = None, *, private: bool = False
    ) -> Community:
        """A community owned by a fresh user, with `members` (user -> role), known to moderation."""
        owner = self.new_id("owner")
        community = Community(self.new_id("community"), owner, "", 0, {owner: roles.ROLE_OWNER})
        messages: list[Message] = [
            membership.CommunityCreated(
                community_id=community.community_id,
                name="Chess club",
                visibility=roles.VISIBILITY_PRIVATE if private else roles.VISIBILITY_PUBLIC,
                join_policy=roles.JOIN_POLICY_OPEN,
                owner_id=owner,
            )
        ]
        for user, role in (members or {}).items():
            messages.append(
                membership.MemberJoined(
                    community_id=community.community_id, user_id=user, role=roles.ROLE_MEMBER
                )
            )
            if role != roles.ROLE_MEMBER:
                messages.append(
                    membership.MemberRoleChanged(
                        community_id=community.community_id,
                        user_id=user,
                        old_role=roles.ROLE_MEMBER,
                        new_role=role,
                        actor_id=owner,
                    )
                )
            community.roles[user] = role
        self.membership_events(community, *messages)
        await self.caught_up(community)
        return community

    async def caught_up(self, community: Community, limit_s: float = 60.0) -> None:
        """Wait until moderation applied the community's membership events so far, read from
        its consistency checkpoint (not through the token wait, whose 2 s a call with the
        community's token must then meet)."""
        await projection_reached(self.database, community.token, limit_s)

    # --- playing feed ------------------------------------------------------------------

    def post(
        self, community: Community, author: str, body: str = "hello", group_id: str = ""
    ) -> str:
        post_id = self.new_id("post")
        produce_envelopes(
            self.kafka,
            topics.FEED_EVENTS,
            [
                event_envelope(
                    feed.PostCreated(
                        post_id=post_id,
                        community_id=community.community_id,
                        group_id=group_id,
                        author_id=author,
                        body=body,
                    )
                )
            ],
        )
        return post_id

    def comment(self, community: Community, post_id: str, author: str, body: str = "hi") -> str:
        comment_id = self.new_id("comment")
        produce_envelopes(
            self.kafka,
            topics.FEED_EVENTS,
            [
                event_envelope(
                    feed.CommentAdded(
                        comment_id=comment_id,
                        post_id=post_id,
                        community_id=community.community_id,
                        author_id=author,
                        post_author_id="someone",
                        body=body,
                    ),
                    sequence=2,
                )
            ],
        )
        return comment_id

    async def log(self, community_id: str = "", user: str = "", **kwargs: Any) -> list[Any]:
        request = api.ListModerationLogRequest(
            community_id=community_id, platform=not community_id, page_size=100
        )
        response = await self.call("ListModerationLog", request, user, **kwargs)
        return list(response.entries)


async def warm_up(harness: Moderation, limit_s: float = 90.0) -> None:
    """Wait until the consumers have their partitions: SERVING only says their threads run,
    and a consumer group's first assignment can take a while on a busy broker."""
    owner = harness.new_id("owner")
    club = Community(harness.new_id("warmup"), owner, "", 0, {owner: roles.ROLE_OWNER})
    harness.membership_events(
        club, membership.CommunityCreated(community_id=club.community_id, owner_id=owner)
    )
    await harness.caught_up(club, limit_s)
    post_id = harness.post(club, owner)
    await eventually_async(
        lambda: harness.database["content"].find_one({"_id": f"post:{post_id}"}),
        limit_s,
        what="the feed consumer's start",
    )


@pytest.fixture(scope="session")
async def moderation(kafka_bootstrap: str, mongo_uri: str) -> AsyncIterator[Moderation]:
    run = uuid.uuid4().hex[:10]
    group = f"moderation-test-{run}"
    for name, topic in CONSUMED.items():
        start_group_at_end(kafka_bootstrap, f"{group}-{name}", topic)
    env = {
        "COMMUNITY_AUTH_HS256_SECRET": SECRET,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "MONGODB_URI": mongo_uri,
        "MONGODB_DATABASE": f"moderation_test_{run}",
        "GRPC_PORT": "0",
        "LOG_LEVEL": "WARNING",
    }
    settings = Settings.from_env("moderation", 0, env=env)
    options = ModerationSettings(
        arrival_wait_s=2.0, automod_mute=timedelta(hours=1), consumer_group=group
    )
    watcher = TopicWatcher(kafka_bootstrap, topics.MODERATION_EVENTS)
    host = build(settings, options)
    await host.start()
    channel = aio.insecure_channel(f"127.0.0.1:{host.port}")
    health = health_pb2_grpc.HealthStub(channel)

    async def serving() -> bool:
        reply = await health.Check(health_pb2.HealthCheckRequest(service=""))
        return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)

    await eventually_async(serving, 60, what="moderation SERVING")
    mongo = async_client(mongo_uri)
    harness = Moderation(
        stub=api_grpc.ModerationServiceStub(channel),
        kafka=kafka_bootstrap,
        events=watcher,
        database=mongo[settings.mongodb_database],
        new_id=lambda prefix: f"{prefix}-{uuid.uuid4().hex[:12]}",
    )
    try:
        await warm_up(harness)
        yield harness
    finally:
        await channel.close()
        await host.stop()
        await mongo.drop_database(settings.mongodb_database)
        await mongo.close()
        watcher.consumer.close()
