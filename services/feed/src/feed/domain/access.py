"""Who may read and who may take part, decided from what feed has learnt from events.

`Standing` gathers the facts about one user in one community (their role and groups from
membership events, their mute and ban from moderation events, their platform restrictions)
and answers the questions the feed's commands ask, raising the refusal SPEC §3/§5 names.
Expiries are compared with `now`, so a mute ends by itself without a later event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from community.membership.v1.types_pb2 import Role, Visibility
from community.moderation.v1.types_pb2 import Action
from community_common.errors import FailedPrecondition, NotFound, PermissionDenied
from community_contracts import reasons

from feed.domain.time import format_time

NOT_A_MEMBER_ROLE = Role.ROLE_UNSPECIFIED

# Role numbers grow downwards (ROLE_OWNER = 1 ... ROLE_MEMBER = 4); this is their rank.
_RANK = {
    Role.ROLE_OWNER: 4,
    Role.ROLE_ADMIN: 3,
    Role.ROLE_MODERATOR: 2,
    Role.ROLE_MEMBER: 1,
}


def rank(role: int) -> int:
    return _RANK.get(role, 0)  # type: ignore[call-overload]


@dataclass(frozen=True)
class CommunityFacts:
    """A community as feed knows it from membership events."""

    community_id: str
    exists: bool = False
    archived: bool = False
    visibility: int = Visibility.VISIBILITY_PUBLIC
    # Groups currently in the community.
    groups: frozenset[str] = frozenset()

    @property
    def public(self) -> bool:
        return self.visibility != Visibility.VISIBILITY_PRIVATE


@dataclass(frozen=True)
class Sanctions:
    """A user's mute and ban in one community; `None` expiry on a ban means permanent."""

    muted_until: datetime | None = None
    banned: bool = False
    banned_until: datetime | None = None

    def muted(self, now: datetime) -> bool:
        return self.muted_until is not None and now < self.muted_until

    def banned_now(self, now: datetime) -> bool:
        return self.banned and (self.banned_until is None or now < self.banned_until)


@dataclass(frozen=True)
class Standing:
    """One user's standing in one community."""

    user_id: str
    community: CommunityFacts
    role: int = NOT_A_MEMBER_ROLE
    groups: frozenset[str] = frozenset()
    sanctions: Sanctions = field(default_factory=Sanctions)
    # Platform restrictions: Action -> when it ends.
    restrictions: Mapping[int, datetime] = field(default_factory=dict)
    is_platform_admin: bool = False

    @property
    def effective_rank(self) -> int:
        # A platform admin may do anything a community admin may, in every community.
        own = rank(self.role)
        return max(own, rank(Role.ROLE_ADMIN)) if self.is_platform_admin else own

    @property
    def is_member(self) -> bool:
        return self.role != NOT_A_MEMBER_ROLE or self.is_platform_admin

    @property
    def is_moderator(self) -> bool:
        return self.effective_rank >= rank(Role.ROLE_MODERATOR)

    def in_group(self, group_id: str) -> bool:
        return group_id in self.groups and group_id in self.community.groups

    def require_community(self) -> None:
        if not self.community.exists:
            raise NotFound(
                f"community {self.community.community_id} not found",
                reason=reasons.COMMUNITY_NOT_FOUND,
                metadata={reasons.METADATA_RESOURCE_ID: self.community.community_id},
            )

    def require_group(self, group_id: str) -> None:
        if group_id and group_id not in self.community.groups:
            raise NotFound(
                f"group {group_id} not found",
                reason=reasons.GROUP_NOT_FOUND,
                metadata={reasons.METADATA_RESOURCE_ID: group_id},
            )

    def may_read(self, group_id: str) -> bool:
        if self.is_moderator:
            return True
        if group_id:
            return self.is_member and self.in_group(group_id)
        return self.community.public or self.is_member

    def require_read(self, group_id: str) -> None:
        if not self.may_read(group_id):
            raise PermissionDenied(
                reasons.NOT_A_MEMBER,
                "only members of this group can read it"
                if group_id
                else "only members can read this community",
            )

    def require_participation(self, action: int, group_id: str, now: datetime) -> None:
        """Membership (of the group too, for group content), no ban, no mute, no restriction.

        `Action.ACTION_UNSPECIFIED` is watching a live session: membership and no ban only.
        """
        if self.sanctions.banned_now(now):
            raise PermissionDenied(
                reasons.MEMBER_BANNED,
                "you are banned from this community",
                metadata=_expiry(self.sanctions.banned_until),
            )
        if not self.is_member:
            raise PermissionDenied(reasons.NOT_A_MEMBER, "only members can take part")
        if group_id and not self.in_group(group_id):
            raise PermissionDenied(reasons.NOT_A_MEMBER, "only group members can take part")
        if action == Action.ACTION_UNSPECIFIED:
            return
        if self.sanctions.muted(now):
            raise PermissionDenied(
                reasons.MEMBER_MUTED,
                "you are muted in this community",
                metadata=_expiry(self.sanctions.muted_until),
            )
        until = self.restrictions.get(action)
        if until is not None and now < until:
            name = Action.Name(action)  # type: ignore[arg-type]
            raise PermissionDenied(
                reasons.USER_RESTRICTED,
                f"you are restricted from {name} on this platform",
                metadata={**_expiry(until), reasons.METADATA_ACTION: name},
            )
        if self.community.archived:
            raise FailedPrecondition(reasons.COMMUNITY_ARCHIVED, "the community is archived")

    def require_role(self, lowest: int) -> None:
        # SPEC §3: ROLE_REQUIRED is a member whose role is too low; a non-member is told so.
        if not self.is_member:
            raise PermissionDenied(reasons.NOT_A_MEMBER, "you are not a member of this community")
        if self.effective_rank < rank(lowest):
            raise PermissionDenied(
                reasons.ROLE_REQUIRED,
                f"needs {Role.Name(lowest)} or above",  # type: ignore[arg-type]
                metadata={reasons.METADATA_REQUIRED_ROLE: Role.Name(lowest)},  # type: ignore[arg-type]
            )


def _expiry(until: datetime | None) -> dict[str, str]:
    return {reasons.METADATA_EXPIRES_AT: format_time(until)} if until is not None else {}
