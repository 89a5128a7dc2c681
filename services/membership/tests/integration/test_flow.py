"""The main flow over gRPC against the real server, checking both the answers and the events
that appear on Kafka (types, headers, order, keys)."""

from __future__ import annotations

from datetime import datetime

import grpc
from community.membership.v1 import types_pb2 as types
from community_contracts import headers, reasons, services

from .conftest import Client, community_events

OPEN = types.JOIN_POLICY_OPEN
INVITE_ONLY = types.JOIN_POLICY_INVITE_ONLY


async def test_create_invite_accept_role_group_leave(
    client: Client, kafka_bootstrap: str, unique
) -> None:
    owner, amy, bob = unique("owner"), unique("amy"), unique("bob")
    created = await client(
        "CreateCommunity",
        owner,
        name="Chess club",
        description="Openings and endgames",
        topics=["chess", "board-games"],
        visibility=types.VISIBILITY_PUBLIC,
        join_policy=INVITE_ONLY,
        request_id="create-1",
    )
    cid = created.community.community_id
    assert created.consistency_token == f"{cid}:1"
    assert (created.community.owner_id, created.community.member_count) == (owner, 1)
    assert created.community.caller_role == types.ROLE_OWNER
    # A retry with the same request id answers the same and creates nothing.
    again = await client("CreateCommunity", owner, name="Chess club", request_id="create-1")
    assert again == created

    invited = await client("InviteMember", owner, community_id=cid, invitee_id=amy)
    assert invited.invitation.status == types.INVITATION_STATUS_PENDING
    assert invited.consistency_token == f"{cid}:2"
    accepted = await client("AcceptInvitation", amy, invitation_id=invited.invitation.invitation_id)
    assert accepted.invitation.status == types.INVITATION_STATUS_ACCEPTED
    assert (accepted.membership.role, accepted.membership.invites_remaining) == (
        types.ROLE_MEMBER,
        5,
    )
    assert accepted.consistency_token == f"{cid}:4"

    # A member spends from their five: pending holds one, accepted spends it.
    to_bob = await client("InviteMember", amy, community_id=cid, invitee_id=bob)
    mine = await client("GetMembership", amy, community_id=cid)
    assert (mine.membership.invites_remaining, mine.membership.unlimited_invites) == (4, False)
    await client("AcceptInvitation", bob, invitation_id=to_bob.invitation.invitation_id)
    mine = await client("GetMembership", bob, community_id=cid, user_id=amy)
    assert mine.membership.invites_remaining == 4

    promoted = await client(
        "SetMemberRole", owner, community_id=cid, user_id=amy, role=types.ROLE_MODERATOR
    )
    assert (promoted.membership.role, promoted.membership.unlimited_invites) == (
        types.ROLE_MODERATOR,
        True,
    )

    group = (
        await client("CreateGroup", owner, community_id=cid, name="Grade 1", description="")
    ).group
    assert group.group_id.startswith(cid) and group.member_count == 1
    await client("JoinGroup", amy, group_id=group.group_id)
    members = await client("ListGroupMembers", bob, group_id=group.group_id)
    assert [m.user_id for m in members.members] == [owner, amy]

    left = await client("LeaveCommunity", amy, community_id=cid)
    assert left.consistency_token == f"{cid}:11"
    members = await client("ListGroupMembers", bob, group_id=group.group_id)
    assert [m.user_id for m in members.members] == [owner]
    gone = await client.refused("GetMembership", bob, community_id=cid, user_id=amy)
    assert (gone.code, gone.reason) == (grpc.StatusCode.NOT_FOUND, reasons.MEMBER_NOT_FOUND)
    community = (await client("GetCommunity", bob, community_id=cid)).community
    assert (community.member_count, community.caller_role) == (2, types.ROLE_MEMBER)
    my = await client("ListMyCommunities", amy)
    assert cid not in [c.community_id for c in my.communities]
    my = await client("ListMyCommunities", bob)
    assert [(c.community_id, c.caller_role) for c in my.communities] == [(cid, types.ROLE_MEMBER)]

    expected = [
        "CommunityCreated",
        "InvitationSent",
        "InvitationAccepted",
        "MemberJoined",
        "InvitationSent",
        "InvitationAccepted",
        "MemberJoined",
        "MemberRoleChanged",
        "GroupCreated",
        "GroupMemberJoined",
        "MemberLeft",
    ]
    records = community_events(kafka_bootstrap, cid, count=len(expected))
    assert [e.type for _, e in records] == [f"community.membership.v1.{n}" for n in expected]
    assert [e.sequence for _, e in records] == list(range(1, len(expected) + 1))
    for record, envelope in records:
        assert record.key == cid.encode()
        assert (envelope.subject, envelope.community_id) == (cid, cid)
        assert envelope.source == services.MEMBERSHIP.source
        assert datetime.fromisoformat(envelope.time.replace("Z", "+00:00")).tzinfo is not None
    assert len({e.id for _, e in records}) == len(expected)
    actors = [e.actor_id for _, e in records]
    assert actors[:4] == [owner, owner, amy, amy] and actors[-1] == amy
    left_event = records[-1][1].message()
    assert list(left_event.group_ids) == [group.group_id]
    joined = records[3][1].message()
    assert (joined.method, joined.inviter_id) == (types.JOIN_METHOD_INVITATION, owner)


async def test_every_record_carries_the_cloudevents_headers(
    client: Client, kafka_bootstrap: str, unique
) -> None:
    created = await client("CreateCommunity", unique("owner"), name="Headers")
    cid = created.community.community_id
    [(record, _)] = community_events(kafka_bootstrap, cid, count=1)
    values = dict(record.headers)
    for name in (
        *headers.REQUIRED,
        headers.COMMUNITY_ID,
        headers.SEQUENCE,
        headers.ACTOR_ID,
        headers.CORRELATION_ID,
        headers.CAUSATION_ID,
    ):
        assert name in values
    assert values[headers.SPECVERSION] == b"1.0"
    assert values[headers.CONTENT_TYPE] == b"application/protobuf"
    assert values[headers.TYPE] == b"community.membership.v1.CommunityCreated"
    assert values[headers.SEQUENCE] == b"1"
