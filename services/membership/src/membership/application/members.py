"""Leaving, removing (and removing the banned), roles, ownership transfer, member lists."""

from __future__ import annotations

from datetime import datetime

from community.membership.v1 import membership_service_pb2 as api
from community_common.errors import PermissionDenied
from community_common.event_store import (
    RequestKey,
)
from community_contracts import reasons

from membership.application import messages
from membership.application.paging import page
from membership.application.pipeline import (
    UseCases,
    not_found,
)
from membership.domain import roles
from membership.domain.community import Actor, Community


class Members(UseCases):
    async def leave_community(
        self, actor: Actor, community_id: str, request_id: str
    ) -> api.LeaveCommunityResponse:
        async def decide(c: Community, now: datetime) -> None:
            c.leave(actor, now)

        return await self._command(
            community_id,
            RequestKey.of(actor.user_id, request_id, "LeaveCommunity"),
            api.LeaveCommunityResponse,
            decide,
            lambda c, _, token, now: api.LeaveCommunityResponse(consistency_token=token),
            not_found(reasons.COMMUNITY_NOT_FOUND, community_id, "community"),
        )

    async def remove_member(
        self, actor: Actor, community_id: str, user_id: str, reason: str, request_id: str
    ) -> api.RemoveMemberResponse:
        async def decide(c: Community, now: datetime) -> None:
            c.remove_member(actor, user_id, reason, now)

        return await self._command(
            community_id,
            RequestKey.of(actor.user_id, request_id, "RemoveMember"),
            api.RemoveMemberResponse,
            decide,
            lambda c, _, token, now: api.RemoveMemberResponse(consistency_token=token),
            not_found(reasons.COMMUNITY_NOT_FOUND, community_id, "community"),
        )

    async def set_member_role(
        self, actor: Actor, community_id: str, user_id: str, role: int, request_id: str
    ) -> api.SetMemberRoleResponse:
        async def decide(c: Community, now: datetime) -> None:
            c.set_role(actor, user_id, role, now)

        return await self._command(
            community_id,
            RequestKey.of(actor.user_id, request_id, "SetMemberRole"),
            api.SetMemberRoleResponse,
            decide,
            lambda c, _, token, now: api.SetMemberRoleResponse(
                membership=self._membership(c, user_id, now), consistency_token=token
            ),
            not_found(reasons.COMMUNITY_NOT_FOUND, community_id, "community"),
        )

    async def transfer_ownership(
        self, actor: Actor, community_id: str, new_owner_id: str, request_id: str
    ) -> api.TransferOwnershipResponse:
        async def decide(c: Community, now: datetime) -> None:
            c.transfer_ownership(actor, new_owner_id, now)
            # The new owner takes one of their creation slots before the transfer is stored.
            await self.ledger.claim(
                new_owner_id,
                community_id,
                now,
                self.limits.max_communities_per_user,
                lambda cid: self._standing(new_owner_id, cid),
            )

        return await self._command(
            community_id,
            RequestKey.of(actor.user_id, request_id, "TransferOwnership"),
            api.TransferOwnershipResponse,
            decide,
            lambda c, _, token, now: api.TransferOwnershipResponse(
                community=messages.community(c, c.role_of(actor.user_id)),
                consistency_token=token,
            ),
            not_found(reasons.COMMUNITY_NOT_FOUND, community_id, "community"),
        )

    async def get_membership(
        self, actor: Actor, community_id: str, user_id: str
    ) -> api.GetMembershipResponse:
        community = await self._existing(community_id)
        user_id = user_id or actor.user_id
        if user_id != actor.user_id and community.rank_of(actor) == roles.NONE:
            raise PermissionDenied(reasons.NOT_A_MEMBER, "only members can see memberships")
        if user_id not in community.members:
            raise not_found(reasons.MEMBER_NOT_FOUND, user_id, "membership")
        return api.GetMembershipResponse(
            membership=self._membership(community, user_id, self.clock())
        )

    async def list_members(
        self, actor: Actor, community_id: str, role: int, page_size: int, page_token: str
    ) -> api.ListMembersResponse:
        community = await self._readable(actor, community_id)
        now = self.clock()
        chosen, token = page(
            community.members_in_order(role),
            page_size,
            page_token,
            f"members\0{community_id}\0{role}",
        )
        return api.ListMembersResponse(
            members=[messages.membership(community, m, now, self.limits) for m in chosen],
            next_page_token=token,
        )
