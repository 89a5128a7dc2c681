"""How membership and moderation events change what feed knows about communities and people.

Feed never asks the other services; it keeps its own copy of the facts it decides with, one
document per fact, each changed only by the event consumer. Every function here takes the
current document (or None) and the event's `ce_sequence`, and returns the new document, or
None when that event was already applied to it: each document marks the last sequence of its
stream applied to it (community_common.projection, the one rule), so a redelivered event
changes nothing (SPEC §2 "Delivery").

Sequences: membership events are versions of the community's stream, moderation sanctions of
the community's sanctions stream, restrictions of the user's stream, removals of the post's
stream; events of one stream arrive in order because they share the Kafka key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from community.membership.v1 import events_pb2 as mem
from community.membership.v1.types_pb2 import Role
from community.moderation.v1 import events_pb2 as mod
from community_common.projection import is_new, with_applied
from google.protobuf.message import Message

Doc = dict[str, Any]

NOT_A_MEMBER = Role.ROLE_UNSPECIFIED


# --- membership ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberChange:
    """What one event does to one user's membership of the community."""

    user_id: str
    role: int | None = None  # the new role (NOT_A_MEMBER when they are gone); None = same
    join_group: str = ""
    leave_group: str = ""


def member_changes(event: Message) -> list[MemberChange]:
    if isinstance(event, mem.CommunityCreated):
        return [MemberChange(event.owner_id, role=Role.ROLE_OWNER)]
    if isinstance(event, mem.MemberJoined):
        return [MemberChange(event.user_id, role=event.role or Role.ROLE_MEMBER)]
    if isinstance(event, mem.MemberLeft | mem.MemberRemoved):
        return [MemberChange(event.user_id, role=NOT_A_MEMBER)]
    if isinstance(event, mem.MemberRoleChanged):
        return [MemberChange(event.user_id, role=event.new_role)]
    if isinstance(event, mem.OwnershipTransferred):
        return [
            MemberChange(event.previous_owner_id, role=Role.ROLE_ADMIN),
            MemberChange(event.new_owner_id, role=Role.ROLE_OWNER),
        ]
    if isinstance(event, mem.GroupCreated):
        return [MemberChange(event.creator_id, join_group=event.group_id)]
    if isinstance(event, mem.GroupMemberJoined):
        return [MemberChange(event.user_id, join_group=event.group_id)]
    if isinstance(event, mem.GroupMemberLeft):
        return [MemberChange(event.user_id, leave_group=event.group_id)]
    return []


def member_after(
    doc: Doc | None, community_id: str, change: MemberChange, sequence: int
) -> Doc | None:
    if not is_new(doc, community_id, sequence):
        return None
    new: Doc = (
        dict(doc)
        if doc
        else {
            "community_id": community_id,
            "user_id": change.user_id,
            "role": NOT_A_MEMBER,
            "groups": [],
        }
    )
    groups: list[str] = list(new["groups"])
    if change.role is not None:
        new["role"] = change.role
        if change.role == NOT_A_MEMBER:
            # Leaving or losing the community ends every group membership in the same write.
            groups = []
    if change.join_group and change.join_group not in groups:
        groups.append(change.join_group)
    if change.leave_group in groups:
        groups.remove(change.leave_group)
    new["groups"] = groups
    return with_applied(new, community_id, sequence)


def community_after(
    doc: Doc | None, community_id: str, event: Message, sequence: int
) -> Doc | None:
    """Every membership event moves the community's version (what consistency tokens wait
    for), whether or not it changes a fact feed keeps."""
    if not is_new(doc, community_id, sequence):
        return None
    new: Doc = (
        dict(doc)
        if doc
        else {
            "exists": False,
            "archived": False,
            "visibility": 0,
            "groups": [],
        }
    )
    groups: list[str] = list(new["groups"])
    if isinstance(event, mem.CommunityCreated | mem.CommunityUpdated):
        new["exists"] = True
        new["visibility"] = event.visibility
    elif isinstance(event, mem.CommunityArchived):
        new["archived"] = True
    elif isinstance(event, mem.GroupCreated) and event.group_id not in groups:
        groups.append(event.group_id)
    elif isinstance(event, mem.GroupRemoved) and event.group_id in groups:
        groups.remove(event.group_id)
    new["groups"] = groups
    return with_applied(new, community_id, sequence)


def community_facts(doc: Doc | None) -> Doc:
    """What a decision needs of a community, as copied into its member documents."""
    doc = doc or {}
    return {
        "exists": bool(doc.get("exists", False)),
        "archived": bool(doc.get("archived", False)),
        "visibility": int(doc.get("visibility", 0)),
        "groups": list(doc.get("groups", [])),
    }


# --- moderation ---------------------------------------------------------------------------


def _expiry(event: Any) -> datetime | None:
    return event.expires_at.ToDatetime(tzinfo=UTC) if event.HasField("expires_at") else None


def sanctions_after(doc: Doc | None, event: Message, sequence: int) -> Doc | None:
    """A user's mute and ban in one community (from the community's sanctions stream)."""
    subject = event.community_id  # type: ignore[attr-defined]
    if not is_new(doc, subject, sequence):
        return None
    new: Doc = dict(doc) if doc else {"muted_until": None, "banned": False, "banned_until": None}
    if isinstance(event, mod.MemberMuted):
        new["muted_until"] = _expiry(event)
    elif isinstance(event, mod.MemberUnmuted):
        new["muted_until"] = None
    elif isinstance(event, mod.MemberBanned):
        new["banned"] = True
        new["banned_until"] = _expiry(event)
    elif isinstance(event, mod.MemberUnbanned):
        new["banned"] = False
        new["banned_until"] = None
    return with_applied(new, subject, sequence)


def restrictions_after(doc: Doc | None, event: Message, sequence: int) -> Doc | None:
    """A user's platform restrictions: action number (as text, a BSON key) -> expiry."""
    subject = event.user_id  # type: ignore[attr-defined]
    if not is_new(doc, subject, sequence):
        return None
    new: Doc = dict(doc) if doc else {"actions": {}}
    actions = dict(new["actions"])
    if isinstance(event, mod.UserRestricted):
        until = _expiry(event)
        for action in event.actions:
            actions[str(action)] = until
    elif isinstance(event, mod.RestrictionLifted):
        for action in event.actions:
            actions.pop(str(action), None)
    new["actions"] = actions
    return with_applied(new, subject, sequence)


def removals_after(doc: Doc | None, event: Message, sequence: int) -> Doc | None:
    """Whether a post, and which of its comments, moderation removed."""
    subject = event.post_id  # type: ignore[attr-defined]
    if not is_new(doc, subject, sequence):
        return None
    new: Doc = dict(doc) if doc else {"post_removed": False, "removed_comments": []}
    comments: list[str] = list(new["removed_comments"])
    if isinstance(event, mod.ContentRemoved | mod.ContentRestored):
        removed = isinstance(event, mod.ContentRemoved)
        if event.comment_id:
            if removed and event.comment_id not in comments:
                comments.append(event.comment_id)
            elif not removed and event.comment_id in comments:
                comments.remove(event.comment_id)
        else:
            new["post_removed"] = removed
    new["removed_comments"] = comments
    return with_applied(new, subject, sequence)


SANCTION_EVENTS = (mod.MemberMuted, mod.MemberUnmuted, mod.MemberBanned, mod.MemberUnbanned)
RESTRICTION_EVENTS = (mod.UserRestricted, mod.RestrictionLifted)
REMOVAL_EVENTS = (mod.ContentRemoved, mod.ContentRestored)
