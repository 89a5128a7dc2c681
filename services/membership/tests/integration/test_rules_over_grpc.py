"""The rules as a client meets them: validation, limits, join policies, quotas, expiry,
request ids, paging."""

from __future__ import annotations

from datetime import timedelta

import grpc
from community.membership.v1 import types_pb2 as types
from community_contracts import reasons
from membership.application.service import MembershipService

from .conftest import Client

INVALID = grpc.StatusCode.INVALID_ARGUMENT


async def test_bad_arguments_are_named_field_by_field(client: Client, unique) -> None:
    refusal = await client.refused(
        "CreateCommunity",
        unique(),
        name="x" * 101,
        description="d" * 2001,
        topics=["Chess", *[f"t{i}" for i in range(10)]],
        visibility=99,
        join_policy=42,
    )
    assert (refusal.code, refusal.reason) == (INVALID, reasons.INVALID_ARGUMENT)
    assert {"name", "description", "topics", "topics[0]", "visibility", "join_policy"} <= set(
        refusal.violations
    )
    empty = await client.refused("CreateCommunity", unique(), name="   ")
    assert set(empty.violations) == {"name"}
    for rpc, fields, field in [
        ("GetCommunity", {"community_id": "nope"}, "community_id"),
        ("AcceptInvitation", {"invitation_id": "c1-i1"}, "invitation_id"),
        ("JoinGroup", {"group_id": ""}, "group_id"),
        ("InviteMember", {"community_id": "c" + "0" * 24, "invitee_id": ""}, "invitee_id"),
        ("ListMembers", {"community_id": "c" + "0" * 24, "role": 9}, "role"),
        ("ListMembers", {"community_id": "c" + "0" * 24, "page_size": -1}, "page_size"),
        (
            "SetMemberRole",
            {"community_id": "c" + "0" * 24, "user_id": "u", "role": types.ROLE_OWNER},
            "role",
        ),
        ("ListCommunities", {"topic": "Not A Topic"}, "topic"),
    ]:
        refusal = await client.refused(rpc, unique(), **fields)
        assert refusal.code == INVALID and field in refusal.violations, (rpc, refusal)


async def test_unknown_ids_are_not_found(client: Client, unique) -> None:
    missing = "c" + "f" * 24
    for rpc, fields, reason in [
        ("GetCommunity", {"community_id": missing}, reasons.COMMUNITY_NOT_FOUND),
        ("JoinCommunity", {"community_id": missing}, reasons.COMMUNITY_NOT_FOUND),
        ("JoinGroup", {"group_id": f"{missing}-g{'0' * 12}"}, reasons.GROUP_NOT_FOUND),
        (
            "AcceptInvitation",
            {"invitation_id": f"{missing}-i{'0' * 12}"},
            reasons.INVITATION_NOT_FOUND,
        ),
    ]:
        refusal = await client.refused(rpc, unique(), **fields)
        assert (refusal.code, refusal.reason) == (grpc.StatusCode.NOT_FOUND, reason)


async def test_three_active_communities_per_owner_and_archiving_frees_one(
    client: Client, unique
) -> None:
    owner = unique("owner")
    ids = [
        (await client("CreateCommunity", owner, name=f"C{i}")).community.community_id
        for i in range(3)
    ]
    refusal = await client.refused("CreateCommunity", owner, name="Fourth")
    assert (refusal.code, refusal.reason, refusal.metadata["limit"]) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        reasons.COMMUNITY_LIMIT_REACHED,
        "3",
    )
    archived = await client("ArchiveCommunity", owner, community_id=ids[0])
    assert archived.community.archived
    await client("CreateCommunity", owner, name="Fourth")
    # A refused create is not remembered: the same request id works once a slot is free.
    refusal = await client.refused("CreateCommunity", owner, name="Fifth", request_id="r5")
    assert refusal.reason == reasons.COMMUNITY_LIMIT_REACHED
    await client("ArchiveCommunity", owner, community_id=ids[1])
    fifth = await client("CreateCommunity", owner, name="Fifth", request_id="r5")
    assert fifth.community.name == "Fifth"


async def test_transfer_needs_a_free_slot_and_leaves_the_old_owner_admin(
    client: Client, unique
) -> None:
    owner, busy = unique("owner"), unique("busy")
    cid = (await client("CreateCommunity", owner, name="Handover")).community.community_id
    await client("JoinCommunity", busy, community_id=cid)
    for i in range(3):
        await client("CreateCommunity", busy, name=f"Busy {i}")
    refusal = await client.refused("TransferOwnership", owner, community_id=cid, new_owner_id=busy)
    assert refusal.reason == reasons.COMMUNITY_LIMIT_REACHED
    newcomer = unique("new")
    await client("JoinCommunity", newcomer, community_id=cid)
    moved = await client("TransferOwnership", owner, community_id=cid, new_owner_id=newcomer)
    assert (moved.community.owner_id, moved.community.caller_role) == (newcomer, types.ROLE_ADMIN)
    await client("LeaveCommunity", owner, community_id=cid)
    refusal = await client.refused("LeaveCommunity", newcomer, community_id=cid)
    assert refusal.reason == reasons.OWNER_CANNOT_LEAVE


async def test_join_policies(client: Client, unique) -> None:
    owner, bob, carl = unique("owner"), unique("bob"), unique("carl")
    open_id = (await client("CreateCommunity", owner, name="Open")).community.community_id
    joined = await client("JoinCommunity", bob, community_id=open_id)
    assert joined.WhichOneof("result") == "membership"
    assert joined.consistency_token == f"{open_id}:2"

    invite_only = await client(
        "CreateCommunity", owner, name="Invite only", join_policy=types.JOIN_POLICY_INVITE_ONLY
    )
    refusal = await client.refused(
        "JoinCommunity", bob, community_id=invite_only.community.community_id
    )
    assert (refusal.code, refusal.reason) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        reasons.INVITATION_REQUIRED,
    )

    by_request = await client(
        "CreateCommunity", owner, name="Ask first", join_policy=types.JOIN_POLICY_REQUEST
    )
    rid = by_request.community.community_id
    asked = await client("JoinCommunity", bob, community_id=rid)
    assert asked.join_request.status == types.JOIN_REQUEST_STATUS_PENDING
    other = await client("JoinCommunity", carl, community_id=rid)
    pending = await client(
        "ListJoinRequests", owner, community_id=rid, status=types.JOIN_REQUEST_STATUS_PENDING
    )
    assert [r.user_id for r in pending.join_requests] == [bob, carl]
    approved = await client(
        "ApproveJoinRequest", owner, join_request_id=asked.join_request.join_request_id
    )
    assert approved.membership.role == types.ROLE_MEMBER
    rejected = await client(
        "RejectJoinRequest", owner, join_request_id=other.join_request.join_request_id
    )
    assert rejected.join_request.status == types.JOIN_REQUEST_STATUS_REJECTED
    count = (await client("GetCommunity", carl, community_id=rid)).community.member_count
    assert count == 2


async def test_the_invitation_quota_over_the_api(client: Client, unique) -> None:
    owner, amy = unique("owner"), unique("amy")
    cid = (await client("CreateCommunity", owner, name="Quota")).community.community_id
    await client("JoinCommunity", amy, community_id=cid)
    sent = [
        await client("InviteMember", amy, community_id=cid, invitee_id=unique("guest"))
        for _ in range(5)
    ]
    refusal = await client.refused("InviteMember", amy, community_id=cid, invitee_id=unique())
    assert (refusal.code, refusal.reason) == (
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        reasons.INVITE_QUOTA_EXHAUSTED,
    )
    first = sent[0].invitation
    await client("DeclineInvitation", first.invitee_id, invitation_id=first.invitation_id)
    await client("RevokeInvitation", amy, invitation_id=sent[1].invitation.invitation_id)
    mine = (await client("GetMembership", amy, community_id=cid)).membership
    assert mine.invites_remaining == 2
    await client("InviteMember", amy, community_id=cid, invitee_id=unique())
    listed = await client(
        "ListInvitations", owner, community_id=cid, status=types.INVITATION_STATUS_PENDING
    )
    assert len(listed.invitations) == 4
    theirs = await client("ListInvitations", sent[2].invitation.invitee_id)
    assert [i.invitation_id for i in theirs.invitations] == [sent[2].invitation.invitation_id]


async def test_invitations_expire_by_time_and_the_expiry_is_recorded_when_next_touched(
    service: MembershipService, client: Client, unique
) -> None:
    from membership.domain.community import Actor

    owner, amy, guest = unique("owner"), unique("amy"), unique("guest")
    cid = (await client("CreateCommunity", owner, name="Expiry")).community.community_id
    await client("JoinCommunity", amy, community_id=cid)
    sent = await client("InviteMember", amy, community_id=cid, invitee_id=guest)
    real_clock = service.clock
    service.clock = lambda: real_clock() + timedelta(days=14, seconds=1)
    try:
        theirs = await service.list_invitations(Actor(guest), "", 0, 0, "")
        assert [i.status for i in theirs.invitations] == [types.INVITATION_STATUS_EXPIRED]
        membership = await service.get_membership(Actor(amy), cid, "")
        assert membership.membership.invites_remaining == 5
        await service.join_community(Actor(unique("late")), cid, "")
    finally:
        service.clock = real_clock
    stream = await service.store.load(cid, use_snapshot=False)
    assert [e.type.rsplit(".", 1)[1] for e in stream.events][-2:] == [
        "InvitationExpired",
        "MemberJoined",
    ]
    refusal = await client.refused(
        "AcceptInvitation", guest, invitation_id=sent.invitation.invitation_id
    )
    assert refusal.reason == reasons.INVITATION_NOT_PENDING


async def test_request_ids_make_creates_safe_to_retry(client: Client, unique) -> None:
    owner, amy = unique("owner"), unique("amy")
    cid = (await client("CreateCommunity", owner, name="Retry")).community.community_id
    first = await client("CreateGroup", owner, community_id=cid, name="G", request_id="g-1")
    again = await client("CreateGroup", owner, community_id=cid, name="G", request_id="g-1")
    assert again == first
    groups = await client("ListGroups", owner, community_id=cid)
    assert len(groups.groups) == 1
    invited = await client("InviteMember", owner, community_id=cid, invitee_id=amy, request_id="i")
    twice = await client("InviteMember", owner, community_id=cid, invitee_id=amy, request_id="i")
    assert twice == invited
    # Request ids are scoped to the caller: someone else's "g-1" is theirs.
    refusal = await client.refused("CreateGroup", amy, community_id=cid, name="G", request_id="g-1")
    assert refusal.reason == reasons.NOT_A_MEMBER
    reused = await client.refused("JoinCommunity", owner, community_id=cid, request_id="g-1")
    assert (reused.code, reused.reason) == (INVALID, reasons.REQUEST_ID_REUSED)


async def test_lists_page_and_discovery_finds_public_communities(client: Client, unique) -> None:
    owner = unique("owner")
    topic = unique("topic").lower()
    cid = (
        await client("CreateCommunity", owner, name="Paging", topics=[topic])
    ).community.community_id
    users = [unique(f"m{i}") for i in range(5)]
    for user in users:
        await client("JoinCommunity", user, community_id=cid)
    page1 = await client("ListMembers", owner, community_id=cid, page_size=4)
    page2 = await client(
        "ListMembers", owner, community_id=cid, page_size=4, page_token=page1.next_page_token
    )
    assert [m.user_id for m in [*page1.members, *page2.members]] == [owner, *users]
    assert page2.next_page_token == ""
    bad = await client.refused(
        "ListMembers", owner, community_id=cid, role=4, page_token=page1.next_page_token
    )
    assert bad.reason == reasons.INVALID_PAGE_TOKEN

    smaller = await client("CreateCommunity", unique("o2"), name="Smaller", topics=[topic])
    private = await client(
        "CreateCommunity",
        unique("o3"),
        name="Hidden",
        topics=[topic],
        visibility=types.VISIBILITY_PRIVATE,
    )
    found = await client("ListCommunities", unique(), topic=topic)
    assert [c.community_id for c in found.communities] == [
        cid,
        smaller.community.community_id,
    ]
    assert private.community.community_id not in [c.community_id for c in found.communities]
    by_text = await client("ListCommunities", unique(), topic=topic, query="SMALL")
    assert [c.name for c in by_text.communities] == ["Smaller"]
