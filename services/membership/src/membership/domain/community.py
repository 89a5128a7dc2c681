"""The `Community` aggregate: one event stream per community holding its settings, members
and roles, invitations, join requests and groups.

Commands check the rules of SPEC §4 and record events (the contract's protobuf messages);
state changes only by applying events, so loading a stream replays exactly what was decided.
Every command first records the expiry of invitations whose time has passed, so expiry is
written down the next time the community is touched and never races another writer.
Ids and the clock are passed in: the aggregate does no I/O and draws no randomness.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from community.membership.v1 import events_pb2 as ev
from community.membership.v1 import types_pb2 as types
from community_common.aggregate import EventSourced
from community_common.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
)
from community_contracts import reasons
from google.protobuf.message import Message

from membership.domain import roles
from membership.domain.limits import Limits

PENDING = types.INVITATION_STATUS_PENDING
ACCEPTED = types.INVITATION_STATUS_ACCEPTED
DECLINED = types.INVITATION_STATUS_DECLINED
REVOKED = types.INVITATION_STATUS_REVOKED
EXPIRED = types.INVITATION_STATUS_EXPIRED

REQUEST_PENDING = types.JOIN_REQUEST_STATUS_PENDING
REQUEST_APPROVED = types.JOIN_REQUEST_STATUS_APPROVED
REQUEST_REJECTED = types.JOIN_REQUEST_STATUS_REJECTED

SETTINGS = ("name", "description", "topics", "visibility", "join_policy")


@dataclass(frozen=True)
class Actor:
    """Who runs a command: a user, possibly a platform admin (a community admin everywhere)."""

    user_id: str
    is_platform_admin: bool = False


@dataclass
class Member:
    user_id: str
    role: int
    joined_at: datetime
    # The community version of their joining: orders members by when they joined.
    joined_version: int
    # Accepted invitations sent while holding a quota.
    invites_spent: int = 0
    group_ids: list[str] = field(default_factory=list)


@dataclass
class Invitation:
    invitation_id: str
    inviter_id: str
    invitee_id: str
    status: int
    created_at: datetime
    expires_at: datetime
    # True when it was sent by a ROLE_MEMBER, so it holds (then spends) one of their five.
    holds_quota: bool
    updated_at: datetime

    def status_at(self, now: datetime) -> int:
        """Expiry is a matter of time: a pending invitation past its expiry reads as expired
        even before InvitationExpired is recorded."""
        if self.status == PENDING and now >= self.expires_at:
            return EXPIRED
        return self.status


@dataclass
class JoinRequest:
    join_request_id: str
    user_id: str
    status: int
    created_at: datetime
    decided_at: datetime | None = None
    decided_by_id: str = ""


@dataclass
class Group:
    group_id: str
    name: str
    description: str
    creator_id: str
    created_at: datetime
    # user id -> when they joined, in order of joining.
    members: dict[str, datetime] = field(default_factory=dict)


class Community(EventSourced):
    """A community's whole membership state, rebuilt from its events."""

    def __init__(self, community_id: str) -> None:
        super().__init__()
        self.community_id = community_id
        self.name = ""
        self.description = ""
        self.topics: list[str] = []
        self.visibility = types.VISIBILITY_UNSPECIFIED
        self.join_policy = types.JOIN_POLICY_UNSPECIFIED
        self.owner_id = ""
        self.archived = False
        self.created_at: datetime | None = None
        self.updated_at: datetime | None = None
        self.members: dict[str, Member] = {}
        self.invitations: dict[str, Invitation] = {}
        self.join_requests: dict[str, JoinRequest] = {}
        self.groups: dict[str, Group] = {}
        # For each event the current command recorded, the time it happened when that is not
        # the command's (an invitation expired at its expiry).
        self.recorded_at: list[datetime | None] = []

    # --- reading ---------------------------------------------------------------------------

    @property
    def exists(self) -> bool:
        return self.version > 0

    @property
    def member_count(self) -> int:
        return len(self.members)

    @property
    def is_public(self) -> bool:
        return self.visibility == types.VISIBILITY_PUBLIC

    def role_of(self, user_id: str) -> int:
        member = self.members.get(user_id)
        return member.role if member else roles.NONE

    def rank_of(self, actor: Actor) -> int:
        """The role the actor acts with: their own, or admin for a platform admin."""
        role = self.role_of(actor.user_id)
        if actor.is_platform_admin and not roles.at_least(role, roles.ADMIN):
            return roles.ADMIN
        return role

    def has_unlimited_invites(self, user_id: str) -> bool:
        return roles.at_least(self.role_of(user_id), roles.MODERATOR)

    def invites_remaining(self, user_id: str, now: datetime, limits: Limits) -> int:
        member = self.members.get(user_id)
        if member is None:
            return 0
        held = sum(
            1
            for invitation in self.invitations.values()
            if invitation.inviter_id == user_id
            and invitation.holds_quota
            and invitation.status_at(now) == PENDING
        )
        return max(0, limits.invitations_per_member - member.invites_spent - held)

    def pending_invitation_for(self, user_id: str, now: datetime) -> Invitation | None:
        for invitation in self.invitations.values():
            if invitation.invitee_id == user_id and invitation.status_at(now) == PENDING:
                return invitation
        return None

    def can_read(self, actor: Actor, now: datetime) -> bool:
        """Public communities are readable by everyone signed in; private ones by members,
        platform admins and whoever holds a pending invitation to them."""
        return (
            self.is_public
            or self.rank_of(actor) != roles.NONE
            or self.pending_invitation_for(actor.user_id, now) is not None
        )

    def require_readable(self, actor: Actor, now: datetime) -> None:
        if not self.can_read(actor, now):
            raise PermissionDenied(reasons.NOT_A_MEMBER, "this community is private")

    def members_in_order(self, role: int = roles.NONE) -> list[Member]:
        """Highest role first, then in order of joining."""
        chosen = [m for m in self.members.values() if role in (roles.NONE, m.role)]
        return sorted(chosen, key=lambda m: (m.role, m.joined_version))

    # --- commands: the community -----------------------------------------------------------

    @classmethod
    def create(
        cls,
        community_id: str,
        owner_id: str,
        name: str,
        description: str,
        topics: Iterable[str],
        visibility: int,
        join_policy: int,
        now: datetime,
    ) -> Community:
        """A new community owned by its creator. (The per-owner limit is checked across
        communities, by the owner's slots; see owner_slots.py.)"""
        community = cls(community_id)
        community._record(
            ev.CommunityCreated(
                community_id=community_id,
                name=name,
                description=description,
                topics=list(topics),
                visibility=visibility,  # type: ignore[arg-type]
                join_policy=join_policy,  # type: ignore[arg-type]
                owner_id=owner_id,
            ),
            now,
        )
        return community

    def update(self, actor: Actor, changes: Mapping[str, Any], now: datetime) -> None:
        """Change settings (admin or above); `changes` maps setting names to new values."""
        self._begin(now)
        self.require_rank(actor, roles.ADMIN)
        self._require_active()
        unknown = set(changes) - set(SETTINGS)
        if unknown:
            raise ValueError(f"unknown settings {sorted(unknown)}")
        after = {name: getattr(self, name) for name in SETTINGS}
        after.update(changes)
        self._record(
            ev.CommunityUpdated(
                community_id=self.community_id,
                name=after["name"],
                description=after["description"],
                topics=list(after["topics"]),
                visibility=after["visibility"],
                join_policy=after["join_policy"],
                updated_fields=[name for name in SETTINGS if name in changes],
                actor_id=actor.user_id,
            ),
            now,
        )

    def archive(self, actor: Actor, now: datetime) -> None:
        """Owner only; frees the owner's creation slot."""
        self._begin(now)
        self._require_owner(actor)
        self._require_active()
        self._record(
            ev.CommunityArchived(
                community_id=self.community_id, owner_id=self.owner_id, actor_id=actor.user_id
            ),
            now,
        )

    # --- commands: joining ------------------------------------------------------------------

    def join(
        self, actor: Actor, join_request_id: str, banned: bool, now: datetime
    ) -> Member | JoinRequest:
        """Open: a member at once. Request: a pending join request. Invite-only: refused."""
        self._begin(now)
        if banned:
            raise PermissionDenied(reasons.MEMBER_BANNED, "you are banned from this community")
        self._require_active()
        if actor.user_id in self.members:
            raise FailedPrecondition(reasons.ALREADY_MEMBER, "you are already a member")
        if self.join_policy == types.JOIN_POLICY_INVITE_ONLY:
            raise FailedPrecondition(
                reasons.INVITATION_REQUIRED, "this community needs an invitation to join"
            )
        if self.join_policy == types.JOIN_POLICY_REQUEST:
            for request in self.join_requests.values():
                if request.user_id == actor.user_id and request.status == REQUEST_PENDING:
                    raise FailedPrecondition(
                        reasons.JOIN_REQUEST_ALREADY_PENDING, "your join request is pending"
                    )
            self._record(
                ev.JoinRequested(
                    community_id=self.community_id,
                    join_request_id=join_request_id,
                    user_id=actor.user_id,
                ),
                now,
            )
            return self.join_requests[join_request_id]
        self._record(
            ev.MemberJoined(
                community_id=self.community_id,
                user_id=actor.user_id,
                role=roles.MEMBER,
                method=types.JOIN_METHOD_OPEN,
            ),
            now,
        )
        return self.members[actor.user_id]

    def approve_join_request(
        self, actor: Actor, join_request_id: str, banned: bool, now: datetime
    ) -> Member:
        """A moderator or above lets the requester in (unless they are banned by now)."""
        self._begin(now)
        request = self._join_request(join_request_id)
        self.require_rank(actor, roles.MODERATOR)
        self._require_active()
        self._require_request_pending(request)
        if banned:
            raise PermissionDenied(reasons.MEMBER_BANNED, "the requester is banned")
        if request.user_id in self.members:
            raise FailedPrecondition(reasons.ALREADY_MEMBER, "the requester is already a member")
        self._record(
            ev.JoinRequestApproved(
                community_id=self.community_id,
                join_request_id=join_request_id,
                user_id=request.user_id,
                approver_id=actor.user_id,
            ),
            now,
        )
        self._record(
            ev.MemberJoined(
                community_id=self.community_id,
                user_id=request.user_id,
                role=roles.MEMBER,
                method=types.JOIN_METHOD_REQUEST_APPROVED,
                join_request_id=join_request_id,
                approver_id=actor.user_id,
            ),
            now,
        )
        return self.members[request.user_id]

    def reject_join_request(self, actor: Actor, join_request_id: str, now: datetime) -> None:
        self._begin(now)
        request = self._join_request(join_request_id)
        self.require_rank(actor, roles.MODERATOR)
        self._require_request_pending(request)
        self._record(
            ev.JoinRequestRejected(
                community_id=self.community_id,
                join_request_id=join_request_id,
                user_id=request.user_id,
                actor_id=actor.user_id,
            ),
            now,
        )

    # --- commands: invitations --------------------------------------------------------------

    def invite(
        self,
        actor: Actor,
        invitation_id: str,
        invitee_id: str,
        invitee_banned: bool,
        now: datetime,
        limits: Limits,
    ) -> Invitation:
        """Any member may invite; a ROLE_MEMBER spends from their five, moderators and above
        have no limit."""
        self._begin(now)
        if self.rank_of(actor) == roles.NONE:
            raise PermissionDenied(reasons.NOT_A_MEMBER, "only members can invite")
        self._require_active()
        if invitee_id in self.members:
            raise FailedPrecondition(reasons.ALREADY_MEMBER, "the invitee is already a member")
        if invitee_banned:
            raise FailedPrecondition(reasons.INVITEE_BANNED, "the invitee is banned here")
        if self.pending_invitation_for(invitee_id, now) is not None:
            raise FailedPrecondition(
                reasons.INVITATION_ALREADY_PENDING, "the invitee already has an invitation"
            )
        limited = self.role_of(actor.user_id) == roles.MEMBER
        if limited and self.invites_remaining(actor.user_id, now, limits) == 0:
            raise ResourceExhausted(
                reasons.INVITE_QUOTA_EXHAUSTED,
                f"members have {limits.invitations_per_member} invitations and all are in use",
                metadata={reasons.METADATA_LIMIT: str(limits.invitations_per_member)},
            )
        expires_at = now + limits.invitation_ttl
        sent = ev.InvitationSent(
            community_id=self.community_id,
            invitation_id=invitation_id,
            inviter_id=actor.user_id,
            invitee_id=invitee_id,
        )
        sent.expires_at.FromDatetime(expires_at)
        self._record(sent, now)
        return self.invitations[invitation_id]

    def accept_invitation(
        self, actor: Actor, invitation_id: str, banned: bool, now: datetime
    ) -> Member:
        self._begin(now)
        invitation = self._invitation(invitation_id)
        self._require_invitee(actor, invitation)
        if banned:
            raise PermissionDenied(reasons.MEMBER_BANNED, "you are banned from this community")
        self._require_active()
        self._require_invitation_pending(invitation, now)
        if actor.user_id in self.members:
            raise FailedPrecondition(reasons.ALREADY_MEMBER, "you are already a member")
        self._record(self._invitation_event(ev.InvitationAccepted, invitation), now)
        self._record(
            ev.MemberJoined(
                community_id=self.community_id,
                user_id=actor.user_id,
                role=roles.MEMBER,
                method=types.JOIN_METHOD_INVITATION,
                invitation_id=invitation_id,
                inviter_id=invitation.inviter_id,
            ),
            now,
        )
        return self.members[actor.user_id]

    def decline_invitation(self, actor: Actor, invitation_id: str, now: datetime) -> Invitation:
        self._begin(now)
        invitation = self._invitation(invitation_id)
        self._require_invitee(actor, invitation)
        self._require_invitation_pending(invitation, now)
        self._record(self._invitation_event(ev.InvitationDeclined, invitation), now)
        return invitation

    def revoke_invitation(self, actor: Actor, invitation_id: str, now: datetime) -> Invitation:
        """The inviter, or a moderator and above, withdraws a pending invitation."""
        self._begin(now)
        invitation = self._invitation(invitation_id)
        if actor.user_id != invitation.inviter_id:
            self.require_rank(actor, roles.MODERATOR)
        self._require_invitation_pending(invitation, now)
        revoked = self._invitation_event(ev.InvitationRevoked, invitation)
        revoked.revoker_id = actor.user_id
        self._record(revoked, now)
        return invitation

    # --- commands: leaving and roles --------------------------------------------------------

    def leave(self, actor: Actor, now: datetime) -> None:
        """The owner must hand the community over first."""
        self._begin(now)
        member = self._require_member(actor.user_id)
        if member.role == roles.OWNER:
            raise FailedPrecondition(
                reasons.OWNER_CANNOT_LEAVE, "transfer ownership before leaving"
            )
        self._revoke_invitations_sent_by(member.user_id, now)
        self._record(
            ev.MemberLeft(
                community_id=self.community_id,
                user_id=member.user_id,
                role=member.role,  # type: ignore[arg-type]
                group_ids=list(member.group_ids),
            ),
            now,
        )

    def remove_member(self, actor: Actor, user_id: str, reason: str, now: datetime) -> None:
        """A moderator or above removes a member of lower rank than their own."""
        self._begin(now)
        member = self._target_member(user_id)
        rank = self.rank_of(actor)
        self.require_rank(actor, roles.MODERATOR)
        if not roles.outranks(rank, member.role):
            raise PermissionDenied(
                reasons.ROLE_REQUIRED, "you can only remove members of lower rank than yours"
            )
        self._remove(member, types.REMOVAL_CAUSE_REMOVED, actor.user_id, reason, now)

    def remove_banned(self, user_id: str, actor_id: str, reason: str, now: datetime) -> bool:
        """Moderation banned the user: they lose the community (and its groups). False when
        there was nothing to do: not a member, or the owner (who cannot be removed)."""
        self._begin(now)
        member = self.members.get(user_id)
        if member is None or member.role == roles.OWNER:
            return bool(self.recorded)
        self._remove(member, types.REMOVAL_CAUSE_BANNED, actor_id, reason, now)
        return True

    def set_role(self, actor: Actor, user_id: str, role: int, now: datetime) -> Member:
        """Only to and from roles below the actor's own (so the owner appoints and dismisses
        admins, admins appoint and dismiss moderators)."""
        if role not in roles.ASSIGNABLE:
            raise InvalidArgument({"role": "must be ROLE_ADMIN, ROLE_MODERATOR or ROLE_MEMBER"})
        self._begin(now)
        member = self._target_member(user_id)
        rank = self.rank_of(actor)
        self.require_rank(actor, roles.MODERATOR)
        if not (roles.outranks(rank, member.role) and roles.outranks(rank, role)):
            raise PermissionDenied(
                reasons.ROLE_REQUIRED, "you can only change roles below your own, to roles below it"
            )
        self._require_active()
        if member.role != role:
            self._record(
                ev.MemberRoleChanged(
                    community_id=self.community_id,
                    user_id=user_id,
                    old_role=member.role,  # type: ignore[arg-type]
                    new_role=role,  # type: ignore[arg-type]
                    actor_id=actor.user_id,
                ),
                now,
            )
        return member

    def transfer_ownership(self, actor: Actor, new_owner_id: str, now: datetime) -> None:
        """Owner only, to another member; the old owner stays on as an admin. (Whether the new
        owner has a free creation slot is checked across communities, by their slots.)"""
        self._begin(now)
        self._require_owner(actor)
        self._require_active()
        new_owner = self.members.get(new_owner_id)
        if new_owner is None:
            raise FailedPrecondition(reasons.TARGET_NOT_A_MEMBER, "the new owner must be a member")
        if new_owner_id == self.owner_id:
            raise InvalidArgument({"new_owner_id": "is already the owner"})
        self._record(
            ev.OwnershipTransferred(
                community_id=self.community_id,
                previous_owner_id=self.owner_id,
                new_owner_id=new_owner_id,
                new_owner_previous_role=new_owner.role,  # type: ignore[arg-type]
            ),
            now,
        )

    # --- commands: groups -------------------------------------------------------------------

    def create_group(
        self,
        actor: Actor,
        group_id: str,
        name: str,
        description: str,
        now: datetime,
        limits: Limits,
    ) -> Group:
        self._begin(now)
        self.require_rank(actor, roles.ADMIN)
        self._require_active()
        if len(self.groups) >= limits.max_groups_per_community:
            raise FailedPrecondition(
                reasons.GROUP_LIMIT_REACHED,
                f"a community has at most {limits.max_groups_per_community} groups",
                metadata={reasons.METADATA_LIMIT: str(limits.max_groups_per_community)},
            )
        self._record(
            ev.GroupCreated(
                community_id=self.community_id,
                group_id=group_id,
                name=name,
                description=description,
                creator_id=actor.user_id,
            ),
            now,
        )
        return self.groups[group_id]

    def remove_group(self, actor: Actor, group_id: str, now: datetime) -> None:
        self._begin(now)
        self._group(group_id)
        self.require_rank(actor, roles.ADMIN)
        self._record(
            ev.GroupRemoved(
                community_id=self.community_id, group_id=group_id, actor_id=actor.user_id
            ),
            now,
        )

    def join_group(self, actor: Actor, group_id: str, now: datetime) -> Group:
        """Community members only."""
        self._begin(now)
        group = self._group(group_id)
        if actor.user_id not in self.members:
            raise PermissionDenied(reasons.NOT_A_MEMBER, "join the community first")
        self._require_active()
        self._add_to_group(group, actor.user_id, "", now)
        return group

    def leave_group(self, actor: Actor, group_id: str, now: datetime) -> None:
        self._begin(now)
        group = self._group(group_id)
        self._require_member(actor.user_id)
        if actor.user_id not in group.members:
            raise FailedPrecondition(reasons.NOT_A_GROUP_MEMBER, "you are not in this group")
        self._record(
            ev.GroupMemberLeft(
                community_id=self.community_id, group_id=group_id, user_id=actor.user_id
            ),
            now,
        )

    def add_group_member(self, actor: Actor, group_id: str, user_id: str, now: datetime) -> Group:
        """An admin or above adds a community member to a group."""
        self._begin(now)
        group = self._group(group_id)
        self.require_rank(actor, roles.ADMIN)
        self._require_active()
        if user_id not in self.members:
            raise FailedPrecondition(
                reasons.TARGET_NOT_A_MEMBER, "only community members can be in its groups"
            )
        self._add_to_group(group, user_id, actor.user_id, now)
        return group

    def expire_invitations(self, now: datetime) -> bool:
        """Record the expiry of every pending invitation past its time (each at its expiry);
        True if any."""
        self._begin(now)
        return bool(self.recorded)

    def next_invitation_expiry(self) -> datetime | None:
        """When the earliest pending invitation expires (the invitation timer's due time)."""
        return min(
            (i.expires_at for i in self.invitations.values() if i.status == PENDING),
            default=None,
        )

    # --- command helpers --------------------------------------------------------------------

    def _begin(self, now: datetime) -> None:
        if not self.exists:
            raise NotFound(
                "community not found",
                reason=reasons.COMMUNITY_NOT_FOUND,
                metadata={reasons.METADATA_RESOURCE_ID: self.community_id},
            )
        for invitation in list(self.invitations.values()):
            if invitation.status == PENDING and now >= invitation.expires_at:
                expired = self._invitation_event(ev.InvitationExpired, invitation)
                self._record(expired, now, occurred_at=invitation.expires_at)

    def _require_active(self) -> None:
        if self.archived:
            raise FailedPrecondition(reasons.COMMUNITY_ARCHIVED, "this community is archived")

    def require_rank(self, actor: Actor, lowest: int) -> None:
        rank = self.rank_of(actor)
        if rank == roles.NONE:
            raise PermissionDenied(reasons.NOT_A_MEMBER, "you are not a member")
        if not roles.at_least(rank, lowest):
            raise PermissionDenied(
                reasons.ROLE_REQUIRED,
                f"needs {types.Role.Name(lowest)} or above",  # type: ignore[arg-type]
                metadata={reasons.METADATA_REQUIRED_ROLE: types.Role.Name(lowest)},  # type: ignore[arg-type]
            )

    def _require_owner(self, actor: Actor) -> None:
        # A platform admin acts as an admin, never as the owner.
        if actor.user_id != self.owner_id:
            self.require_rank(actor, roles.OWNER)  # refuses: nobody else holds ROLE_OWNER

    def _require_member(self, user_id: str) -> Member:
        member = self.members.get(user_id)
        if member is None:
            raise PermissionDenied(reasons.NOT_A_MEMBER, "you are not a member")
        return member

    def _target_member(self, user_id: str) -> Member:
        member = self.members.get(user_id)
        if member is None:
            raise NotFound(
                "that user is not a member",
                reason=reasons.MEMBER_NOT_FOUND,
                metadata={reasons.METADATA_RESOURCE_ID: user_id},
            )
        return member

    def _invitation(self, invitation_id: str) -> Invitation:
        invitation = self.invitations.get(invitation_id)
        if invitation is None:
            raise NotFound(
                "invitation not found",
                reason=reasons.INVITATION_NOT_FOUND,
                metadata={reasons.METADATA_RESOURCE_ID: invitation_id},
            )
        return invitation

    def _join_request(self, join_request_id: str) -> JoinRequest:
        request = self.join_requests.get(join_request_id)
        if request is None:
            raise NotFound(
                "join request not found",
                reason=reasons.JOIN_REQUEST_NOT_FOUND,
                metadata={reasons.METADATA_RESOURCE_ID: join_request_id},
            )
        return request

    def _group(self, group_id: str) -> Group:
        group = self.groups.get(group_id)
        if group is None:
            raise NotFound(
                "group not found",
                reason=reasons.GROUP_NOT_FOUND,
                metadata={reasons.METADATA_RESOURCE_ID: group_id},
            )
        return group

    @staticmethod
    def _require_invitee(actor: Actor, invitation: Invitation) -> None:
        if actor.user_id != invitation.invitee_id:
            raise PermissionDenied(reasons.NOT_INVITEE, "this invitation is for someone else")

    @staticmethod
    def _require_invitation_pending(invitation: Invitation, now: datetime) -> None:
        status = invitation.status_at(now)
        if status != PENDING:
            raise FailedPrecondition(
                reasons.INVITATION_NOT_PENDING,
                f"the invitation is {types.InvitationStatus.Name(status)}",  # type: ignore[arg-type]
            )

    @staticmethod
    def _require_request_pending(request: JoinRequest) -> None:
        if request.status != REQUEST_PENDING:
            raise FailedPrecondition(
                reasons.JOIN_REQUEST_NOT_PENDING, "the join request was already decided"
            )

    def _invitation_event(self, kind: Callable[..., Message], invitation: Invitation) -> Any:
        return kind(
            community_id=self.community_id,
            invitation_id=invitation.invitation_id,
            inviter_id=invitation.inviter_id,
            invitee_id=invitation.invitee_id,
        )

    def _revoke_invitations_sent_by(self, user_id: str, now: datetime) -> None:
        for invitation in list(self.invitations.values()):
            if invitation.inviter_id == user_id and invitation.status == PENDING:
                self._record(self._invitation_event(ev.InvitationRevoked, invitation), now)

    def _remove(
        self, member: Member, cause: int, actor_id: str, reason: str, now: datetime
    ) -> None:
        self._revoke_invitations_sent_by(member.user_id, now)
        self._record(
            ev.MemberRemoved(
                community_id=self.community_id,
                user_id=member.user_id,
                role=member.role,  # type: ignore[arg-type]
                group_ids=list(member.group_ids),
                cause=cause,  # type: ignore[arg-type]
                actor_id=actor_id,
                reason=reason,
            ),
            now,
        )

    def _add_to_group(self, group: Group, user_id: str, added_by_id: str, now: datetime) -> None:
        if user_id in group.members:
            raise FailedPrecondition(reasons.ALREADY_GROUP_MEMBER, "already in this group")
        self._record(
            ev.GroupMemberJoined(
                community_id=self.community_id,
                group_id=group.group_id,
                user_id=user_id,
                added_by_id=added_by_id,
            ),
            now,
        )

    def _record(self, event: Message, now: datetime, occurred_at: datetime | None = None) -> None:
        self.record(event, occurred_at or now)
        self.recorded_at.append(occurred_at)

    # --- applying events --------------------------------------------------------------------

    # --- as the repository sees it (community_common.repository.Aggregate) --------------

    def snapshot(self) -> dict[str, Any]:
        # The mapping lives in membership.domain.snapshot, which imports this module.
        from membership.domain.snapshot import to_state

        return to_state(self)

    @classmethod
    def from_snapshot(cls, stream_id: str, version: int, state: dict[str, Any]) -> Community | None:
        from membership.domain.snapshot import from_state

        return from_state(state)

    def _on_CommunityCreated(self, e: ev.CommunityCreated, at: datetime) -> None:
        self._set_settings(e)
        self.owner_id = e.owner_id
        self.created_at = self.updated_at = at
        self.members[e.owner_id] = Member(e.owner_id, roles.OWNER, at, self.version)

    def _on_CommunityUpdated(self, e: ev.CommunityUpdated, at: datetime) -> None:
        self._set_settings(e)
        self.updated_at = at

    def _set_settings(self, e: Any) -> None:
        self.name = e.name
        self.description = e.description
        self.topics = list(e.topics)
        self.visibility = e.visibility
        self.join_policy = e.join_policy

    def _on_CommunityArchived(self, e: ev.CommunityArchived, at: datetime) -> None:
        self.archived = True
        self.updated_at = at

    def _on_MemberJoined(self, e: ev.MemberJoined, at: datetime) -> None:
        self.members[e.user_id] = Member(e.user_id, e.role, at, self.version)

    def _member_gone(self, e: ev.MemberLeft | ev.MemberRemoved, at: datetime) -> None:
        member = self.members.pop(e.user_id)
        for group_id in member.group_ids:
            self.groups[group_id].members.pop(e.user_id, None)

    _on_MemberLeft = _on_MemberRemoved = _member_gone

    def _on_MemberRoleChanged(self, e: ev.MemberRoleChanged, at: datetime) -> None:
        self.members[e.user_id].role = e.new_role

    def _on_OwnershipTransferred(self, e: ev.OwnershipTransferred, at: datetime) -> None:
        self.members[e.previous_owner_id].role = roles.ADMIN
        self.members[e.new_owner_id].role = roles.OWNER
        self.owner_id = e.new_owner_id

    def _on_InvitationSent(self, e: ev.InvitationSent, at: datetime) -> None:
        self.invitations[e.invitation_id] = Invitation(
            invitation_id=e.invitation_id,
            inviter_id=e.inviter_id,
            invitee_id=e.invitee_id,
            status=PENDING,
            created_at=at,
            expires_at=e.expires_at.ToDatetime(tzinfo=at.tzinfo),
            holds_quota=self.role_of(e.inviter_id) == roles.MEMBER,
            updated_at=at,
        )

    def _on_GroupCreated(self, e: ev.GroupCreated, at: datetime) -> None:
        group = Group(e.group_id, e.name, e.description, e.creator_id, at)
        self.groups[e.group_id] = group
        creator = self.members.get(e.creator_id)
        if creator is not None:  # a platform admin who is not a member creates no membership
            group.members[e.creator_id] = at
            creator.group_ids.append(e.group_id)

    def _on_GroupRemoved(self, e: ev.GroupRemoved, at: datetime) -> None:
        group = self.groups.pop(e.group_id)
        for user_id in group.members:
            self.members[user_id].group_ids.remove(e.group_id)

    def _on_GroupMemberJoined(self, e: ev.GroupMemberJoined, at: datetime) -> None:
        self.groups[e.group_id].members[e.user_id] = at
        self.members[e.user_id].group_ids.append(e.group_id)

    def _on_GroupMemberLeft(self, e: ev.GroupMemberLeft, at: datetime) -> None:
        self.groups[e.group_id].members.pop(e.user_id)
        self.members[e.user_id].group_ids.remove(e.group_id)

    def _on_JoinRequested(self, e: ev.JoinRequested, at: datetime) -> None:
        self.join_requests[e.join_request_id] = JoinRequest(
            e.join_request_id, e.user_id, REQUEST_PENDING, at
        )

    def _join_request_decided(
        self, e: ev.JoinRequestApproved | ev.JoinRequestRejected, at: datetime
    ) -> None:
        request = self.join_requests[e.join_request_id]
        if isinstance(e, ev.JoinRequestApproved):
            request.status, request.decided_by_id = REQUEST_APPROVED, e.approver_id
        else:
            request.status, request.decided_by_id = REQUEST_REJECTED, e.actor_id
        request.decided_at = at

    _on_JoinRequestApproved = _on_JoinRequestRejected = _join_request_decided

    def _invitation_ended(self, e: Any, at: datetime, status: int) -> None:
        """An invitation leaves PENDING; an accepted one spends the inviter's invitation."""
        invitation = self.invitations[e.invitation_id]
        invitation.status = status
        invitation.updated_at = at
        inviter = self.members.get(invitation.inviter_id)
        if status == ACCEPTED and invitation.holds_quota and inviter is not None:
            inviter.invites_spent += 1

    def _on_InvitationAccepted(self, e: ev.InvitationAccepted, at: datetime) -> None:
        self._invitation_ended(e, at, ACCEPTED)

    def _on_InvitationDeclined(self, e: ev.InvitationDeclined, at: datetime) -> None:
        self._invitation_ended(e, at, DECLINED)

    def _on_InvitationRevoked(self, e: ev.InvitationRevoked, at: datetime) -> None:
        self._invitation_ended(e, at, REVOKED)

    def _on_InvitationExpired(self, e: ev.InvitationExpired, at: datetime) -> None:
        self._invitation_ended(e, at, EXPIRED)


