"""A process decides a mute or ban on the copy of the community's sanctions it keeps, without
reading the stream; another process's writes make that copy stale, and then the append at its
version collides (the command re-runs on a fresh load) or, for a decision no append checks
("nothing to unmute"), it is taken again on a fresh load. Two processes on one database are
played by two sets of use cases, each with its own kept copies."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from community.membership.v1 import events_pb2 as membership
from community.membership.v1 import types_pb2 as roles
from community.moderation.v1 import moderation_service_pb2 as api
from community_common.auth import Caller
from community_common.event_store import EventStore
from community_common.testing.events import event_envelope
from google.protobuf.duration_pb2 import Duration
from moderation.adapters.repository import Repository, stream_id
from moderation.application.moderation import Moderation
from moderation.bootstrap import ModerationSettings, moderation_use_cases
from moderation.domain.sanctions import CommunitySanctions
from pymongo import AsyncMongoClient

COMMUNITY, OWNER = "kept-c", "kept-owner"
USERS = ["u1", "u2", "u3"]
HOUR = Duration(seconds=3600)
SETTINGS = ModerationSettings(
    arrival_wait_s=0.0, automod_mute=timedelta(hours=1), consumer_group="unused"
)


@pytest.fixture
async def processes(mongo_uri: str) -> AsyncIterator[tuple[Moderation, Moderation, Any]]:
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_uri)
    name = f"moderation_kept_{uuid.uuid4().hex[:10]}"
    database = client[name]
    first, _, members, lists = moderation_use_cases(database, SETTINGS)
    second, _, _, _ = moderation_use_cases(database, SETTINGS)
    await first.store.ensure_indexes()
    await lists.ensure_indexes()
    messages = [
        membership.CommunityCreated(community_id=COMMUNITY, owner_id=OWNER),
        *(
            membership.MemberJoined(community_id=COMMUNITY, user_id=u, role=roles.ROLE_MEMBER)
            for u in USERS
        ),
    ]
    for sequence, message in enumerate(messages, start=1):
        await members.apply(event_envelope(message, sequence=sequence), message)
    try:
        yield first, second, database
    finally:
        await client.drop_database(name)
        await client.close()


async def sanctions_events(database: Any) -> list[tuple[str, str]]:
    stored = await EventStore(database, "/test").load(
        stream_id(CommunitySanctions, COMMUNITY), use_snapshot=False
    )
    messages = [envelope.message() for envelope in stored.events]
    return [(type(m).__name__, m.user_id) for m in messages]  # type: ignore[attr-defined]


async def mute(process: Moderation, user_id: str) -> None:
    await process.mute_member(
        Caller(OWNER), api.MuteMemberRequest(community_id=COMMUNITY, user_id=user_id, duration=HOUR)
    )


async def unmute(process: Moderation, user_id: str) -> None:
    await process.unmute_member(
        Caller(OWNER), api.UnmuteMemberRequest(community_id=COMMUNITY, user_id=user_id)
    )


async def test_a_stale_kept_copy_never_decides(processes) -> None:
    first, second, database = processes
    await mute(first, "u1")  # the first process keeps the sanctions at version 1
    await mute(second, "u2")  # the second reads them, appends version 2
    await mute(first, "u3")  # the first's copy is stale: its append collides, it re-runs
    assert await sanctions_events(database) == [
        ("MemberMuted", "u1"),
        ("MemberMuted", "u2"),
        ("MemberMuted", "u3"),
    ]
    await unmute(second, "u3")  # the second's copy says "not muted": it looks again
    assert (await sanctions_events(database))[3:] == [("MemberUnmuted", "u3")]
    await unmute(first, "u3")  # its copy says "muted": its append collides, then nothing to do
    assert len(await sanctions_events(database)) == 4
    loaded = await Repository(EventStore(database, "/test")).load(CommunitySanctions, COMMUNITY)
    assert (set(loaded.mutes), loaded.version) == ({"u1", "u2"}, 4)
    log = await first.list_moderation_log(
        Caller(OWNER), api.ListModerationLogRequest(community_id=COMMUNITY)
    )
    assert [(entry.action, entry.user_id) for entry in log.entries] == [
        (api.MODERATION_ACTION_MEMBER_UNMUTED, "u3"),
        (api.MODERATION_ACTION_MEMBER_MUTED, "u3"),
        (api.MODERATION_ACTION_MEMBER_MUTED, "u2"),
        (api.MODERATION_ACTION_MEMBER_MUTED, "u1"),
    ]
