"""A community's state as a plain document (for event store snapshots) and back."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from membership.domain.community import Community, Group, Invitation, JoinRequest, Member

# Bump when the shape changes: older snapshots are then ignored and the stream replayed.
SHAPE = 2


def to_state(community: Community) -> dict[str, Any]:
    return {
        "shape": SHAPE,
        "community_id": community.community_id,
        "version": community.version,
        "name": community.name,
        "description": community.description,
        "topics": list(community.topics),
        "visibility": community.visibility,
        "join_policy": community.join_policy,
        "owner_id": community.owner_id,
        "archived": community.archived,
        "created_at": community.created_at,
        "updated_at": community.updated_at,
        "members": [asdict(m) for m in community.members.values()],
        "invitations": [asdict(i) for i in community.invitations.values()],
        "join_requests": [asdict(r) for r in community.join_requests.values()],
        # Group members in the order of joining, as documents: MongoDB-protocol servers such
        # as FerretDB refuse nested arrays.
        "groups": [
            {**asdict(g), "members": [{"user_id": u, "at": at} for u, at in g.members.items()]}
            for g in community.groups.values()
        ],
    }


def from_state(state: dict[str, Any]) -> Community | None:
    """The community a snapshot holds; None for a snapshot of an older shape."""
    if state.get("shape") != SHAPE:
        return None
    community = Community(state["community_id"])
    community.version = state["version"]
    community.name = state["name"]
    community.description = state["description"]
    community.topics = list(state["topics"])
    community.visibility = state["visibility"]
    community.join_policy = state["join_policy"]
    community.owner_id = state["owner_id"]
    community.archived = state["archived"]
    community.created_at = state["created_at"]
    community.updated_at = state["updated_at"]
    community.members = {m["user_id"]: Member(**m) for m in state["members"]}
    community.invitations = {i["invitation_id"]: Invitation(**i) for i in state["invitations"]}
    community.join_requests = {
        r["join_request_id"]: JoinRequest(**r) for r in state["join_requests"]
    }
    community.groups = {}
    for g in state["groups"]:
        fields = {k: v for k, v in g.items() if k != "members"}
        members: dict[str, datetime] = {m["user_id"]: m["at"] for m in g["members"]}
        community.groups[g["group_id"]] = Group(**fields, members=members)
    return community
