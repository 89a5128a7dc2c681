"""The API's resource messages, built from the aggregate (or a read model summary)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from community.membership.v1 import membership_service_pb2 as api
from community.membership.v1 import types_pb2 as types

from membership.domain.community import Community, Group, Invitation, JoinRequest, Member
from membership.domain.limits import Limits


def _stamp(field: Any, moment: datetime | None) -> None:
    if moment is not None:
        field.FromDatetime(moment)


def community(c: Community, caller_role: int) -> api.Community:
    message = api.Community(
        community_id=c.community_id,
        name=c.name,
        description=c.description,
        topics=c.topics,
        visibility=c.visibility,  # type: ignore[arg-type]
        join_policy=c.join_policy,  # type: ignore[arg-type]
        owner_id=c.owner_id,
        member_count=c.member_count,
        archived=c.archived,
        caller_role=caller_role,  # type: ignore[arg-type]
    )
    _stamp(message.created_at, c.created_at)
    return message


def community_from_summary(summary: dict[str, Any], caller_role: int) -> api.Community:
    message = api.Community(
        community_id=summary["_id"],
        name=summary["name"],
        description=summary["description"],
        topics=summary["topics"],
        visibility=summary["visibility"],
        join_policy=summary["join_policy"],
        owner_id=summary["owner_id"],
        member_count=summary["member_count"],
        archived=summary["archived"],
        caller_role=caller_role,  # type: ignore[arg-type]
    )
    _stamp(message.created_at, summary.get("created_at"))
    return message


def membership(c: Community, m: Member, now: datetime, limits: Limits) -> api.Membership:
    unlimited = c.has_unlimited_invites(m.user_id)
    message = api.Membership(
        community_id=c.community_id,
        user_id=m.user_id,
        role=m.role,  # type: ignore[arg-type]
        invites_remaining=0 if unlimited else c.invites_remaining(m.user_id, now, limits),
        unlimited_invites=unlimited,
    )
    _stamp(message.joined_at, m.joined_at)
    return message


def invitation(community_id: str, i: Invitation, now: datetime) -> api.Invitation:
    message = api.Invitation(
        invitation_id=i.invitation_id,
        community_id=community_id,
        inviter_id=i.inviter_id,
        invitee_id=i.invitee_id,
        status=i.status_at(now),  # type: ignore[arg-type]
    )
    _stamp(message.created_at, i.created_at)
    _stamp(message.expires_at, i.expires_at)
    return message


def invitation_from_fact(fact: dict[str, Any], now: datetime) -> api.Invitation:
    status = fact["status"]
    expired = status == types.INVITATION_STATUS_PENDING and now >= fact["expires_at"]
    message = api.Invitation(
        invitation_id=fact["invitation_id"],
        community_id=fact["community_id"],
        inviter_id=fact["inviter_id"],
        invitee_id=fact["invitee_id"],
        status=types.INVITATION_STATUS_EXPIRED if expired else status,
    )
    _stamp(message.created_at, fact["created_at"])
    _stamp(message.expires_at, fact["expires_at"])
    return message


def join_request(community_id: str, r: JoinRequest) -> api.JoinRequest:
    message = api.JoinRequest(
        join_request_id=r.join_request_id,
        community_id=community_id,
        user_id=r.user_id,
        status=r.status,  # type: ignore[arg-type]
        decided_by_id=r.decided_by_id,
    )
    _stamp(message.created_at, r.created_at)
    _stamp(message.decided_at, r.decided_at)
    return message


def group(community_id: str, g: Group) -> api.Group:
    message = api.Group(
        group_id=g.group_id,
        community_id=community_id,
        name=g.name,
        description=g.description,
        creator_id=g.creator_id,
        member_count=len(g.members),
    )
    _stamp(message.created_at, g.created_at)
    return message


def group_member(community_id: str, g: Group, user_id: str) -> api.GroupMember:
    message = api.GroupMember(group_id=g.group_id, community_id=community_id, user_id=user_id)
    _stamp(message.joined_at, g.members[user_id])
    return message
