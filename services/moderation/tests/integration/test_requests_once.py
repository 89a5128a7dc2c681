"""A retried mutation returns the first result and changes nothing (SPEC §9): eight
concurrent calls with one request id, on one replica or split across two, store one event;
so does a call cut off by a client deadline and sent again at once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import grpc
import pytest
from community.membership.v1 import types_pb2 as roles
from community.moderation.v1 import moderation_service_pb2 as api
from community.moderation.v1 import moderation_service_pb2_grpc as api_grpc
from community.moderation.v1 import types_pb2 as types
from community_common.config import Settings
from community_common.testing.stored import stored_events
from grpc import aio
from moderation.bootstrap import ModerationSettings, build

from .conftest import CONSUMED, SECRET, Community, Moderation, start_group_at_end

TWINS = 8


@pytest.fixture(scope="module")
async def replica(
    moderation: Moderation, kafka_bootstrap: str, mongo_uri: str
) -> AsyncIterator[Any]:
    """A second moderation process on the same database, as a second replica would run."""
    group = f"moderation-replica-{uuid.uuid4().hex[:8]}"
    for name, topic in CONSUMED.items():
        await asyncio.to_thread(start_group_at_end, kafka_bootstrap, f"{group}-{name}", topic)
    env = {
        "COMMUNITY_AUTH_HS256_SECRET": SECRET,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "MONGODB_URI": mongo_uri,
        "MONGODB_DATABASE": moderation.database.name,
        "GRPC_PORT": "0",
        "LOG_LEVEL": "WARNING",
    }
    options = ModerationSettings(
        arrival_wait_s=2.0, automod_mute=timedelta(hours=1), consumer_group=group
    )
    host = build(Settings.from_env("moderation", 0, env=env), options)
    await host.start()
    channel = aio.insecure_channel(f"127.0.0.1:{host.port}")
    try:
        yield api_grpc.ModerationServiceStub(channel)
    finally:
        await channel.close()
        await host.stop()


CREATING: dict[str, tuple[Callable[[Community], Any], str, Callable[[Any], str]]] = {
    "AddRule": (
        lambda c: api.AddRuleRequest(community_id=c.community_id, title="be kind"),
        "RuleAdded",
        lambda r: r.rule.rule_id,
    ),
    "ReportContent": (
        lambda c: api.ReportContentRequest(
            community_id=c.community_id,
            user_id=f"spammer-{c.community_id}",
            reason=types.REASON_SPAM,
        ),
        "ReportFiled",
        lambda r: r.report.report_id,
    ),
    "AddAutomodRule": (
        lambda c: api.AddAutomodRuleRequest(
            community_id=c.community_id, keywords=["once"], action=types.AUTOMOD_REMOVE
        ),
        "AutomodRuleAdded",
        lambda r: r.automod_rule.automod_rule_id,
    ),
}


async def call(stub: Any, rpc: str, request: Any, user: str) -> Any:
    return await getattr(stub, rpc)(request, metadata=Moderation.auth(user), timeout=15)


@pytest.mark.parametrize("rpc", sorted(CREATING))
@pytest.mark.parametrize("replicas", [1, 2])
async def test_concurrent_twins_take_effect_once(
    moderation: Moderation, replica: Any, rpc: str, replicas: int
) -> None:
    club = await moderation.community({moderation.new_id("member"): roles.ROLE_MEMBER})
    build_request, event_type, identity = CREATING[rpc]
    request = build_request(club)
    request.request_id = f"once-{uuid.uuid4().hex}"
    stubs = [moderation.stub, replica][:replicas]
    responses = await asyncio.gather(
        *(call(stubs[n % replicas], rpc, request, club.owner) for n in range(TWINS))
    )
    assert len({identity(r) for r in responses}) == 1
    assert len({r.SerializeToString() for r in responses}) == 1
    assert (
        await stored_events(
            moderation.database, f"community.moderation.v1.{event_type}", club.owner
        )
        == 1
    )


@pytest.mark.parametrize("rpc", sorted(CREATING))
async def test_a_retry_after_a_client_deadline_takes_effect_once(
    moderation: Moderation, rpc: str
) -> None:
    club = await moderation.community()
    build_request, event_type, identity = CREATING[rpc]
    request = build_request(club)
    request.request_id = f"deadline-{uuid.uuid4().hex}"
    method = getattr(moderation.stub, rpc)
    try:
        await method(request, metadata=Moderation.auth(club.owner), timeout=0.005)
    except aio.AioRpcError as error:
        assert error.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    retried = await moderation.call(rpc, request, club.owner)
    again = await moderation.call(rpc, request, club.owner)
    assert identity(retried) == identity(again)
    assert (
        await stored_events(
            moderation.database, f"community.moderation.v1.{event_type}", club.owner
        )
        == 1
    )


async def test_a_request_id_longer_than_128_characters_is_refused(
    moderation: Moderation,
) -> None:
    club = await moderation.community()
    request = api.AddRuleRequest(community_id=club.community_id, title="t", request_id="r" * 129)
    refused = await moderation.refusal("AddRule", request, club.owner)
    assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert (
        await stored_events(moderation.database, "community.moderation.v1.RuleAdded", club.owner)
        == 0
    )
