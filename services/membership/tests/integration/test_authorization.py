"""Authorization of every RPC, enumerated from the service descriptor: an RPC added to the
contract without a case here fails `test_every_rpc_has_an_authorization_case`.

For each RPC: no token -> UNAUTHENTICATED; a caller without the needed role (or standing)
-> PERMISSION_DENIED with the reason the spec names. The few RPCs every signed-in user may
call are listed in OPEN_TO_EVERYONE and checked to answer a stranger.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from community.membership.v1 import types_pb2 as types
from community_contracts import reasons, services
from membership.application.service import MembershipService

from .conftest import Client, fresh

RPCS = [method.name for method in services.MEMBERSHIP.descriptor.methods]
OPEN_TO_EVERYONE = {"ListCommunities", "ListMyCommunities"}


@dataclass
class World:
    """A private JOIN_POLICY_REQUEST community with one user of each standing."""

    cid: str
    owner: str
    admin: str
    mod: str
    member: str
    other_member: str
    stranger: str
    banned: str
    restricted: str
    invitation_id: str
    join_request_id: str
    group_id: str


@pytest.fixture(scope="module")
async def world(client: Client, service: MembershipService) -> World:
    users = {n: fresh(n) for n in ("owner", "admin", "mod", "m1", "m2", "x", "ban", "res")}
    owner = users["owner"]
    created = await client(
        "CreateCommunity",
        owner,
        name="Private club",
        visibility=types.VISIBILITY_PRIVATE,
        join_policy=types.JOIN_POLICY_REQUEST,
    )
    cid = created.community.community_id
    for name in ("admin", "mod", "m1", "m2"):
        sent = await client("InviteMember", owner, community_id=cid, invitee_id=users[name])
        await client("AcceptInvitation", users[name], invitation_id=sent.invitation.invitation_id)
    await client("SetMemberRole", owner, community_id=cid, user_id=users["admin"], role=2)
    await client("SetMemberRole", owner, community_id=cid, user_id=users["mod"], role=3)
    invitation = await client("InviteMember", users["m1"], community_id=cid, invitee_id=fresh())
    asked = await client("JoinCommunity", fresh("asker"), community_id=cid)
    group = await client("CreateGroup", owner, community_id=cid, name="Grade 1")
    now = service.clock()
    await service.sanctions.record_ban(cid, users["ban"], True, None, sequence=1)
    await service.sanctions.record_restriction(
        users["res"], ["ACTION_CREATE_COMMUNITY"], True, None, sequence=1
    )
    assert await service.sanctions.is_banned(cid, users["ban"], now)
    return World(
        cid=cid,
        owner=owner,
        admin=users["admin"],
        mod=users["mod"],
        member=users["m1"],
        other_member=users["m2"],
        stranger=users["x"],
        banned=users["ban"],
        restricted=users["res"],
        invitation_id=invitation.invitation.invitation_id,
        join_request_id=asked.join_request.join_request_id,
        group_id=group.group.group_id,
    )


def denied_case(rpc: str, w: World) -> tuple[str, dict[str, Any], str]:
    """(caller, request fields, expected reason) for a caller lacking what `rpc` needs."""
    cases: dict[str, tuple[str, dict[str, Any], str]] = {
        "CreateCommunity": (w.restricted, {"name": "Mine"}, reasons.USER_RESTRICTED),
        "GetCommunity": (w.stranger, {"community_id": w.cid}, reasons.NOT_A_MEMBER),
        "UpdateCommunity": (w.mod, {"community_id": w.cid, "name": "X"}, reasons.ROLE_REQUIRED),
        "ArchiveCommunity": (w.admin, {"community_id": w.cid}, reasons.ROLE_REQUIRED),
        "JoinCommunity": (w.banned, {"community_id": w.cid}, reasons.MEMBER_BANNED),
        "ListJoinRequests": (w.member, {"community_id": w.cid}, reasons.ROLE_REQUIRED),
        "ApproveJoinRequest": (
            w.member,
            {"join_request_id": w.join_request_id},
            reasons.ROLE_REQUIRED,
        ),
        "RejectJoinRequest": (
            w.member,
            {"join_request_id": w.join_request_id},
            reasons.ROLE_REQUIRED,
        ),
        "InviteMember": (
            w.stranger,
            {"community_id": w.cid, "invitee_id": "someone"},
            reasons.NOT_A_MEMBER,
        ),
        "AcceptInvitation": (
            w.other_member,
            {"invitation_id": w.invitation_id},
            reasons.NOT_INVITEE,
        ),
        "DeclineInvitation": (
            w.other_member,
            {"invitation_id": w.invitation_id},
            reasons.NOT_INVITEE,
        ),
        "RevokeInvitation": (
            w.other_member,
            {"invitation_id": w.invitation_id},
            reasons.ROLE_REQUIRED,
        ),
        "ListInvitations": (w.member, {"community_id": w.cid}, reasons.ROLE_REQUIRED),
        "LeaveCommunity": (w.stranger, {"community_id": w.cid}, reasons.NOT_A_MEMBER),
        "RemoveMember": (
            w.member,
            {"community_id": w.cid, "user_id": w.other_member},
            reasons.ROLE_REQUIRED,
        ),
        "SetMemberRole": (
            w.member,
            {"community_id": w.cid, "user_id": w.other_member, "role": types.ROLE_MEMBER},
            reasons.ROLE_REQUIRED,
        ),
        "TransferOwnership": (
            w.admin,
            {"community_id": w.cid, "new_owner_id": w.member},
            reasons.ROLE_REQUIRED,
        ),
        "GetMembership": (
            w.stranger,
            {"community_id": w.cid, "user_id": w.member},
            reasons.NOT_A_MEMBER,
        ),
        "ListMembers": (w.stranger, {"community_id": w.cid}, reasons.NOT_A_MEMBER),
        "CreateGroup": (w.mod, {"community_id": w.cid, "name": "G"}, reasons.ROLE_REQUIRED),
        "RemoveGroup": (w.mod, {"group_id": w.group_id}, reasons.ROLE_REQUIRED),
        "ListGroups": (w.stranger, {"community_id": w.cid}, reasons.NOT_A_MEMBER),
        "JoinGroup": (w.stranger, {"group_id": w.group_id}, reasons.NOT_A_MEMBER),
        "LeaveGroup": (w.stranger, {"group_id": w.group_id}, reasons.NOT_A_MEMBER),
        "AddGroupMember": (
            w.mod,
            {"group_id": w.group_id, "user_id": w.member},
            reasons.ROLE_REQUIRED,
        ),
        "ListGroupMembers": (w.stranger, {"group_id": w.group_id}, reasons.NOT_A_MEMBER),
    }
    if rpc not in cases:
        pytest.fail(f"{rpc} has no authorization case: add one to denied_case")
    return cases[rpc]


def test_every_rpc_has_an_authorization_case() -> None:
    dummy = World(*(["x"] * 12))
    for rpc in RPCS:
        if rpc not in OPEN_TO_EVERYONE:
            denied_case(rpc, dummy)


@pytest.mark.parametrize("rpc", RPCS)
async def test_no_token_is_unauthenticated(client: Client, world: World, rpc: str) -> None:
    fields = {} if rpc in OPEN_TO_EVERYONE else denied_case(rpc, world)[1]
    refusal = await client.refused(rpc, None, **fields)
    assert (refusal.code, refusal.reason) == (
        grpc.StatusCode.UNAUTHENTICATED,
        reasons.TOKEN_MISSING,
    )


async def test_a_forged_token_is_unauthenticated(client: Client, world: World) -> None:
    forged = client.signing_with("not-the-secret-" * 3)
    refusal = await forged.refused("GetCommunity", world.owner, community_id=world.cid)
    assert (refusal.code, refusal.reason) == (
        grpc.StatusCode.UNAUTHENTICATED,
        reasons.TOKEN_INVALID,
    )


@pytest.mark.parametrize("rpc", RPCS)
async def test_a_caller_without_the_needed_role_is_denied(
    client: Client, world: World, rpc: str
) -> None:
    if rpc in OPEN_TO_EVERYONE:
        await client(rpc, world.stranger)  # answers any signed-in user
        return
    caller, fields, reason = denied_case(rpc, world)
    refusal = await client.refused(rpc, caller, **fields)
    assert (refusal.code, refusal.reason) == (grpc.StatusCode.PERMISSION_DENIED, reason)


async def test_a_platform_admin_acts_as_a_community_admin(client: Client, world: World) -> None:
    root = "platform-root"
    requests = await client("ListJoinRequests", root, admin=True, community_id=world.cid)
    assert [r.join_request_id for r in requests.join_requests] == [world.join_request_id]
    community = await client("GetCommunity", root, admin=True, community_id=world.cid)
    assert community.community.caller_role == types.ROLE_UNSPECIFIED
    refusal = await client.refused("ArchiveCommunity", root, admin=True, community_id=world.cid)
    assert refusal.reason == reasons.ROLE_REQUIRED  # owner only
