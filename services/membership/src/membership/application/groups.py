"""Groups inside a community: creating, removing, joining, leaving, listing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from community.membership.v1 import membership_service_pb2 as api
from community_common.errors import NotFound
from community_common.event_store import (
    RequestKey,
)
from community_contracts import reasons

from membership.application import messages
from membership.application.paging import page
from membership.application.pipeline import (
    UseCases,
    community_of,
    new_child_id,
    not_found,
)
from membership.domain.community import Actor, Community


class Groups(UseCases):
    async def create_group(
        self, actor: Actor, community_id: str, name: str, description: str, request_id: str
    ) -> api.CreateGroupResponse:
        group_id = new_child_id(community_id, "g", actor.user_id, request_id)

        async def decide(c: Community, now: datetime) -> None:
            if group_id not in c.groups:  # else a retry of a create that was half done
                c.create_group(actor, group_id, name, description, now, self.limits)

        return await self._command(
            community_id,
            RequestKey.of(actor.user_id, request_id, "CreateGroup"),
            api.CreateGroupResponse,
            decide,
            lambda c, _, token, now: api.CreateGroupResponse(
                group=messages.group(community_id, c.groups[group_id]), consistency_token=token
            ),
            not_found(reasons.COMMUNITY_NOT_FOUND, community_id, "community"),
        )

    def _group_missing(self, group_id: str) -> NotFound:
        return not_found(reasons.GROUP_NOT_FOUND, group_id, "group")

    async def remove_group(
        self, actor: Actor, group_id: str, request_id: str
    ) -> api.RemoveGroupResponse:
        async def decide(c: Community, now: datetime) -> None:
            c.remove_group(actor, group_id, now)

        return await self._command(
            community_of(group_id),
            RequestKey.of(actor.user_id, request_id, "RemoveGroup"),
            api.RemoveGroupResponse,
            decide,
            lambda c, _, token, now: api.RemoveGroupResponse(consistency_token=token),
            self._group_missing(group_id),
        )

    async def join_group(
        self, actor: Actor, group_id: str, request_id: str
    ) -> api.JoinGroupResponse:
        return await self._group_membership(actor, group_id, actor.user_id, request_id)

    async def add_group_member(
        self, actor: Actor, group_id: str, user_id: str, request_id: str
    ) -> api.AddGroupMemberResponse:
        return await self._group_membership(actor, group_id, user_id, request_id)

    async def _group_membership(
        self, actor: Actor, group_id: str, user_id: str, request_id: str
    ) -> Any:
        joining = user_id == actor.user_id
        operation = "JoinGroup" if joining else "AddGroupMember"
        response_type = api.JoinGroupResponse if joining else api.AddGroupMemberResponse
        community_id = community_of(group_id)

        async def decide(c: Community, now: datetime) -> None:
            if joining:
                c.join_group(actor, group_id, now)
            else:
                c.add_group_member(actor, group_id, user_id, now)

        return await self._command(
            community_id,
            RequestKey.of(actor.user_id, request_id, operation),
            response_type,  # type: ignore[arg-type]
            decide,
            lambda c, _, token, now: response_type(
                group_member=messages.group_member(community_id, c.groups[group_id], user_id),
                consistency_token=token,
            ),
            self._group_missing(group_id),
        )

    async def leave_group(
        self, actor: Actor, group_id: str, request_id: str
    ) -> api.LeaveGroupResponse:
        async def decide(c: Community, now: datetime) -> None:
            c.leave_group(actor, group_id, now)

        return await self._command(
            community_of(group_id),
            RequestKey.of(actor.user_id, request_id, "LeaveGroup"),
            api.LeaveGroupResponse,
            decide,
            lambda c, _, token, now: api.LeaveGroupResponse(consistency_token=token),
            self._group_missing(group_id),
        )

    async def list_groups(
        self, actor: Actor, community_id: str, page_size: int, page_token: str
    ) -> api.ListGroupsResponse:
        community = await self._readable(actor, community_id)
        chosen, token = page(
            list(community.groups.values()), page_size, page_token, f"groups\0{community_id}"
        )
        return api.ListGroupsResponse(
            groups=[messages.group(community_id, g) for g in chosen], next_page_token=token
        )

    async def list_group_members(
        self, actor: Actor, group_id: str, page_size: int, page_token: str
    ) -> api.ListGroupMembersResponse:
        community = await self.repository.load(Community, community_of(group_id))
        group = community.groups.get(group_id)
        if group is None:
            raise self._group_missing(group_id)
        community.require_readable(actor, self.clock())
        chosen, token = page(list(group.members), page_size, page_token, f"group\0{group_id}")
        return api.ListGroupMembersResponse(
            members=[messages.group_member(community.community_id, group, u) for u in chosen],
            next_page_token=token,
        )
