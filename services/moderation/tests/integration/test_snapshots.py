"""Snapshots are the replayed state: what a command saves equals a full replay of its stream,
and it is actually stored (FerretDB refuses nested arrays), however many sanctions a
community gathers, for every kind of aggregate the API writes."""

from __future__ import annotations

import logging

import pytest
from community.membership.v1 import types_pb2 as roles
from community.moderation.v1 import moderation_service_pb2 as api
from community.moderation.v1 import types_pb2 as types
from community_common.event_store import EventStore
from google.protobuf.duration_pb2 import Duration
from moderation.adapters.repository import Repository, stream_id
from moderation.domain.aggregate import Aggregate
from moderation.domain.reports import Report
from moderation.domain.restrictions import UserRestrictions
from moderation.domain.rules import Rule
from moderation.domain.sanctions import CommunitySanctions

HOUR = Duration(seconds=3600)


async def replayed(moderation, kind: type[Aggregate], aggregate_id: str) -> Aggregate:
    """The aggregate built from every event of its stream, ignoring any snapshot."""
    store = EventStore(moderation.database, "/test")
    aggregate = kind(aggregate_id)  # type: ignore[call-arg]
    for envelope in (await store.load(stream_id(kind, aggregate_id), use_snapshot=False)).events:
        aggregate.apply(envelope.message(), envelope.occurred_at)
    return aggregate


async def assert_snapshot_is_replay(moderation, kind: type[Aggregate], aggregate_id: str) -> None:
    stored = await moderation.database["snapshots"].find_one({"_id": stream_id(kind, aggregate_id)})
    full = await replayed(moderation, kind, aggregate_id)
    assert stored is not None, f"no snapshot of {kind.__name__} {aggregate_id}"
    assert stored["version"] == full.version
    assert stored["state"] == full.snapshot()
    loaded = await Repository(EventStore(moderation.database, "/test")).load(kind, aggregate_id)
    assert loaded.snapshot() == full.snapshot()


async def test_snapshots_of_many_sanctions_save_and_equal_a_replay(moderation, caplog) -> None:
    mod = moderation.new_id("mod")
    members = [moderation.new_id("member") for _ in range(12)]
    club = await moderation.community(
        {mod: roles.ROLE_MODERATOR, **dict.fromkeys(members, roles.ROLE_MEMBER)}
    )
    caplog.set_level(logging.WARNING, logger="community_common.event_store")
    for n, member in enumerate(members):
        scope = {"community_id": club.community_id, "user_id": member}
        if n % 3 == 0:
            await moderation.call("BanMember", api.BanMemberRequest(**scope, duration=HOUR), mod)
        else:
            await moderation.call("MuteMember", api.MuteMemberRequest(**scope, duration=HOUR), mod)
        if n % 4 == 0:
            await moderation.call("UnmuteMember", api.UnmuteMemberRequest(**scope), mod)
    staff = moderation.new_id("staff")
    for action in (types.ACTION_POST, types.ACTION_COMMENT):
        await moderation.call(
            "RestrictUser",
            api.RestrictUserRequest(user_id=members[1], actions=[action], duration=HOUR),
            staff,
            platform_admin=True,
        )
    rule = await moderation.call(
        "AddRule", api.AddRuleRequest(community_id=club.community_id, title="be kind"), club.owner
    )
    report = await moderation.call(
        "ReportContent",
        api.ReportContentRequest(
            community_id=club.community_id, user_id=members[2], reason=types.REASON_SPAM
        ),
        members[3],
    )
    assert [r.getMessage() for r in caplog.records if "not saved" in r.getMessage()] == []
    await assert_snapshot_is_replay(moderation, CommunitySanctions, club.community_id)
    await assert_snapshot_is_replay(moderation, UserRestrictions, members[1])
    await assert_snapshot_is_replay(moderation, Rule, rule.rule.rule_id)
    await assert_snapshot_is_replay(moderation, Report, report.report.report_id)


@pytest.mark.parametrize("count", [1, 40])
async def test_a_long_sanctions_stream_loads_from_its_snapshot(moderation, count) -> None:
    mod = moderation.new_id("mod")
    members = [moderation.new_id("member") for _ in range(count)]
    club = await moderation.community(
        {mod: roles.ROLE_MODERATOR, **dict.fromkeys(members, roles.ROLE_MEMBER)}
    )
    for member in members:
        await moderation.call(
            "MuteMember",
            api.MuteMemberRequest(community_id=club.community_id, user_id=member, duration=HOUR),
            mod,
        )
    stream = await EventStore(moderation.database, "/test").load(
        stream_id(CommunitySanctions, club.community_id)
    )
    # One snapshot get, no commits walked: the last command's snapshot is current.
    assert (stream.snapshot_version, stream.events) == (count, ())
