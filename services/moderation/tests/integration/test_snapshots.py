"""Snapshots are the replayed state: what a command saves every SNAPSHOT_EVERY versions
equals a replay of its stream up to that version, and it is actually stored (FerretDB refuses
nested arrays), however many sanctions a community gathers, for every kind of aggregate the
API writes; a load (from a snapshot or not) equals a full replay."""

from __future__ import annotations

import logging

import pytest
from community.membership.v1 import types_pb2 as roles
from community.moderation.v1 import moderation_service_pb2 as api
from community.moderation.v1 import types_pb2 as types
from community_common.event_store import EventStore
from community_common.repository import SNAPSHOT_EVERY
from google.protobuf.duration_pb2 import Duration
from moderation.adapters.repository import Repository, stream_id
from moderation.domain.aggregate import Aggregate
from moderation.domain.reports import Report
from moderation.domain.restrictions import UserRestrictions
from moderation.domain.rules import Rule
from moderation.domain.sanctions import CommunitySanctions

HOUR = Duration(seconds=3600)


async def replayed(
    moderation, kind: type[Aggregate], aggregate_id: str, up_to: int | None = None
) -> Aggregate:
    """The aggregate built from the events of its stream (the first `up_to`, or all),
    ignoring any snapshot."""
    store = EventStore(moderation.database, "/test")
    aggregate = kind(aggregate_id)  # type: ignore[call-arg]
    events = (await store.load(stream_id(kind, aggregate_id), use_snapshot=False)).events
    for envelope in events[:up_to]:
        aggregate.apply(envelope.message(), envelope.occurred_at)
    return aggregate


async def assert_load_is_replay(moderation, kind: type[Aggregate], aggregate_id: str) -> None:
    full = await replayed(moderation, kind, aggregate_id)
    loaded = await Repository(EventStore(moderation.database, "/test")).load(kind, aggregate_id)
    assert (loaded.version, loaded.snapshot()) == (full.version, full.snapshot())


async def assert_snapshot_is_replay(moderation, kind: type[Aggregate], aggregate_id: str) -> None:
    stored = await moderation.database["snapshots"].find_one({"_id": stream_id(kind, aggregate_id)})
    full = await replayed(moderation, kind, aggregate_id)
    assert stored is not None, f"no snapshot of {kind.__name__} {aggregate_id}"
    assert stored["version"] == full.version - full.version % SNAPSHOT_EVERY
    at_snapshot = await replayed(moderation, kind, aggregate_id, up_to=stored["version"])
    assert stored["state"] == at_snapshot.snapshot()
    await assert_load_is_replay(moderation, kind, aggregate_id)


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
    for n in range(SNAPSHOT_EVERY + 2):
        action = (types.ACTION_POST, types.ACTION_COMMENT)[n % 2]
        await moderation.call(
            "RestrictUser",
            api.RestrictUserRequest(user_id=members[1], actions=[action], duration=HOUR),
            staff,
            platform_admin=True,
        )
    rule = await moderation.call(
        "AddRule", api.AddRuleRequest(community_id=club.community_id, title="be kind"), club.owner
    )
    for n in range(SNAPSHOT_EVERY):
        await moderation.call(
            "UpdateRule",
            api.UpdateRuleRequest(rule_id=rule.rule.rule_id, title=f"be kind ({n})"),
            club.owner,
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
    # A report has two events at most: it never reaches a snapshot.
    await assert_load_is_replay(moderation, Report, report.report.report_id)


@pytest.mark.parametrize("count", [1, 25, 40])
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
    # One snapshot get, and fewer than SNAPSHOT_EVERY commits walked.
    assert stream.snapshot_version == count - count % SNAPSHOT_EVERY
    assert len(stream.events) == count % SNAPSHOT_EVERY
    await assert_load_is_replay(moderation, CommunitySanctions, club.community_id)
