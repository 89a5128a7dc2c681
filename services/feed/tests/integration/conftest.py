"""A real feed server for each test module: a grpc.aio ServiceHost built by `feed.bootstrap`
(relay and consumers included) on a free port, its own FerretDB database, consumer groups of
its own positioned at the topics' ends (so it does not replay other tests' history), and a
producer putting real membership and moderation events on the real topics.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from community.feed.v1 import feed_service_pb2_grpc
from community.membership.v1 import events_pb2 as mem
from community.membership.v1.types_pb2 import JoinPolicy, Role, Visibility
from community.moderation.v1 import events_pb2 as mod
from community_common.auth import mint_token
from community_common.errors import error_info
from community_common.mongo import async_client
from community_common.testing.events import event_envelope, topic_of
from community_common.testing.polling import (
    consistency_timeout_failure,
    eventually_async,
    is_consistency_timeout,
    projection_reached,
)
from community_contracts import topics
from feed.bootstrap import build
from feed.entrypoints.consumers import MEMBERSHIP_GROUP, MODERATION_GROUP
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from grpc import aio
from grpc_status import rpc_status
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.structs import OffsetAndMetadata

# The suite's secret when `make test-servers` exported one, else a local test secret.
SECRET = os.environ.get("COMMUNITY_AUTH_HS256_SECRET") or "feed-tests-secret-" + "x" * 32


def start_groups_at_end(bootstrap: str, groups: dict[str, str]) -> None:
    """Commit the current end offsets for each consumer group (group -> topic)."""
    for group, topic in groups.items():
        consumer = KafkaConsumer(
            bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
        )
        try:
            partitions = [
                TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()
            ]
            ends = consumer.end_offsets(partitions)
            consumer.commit({tp: OffsetAndMetadata(offset, "", -1) for tp, offset in ends.items()})
        finally:
            consumer.close()


def stamp(moment: datetime) -> Timestamp:
    t = Timestamp()
    t.FromDatetime(moment)
    return t


class Events:
    """Puts membership and moderation events on their real topics, numbering each stream's
    ce_sequence the way the owning service would."""

    def __init__(self, bootstrap: str) -> None:
        self.producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=2)
        self.versions: dict[str, int] = {}

    def emit(self, message: Message, stream: str) -> int:
        self.versions[stream] = self.versions.get(stream, 0) + 1
        envelope = event_envelope(message, sequence=self.versions[stream])
        key, value, headers = envelope.to_kafka_record()
        self.producer.send(topic_of(message), key=key, value=value, headers=headers)
        self.producer.flush(timeout=30)
        return self.versions[stream]

    def membership(self, message: Message) -> str:
        """Returns the consistency token membership would answer with."""
        community_id = message.community_id  # type: ignore[attr-defined]
        return f"{community_id}:{self.emit(message, 'm:' + community_id)}"

    def close(self) -> None:
        self.producer.close(timeout=5)


class Community:
    """A community scripted through membership events."""

    def __init__(
        self, events: Events, community_id: str, owner: str, private: bool = False
    ) -> None:
        self.events = events
        self.id = community_id
        self.owner = owner
        self.token = events.membership(
            mem.CommunityCreated(
                community_id=community_id,
                name=community_id,
                owner_id=owner,
                visibility=Visibility.VISIBILITY_PRIVATE
                if private
                else Visibility.VISIBILITY_PUBLIC,
                join_policy=JoinPolicy.JOIN_POLICY_OPEN,
            )
        )

    def _m(self, message: Message) -> str:
        self.token = self.events.membership(message)
        return self.token

    def join(self, user: str) -> str:
        return self._m(mem.MemberJoined(community_id=self.id, user_id=user, role=Role.ROLE_MEMBER))

    def leave(self, user: str) -> str:
        return self._m(mem.MemberLeft(community_id=self.id, user_id=user, role=Role.ROLE_MEMBER))

    def remove(self, user: str) -> str:
        return self._m(mem.MemberRemoved(community_id=self.id, user_id=user, role=Role.ROLE_MEMBER))

    def set_role(self, user: str, role: int) -> str:
        return self._m(mem.MemberRoleChanged(community_id=self.id, user_id=user, new_role=role))

    def group(self, group_id: str, creator: str) -> str:
        return self._m(
            mem.GroupCreated(
                community_id=self.id, group_id=group_id, name=group_id, creator_id=creator
            )
        )

    def join_group(self, group_id: str, user: str) -> str:
        return self._m(mem.GroupMemberJoined(community_id=self.id, group_id=group_id, user_id=user))

    def sanction(self, message: Message) -> None:
        self.events.emit(message, "s:" + self.id)

    def mute(self, user: str, seconds: float) -> None:
        until = datetime.now(UTC) + timedelta(seconds=seconds)
        self.sanction(mod.MemberMuted(community_id=self.id, user_id=user, expires_at=stamp(until)))

    def ban(self, user: str) -> None:
        self.sanction(mod.MemberBanned(community_id=self.id, user_id=user))
        self.remove(user)

    def remove_post(self, post_id: str, restore: bool = False) -> None:
        kind = mod.ContentRestored if restore else mod.ContentRemoved
        self.events.emit(kind(community_id=self.id, post_id=post_id), "r:" + post_id)


class Feed:
    """The running server, seen from a client."""

    def __init__(
        self, channel: aio.Channel, events: Events, db: Any, ids: Callable[[str], str]
    ) -> None:
        self.stub = feed_service_pb2_grpc.FeedServiceStub(channel)
        self.channel = channel
        self.events = events
        self.db = db
        self.ids = ids

    @staticmethod
    def auth(user: str, platform_admin: bool = False) -> list[tuple[str, str]]:
        return [
            ("authorization", f"Bearer {mint_token(SECRET, user, platform_admin=platform_admin)}")
        ]

    async def call(
        self, rpc: str, request: Message, user: str, platform_admin: bool = False
    ) -> Any:
        """One call, as a client makes it; no retry, so a consistency token not reached within
        the contract's 2 s fails the test."""
        metadata = self.auth(user, platform_admin)
        try:
            return await getattr(self.stub, rpc)(request, metadata=metadata)
        except aio.AioRpcError as error:
            if is_consistency_timeout(error):
                token = request.consistency_token  # type: ignore[attr-defined]
                raise await consistency_timeout_failure(self.db, token, error) from error
            raise

    def community(self, owner: str | None = None, private: bool = False) -> Community:
        return Community(self.events, self.ids("c"), owner or self.ids("owner"), private)


async def refusal(call: Awaitable[Any]) -> tuple[grpc.StatusCode, str]:
    """The status code and ErrorInfo reason of a call that must fail."""
    with pytest.raises(aio.AioRpcError) as caught:
        await call
    error = caught.value
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    info = error_info(status) if status is not None else None
    return error.code(), info.reason if info else ""


async def eventually(check: Callable[[], Awaitable[bool]], timeout_s: float = 15.0) -> None:
    await eventually_async(check, timeout_s)


async def _consumers_ready(feed: Feed) -> None:
    """Wait until the consumers have joined their groups and apply new events (the first
    rebalance can take longer than a consistency token's 2 s)."""
    probe = feed.community()
    await projection_reached(feed.db, probe.token)


@pytest.fixture(scope="module")
async def feed(
    kafka_bootstrap: str, mongo_uri: str, request: pytest.FixtureRequest
) -> AsyncIterator[Feed]:
    run = uuid.uuid4().hex[:10]
    database = f"feed_test_{run}"
    prefix = f"test-{run}-"
    env = {
        "COMMUNITY_AUTH_HS256_SECRET": SECRET,
        "GRPC_PORT": "0",
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "MONGODB_URI": mongo_uri,
        "MONGODB_DATABASE": database,
        "LOG_LEVEL": "WARNING",
        **getattr(request.module, "FEED_ENV", {}),
    }
    await asyncio.to_thread(
        start_groups_at_end,
        kafka_bootstrap,
        {
            prefix + MEMBERSHIP_GROUP: topics.MEMBERSHIP_EVENTS,
            prefix + MODERATION_GROUP: topics.MODERATION_EVENTS,
        },
    )
    host = build(env=env, consumer_group_prefix=prefix)
    host.grace_s = 1
    port = await host.start()
    events = Events(kafka_bootstrap)
    channel = aio.insecure_channel(f"127.0.0.1:{port}")
    client = async_client(mongo_uri)
    feed = Feed(channel, events, client[database], lambda p: f"{p}-{uuid.uuid4().hex[:12]}")
    try:
        await _consumers_ready(feed)
        yield feed
    finally:
        await channel.close()
        await host.stop()
        events.close()
        await client.drop_database(database)
        await client.close()
