"""Rank rules: who may act on whom, who may read, and what an archived community allows."""

import pytest
from community.membership.v1 import types_pb2 as roles
from community_common.errors import FailedPrecondition, PermissionDenied
from community_contracts import reasons
from moderation.domain.standing import (
    Community,
    Standing,
    require_active,
    require_acts_on,
    require_admin,
    require_moderator,
    require_platform_admin,
    require_reader,
)

OWNER = Standing("owner", roles.ROLE_OWNER)
ADMIN = Standing("admin", roles.ROLE_ADMIN)
MODERATOR = Standing("mod", roles.ROLE_MODERATOR)
MEMBER = Standing("member", roles.ROLE_MEMBER)
OUTSIDER = Standing("outsider")
PLATFORM_ADMIN = Standing("staff", platform_admin=True)


@pytest.mark.parametrize(
    ("actor", "target"),
    [
        (MODERATOR, MEMBER),
        (MODERATOR, OUTSIDER),
        (ADMIN, MODERATOR),
        (OWNER, ADMIN),
        (PLATFORM_ADMIN, MODERATOR),
        (PLATFORM_ADMIN, MEMBER),
    ],
)
def test_moderators_and_above_act_on_lower_ranks(actor, target):
    require_acts_on(actor, target)


@pytest.mark.parametrize(
    ("actor", "target"),
    [
        (MODERATOR, Standing("mod2", roles.ROLE_MODERATOR)),
        (MODERATOR, ADMIN),
        (MODERATOR, OWNER),
        (ADMIN, OWNER),
        (ADMIN, Standing("admin", roles.ROLE_ADMIN)),
        # A platform admin ranks as an admin, below the owner (SPEC §3).
        (PLATFORM_ADMIN, OWNER),
        (PLATFORM_ADMIN, ADMIN),
    ],
)
def test_nobody_acts_on_an_equal_or_higher_rank(actor, target):
    with pytest.raises(PermissionDenied) as refused:
        require_acts_on(actor, target)
    assert refused.value.reason == reasons.ROLE_REQUIRED


def test_a_member_may_not_moderate_and_is_told_the_role_needed():
    with pytest.raises(PermissionDenied) as refused:
        require_acts_on(MEMBER, OUTSIDER)
    assert refused.value.reason == reasons.ROLE_REQUIRED
    assert refused.value.metadata[reasons.METADATA_REQUIRED_ROLE] == "ROLE_MODERATOR"


def test_a_non_member_is_refused_as_not_a_member():
    with pytest.raises(PermissionDenied) as refused:
        require_moderator(OUTSIDER)
    assert refused.value.reason == reasons.NOT_A_MEMBER


def test_admin_rights_need_admin_or_above_or_a_platform_admin():
    require_admin(ADMIN)
    require_admin(OWNER)
    require_admin(PLATFORM_ADMIN)
    with pytest.raises(PermissionDenied) as refused:
        require_admin(MODERATOR)
    assert refused.value.metadata[reasons.METADATA_REQUIRED_ROLE] == "ROLE_ADMIN"


def test_platform_actions_need_a_platform_admin_not_a_community_role():
    require_platform_admin(PLATFORM_ADMIN)
    with pytest.raises(PermissionDenied) as refused:
        require_platform_admin(OWNER)
    assert refused.value.reason == reasons.PLATFORM_ADMIN_REQUIRED


def test_anyone_reads_a_public_community_only_members_a_private_one():
    require_reader(Community("c", public=True), OUTSIDER)
    private = Community("c", public=False)
    require_reader(private, MEMBER)
    require_reader(private, PLATFORM_ADMIN)
    with pytest.raises(PermissionDenied) as refused:
        require_reader(private, OUTSIDER)
    assert refused.value.reason == reasons.NOT_A_MEMBER


def test_an_archived_community_takes_no_moderation():
    require_active(Community("c", public=True))
    with pytest.raises(FailedPrecondition) as refused:
        require_active(Community("c", public=True, archived=True))
    assert refused.value.reason == reasons.COMMUNITY_ARCHIVED
