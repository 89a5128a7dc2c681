"""A membership process killed after a command's commit is stored and before its response is
sent (failpoint `after-commit`): the client's retry with the same request id gets the first
response from the next process, and the community exists once."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from community.membership.v1 import membership_service_pb2 as api
from community.membership.v1 import membership_service_pb2_grpc
from community_common.auth import mint_token
from community_common.event_store import COMMITS
from community_common.mongo import blocking_client
from community_common.testing.service_process import ServiceProcess
from community_contracts import topics

from .conftest import start_group_at_end


def MembershipProcess(env: dict[str, str], log: Path) -> ServiceProcess:
    return ServiceProcess("membership", membership_service_pb2_grpc.MembershipServiceStub, env, log)


@pytest.fixture
def database(mongo_uri: str) -> Iterator[str]:
    name = f"membership_crash_{uuid.uuid4().hex[:10]}"
    yield name
    client = blocking_client(mongo_uri)
    client.drop_database(name)
    client.close()


def fresh_groups(kafka_bootstrap: str) -> dict[str, str]:
    """Consumer groups of its own, starting at the topics' ends, for one process: the next
    process joining the killed one's groups would wait for Kafka to give up on it first."""
    prefix = f"test-crash-{uuid.uuid4().hex[:8]}"
    for group, topic in (
        (f"{prefix}-moderation", topics.MODERATION_EVENTS),
        (f"{prefix}-projections", topics.MEMBERSHIP_EVENTS),
    ):
        start_group_at_end(kafka_bootstrap, group, topic)
    return {"CONSUMER_GROUP_PREFIX": prefix}


def test_a_retry_after_a_crash_between_commit_and_response_takes_effect_once(
    kafka_bootstrap: str, mongo_uri: str, database: str, secret: str, tmp_path: Path
) -> None:
    env = os.environ | {
        "COMMUNITY_AUTH_HS256_SECRET": secret,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "MONGODB_URI": mongo_uri,
        "MONGODB_DATABASE": database,
        "LOG_LEVEL": "WARNING",
    }
    owner = f"owner-{uuid.uuid4().hex[:8]}"
    metadata = [("authorization", f"Bearer {mint_token(secret, owner)}")]
    log = tmp_path / "membership.log"

    request = api.CreateCommunityRequest(name="Crash club", request_id=f"crash-{uuid.uuid4().hex}")
    doomed = MembershipProcess(
        env | {"COMMUNITY_FAILPOINTS": "after-commit", **fresh_groups(kafka_bootstrap)}, log
    )
    try:
        doomed.wait_serving()
        doomed.killed_by(
            lambda: doomed.stub.CreateCommunity(request, metadata=metadata, timeout=30)
        )
    finally:
        doomed.stop()

    client = blocking_client(mongo_uri)
    try:
        [stored] = list(client[database][COMMITS].find({"request_key": {"$exists": True}}))
        assert stored["events"][0]["ce_type"] == "community.membership.v1.CommunityCreated"

        survivor = MembershipProcess(env | fresh_groups(kafka_bootstrap), log)
        try:
            survivor.wait_serving()
            first = survivor.stub.CreateCommunity(request, metadata=metadata, timeout=30)
            again = survivor.stub.CreateCommunity(request, metadata=metadata, timeout=30)
            mine = survivor.stub.ListMyCommunities(
                api.ListMyCommunitiesRequest(), metadata=metadata, timeout=30
            )
        finally:
            survivor.stop()
        assert first == again
        assert first.community.community_id == stored["stream_id"]
        assert [c.community_id for c in mine.communities] == [stored["stream_id"]]
        assert client[database][COMMITS].count_documents({}) == 1
    finally:
        client.close()
