"""Moderation's events, published on the real moderation topic, as membership enforces them:
bans remove the member (MemberRemoved, cause banned, groups included) and bar re-joining and
invitations until unbanned or expired; restrictions bar inviting and creating, until lifted
or expired. Re-delivered events change nothing twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import grpc
from community.membership.v1 import types_pb2 as types
from community.moderation.v1 import events_pb2 as mod
from community.moderation.v1 import types_pb2 as mod_types
from community_common.testing.events import produce_envelopes, produce_event, topic_of
from community_contracts import reasons
from membership.application.service import MembershipService

from .conftest import Client, eventually


def produce(kafka_bootstrap: str, message: object, sequence: int) -> object:
    return produce_event(kafka_bootstrap, message, sequence=sequence)  # type: ignore[arg-type]


async def test_a_ban_removes_the_member_and_bars_them_until_unbanned(
    client: Client, service: MembershipService, kafka_bootstrap: str, unique
) -> None:
    owner, amy = unique("owner"), unique("amy")
    cid = (await client("CreateCommunity", owner, name="Bans")).community.community_id
    await client("JoinCommunity", amy, community_id=cid)
    group = (await client("CreateGroup", owner, community_id=cid, name="G")).group
    await client("JoinGroup", amy, group_id=group.group_id)

    ban = mod.MemberBanned(community_id=cid, user_id=amy, actor_id=owner, reason="spam")
    banned = await asyncio.to_thread(produce, kafka_bootstrap, ban, 1)

    async def removed() -> bool:
        community = (await client("GetCommunity", owner, community_id=cid)).community
        return community.member_count == 1

    await eventually(removed)
    stream = await service.store.load(cid, use_snapshot=False)
    last = stream.events[-1]
    removal = last.message()
    assert last.type == "community.membership.v1.MemberRemoved"
    assert (removal.cause, list(removal.group_ids), removal.actor_id) == (
        types.REMOVAL_CAUSE_BANNED,
        [group.group_id],
        owner,
    )
    assert last.causation_id == banned.id  # type: ignore[attr-defined]
    refusal = await client.refused("JoinCommunity", amy, community_id=cid)
    assert (refusal.code, refusal.reason) == (
        grpc.StatusCode.PERMISSION_DENIED,
        reasons.MEMBER_BANNED,
    )
    refusal = await client.refused("InviteMember", owner, community_id=cid, invitee_id=amy)
    assert refusal.reason == reasons.INVITEE_BANNED

    unban = mod.MemberUnbanned(community_id=cid, user_id=amy, actor_id=owner)
    await asyncio.to_thread(produce, kafka_bootstrap, unban, 2)

    async def rejoined() -> bool:
        try:
            await client("JoinCommunity", amy, community_id=cid)
        except grpc.aio.AioRpcError:
            return False
        return True

    await eventually(rejoined)
    # The ban delivered again (same ce_id, older sequence) changes nothing.
    await asyncio.to_thread(
        produce_envelopes,
        kafka_bootstrap,
        topic_of(ban),
        [banned],  # type: ignore[list-item]
    )
    marker = mod.MemberUnbanned(community_id=cid, user_id=unique("nobody"), actor_id=owner)
    await asyncio.to_thread(produce, kafka_bootstrap, marker, 3)

    async def marker_applied() -> bool:
        return await service.sanctions.ban_sequence(cid, marker.user_id) == 3

    await eventually(marker_applied)  # the consumer is past the re-delivered ban
    membership = await client("GetMembership", amy, community_id=cid)
    assert membership.membership.role == types.ROLE_MEMBER


async def test_a_ban_ends_when_it_expires(
    client: Client, service: MembershipService, kafka_bootstrap: str, unique
) -> None:
    owner, amy = unique("owner"), unique("amy")
    cid = (await client("CreateCommunity", owner, name="Short ban")).community.community_id
    await client("JoinCommunity", amy, community_id=cid)
    ends = datetime.now(UTC) + timedelta(seconds=8)
    ban = mod.MemberBanned(community_id=cid, user_id=amy, actor_id=owner)
    ban.expires_at.FromDatetime(ends)
    await asyncio.to_thread(produce, kafka_bootstrap, ban, 1)

    async def stored() -> bool:
        return await service.sanctions.ban_sequence(cid, amy) == 1

    await eventually(stored)
    assert await service.sanctions.is_banned(cid, amy, ends - timedelta(seconds=1))
    assert not await service.sanctions.is_banned(cid, amy, ends)

    async def joined() -> bool:
        try:
            answer = await client("JoinCommunity", amy, community_id=cid)
        except grpc.aio.AioRpcError as error:
            assert error.code() == grpc.StatusCode.PERMISSION_DENIED  # banned, until it ends
            return False
        return answer.HasField("membership") and datetime.now(UTC) >= ends

    await eventually(joined, timeout_s=30)


async def test_restrictions_bar_inviting_and_creating_until_lifted_or_expired(
    client: Client, service: MembershipService, kafka_bootstrap: str, unique
) -> None:
    owner, bob = unique("owner"), unique("bob")
    cid = (await client("CreateCommunity", owner, name="Restrictions")).community.community_id
    await client("JoinCommunity", bob, community_id=cid)
    restricted = mod.UserRestricted(user_id=bob, actions=[mod_types.ACTION_INVITE])
    await asyncio.to_thread(produce, kafka_bootstrap, restricted, 1)

    async def applied(sequence: int) -> bool:
        """Whether membership has stored moderation's restriction event `sequence`. Probing
        with the RPCs themselves would spend bob's invitations and communities (quotas) for
        as long as the consumer lags, and fail the later calls for the wrong reason."""
        stored = await service.sanctions.restrictions.find_one({"_id": bob})
        return stored is not None and stored["sequence"] >= sequence

    await eventually(lambda: applied(1))
    refusal = await client.refused("InviteMember", bob, community_id=cid, invitee_id=unique())
    assert (refusal.reason, refusal.metadata["action"]) == (
        reasons.USER_RESTRICTED,
        "ACTION_INVITE",
    )
    await client("CreateCommunity", bob, name="Still allowed")  # other actions keep theirs

    lifted = mod.RestrictionLifted(user_id=bob, actions=[mod_types.ACTION_INVITE])
    await asyncio.to_thread(produce, kafka_bootstrap, lifted, 2)
    no_create = mod.UserRestricted(user_id=bob, actions=[mod_types.ACTION_CREATE_COMMUNITY])
    no_create.expires_at.FromDatetime(datetime.now(UTC) + timedelta(seconds=8))
    await asyncio.to_thread(produce, kafka_bootstrap, no_create, 3)

    await eventually(lambda: applied(3))
    refusal = await client.refused("CreateCommunity", bob, name="Refused")
    assert (refusal.code, refusal.reason) == (
        grpc.StatusCode.PERMISSION_DENIED,
        reasons.USER_RESTRICTED,
    )
    await client("InviteMember", bob, community_id=cid, invitee_id=unique())  # lifted

    async def create_allowed() -> bool:
        try:
            await client("CreateCommunity", bob, name="After expiry")
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.PERMISSION_DENIED:
                raise  # refused for another reason than the restriction: say so at once
            return False
        return True

    await eventually(create_allowed, timeout_s=20)
