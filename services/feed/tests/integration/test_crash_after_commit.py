"""A feed process killed after a command's commit is stored and before its response is sent
(failpoint `after-commit`): the client's retry with the same request id gets the first
response from the next process, and the post exists once."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from community.feed.v1 import feed_service_pb2 as api
from community.feed.v1 import feed_service_pb2_grpc
from community_common.event_store import COMMITS
from community_common.mongo import blocking_client
from community_common.testing.service_process import ServiceProcess
from community_contracts import topics
from feed.entrypoints.consumers import MEMBERSHIP_GROUP, MODERATION_GROUP

from .conftest import SECRET, Community, Events, Feed, start_groups_at_end


def FeedProcess(env: dict[str, str], log: Path) -> ServiceProcess:
    return ServiceProcess("feed", feed_service_pb2_grpc.FeedServiceStub, env, log)


@pytest.fixture
def database(mongo_uri: str) -> Iterator[str]:
    name = f"feed_crash_{uuid.uuid4().hex[:10]}"
    yield name
    client = blocking_client(mongo_uri)
    client.drop_database(name)
    client.close()


def test_a_retry_after_a_crash_between_commit_and_response_takes_effect_once(
    kafka_bootstrap: str, mongo_uri: str, database: str, tmp_path: Path
) -> None:
    prefix = f"test-crash-{uuid.uuid4().hex[:8]}-"
    start_groups_at_end(
        kafka_bootstrap,
        {
            prefix + MEMBERSHIP_GROUP: topics.MEMBERSHIP_EVENTS,
            prefix + MODERATION_GROUP: topics.MODERATION_EVENTS,
        },
    )
    env = os.environ | {
        "COMMUNITY_AUTH_HS256_SECRET": SECRET,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "MONGODB_URI": mongo_uri,
        "MONGODB_DATABASE": database,
        "CONSUMER_GROUP_PREFIX": prefix,
        "LOG_LEVEL": "WARNING",
    }
    events = Events(kafka_bootstrap)
    community = Community(events, f"c-{uuid.uuid4().hex[:12]}", f"owner-{uuid.uuid4().hex[:8]}")
    author = f"author-{uuid.uuid4().hex[:8]}"
    token = community.join(author)
    request = api.CreatePostRequest(
        community_id=community.id,
        body="once",
        consistency_token=token,
        request_id=f"crash-{uuid.uuid4().hex}",
    )
    metadata = Feed.auth(author)
    log = tmp_path / "feed.log"

    doomed = FeedProcess(env | {"COMMUNITY_FAILPOINTS": "after-commit"}, log)
    try:
        doomed.wait_serving()
        doomed.killed_by(lambda: doomed.stub.CreatePost(request, metadata=metadata, timeout=30))
    finally:
        doomed.stop()

    client = blocking_client(mongo_uri)
    try:
        [stored] = list(client[database][COMMITS].find({"request_key": {"$exists": True}}))
        assert stored["events"][0]["ce_type"] == "community.feed.v1.PostCreated"

        survivor = FeedProcess(env, log)
        try:
            survivor.wait_serving()
            first = survivor.stub.CreatePost(request, metadata=metadata, timeout=30)
            again = survivor.stub.CreatePost(request, metadata=metadata, timeout=30)
        finally:
            survivor.stop()
        assert first.post.post_id == again.post.post_id == stored["stream_id"]
        assert client[database][COMMITS].count_documents({}) == 1
    finally:
        client.close()
        events.close()
