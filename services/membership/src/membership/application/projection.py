"""What the read models hold, as pure functions of the aggregate and of single events.

`user_facts` turns one event into facts about the users it concerns; `memberships_of` and
`invitations_of` fold a user's facts back into their current memberships and invitations.
Facts carry the community version they come from, so folding is idempotent and
order-independent: a fact written twice, or late, changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from community.membership.v1 import types_pb2 as types
from google.protobuf.message import Message

from membership.domain import roles
from membership.domain.community import Community

MEMBERSHIP = "membership"
INVITATION = "invitation"
_INVITATION_STATUS = {
    "InvitationAccepted": types.INVITATION_STATUS_ACCEPTED,
    "InvitationDeclined": types.INVITATION_STATUS_DECLINED,
    "InvitationRevoked": types.INVITATION_STATUS_REVOKED,
    "InvitationExpired": types.INVITATION_STATUS_EXPIRED,
}


def summary_of(community: Community, projected: int) -> dict[str, Any]:
    return {
        "_id": community.community_id,
        "name": community.name,
        "description": community.description,
        "topics": list(community.topics),
        "visibility": community.visibility,
        "join_policy": community.join_policy,
        "owner_id": community.owner_id,
        "member_count": community.member_count,
        "archived": community.archived,
        "created_at": community.created_at,
        "version": community.version,
        "projected": projected,
        # Discovery lists public, active communities only.
        "listed": community.is_public and not community.archived,
        # The invitation timer's due time (None: no pending invitation).
        "invitations_due_at": community.next_invitation_expiry(),
    }


# (user id, fact) for a user's chain in the user index.
UserFact = tuple[str, dict[str, Any]]


def user_facts(event: Message, version: int, at: datetime) -> list[UserFact]:
    """(user id, fact) for each user whose communities or invitations this event changes."""
    kind = event.DESCRIPTOR.name
    e: Any = event
    base = {"community_id": e.community_id, "version": version}

    def membership(role: int, joined: bool = False) -> dict[str, Any]:
        fact = {**base, "kind": MEMBERSHIP, "role": role}
        if joined:
            fact["joined_at"] = at
        return fact

    if kind == "CommunityCreated":
        return [(e.owner_id, membership(roles.OWNER, joined=True))]
    if kind == "MemberJoined":
        return [(e.user_id, membership(e.role, joined=True))]
    if kind in ("MemberLeft", "MemberRemoved"):
        return [(e.user_id, membership(roles.NONE))]
    if kind == "MemberRoleChanged":
        return [(e.user_id, membership(e.new_role))]
    if kind == "OwnershipTransferred":
        return [
            (e.previous_owner_id, membership(roles.ADMIN)),
            (e.new_owner_id, membership(roles.OWNER)),
        ]
    if kind == "InvitationSent":
        fact = {
            **base,
            "kind": INVITATION,
            "invitation_id": e.invitation_id,
            "inviter_id": e.inviter_id,
            "invitee_id": e.invitee_id,
            "status": types.INVITATION_STATUS_PENDING,
            "created_at": at,
            "expires_at": e.expires_at.ToDatetime(tzinfo=at.tzinfo),
        }
        return [(e.invitee_id, fact)]
    if kind in _INVITATION_STATUS:
        fact = {
            **base,
            "kind": INVITATION,
            "invitation_id": e.invitation_id,
            "status": _INVITATION_STATUS[kind],
        }
        return [(e.invitee_id, fact)]
    return []


@dataclass(frozen=True)
class MyCommunity:
    community_id: str
    role: int
    joined_at: datetime


def _by_version(facts: Iterable[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return sorted((f for f in facts if f["kind"] == kind), key=lambda f: f["version"])


def memberships_of(facts: Iterable[dict[str, Any]]) -> list[MyCommunity]:
    """The communities the user is a member of now, most recently joined first."""
    current: dict[str, MyCommunity | None] = {}
    for fact in _by_version(facts, MEMBERSHIP):
        cid = fact["community_id"]
        before = current.get(cid)
        if fact["role"] == roles.NONE:
            current[cid] = None
        elif "joined_at" in fact:
            current[cid] = MyCommunity(cid, fact["role"], fact["joined_at"])
        elif before is not None:
            current[cid] = MyCommunity(cid, fact["role"], before.joined_at)
    found = [m for m in current.values() if m is not None]
    return sorted(found, key=lambda m: (m.joined_at, m.community_id), reverse=True)


def invitations_of(facts: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The user's received invitations (as stored at sending, with the latest status),
    newest first."""
    current: dict[str, dict[str, Any]] = {}
    for fact in _by_version(facts, INVITATION):
        sent = current.get(fact["invitation_id"])
        if "created_at" in fact:
            current[fact["invitation_id"]] = dict(fact)
        elif sent is not None:
            sent["status"] = fact["status"]
    return sorted(
        current.values(), key=lambda i: (i["created_at"], i["invitation_id"]), reverse=True
    )
