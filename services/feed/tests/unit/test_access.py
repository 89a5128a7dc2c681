"""Who may read and who may take part (SPEC §3, §5), decided from feed's own knowledge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from community.membership.v1.types_pb2 import Role, Visibility
from community.moderation.v1.types_pb2 import Action
from community_common.errors import DomainError
from community_contracts import reasons
from feed.domain.access import CommunityFacts, Sanctions, Standing

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
PUBLIC = CommunityFacts(
    "c1", exists=True, visibility=Visibility.VISIBILITY_PUBLIC, groups=frozenset({"g1"})
)
PRIVATE = CommunityFacts("c1", exists=True, visibility=Visibility.VISIBILITY_PRIVATE)


def reason_of(action) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as caught:
        action()
    return caught.value.reason


def member(**kw) -> Standing:  # type: ignore[no-untyped-def]
    return Standing(**{"user_id": "u", "community": PUBLIC, "role": Role.ROLE_MEMBER, **kw})


def test_a_member_may_post_community_wide() -> None:
    member().require_participation(Action.ACTION_POST, "", NOW)


def test_a_non_member_may_not_take_part() -> None:
    outsider = Standing("u", PUBLIC)
    assert (
        reason_of(lambda: outsider.require_participation(Action.ACTION_POST, "", NOW))
        == reasons.NOT_A_MEMBER
    )


def test_group_content_needs_group_membership() -> None:
    assert (
        reason_of(lambda: member().require_participation(Action.ACTION_POST, "g1", NOW))
        == reasons.NOT_A_MEMBER
    )
    member(groups=frozenset({"g1"})).require_participation(Action.ACTION_POST, "g1", NOW)


def test_a_removed_group_no_longer_counts() -> None:
    gone = CommunityFacts("c1", exists=True, groups=frozenset())
    standing = member(community=gone, groups=frozenset({"g1"}))
    assert not standing.in_group("g1")


def test_mute_blocks_until_it_expires_by_time() -> None:
    muted = member(sanctions=Sanctions(muted_until=NOW + timedelta(minutes=5)))
    for action in (
        Action.ACTION_POST,
        Action.ACTION_COMMENT,
        Action.ACTION_LIKE,
        Action.ACTION_SHARE,
        Action.ACTION_LIVE,
    ):
        assert (
            reason_of(lambda a=action: muted.require_participation(a, "", NOW))
            == reasons.MEMBER_MUTED
        )
    muted.require_participation(Action.ACTION_POST, "", NOW + timedelta(minutes=5, seconds=1))


def test_mute_does_not_block_watching_live() -> None:
    muted = member(sanctions=Sanctions(muted_until=NOW + timedelta(minutes=5)))
    muted.require_participation(Action.ACTION_UNSPECIFIED, "", NOW)


def test_ban_blocks_everything_and_wins_over_not_a_member() -> None:
    banned = Standing("u", PUBLIC, sanctions=Sanctions(banned=True))
    assert (
        reason_of(lambda: banned.require_participation(Action.ACTION_UNSPECIFIED, "", NOW))
        == reasons.MEMBER_BANNED
    )
    timed = member(sanctions=Sanctions(banned=True, banned_until=NOW + timedelta(seconds=1)))
    assert (
        reason_of(lambda: timed.require_participation(Action.ACTION_POST, "", NOW))
        == reasons.MEMBER_BANNED
    )
    timed.require_participation(Action.ACTION_POST, "", NOW + timedelta(seconds=2))


def test_a_platform_restriction_blocks_only_its_action() -> None:
    restricted = member(restrictions={Action.ACTION_LIVE: NOW + timedelta(hours=1)})
    assert (
        reason_of(lambda: restricted.require_participation(Action.ACTION_LIVE, "", NOW))
        == reasons.USER_RESTRICTED
    )
    restricted.require_participation(Action.ACTION_POST, "", NOW)
    restricted.require_participation(Action.ACTION_UNSPECIFIED, "", NOW)
    restricted.require_participation(Action.ACTION_LIVE, "", NOW + timedelta(hours=2))


def test_an_archived_community_takes_no_new_activity() -> None:
    archived = CommunityFacts("c1", exists=True, archived=True)
    assert (
        reason_of(
            lambda: member(community=archived).require_participation(Action.ACTION_POST, "", NOW)
        )
        == reasons.COMMUNITY_ARCHIVED
    )


def test_reading_public_private_and_groups() -> None:
    outsider = Standing("u", PUBLIC)
    outsider.require_read("")
    assert reason_of(lambda: outsider.require_read("g1")) == reasons.NOT_A_MEMBER
    assert reason_of(lambda: Standing("u", PRIVATE).require_read("")) == reasons.NOT_A_MEMBER
    member(community=PRIVATE).require_read("")
    assert reason_of(lambda: member().require_read("g1")) == reasons.NOT_A_MEMBER
    member(role=Role.ROLE_MODERATOR).require_read("g1")  # moderators and above read everything


def test_roles_and_platform_admins() -> None:
    assert (
        reason_of(lambda: member(role=Role.ROLE_MODERATOR).require_role(Role.ROLE_ADMIN))
        == reasons.ROLE_REQUIRED
    )
    member(role=Role.ROLE_ADMIN).require_role(Role.ROLE_ADMIN)
    member(role=Role.ROLE_OWNER).require_role(Role.ROLE_ADMIN)
    admin = Standing("u", PRIVATE, is_platform_admin=True)
    admin.require_role(Role.ROLE_ADMIN)
    admin.require_read("")
    assert admin.is_moderator


def test_a_role_check_tells_a_non_member_so() -> None:
    # SPEC §3: ROLE_REQUIRED is "the caller's role is too low"; a caller without one, or a
    # banned one (removed from the community), is not a member.
    outsider = Standing("u", PUBLIC)
    assert reason_of(lambda: outsider.require_role(Role.ROLE_ADMIN)) == reasons.NOT_A_MEMBER
    banned = Standing("u", PUBLIC, sanctions=Sanctions(banned=True))
    assert reason_of(lambda: banned.require_role(Role.ROLE_ADMIN)) == reasons.NOT_A_MEMBER


def test_unknown_community_and_group_are_not_found() -> None:
    assert (
        reason_of(Standing("u", CommunityFacts("nope")).require_community)
        == reasons.COMMUNITY_NOT_FOUND
    )
    assert reason_of(lambda: member().require_group("g-other")) == reasons.GROUP_NOT_FOUND
