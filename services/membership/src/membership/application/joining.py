"""Joining a community: open joins, and join requests an admin approves or rejects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from community.membership.v1 import membership_service_pb2 as api
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
from membership.domain import roles
from membership.domain.community import Actor, Community


class Joining(UseCases):
    async def join_community(
        self, actor: Actor, community_id: str, request_id: str
    ) -> api.JoinCommunityResponse:
        join_request_id = new_child_id(community_id, "r", actor.user_id, request_id)

        async def decide(c: Community, now: datetime) -> None:
            banned = await self.sanctions.is_banned(community_id, actor.user_id, now)
            c.join(actor, join_request_id, banned, now)

        def respond(c: Community, _: Any, token: str, now: datetime) -> api.JoinCommunityResponse:
            if actor.user_id in c.members:
                return api.JoinCommunityResponse(
                    membership=self._membership(c, actor.user_id, now), consistency_token=token
                )
            return api.JoinCommunityResponse(
                join_request=messages.join_request(
                    c.community_id, c.join_requests[join_request_id]
                ),
                consistency_token=token,
            )

        response = await self._command(
            community_id,
            RequestKey.of(actor.user_id, request_id, "JoinCommunity"),
            api.JoinCommunityResponse,
            decide,
            respond,
            not_found(reasons.COMMUNITY_NOT_FOUND, community_id, "community"),
        )
        if response.HasField("membership"):
            await self._remove_if_banned(community_id, actor.user_id)
        return response

    async def list_join_requests(
        self, actor: Actor, community_id: str, status: int, page_size: int, page_token: str
    ) -> api.ListJoinRequestsResponse:
        community = await self._existing(community_id)
        community.require_rank(actor, roles.MODERATOR)
        found = [r for r in community.join_requests.values() if status in (0, r.status)]
        chosen, token = page(
            found, page_size, page_token, f"join-requests\0{community_id}\0{status}"
        )
        return api.ListJoinRequestsResponse(
            join_requests=[messages.join_request(community_id, r) for r in chosen],
            next_page_token=token,
        )

    async def approve_join_request(
        self, actor: Actor, join_request_id: str, request_id: str
    ) -> api.ApproveJoinRequestResponse:
        community_id = community_of(join_request_id)

        async def decide(c: Community, now: datetime) -> None:
            request = c.join_requests.get(join_request_id)
            banned = request is not None and await self.sanctions.is_banned(
                community_id, request.user_id, now
            )
            c.approve_join_request(actor, join_request_id, banned, now)

        def respond(c: Community, _: Any, token: str, now: datetime) -> Any:
            request = c.join_requests[join_request_id]
            return api.ApproveJoinRequestResponse(
                join_request=messages.join_request(community_id, request),
                membership=self._membership(c, request.user_id, now),
                consistency_token=token,
            )

        response = await self._command(
            community_id,
            RequestKey.of(actor.user_id, request_id, "ApproveJoinRequest"),
            api.ApproveJoinRequestResponse,
            decide,
            respond,
            not_found(reasons.JOIN_REQUEST_NOT_FOUND, join_request_id, "join request"),
        )
        await self._remove_if_banned(community_id, response.membership.user_id)
        return response

    async def reject_join_request(
        self, actor: Actor, join_request_id: str, request_id: str
    ) -> api.RejectJoinRequestResponse:
        community_id = community_of(join_request_id)

        async def decide(c: Community, now: datetime) -> None:
            c.reject_join_request(actor, join_request_id, now)

        return await self._command(
            community_id,
            RequestKey.of(actor.user_id, request_id, "RejectJoinRequest"),
            api.RejectJoinRequestResponse,
            decide,
            lambda c, _, token, now: api.RejectJoinRequestResponse(
                join_request=messages.join_request(community_id, c.join_requests[join_request_id]),
                consistency_token=token,
            ),
            not_found(reasons.JOIN_REQUEST_NOT_FOUND, join_request_id, "join request"),
        )
