"""A moderation process killed after a command's commit is stored and before its response is
sent (failpoint `after-commit`): the client's retry with the same request id gets the first
response from the next process, and the rule exists once (one commit, listed once, logged
once)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from community.membership.v1 import events_pb2 as membership
from community.moderation.v1 import moderation_service_pb2 as api
from community.moderation.v1 import moderation_service_pb2_grpc
from community_common.event_store import COMMITS
from community_common.mongo import blocking_client
from community_common.testing.events import event_envelope, produce_envelopes
from community_common.testing.polling import eventually
from community_common.testing.service_process import ServiceProcess
from community_contracts import topics

from .conftest import CONSUMED, SECRET, Moderation, start_group_at_end


def ModerationProcess(env: dict[str, str], log: Path) -> ServiceProcess:
    return ServiceProcess("moderation", moderation_service_pb2_grpc.ModerationServiceStub, env, log)


@pytest.fixture
def database(mongo_uri: str) -> Iterator[str]:
    name = f"moderation_crash_{uuid.uuid4().hex[:10]}"
    yield name
    client = blocking_client(mongo_uri)
    client.drop_database(name)
    client.close()


def fresh_groups(kafka_bootstrap: str) -> dict[str, str]:
    """Consumer groups of its own, starting at the topics' ends, for one process: the next
    process joining the killed one's groups would wait for Kafka to give up on it first."""
    prefix = f"test-crash-{uuid.uuid4().hex[:8]}"
    for name, topic in CONSUMED.items():
        start_group_at_end(kafka_bootstrap, f"{prefix}-{name}", topic)
    return {"CONSUMER_GROUP_PREFIX": prefix}


def wait_for_community(mongo_uri: str, database: str, community_id: str) -> None:
    """Until the process has applied the community's creation (its consumer's first
    assignment can take a while on a busy broker)."""
    client = blocking_client(mongo_uri)
    try:
        eventually(
            lambda: client[database]["communities"].find_one({"_id": community_id}),
            90,
            what="the membership consumer's applying it",
        )
    finally:
        client.close()


def test_a_retry_after_a_crash_between_commit_and_response_takes_effect_once(
    kafka_bootstrap: str, mongo_uri: str, database: str, tmp_path: Path
) -> None:
    env = os.environ | {
        "COMMUNITY_AUTH_HS256_SECRET": SECRET,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "MONGODB_URI": mongo_uri,
        "MONGODB_DATABASE": database,
        "LOG_LEVEL": "WARNING",
    }
    doomed_groups = fresh_groups(kafka_bootstrap)  # before the community's creation
    community_id, owner = f"c-{uuid.uuid4().hex[:12]}", f"owner-{uuid.uuid4().hex[:8]}"
    created = membership.CommunityCreated(community_id=community_id, owner_id=owner)
    produce_envelopes(
        kafka_bootstrap, topics.MEMBERSHIP_EVENTS, [event_envelope(created, sequence=1)]
    )
    request = api.AddRuleRequest(
        community_id=community_id, title="Be kind", request_id=f"crash-{uuid.uuid4().hex}"
    )
    metadata = Moderation.auth(owner)
    log = tmp_path / "moderation.log"

    doomed = ModerationProcess(env | {"COMMUNITY_FAILPOINTS": "after-commit", **doomed_groups}, log)
    try:
        doomed.wait_serving()
        wait_for_community(mongo_uri, database, community_id)
        doomed.killed_by(lambda: doomed.stub.AddRule(request, metadata=metadata, timeout=30))
    finally:
        doomed.stop()

    client = blocking_client(mongo_uri)
    try:
        [stored] = list(client[database][COMMITS].find({"request_key": {"$exists": True}}))
        assert stored["events"][0]["ce_type"] == "community.moderation.v1.RuleAdded"

        survivor = ModerationProcess(env | fresh_groups(kafka_bootstrap), log)
        try:
            survivor.wait_serving()
            first = survivor.stub.AddRule(request, metadata=metadata, timeout=30)
            again = survivor.stub.AddRule(request, metadata=metadata, timeout=30)
            rules = survivor.stub.ListRules(
                api.ListRulesRequest(community_id=community_id), metadata=metadata, timeout=30
            )
            entries = survivor.stub.ListModerationLog(
                api.ListModerationLogRequest(community_id=community_id),
                metadata=metadata,
                timeout=30,
            )
        finally:
            survivor.stop()
        assert first.rule.rule_id == again.rule.rule_id == stored["events"][0]["ce_subject"]
        assert [rule.rule_id for rule in rules.rules] == [first.rule.rule_id]
        assert [entry.rule_id for entry in entries.entries] == [first.rule.rule_id]
        assert client[database][COMMITS].count_documents({}) == 1
    finally:
        client.close()
