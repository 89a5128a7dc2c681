"""A real membership server per test module: the process wiring of bootstrap.build (gRPC API,
outbox relay, consumers) on a free port, against the real Kafka broker and FerretDB, with a
database and consumer groups of its own. Callers authenticate with real HS256 tokens."""

from __future__ import annotations

import asyncio
import copy
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import grpc
import pytest
from community.membership.v1 import membership_service_pb2 as api
from community.membership.v1 import membership_service_pb2_grpc
from community_common.auth import mint_token
from community_common.config import Settings
from community_common.envelope import EventEnvelope
from community_common.errors import bad_request, error_info
from community_common.mongo import async_client, blocking_client
from community_common.server import ServiceHost
from community_common.testing.polling import eventually_async
from community_contracts import topics
from google.rpc import status_pb2
from grpc import aio
from grpc_status import rpc_status
from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.structs import OffsetAndMetadata
from membership.application.service import MembershipService
from membership.bootstrap import build, membership_service
from membership.domain.limits import Limits
from pymongo import AsyncMongoClient

MIN_SECRET = "membership-integration-tests-secret-0123456789"
T = TypeVar("T")


@pytest.fixture(scope="session")
def secret() -> str:
    """The secret of COMMUNITY_AUTH_HS256_SECRET (`make test-servers` exports one)."""
    value = os.environ.get("COMMUNITY_AUTH_HS256_SECRET") or MIN_SECRET
    os.environ["COMMUNITY_AUTH_HS256_SECRET"] = value
    return value


@pytest.fixture(scope="module")
def db_name() -> str:
    return f"membership_test_{uuid.uuid4().hex[:10]}"


def fresh(prefix: str = "u") -> str:
    """A fresh id for module-scoped fixtures (the root `unique` fixture is per test)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def limits() -> Limits:
    return Limits()


@pytest.fixture(scope="module")
def drop_db(mongo_uri: str, db_name: str) -> Iterator[None]:
    yield
    client = blocking_client(mongo_uri)
    client.drop_database(db_name)
    client.close()


@pytest.fixture(scope="module")
async def host(
    kafka_bootstrap: str, mongo_uri: str, db_name: str, secret: str, limits: Limits, drop_db: None
) -> AsyncIterator[ServiceHost]:
    settings = Settings(
        service_name="membership",
        kafka_bootstrap_servers=kafka_bootstrap,
        mongodb_uri=mongo_uri,
        mongodb_database=db_name,
        grpc_port=0,
        kafka_topic_partitions=6,
        log_level="WARNING",
        auth_secret=secret.encode(),
    )
    prefix = f"test-{db_name}"
    # Fresh groups start at the topics' ends: this server's database holds none of the
    # communities other tests published before, so replaying them would only cost time.
    for group, topic in (
        (f"{prefix}-moderation", topics.MODERATION_EVENTS),
        (f"{prefix}-projections", topics.MEMBERSHIP_EVENTS),
    ):
        await asyncio.to_thread(start_group_at_end, kafka_bootstrap, group, topic)
    service_host = build(settings, limits, consumer_group_prefix=prefix)
    service_host.grace_s = 1.0
    await service_host.start()
    yield service_host
    await service_host.stop()


def start_group_at_end(bootstrap_servers: str, group: str, topic: str) -> None:
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap_servers, group_id=group, enable_auto_commit=False
    )
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        ends = consumer.end_offsets(partitions)
        consumer.commit({tp: OffsetAndMetadata(offset, "", -1) for tp, offset in ends.items()})
    finally:
        consumer.close()


@pytest.fixture(scope="module")
async def mongo(mongo_uri: str) -> AsyncIterator[AsyncMongoClient[Any]]:
    client = async_client(mongo_uri)
    yield client
    await client.close()


@pytest.fixture(scope="module")
def service(mongo: AsyncMongoClient[Any], db_name: str, limits: Limits) -> MembershipService:
    """The application layer on the same database, to arrange state the API cannot."""
    return membership_service(mongo, db_name, limits)


@dataclass
class Refusal:
    code: grpc.StatusCode
    reason: str
    violations: dict[str, str]
    metadata: dict[str, str]


class Client:
    """Calls the API by RPC name as a given user (None = no token)."""

    def __init__(self, channel: aio.Channel, secret: str) -> None:
        self.stub = membership_service_pb2_grpc.MembershipServiceStub(channel)
        self.secret = secret

    def signing_with(self, secret: str) -> Client:
        """The same client minting tokens with another secret (forged tokens)."""
        other = copy.copy(self)
        other.secret = secret
        return other

    def metadata(self, user: str | None, admin: bool = False) -> list[tuple[str, str]]:
        if user is None:
            return []
        token = mint_token(self.secret, user, platform_admin=admin)
        return [("authorization", f"Bearer {token}")]

    async def __call__(self, rpc: str, user: str | None, admin: bool = False, **fields: Any) -> Any:
        request = getattr(api, f"{rpc}Request")(**fields)
        return await getattr(self.stub, rpc)(request, metadata=self.metadata(user, admin))

    async def refused(
        self, rpc: str, user: str | None, admin: bool = False, **fields: Any
    ) -> Refusal:
        with pytest.raises(aio.AioRpcError) as caught:
            await self(rpc, user, admin, **fields)
        error = caught.value
        status = rpc_status.from_call(error)  # type: ignore[arg-type]
        assert status is not None, f"{rpc}: no rich status: {error.code()} {error.details()}"
        info = error_info(status) or status_pb2.Status()
        violations = bad_request(status)
        return Refusal(
            error.code(),
            getattr(info, "reason", ""),
            {v.field: v.description for v in violations.field_violations} if violations else {},
            dict(getattr(info, "metadata", {})),
        )


@pytest.fixture(scope="module")
async def client(host: ServiceHost, secret: str) -> AsyncIterator[Client]:
    async with aio.insecure_channel(f"127.0.0.1:{host.port}") as channel:
        yield Client(channel, secret)


async def eventually(check: Callable[[], Awaitable[T]], timeout_s: float = 15.0) -> T:
    """Poll `check` until it returns something truthy (bounded), else fail."""
    return await eventually_async(check, timeout_s)


def community_events(
    bootstrap_servers: str, community_id: str, count: int, timeout_s: float = 20.0
) -> list[tuple[ConsumerRecord, EventEnvelope]]:
    """(record, envelope) of the community's records on the membership topic, in partition
    order, once `count` of them have arrived (bounded polling)."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap_servers, enable_auto_commit=False, fetch_max_wait_ms=50
    )
    try:
        partitions = [
            TopicPartition(topics.MEMBERSHIP_EVENTS, p)
            for p in sorted(consumer.partitions_for_topic(topics.MEMBERSHIP_EVENTS) or ())
        ]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        found: list[tuple[ConsumerRecord, EventEnvelope]] = []
        deadline = time.monotonic() + timeout_s
        while len(found) < count and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=100).values():
                for record in records:
                    if record.key == community_id.encode():
                        envelope = EventEnvelope.from_kafka_record(
                            record.key, record.value, record.headers
                        )
                        found.append((record, envelope))
        return found
    finally:
        consumer.close()
