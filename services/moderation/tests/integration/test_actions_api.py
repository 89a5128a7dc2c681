"""Moderation actions through the real API: rank rules, mutes, bans, removals, restrictions,
and consistency tokens."""

from datetime import UTC, datetime, timedelta

import grpc
from community.membership.v1 import events_pb2 as membership
from community.membership.v1 import types_pb2 as roles
from community.moderation.v1 import events_pb2 as events
from community.moderation.v1 import moderation_service_pb2 as api
from community.moderation.v1 import types_pb2 as types
from community_contracts import reasons
from google.protobuf.duration_pb2 import Duration

from .conftest import of_type, reason_of, violated_fields

HOUR = Duration(seconds=3600)


async def test_a_moderator_mutes_a_member_and_mutes_again_to_update(moderation):
    mod, member = moderation.new_id("mod"), moderation.new_id("member")
    club = await moderation.community({mod: roles.ROLE_MODERATOR, member: roles.ROLE_MEMBER})
    request = api.MuteMemberRequest(
        community_id=club.community_id, user_id=member, duration=HOUR, reason="heated"
    )
    first = await moderation.call("MuteMember", request, mod)
    expected = datetime.now(UTC) + timedelta(hours=1)
    assert abs(first.expires_at.ToDatetime(tzinfo=UTC) - expected) < timedelta(seconds=10)
    request.duration.seconds = 60
    second = await moderation.call("MuteMember", request, mod)
    assert second.expires_at.ToDatetime() < first.expires_at.ToDatetime()
    mutes = await moderation.events.wait_for(
        of_type(events.MemberMuted, community_id=club.community_id, user_id=member), count=2
    )
    assert [m.duration.seconds for _, m in mutes] == [3600, 60]
    await moderation.call(
        "UnmuteMember", api.UnmuteMemberRequest(community_id=club.community_id, user_id=member), mod
    )
    await moderation.events.wait_for(of_type(events.MemberUnmuted, user_id=member))
    log = await moderation.log(club.community_id, mod)
    assert [e.action for e in log] == [
        api.MODERATION_ACTION_MEMBER_UNMUTED,
        api.MODERATION_ACTION_MEMBER_MUTED,
        api.MODERATION_ACTION_MEMBER_MUTED,
    ]
    assert (log[2].actor_id, log[2].user_id, log[2].reason) == (mod, member, "heated")


async def test_mute_durations_outside_60_seconds_to_28_days_are_invalid(moderation):
    club = await moderation.community()
    for seconds in (59, 28 * 86400 + 1):
        refused = await moderation.refusal(
            "MuteMember",
            api.MuteMemberRequest(
                community_id=club.community_id, user_id="u", duration=Duration(seconds=seconds)
            ),
            club.owner,
        )
        assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert violated_fields(refused) == ["duration"]


async def test_a_moderator_cannot_ban_the_owner_or_an_equal(moderation):
    mod, other = moderation.new_id("mod"), moderation.new_id("mod")
    club = await moderation.community({mod: roles.ROLE_MODERATOR, other: roles.ROLE_MODERATOR})
    for target in (club.owner, other, mod):
        refused = await moderation.refusal(
            "BanMember", api.BanMemberRequest(community_id=club.community_id, user_id=target), mod
        )
        assert refused.code() == grpc.StatusCode.PERMISSION_DENIED
        assert reason_of(refused) == reasons.ROLE_REQUIRED


async def test_bans_timed_or_permanent_repeated_and_lifted(moderation):
    admin, member = moderation.new_id("admin"), moderation.new_id("member")
    club = await moderation.community({admin: roles.ROLE_ADMIN, member: roles.ROLE_MEMBER})
    request = api.BanMemberRequest(community_id=club.community_id, user_id=member, duration=HOUR)
    timed = await moderation.call("BanMember", request, admin)
    assert timed.HasField("expires_at")
    # Membership removes the banned member; banning again still works and updates the ban.
    moderation.membership_events(
        club,
        membership.MemberRemoved(
            community_id=club.community_id,
            user_id=member,
            role=roles.ROLE_MEMBER,
            cause=roles.REMOVAL_CAUSE_BANNED,
            actor_id=admin,
        ),
    )
    request.ClearField("duration")
    await moderation.caught_up(club)
    request.consistency_token = club.token
    permanent = await moderation.call("BanMember", request, admin)
    assert not permanent.HasField("expires_at")
    bans = await moderation.events.wait_for(of_type(events.MemberBanned, user_id=member), count=2)
    assert [b.HasField("expires_at") for _, b in bans] == [True, False]
    await moderation.call(
        "UnbanMember", api.UnbanMemberRequest(community_id=club.community_id, user_id=member), admin
    )
    await moderation.events.wait_for(of_type(events.MemberUnbanned, user_id=member))


async def test_a_platform_admin_acts_in_any_community_they_are_not_in(moderation):
    member = moderation.new_id("member")
    club = await moderation.community({member: roles.ROLE_MEMBER})
    await moderation.call(
        "MuteMember",
        api.MuteMemberRequest(community_id=club.community_id, user_id=member, duration=HOUR),
        moderation.new_id("staff"),
        platform_admin=True,
    )
    await moderation.events.wait_for(of_type(events.MemberMuted, user_id=member))


async def test_removing_and_restoring_content_follows_rank(moderation):
    mod, member = moderation.new_id("mod"), moderation.new_id("member")
    club = await moderation.community({mod: roles.ROLE_MODERATOR, member: roles.ROLE_MEMBER})
    post_id = moderation.post(club, member, "meh")
    owners_post = moderation.post(club, club.owner, "announcement")
    await moderation.call(
        "RemoveContent", api.RemoveContentRequest(post_id=post_id, reason="off topic"), mod
    )
    # Removing again changes nothing; restoring brings it back.
    await moderation.call("RemoveContent", api.RemoveContentRequest(post_id=post_id), mod)
    await moderation.call("RestoreContent", api.RestoreContentRequest(post_id=post_id), mod)
    [(_, removed)] = await moderation.events.wait_for(
        of_type(events.ContentRemoved, post_id=post_id)
    )
    await moderation.events.wait_for(of_type(events.ContentRestored, post_id=post_id))
    assert (removed.author_id, removed.actor_id, removed.reason) == (member, mod, "off topic")
    refused = await moderation.refusal(
        "RemoveContent", api.RemoveContentRequest(post_id=owners_post), mod
    )
    assert reason_of(refused) == reasons.ROLE_REQUIRED
    log = await moderation.log(club.community_id, mod)
    assert [e.action for e in log] == [
        api.MODERATION_ACTION_CONTENT_RESTORED,
        api.MODERATION_ACTION_CONTENT_REMOVED,
    ]


async def test_platform_restrictions_are_for_platform_admins_only(moderation):
    club = await moderation.community()
    user = moderation.new_id("user")
    request = api.RestrictUserRequest(
        user_id=user, actions=[types.ACTION_POST, types.ACTION_LIVE], duration=HOUR, reason="spam"
    )
    refused = await moderation.refusal("RestrictUser", request, club.owner)
    assert refused.code() == grpc.StatusCode.PERMISSION_DENIED
    assert reason_of(refused) == reasons.PLATFORM_ADMIN_REQUIRED

    staff = moderation.new_id("staff")
    response = await moderation.call("RestrictUser", request, staff, platform_admin=True)
    assert response.expires_at.seconds > 0
    [(envelope, restricted)] = await moderation.events.wait_for(
        of_type(events.UserRestricted, user_id=user)
    )
    assert list(restricted.actions) == [types.ACTION_POST, types.ACTION_LIVE]
    assert envelope.key == user and envelope.subject == user
    await moderation.call(
        "LiftRestriction",
        api.LiftRestrictionRequest(user_id=user, actions=[types.ACTION_LIVE]),
        staff,
        platform_admin=True,
    )
    [(_, lifted)] = await moderation.events.wait_for(
        of_type(events.RestrictionLifted, user_id=user)
    )
    assert list(lifted.actions) == [types.ACTION_LIVE]
    platform_log = await moderation.log("", staff, platform_admin=True)
    mine = [e for e in platform_log if e.user_id == user]
    assert [e.action for e in mine] == [
        api.MODERATION_ACTION_RESTRICTION_LIFTED,
        api.MODERATION_ACTION_USER_RESTRICTED,
    ]


async def test_a_consistency_token_waits_for_membership_events(moderation):
    club = await moderation.community()
    newcomer = moderation.new_id("newcomer")
    moderation.membership_events(
        club,
        membership.MemberJoined(
            community_id=club.community_id, user_id=newcomer, role=roles.ROLE_MEMBER
        ),
        membership.MemberRoleChanged(
            community_id=club.community_id,
            user_id=newcomer,
            old_role=roles.ROLE_MEMBER,
            new_role=roles.ROLE_MODERATOR,
        ),
    )
    await moderation.caught_up(club)
    # With the token, the promotion is known before the decision.
    await moderation.call(
        "ListReports",
        api.ListReportsRequest(community_id=club.community_id, consistency_token=club.token),
        newcomer,
    )
    ahead = f"{club.community_id}:{club.version + 5}"
    refused = await moderation.refusal(
        "ListReports",
        api.ListReportsRequest(community_id=club.community_id, consistency_token=ahead),
        newcomer,
    )
    assert refused.code() == grpc.StatusCode.UNAVAILABLE
    assert reason_of(refused) == reasons.CONSISTENCY_TIMEOUT
    refused = await moderation.refusal(
        "ListReports",
        api.ListReportsRequest(community_id=club.community_id, consistency_token="nonsense"),
        newcomer,
    )
    assert reason_of(refused) == reasons.INVALID_CONSISTENCY_TOKEN


async def test_an_archived_community_takes_no_moderation(moderation):
    member = moderation.new_id("member")
    club = await moderation.community({member: roles.ROLE_MEMBER})
    moderation.membership_events(
        club,
        membership.CommunityArchived(
            community_id=club.community_id, owner_id=club.owner, actor_id=club.owner
        ),
    )
    await moderation.caught_up(club)
    refused = await moderation.refusal(
        "MuteMember",
        api.MuteMemberRequest(
            community_id=club.community_id,
            user_id=member,
            duration=HOUR,
            consistency_token=club.token,
        ),
        club.owner,
    )
    assert refused.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert reason_of(refused) == reasons.COMMUNITY_ARCHIVED


async def test_a_platform_admin_ranks_as_an_admin_below_the_owner(moderation):
    # SPEC §3: as in membership, a platform admin cannot ban or mute the owner (or an admin).
    admin = moderation.new_id("admin")
    club = await moderation.community({admin: roles.ROLE_ADMIN})
    staff = moderation.new_id("staff")
    for target in (club.owner, admin):
        scope = {"community_id": club.community_id, "user_id": target}
        for rpc, request in (
            ("BanMember", api.BanMemberRequest(**scope)),
            ("MuteMember", api.MuteMemberRequest(**scope, duration=HOUR)),
        ):
            refused = await moderation.refusal(rpc, request, staff, platform_admin=True)
            assert refused.code() == grpc.StatusCode.PERMISSION_DENIED
            assert reason_of(refused) == reasons.ROLE_REQUIRED
