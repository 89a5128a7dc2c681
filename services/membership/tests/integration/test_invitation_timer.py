"""An invitation that expires in an idle community is recorded anyway: the invitation timer
publishes `InvitationExpired` within a minute of the expiry (the contract's deadline, asserted
as a poll deadline), with the expiry as its ce_time, and records it once."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, timedelta
from typing import Any

import pytest
from community.membership.v1 import types_pb2 as types
from community_common.envelope import EventEnvelope
from community_common.event_store import COMMITS
from community_common.mongo import async_client, blocking_client
from community_common.relay import OutboxRelay, RelaySettings
from community_common.testing.events import create_topic
from kafka import KafkaConsumer, TopicPartition
from membership.application.service import MembershipService
from membership.bootstrap import membership_service
from membership.domain.community import Actor
from membership.domain.limits import Limits
from membership.entrypoints.invitation_timer import InvitationTimer

TTL = timedelta(seconds=2)
CONTRACT_DEADLINE_S = 60.0


@pytest.fixture
def database(mongo_uri: str) -> Iterator[str]:
    name = f"membership_timer_{uuid.uuid4().hex[:10]}"
    yield name
    client = blocking_client(mongo_uri)
    client.drop_database(name)
    client.close()


@pytest.fixture
async def service(mongo_uri: str, database: str) -> AsyncIterator[MembershipService]:
    client = async_client(mongo_uri)
    service = membership_service(client, database, Limits(invitation_ttl=TTL))
    await service.store.ensure_indexes()
    await service.read_models.ensure_indexes()
    yield service
    await client.close()


@pytest.fixture
def topic(kafka_bootstrap: str) -> str:
    return create_topic(kafka_bootstrap, f"timer-test-{uuid.uuid4().hex[:8]}", partitions=3)


def published(bootstrap: str, topic: str, event_type: str, deadline: float) -> list[EventEnvelope]:
    """The `event_type` events on `topic`, polled until one arrives or the deadline passes."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        found: list[EventEnvelope] = []
        while not found and time.time() < deadline:
            for records in consumer.poll(timeout_ms=200).values():
                for r in records:
                    envelope = EventEnvelope.from_kafka_record(r.key, r.value, r.headers)
                    if envelope.type == event_type:
                        found.append(envelope)
        return found
    finally:
        consumer.close()


async def test_an_idle_communitys_invitation_expires_on_the_topic_within_a_minute(
    service: MembershipService, mongo_uri: str, database: str, kafka_bootstrap: str, topic: str
) -> None:
    owner = Actor(f"owner-{uuid.uuid4().hex[:8]}")
    created = await service.create_community(
        owner, "quiet", "", [], types.VISIBILITY_PUBLIC, types.JOIN_POLICY_OPEN, ""
    )
    community_id = created.community.community_id
    invited = await service.invite_member(owner, community_id, "amy", "")
    expires_at = invited.invitation.expires_at.ToDatetime(tzinfo=UTC)

    relay_db = blocking_client(mongo_uri)
    relay = OutboxRelay(relay_db[database], kafka_bootstrap, RelaySettings(topic=topic))
    client = async_client(mongo_uri)
    timer = InvitationTimer(
        lambda: membership_service(async_client(mongo_uri), database, Limits(invitation_ttl=TTL)),
        interval_s=0.5,
    )
    relay.start()
    timer.start()
    try:
        deadline = expires_at.timestamp() + CONTRACT_DEADLINE_S
        [expired] = published(
            kafka_bootstrap, topic, "community.membership.v1.InvitationExpired", deadline
        )
        assert expired.subject == community_id
        assert expired.occurred_at == expires_at  # ce_time is the expiry, not the timer's tick
        assert timer.unready_reason() is None
        # Later passes find nothing due: recorded once.
        events: list[Any] = []
        async for commit in client[database][COMMITS].find({"stream_id": community_id}):
            events.extend(e["ce_type"] for e in commit["events"])
        assert events.count("community.membership.v1.InvitationExpired") == 1
        assert await InvitationTimer.tick(service) == 0
    finally:
        timer.stop()
        relay.stop()
        relay_db.close()
        await client.close()
