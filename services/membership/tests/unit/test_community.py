"""Every membership rule of SPEC §4, on the pure Community aggregate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from community.membership.v1 import types_pb2 as types
from community_common.errors import DomainError
from community_contracts import reasons
from membership.domain import roles
from membership.domain.community import Actor, Community
from membership.domain.limits import Limits
from membership.domain.snapshot import from_state, to_state

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
LIMITS = Limits()
OWNER = Actor("owner")


def later(seconds: float = 1) -> datetime:
    return T0 + timedelta(seconds=seconds)


def names(community: Community) -> list[str]:
    return [event.DESCRIPTOR.name for event in community.recorded]


def new_community(policy: int = types.JOIN_POLICY_OPEN, *members: str) -> Community:
    community = Community.create(
        "c1", "owner", "Chess club", "", ["chess"], types.VISIBILITY_PUBLIC, policy, T0
    )
    for user in members:
        community.members[user] = community.members.get(user) or _joined(community, user)
    community.recorded.clear()
    return community


def _joined(community: Community, user: str) -> object:
    from community.membership.v1 import events_pb2 as ev

    community.apply(ev.MemberJoined(community_id="c1", user_id=user, role=roles.MEMBER), T0)
    return community.members[user]


def with_role(community: Community, user: str, role: int) -> Community:
    if user not in community.members:
        _joined(community, user)
    community.members[user].role = role
    return community


def refused(reason: str, action, *args, **kwargs) -> DomainError:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as caught:
        action(*args, **kwargs)
    assert caught.value.reason == reason
    return caught.value


# --- creating and archiving ------------------------------------------------------------------


def test_the_creator_is_the_owner_and_first_member_without_member_joined() -> None:
    community = Community.create(
        "c1", "ann", "Chess", "d", ["chess"], types.VISIBILITY_PUBLIC, types.JOIN_POLICY_OPEN, T0
    )
    assert names(community) == ["CommunityCreated"]
    assert community.owner_id == "ann" and community.role_of("ann") == roles.OWNER
    assert (community.version, community.member_count) == (1, 1)


def test_only_the_owner_archives_and_archived_communities_take_no_new_members() -> None:
    community = with_role(new_community(), "adm", roles.ADMIN)
    refused(reasons.ROLE_REQUIRED, community.archive, Actor("adm"), later())
    refused(reasons.ROLE_REQUIRED, community.archive, Actor("root", True), later())
    community.archive(OWNER, later())
    assert names(community) == ["CommunityArchived"] and community.archived
    refused(reasons.COMMUNITY_ARCHIVED, community.join, Actor("bob"), "c1-r1", False, later())


def test_update_needs_admin_and_records_every_setting_after_the_change() -> None:
    community = with_role(with_role(new_community(), "adm", roles.ADMIN), "mod", roles.MODERATOR)
    refused(reasons.ROLE_REQUIRED, community.update, Actor("mod"), {"name": "x"}, later())
    refused(reasons.NOT_A_MEMBER, community.update, Actor("bob"), {"name": "x"}, later())
    community.update(Actor("adm"), {"name": "Chess 2"}, later())
    [event] = community.recorded
    assert (event.name, list(event.topics), list(event.updated_fields)) == (
        "Chess 2",
        ["chess"],
        ["name"],
    )
    community.update(Actor("root", True), {"topics": ["go"]}, later())  # platform admin
    assert community.topics == ["go"]


# --- the three join policies -----------------------------------------------------------------


def test_open_community_joins_at_once() -> None:
    community = new_community(types.JOIN_POLICY_OPEN)
    community.join(Actor("bob"), "c1-r1", False, later())
    [event] = community.recorded
    assert event.DESCRIPTOR.name == "MemberJoined" and event.method == types.JOIN_METHOD_OPEN
    assert community.role_of("bob") == roles.MEMBER
    refused(reasons.ALREADY_MEMBER, community.join, Actor("bob"), "c1-r2", False, later())


def test_invite_only_community_needs_an_invitation() -> None:
    community = new_community(types.JOIN_POLICY_INVITE_ONLY)
    refused(reasons.INVITATION_REQUIRED, community.join, Actor("bob"), "c1-r1", False, later())
    assert community.recorded == []


def test_request_community_files_a_request_that_a_moderator_approves() -> None:
    community = with_role(new_community(types.JOIN_POLICY_REQUEST), "mod", roles.MODERATOR)
    with_role(community, "amy", roles.MEMBER)
    request = community.join(Actor("bob"), "c1-r1", False, later())
    assert names(community) == ["JoinRequested"] and "bob" not in community.members
    refused(reasons.JOIN_REQUEST_ALREADY_PENDING, community.join, Actor("bob"), "c1-r2", False, T0)
    refused(reasons.ROLE_REQUIRED, community.approve_join_request, Actor("amy"), "c1-r1", False, T0)
    community.recorded.clear()
    community.approve_join_request(Actor("mod"), request.join_request_id, False, later())
    assert names(community) == ["JoinRequestApproved", "MemberJoined"]
    assert community.recorded[1].method == types.JOIN_METHOD_REQUEST_APPROVED
    assert community.role_of("bob") == roles.MEMBER
    refused(
        reasons.JOIN_REQUEST_NOT_PENDING,
        community.reject_join_request,
        Actor("mod"),
        "c1-r1",
        later(),
    )


def test_a_rejected_request_leaves_the_user_outside() -> None:
    community = with_role(new_community(types.JOIN_POLICY_REQUEST), "mod", roles.MODERATOR)
    community.join(Actor("bob"), "c1-r1", False, later())
    community.reject_join_request(Actor("mod"), "c1-r1", later())
    assert community.join_requests["c1-r1"].status == types.JOIN_REQUEST_STATUS_REJECTED
    assert "bob" not in community.members


def test_a_banned_user_cannot_join_be_approved_or_accept() -> None:
    community = new_community(types.JOIN_POLICY_OPEN)
    refused(reasons.MEMBER_BANNED, community.join, Actor("bob"), "c1-r1", True, later())
    requests = new_community(types.JOIN_POLICY_REQUEST)
    requests.join(Actor("bob"), "c1-r1", False, later())
    refused(reasons.MEMBER_BANNED, requests.approve_join_request, OWNER, "c1-r1", True, later())
    invites = new_community(types.JOIN_POLICY_INVITE_ONLY)
    invites.invite(OWNER, "c1-i1", "bob", False, later(), LIMITS)
    refused(reasons.MEMBER_BANNED, invites.accept_invitation, Actor("bob"), "c1-i1", True, T0)


# --- invitations and the quota ---------------------------------------------------------------


def invite_n(community: Community, inviter: str, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        community.invite(Actor(inviter), f"c1-i{i}", f"guest{i}", False, later(), LIMITS)


def test_a_member_holds_five_invitations_and_a_sixth_is_refused() -> None:
    community = with_role(new_community(), "amy", roles.MEMBER)
    assert community.invites_remaining("amy", later(), LIMITS) == 5
    invite_n(community, "amy", 5)
    assert community.invites_remaining("amy", later(), LIMITS) == 0
    error = refused(
        reasons.INVITE_QUOTA_EXHAUSTED,
        community.invite,
        Actor("amy"),
        "c1-ix",
        "guestx",
        False,
        later(),
        LIMITS,
    )
    assert error.code.name == "RESOURCE_EXHAUSTED"


def test_declined_revoked_and_expired_invitations_go_back_accepted_ones_are_spent() -> None:
    community = with_role(new_community(), "amy", roles.MEMBER)
    invite_n(community, "amy", 5)
    community.decline_invitation(Actor("guest0"), "c1-i0", later())
    community.revoke_invitation(Actor("amy"), "c1-i1", later())
    assert community.invites_remaining("amy", later(), LIMITS) == 2
    community.accept_invitation(Actor("guest2"), "c1-i2", False, later())
    assert community.invites_remaining("amy", later(), LIMITS) == 2  # spent, not returned
    # Fourteen days on, the two still pending have expired and are back (read by time)...
    fortnight = later() + LIMITS.invitation_ttl
    assert community.invites_remaining("amy", fortnight, LIMITS) == 4
    # ...and the next command records their expiry before anything else.
    community.recorded.clear()
    community.invite(Actor("amy"), "c1-i9", "guest9", False, fortnight, LIMITS)
    assert names(community) == ["InvitationExpired", "InvitationExpired", "InvitationSent"]
    assert community.invites_remaining("amy", fortnight, LIMITS) == 3


def test_moderators_and_above_invite_without_limit() -> None:
    community = with_role(new_community(), "mod", roles.MODERATOR)
    invite_n(community, "mod", 12)
    invite_n(community, "owner", 3, start=20)
    assert community.has_unlimited_invites("mod") and community.has_unlimited_invites("owner")


def test_invitation_rules() -> None:
    community = with_role(new_community(), "amy", roles.MEMBER)
    invite = community.invite
    refused(reasons.NOT_A_MEMBER, invite, Actor("bob"), "c1-i1", "x", False, T0, LIMITS)
    refused(reasons.ALREADY_MEMBER, invite, Actor("amy"), "c1-i1", "owner", False, T0, LIMITS)
    refused(reasons.INVITEE_BANNED, invite, Actor("amy"), "c1-i1", "x", True, T0, LIMITS)
    invite(Actor("amy"), "c1-i1", "x", False, T0, LIMITS)
    refused(reasons.INVITATION_ALREADY_PENDING, invite, OWNER, "c1-i2", "x", False, T0, LIMITS)
    refused(reasons.NOT_INVITEE, community.accept_invitation, Actor("y"), "c1-i1", False, T0)
    with_role(community, "ben", roles.MEMBER)
    refused(reasons.ROLE_REQUIRED, community.revoke_invitation, Actor("ben"), "c1-i1", T0)
    accepted = community.accept_invitation(Actor("x"), "c1-i1", False, later())
    assert accepted.role == roles.MEMBER
    assert names(community)[-2:] == ["InvitationAccepted", "MemberJoined"]
    assert community.recorded[-1].method == types.JOIN_METHOD_INVITATION
    refused(reasons.INVITATION_NOT_PENDING, community.decline_invitation, Actor("x"), "c1-i1", T0)


def test_an_expired_invitation_cannot_be_accepted() -> None:
    community = new_community(types.JOIN_POLICY_INVITE_ONLY)
    community.invite(OWNER, "c1-i1", "bob", False, T0, LIMITS)
    expired = T0 + LIMITS.invitation_ttl
    refused(
        reasons.INVITATION_NOT_PENDING,
        community.accept_invitation,
        Actor("bob"),
        "c1-i1",
        False,
        expired,
    )


def test_a_moderator_may_revoke_someone_elses_invitation() -> None:
    community = with_role(with_role(new_community(), "amy", roles.MEMBER), "mod", roles.MODERATOR)
    community.invite(Actor("amy"), "c1-i1", "x", False, T0, LIMITS)
    community.revoke_invitation(Actor("mod"), "c1-i1", later())
    assert community.recorded[-1].revoker_id == "mod"
    assert community.invites_remaining("amy", later(), LIMITS) == 5


# --- leaving, removing, roles ----------------------------------------------------------------


def test_the_owner_cannot_leave_without_transferring_first() -> None:
    community = with_role(new_community(), "amy", roles.MEMBER)
    refused(reasons.OWNER_CANNOT_LEAVE, community.leave, OWNER, later())
    refused(reasons.ROLE_REQUIRED, community.transfer_ownership, Actor("amy"), "owner", T0)
    refused(reasons.TARGET_NOT_A_MEMBER, community.transfer_ownership, OWNER, "zed", T0)
    community.transfer_ownership(OWNER, "amy", later())
    assert names(community) == ["OwnershipTransferred"]
    assert (community.owner_id, community.role_of("amy"), community.role_of("owner")) == (
        "amy",
        roles.OWNER,
        roles.ADMIN,
    )
    community.leave(OWNER, later())
    assert "owner" not in community.members


def test_leaving_revokes_the_leavers_pending_invitations_and_leaves_their_groups() -> None:
    community = with_role(new_community(), "amy", roles.MEMBER)
    community.create_group(OWNER, "c1-g1", "Grade 1", "", T0, LIMITS)
    community.join_group(Actor("amy"), "c1-g1", T0)
    community.invite(Actor("amy"), "c1-i1", "x", False, T0, LIMITS)
    community.recorded.clear()
    community.leave(Actor("amy"), later())
    assert names(community) == ["InvitationRevoked", "MemberLeft"]
    assert community.recorded[0].revoker_id == ""
    assert list(community.recorded[1].group_ids) == ["c1-g1"]
    assert list(community.groups["c1-g1"].members) == ["owner"]
    refused(reasons.NOT_A_MEMBER, community.leave, Actor("amy"), later())


def test_removal_needs_moderator_and_a_lower_ranked_target() -> None:
    community = new_community()
    for user, role in [("adm", roles.ADMIN), ("mod", roles.MODERATOR), ("mod2", roles.MODERATOR)]:
        with_role(community, user, role)
    with_role(community, "amy", roles.MEMBER)
    with_role(community, "ben", roles.MEMBER)
    remove = community.remove_member
    refused(reasons.ROLE_REQUIRED, remove, Actor("amy"), "ben", "", T0)
    refused(reasons.ROLE_REQUIRED, remove, Actor("mod"), "mod2", "", T0)
    refused(reasons.ROLE_REQUIRED, remove, Actor("adm"), "owner", "", T0)
    refused(reasons.MEMBER_NOT_FOUND, remove, Actor("mod"), "nobody", "", T0)
    remove(Actor("mod"), "amy", "spam", later())
    [event] = community.recorded
    assert (event.cause, event.reason, event.actor_id) == (
        types.REMOVAL_CAUSE_REMOVED,
        "spam",
        "mod",
    )
    remove(Actor("adm"), "mod2", "", later())
    remove(Actor("root", True), "mod", "", later())  # platform admin acts as an admin
    refused(reasons.ROLE_REQUIRED, remove, Actor("root", True), "adm", "", T0)


def test_roles_change_only_below_the_actors_own() -> None:
    community = new_community()
    with_role(community, "adm", roles.ADMIN)
    with_role(community, "mod", roles.MODERATOR)
    with_role(community, "amy", roles.MEMBER)
    set_role = community.set_role
    refused(reasons.ROLE_REQUIRED, set_role, Actor("adm"), "amy", roles.ADMIN, T0)
    refused(reasons.ROLE_REQUIRED, set_role, Actor("mod"), "amy", roles.MODERATOR, T0)
    refused(reasons.ROLE_REQUIRED, set_role, Actor("amy"), "amy", roles.MEMBER, T0)
    refused(reasons.ROLE_REQUIRED, set_role, Actor("adm"), "owner", roles.MEMBER, T0)
    set_role(Actor("adm"), "amy", roles.MODERATOR, later())
    set_role(OWNER, "mod", roles.ADMIN, later())  # the owner appoints admins...
    set_role(OWNER, "adm", roles.MEMBER, later())  # ...and dismisses them
    assert [e.new_role for e in community.recorded] == [roles.MODERATOR, roles.ADMIN, roles.MEMBER]
    assert community.recorded[0].old_role == roles.MEMBER
    refused(reasons.INVALID_ARGUMENT, set_role, OWNER, "amy", roles.OWNER, T0)


def test_a_ban_removes_the_member_from_the_community_and_its_groups() -> None:
    community = with_role(new_community(), "amy", roles.MEMBER)
    community.create_group(OWNER, "c1-g1", "Bus", "", T0, LIMITS)
    community.add_group_member(OWNER, "c1-g1", "amy", T0)
    community.recorded.clear()
    assert community.remove_banned("amy", "mod-x", "abuse", later())
    [event] = community.recorded
    assert (event.DESCRIPTOR.name, event.cause, list(event.group_ids)) == (
        "MemberRemoved",
        types.REMOVAL_CAUSE_BANNED,
        ["c1-g1"],
    )
    community.recorded.clear()
    assert not community.remove_banned("amy", "mod-x", "again", later())
    assert community.recorded == []


# --- groups -----------------------------------------------------------------------------------


def test_groups_are_created_by_admins_and_joined_by_members_only() -> None:
    community = with_role(with_role(new_community(), "mod", roles.MODERATOR), "amy", roles.MEMBER)
    create = community.create_group
    refused(reasons.ROLE_REQUIRED, create, Actor("mod"), "c1-g1", "G", "", T0, LIMITS)
    group = create(OWNER, "c1-g1", "Grade 1", "", T0, LIMITS)
    assert list(group.members) == ["owner"]  # the creator is its first member
    refused(reasons.NOT_A_MEMBER, community.join_group, Actor("zed"), "c1-g1", T0)
    refused(reasons.GROUP_NOT_FOUND, community.join_group, Actor("amy"), "c1-g9", T0)
    community.join_group(Actor("amy"), "c1-g1", T0)
    refused(reasons.ALREADY_GROUP_MEMBER, community.join_group, Actor("amy"), "c1-g1", T0)
    refused(reasons.NOT_A_GROUP_MEMBER, community.leave_group, Actor("mod"), "c1-g1", T0)
    refused(reasons.TARGET_NOT_A_MEMBER, community.add_group_member, OWNER, "c1-g1", "zed", T0)
    refused(reasons.ROLE_REQUIRED, community.add_group_member, Actor("mod"), "c1-g1", "mod", T0)
    community.leave_group(Actor("amy"), "c1-g1", T0)
    assert "amy" not in group.members and community.members["amy"].group_ids == []
    community.remove_group(OWNER, "c1-g1", T0)
    assert community.groups == {} and community.members["owner"].group_ids == []


def test_groups_per_community_are_limited() -> None:
    community = new_community()
    small = Limits(max_groups_per_community=2)
    community.create_group(OWNER, "c1-g1", "A", "", T0, small)
    community.create_group(OWNER, "c1-g2", "B", "", T0, small)
    refused(reasons.GROUP_LIMIT_REACHED, community.create_group, OWNER, "c1-g3", "C", "", T0, small)
    community.remove_group(OWNER, "c1-g1", T0)
    community.create_group(OWNER, "c1-g3", "C", "", T0, small)


# --- replay -----------------------------------------------------------------------------------


def busy_community() -> Community:
    """A community built by commands alone, all at T0, keeping every recorded event."""
    community = Community.create(
        "c1", "owner", "Club", "", [], types.VISIBILITY_PRIVATE, types.JOIN_POLICY_REQUEST, T0
    )
    community.join(Actor("bob"), "c1-r1", False, T0)
    community.approve_join_request(OWNER, "c1-r1", False, T0)
    community.invite(Actor("bob"), "c1-i1", "carl", False, T0, LIMITS)
    community.create_group(OWNER, "c1-g1", "G", "d", T0, LIMITS)
    community.join_group(Actor("bob"), "c1-g1", T0)
    community.set_role(OWNER, "bob", roles.ADMIN, T0)
    community.invite(Actor("bob"), "c1-i2", "dan", False, T0, LIMITS)
    community.decline_invitation(Actor("dan"), "c1-i2", T0)
    return community


def test_replaying_the_recorded_events_gives_the_same_state() -> None:
    community = busy_community()
    replayed = Community("c1")
    for event in community.recorded:
        replayed.apply(event, T0)
    assert replayed.version == community.version == len(community.recorded)
    assert to_state(replayed) == to_state(community)


def test_a_snapshot_restores_exactly_the_same_state() -> None:
    community = busy_community()
    restored = from_state(to_state(community))
    assert restored is not None
    assert to_state(restored) == to_state(community)
    assert from_state({**to_state(community), "shape": 0}) is None
