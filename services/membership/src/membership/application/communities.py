"""Creating, reading, changing and archiving communities; discovery and "my communities"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from community.membership.v1 import membership_service_pb2 as api
from community_common.commands import run_once
from community_common.event_store import Commit, RequestKey
from community_contracts import reasons

from membership.application import messages, projection
from membership.application.paging import page
from membership.application.pipeline import (
    ACTION_CREATE_COMMUNITY,
    UseCases,
    consistency_token,
    new_community_id,
    not_found,
)
from membership.domain import roles
from membership.domain.community import Actor, Community


class Communities(UseCases):
    async def create_community(
        self,
        actor: Actor,
        name: str,
        description: str,
        topics: list[str],
        visibility: int,
        join_policy: int,
        request_id: str,
    ) -> api.CreateCommunityResponse:
        community_id = new_community_id(actor.user_id, request_id)

        async def command(
            key: RequestKey | None,
        ) -> tuple[api.CreateCommunityResponse, Commit | None]:
            now = self.clock()
            await self._require_unrestricted(actor.user_id, ACTION_CREATE_COMMUNITY, now)
            existing = await self.repository.load(Community, community_id)
            if existing.exists:
                # The id comes from the request id: a retry of a request that took effect
                # (run_once then answers with the first response).
                return self._created(existing, actor.user_id), None
            await self.ledger.claim(
                actor.user_id,
                community_id,
                now,
                self.limits.max_communities_per_user,
                lambda cid: self._standing(actor.user_id, cid),
            )
            created = Community.create(
                community_id,
                actor.user_id,
                name,
                description,
                topics,
                visibility,
                join_policy,
                now,
            )
            fresh = Community(community_id)

            async def respond(_: Commit) -> api.CreateCommunityResponse:
                return self._created(fresh, actor.user_id)  # the events applied as stored

            response, commit = await self.repository.save(
                community_id, fresh, created.recorded, key, respond
            )
            await self._project(fresh, created.recorded, commit.events)
            return response, commit

        return await run_once(
            self.store,
            RequestKey.of(actor.user_id, request_id, "CreateCommunity"),
            api.CreateCommunityResponse,
            command,
        )

    @staticmethod
    def _created(community: Community, owner_id: str) -> api.CreateCommunityResponse:
        return api.CreateCommunityResponse(
            community=messages.community(community, community.role_of(owner_id)),
            consistency_token=consistency_token(community.community_id, 1),
        )

    async def get_community(self, actor: Actor, community_id: str) -> api.GetCommunityResponse:
        community = await self._readable(actor, community_id)
        return api.GetCommunityResponse(
            community=messages.community(community, community.role_of(actor.user_id))
        )

    async def update_community(
        self, actor: Actor, community_id: str, changes: dict[str, Any], request_id: str
    ) -> api.UpdateCommunityResponse:
        async def decide(c: Community, now: datetime) -> None:
            c.update(actor, changes, now)

        return await self._command(
            community_id,
            RequestKey.of(actor.user_id, request_id, "UpdateCommunity"),
            api.UpdateCommunityResponse,
            decide,
            lambda c, _, token, now: api.UpdateCommunityResponse(
                community=messages.community(c, c.role_of(actor.user_id)),
                consistency_token=token,
            ),
            not_found(reasons.COMMUNITY_NOT_FOUND, community_id, "community"),
        )

    async def archive_community(
        self, actor: Actor, community_id: str, request_id: str
    ) -> api.ArchiveCommunityResponse:
        async def decide(c: Community, now: datetime) -> None:
            c.archive(actor, now)

        return await self._command(
            community_id,
            RequestKey.of(actor.user_id, request_id, "ArchiveCommunity"),
            api.ArchiveCommunityResponse,
            decide,
            lambda c, _, token, now: api.ArchiveCommunityResponse(
                community=messages.community(c, c.role_of(actor.user_id)),
                consistency_token=token,
            ),
            not_found(reasons.COMMUNITY_NOT_FOUND, community_id, "community"),
        )

    async def list_communities(
        self, actor: Actor, topic: str, query: str, page_size: int, page_token: str
    ) -> api.ListCommunitiesResponse:
        needle = query.casefold()
        found = [
            s
            for s in await self.read_models.public_summaries(topic)
            if not needle or needle in s["name"].casefold() or needle in s["description"].casefold()
        ]
        found.sort(key=lambda s: (-s["member_count"], s["_id"]))
        chosen, token = page(found, page_size, page_token, f"communities\0{topic}\0{needle}")
        mine = {m.community_id: m.role for m in await self._my_communities(actor.user_id)}
        return api.ListCommunitiesResponse(
            communities=[
                messages.community_from_summary(s, mine.get(s["_id"], roles.NONE)) for s in chosen
            ],
            next_page_token=token,
        )

    async def _my_communities(self, user_id: str) -> list[projection.MyCommunity]:
        return projection.memberships_of(await self.read_models.user_facts(user_id))

    async def list_my_communities(
        self, actor: Actor, page_size: int, page_token: str
    ) -> api.ListMyCommunitiesResponse:
        mine = await self._my_communities(actor.user_id)
        chosen, token = page(mine, page_size, page_token, "my-communities")
        summaries = await self.read_models.summaries_by_id([m.community_id for m in chosen])
        return api.ListMyCommunitiesResponse(
            communities=[
                messages.community_from_summary(summaries[m.community_id], m.role)
                for m in chosen
                if m.community_id in summaries
            ],
            next_page_token=token,
        )
