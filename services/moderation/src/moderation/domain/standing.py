"""Who may do what in a community: roles as ranks, and the checks every command makes.

Roles come from membership's events (a projection); a platform admin ranks as an admin in
every community, below the owner (SPEC §3, as in every service). Moderators and above act
only on users of lower rank, so a moderator cannot touch an admin or the owner, a platform
admin cannot touch an admin or the owner, and nobody acts on themself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from community.membership.v1 import types_pb2 as membership_types
from community_common.errors import FailedPrecondition, PermissionDenied
from community_contracts import reasons

Role = membership_types.Role
NOT_A_MEMBER_ROLE = membership_types.ROLE_UNSPECIFIED

# Higher outranks lower; a non-member has rank 0. Keyed by int: roles arrive as message fields.
_RANK: dict[int, int] = {
    membership_types.ROLE_UNSPECIFIED: 0,
    membership_types.ROLE_MEMBER: 1,
    membership_types.ROLE_MODERATOR: 2,
    membership_types.ROLE_ADMIN: 3,
    membership_types.ROLE_OWNER: 4,
}


STAFF_ROLES = frozenset(
    (membership_types.ROLE_MODERATOR, membership_types.ROLE_ADMIN, membership_types.ROLE_OWNER)
)


@dataclass(frozen=True)
class Community:
    """What moderation knows of a community, from membership's events."""

    community_id: str
    public: bool
    archived: bool = False
    # The roles of its staff (moderators, admins, owner) by user id; None when not known
    # (a community projected before moderation kept them): then every role is looked up.
    staff: Mapping[str, int] | None = None

    def outranking(self, user_id: str) -> Standing | None:
        """`user_id`'s standing as far as rank against staff goes: their staff role, or, for
        anyone else (a member or not), a rank below every moderator. None if staff are not
        known."""
        if self.staff is None:
            return None
        return Standing(user_id, role=self.staff.get(user_id, NOT_A_MEMBER_ROLE))


@dataclass(frozen=True)
class Standing:
    """A user's position in one community: their role there, and whether they are a platform
    admin (who may do anything a community admin may, everywhere)."""

    user_id: str
    role: int = NOT_A_MEMBER_ROLE
    platform_admin: bool = False

    @property
    def is_member(self) -> bool:
        return self.role != NOT_A_MEMBER_ROLE

    @property
    def rank(self) -> int:
        role_rank = _RANK[self.role]
        if self.platform_admin:
            return max(role_rank, _RANK[membership_types.ROLE_ADMIN])
        return role_rank

    def at_least(self, role: int) -> bool:
        return self.rank >= _RANK[role]


def require_role(actor: Standing, role: int) -> None:
    """The actor holds `role` or above (a platform admin always does)."""
    if actor.at_least(role):
        return
    if not actor.is_member:
        raise PermissionDenied(reasons.NOT_A_MEMBER, "only members of the community may do this")
    name = Role.Name(role)
    raise PermissionDenied(
        reasons.ROLE_REQUIRED,
        f"needs {name} or above",
        metadata={reasons.METADATA_REQUIRED_ROLE: name},
    )


def require_moderator(actor: Standing) -> None:
    require_role(actor, membership_types.ROLE_MODERATOR)


def require_admin(actor: Standing) -> None:
    require_role(actor, membership_types.ROLE_ADMIN)


def require_acts_on(actor: Standing, target: Standing) -> None:
    """A moderator or above acting on `target`, who must rank lower than the actor."""
    require_moderator(actor)
    if target.rank >= actor.rank:
        raise PermissionDenied(
            reasons.ROLE_REQUIRED, "moderators act only on members of lower rank than their own"
        )


def require_platform_admin(actor: Standing) -> None:
    if not actor.platform_admin:
        raise PermissionDenied(reasons.PLATFORM_ADMIN_REQUIRED, "only platform admins may do this")


def require_reader(community: Community, actor: Standing) -> None:
    """Anyone signed in reads a public community; a private one needs membership."""
    if community.public or actor.is_member or actor.platform_admin:
        return
    raise PermissionDenied(reasons.NOT_A_MEMBER, "this community is private to its members")


def require_active(community: Community) -> None:
    """An archived community takes no new activity, moderation included."""
    if community.archived:
        raise FailedPrecondition(reasons.COMMUNITY_ARCHIVED, "the community is archived")
