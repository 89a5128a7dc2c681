"""Who may act follows membership's role events: moderation keeps a community's staff
(moderators, admins, owner) with the community, so a command reads one document, and a
promotion, demotion, ownership transfer or departure changes who may act at once."""

import grpc
from community.membership.v1 import events_pb2 as membership
from community.membership.v1 import types_pb2 as roles
from community.moderation.v1 import moderation_service_pb2 as api
from community_contracts import reasons
from google.protobuf.duration_pb2 import Duration

from .conftest import reason_of

HOUR = Duration(seconds=3600)


def mute(community, user_id: str) -> api.MuteMemberRequest:
    return api.MuteMemberRequest(
        community_id=community.community_id,
        user_id=user_id,
        duration=HOUR,
        consistency_token=community.token,
    )


async def assert_refused(moderation, community, actor: str, target: str, reason: str) -> None:
    refused = await moderation.refusal("MuteMember", mute(community, target), actor)
    assert refused.code() == grpc.StatusCode.PERMISSION_DENIED
    assert reason_of(refused) == reason


async def test_promotions_demotions_transfers_and_departures_change_who_may_act(moderation):
    mod, member, other = (moderation.new_id(n) for n in ("mod", "member", "other"))
    club = await moderation.community(
        {mod: roles.ROLE_MODERATOR, member: roles.ROLE_MEMBER, other: roles.ROLE_MEMBER}
    )
    owner, cid = club.owner, club.community_id
    await moderation.call("MuteMember", mute(club, other), mod)

    moderation.membership_events(
        club,
        membership.MemberRoleChanged(
            community_id=cid,
            user_id=mod,
            old_role=roles.ROLE_MODERATOR,
            new_role=roles.ROLE_MEMBER,
            actor_id=owner,
        ),
        membership.MemberRoleChanged(
            community_id=cid,
            user_id=member,
            old_role=roles.ROLE_MEMBER,
            new_role=roles.ROLE_ADMIN,
            actor_id=owner,
        ),
    )
    await assert_refused(moderation, club, mod, other, reasons.ROLE_REQUIRED)
    await moderation.call("MuteMember", mute(club, mod), member)

    moderation.membership_events(
        club,
        membership.OwnershipTransferred(
            community_id=cid,
            previous_owner_id=owner,
            new_owner_id=member,
            new_owner_previous_role=roles.ROLE_ADMIN,
        ),
    )
    await assert_refused(moderation, club, owner, member, reasons.ROLE_REQUIRED)
    await moderation.call("MuteMember", mute(club, owner), member)
    await moderation.call("MuteMember", mute(club, other), owner)  # an admin now

    moderation.membership_events(
        club, membership.MemberLeft(community_id=cid, user_id=owner, role=roles.ROLE_ADMIN)
    )
    await assert_refused(moderation, club, owner, other, reasons.NOT_A_MEMBER)
    # Gone from the staff, the former owner ranks below a moderator like anyone else.
    await moderation.call(
        "BanMember", api.BanMemberRequest(community_id=cid, user_id=owner), member
    )


async def test_a_community_projected_before_staff_were_kept_reads_every_role(moderation):
    owner, member = moderation.new_id("owner"), moderation.new_id("member")
    cid = moderation.new_id("legacy")
    database = moderation.database
    await database["communities"].insert_one({"_id": cid, "public": True, "archived": False})
    await database["members"].insert_many(
        [
            {"_id": f"{cid}:{owner}", "role": roles.ROLE_OWNER},
            {"_id": f"{cid}:{member}", "role": roles.ROLE_MEMBER},
        ]
    )
    request = api.MuteMemberRequest(community_id=cid, user_id=member, duration=HOUR)
    await moderation.call("MuteMember", request, owner)
    refused = await moderation.refusal(
        "MuteMember", api.MuteMemberRequest(community_id=cid, user_id=owner, duration=HOUR), member
    )
    assert reason_of(refused) == reasons.ROLE_REQUIRED
