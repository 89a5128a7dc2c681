"""What a command needs to know before it decides: the community, who is who in it, the
content acted on, each a fact moderation learns from membership's and feed's events.

Those facts arrive by events, a moment after the other service wrote them. A request carrying
a `consistency_token` first waits (at most 2 s) for membership's events up to it; a community
or content id not seen yet is waited for briefly (ARRIVAL_WAIT_S) before it is NOT_FOUND, so
a client reporting the post it has just created is not refused for our lag.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from community_common.consistency import ConsistencyGate
from community_common.context import Caller
from community_common.errors import NotFound
from community_contracts import reasons

from moderation.adapters.content_view import ContentView
from moderation.adapters.membership_view import MembershipView
from moderation.domain.content import Content
from moderation.domain.standing import Community, Standing

T = TypeVar("T")

POLL_S = 0.02


@dataclass
class Lookups:
    members: MembershipView
    content: ContentView
    gate: ConsistencyGate
    arrival_wait_s: float = 2.0

    async def catch_up(self, consistency_token: str, *, community_id: str = "") -> None:
        await self.gate.wait_for(consistency_token, community_id=community_id)

    async def community(self, community_id: str) -> Community:
        found = await self._arrival(lambda: self.members.community(community_id))
        if found is None:
            raise NotFound(
                "community not found",
                reason=reasons.COMMUNITY_NOT_FOUND,
                metadata={reasons.METADATA_RESOURCE_ID: community_id},
            )
        return found

    async def standing(
        self, community: Community, user_id: str, platform_admin: bool = False
    ) -> Standing:
        """A user's exact standing: a staff member's role comes with the community, anyone
        else's is read."""
        if community.staff is not None and user_id in community.staff:
            return Standing(user_id, community.staff[user_id], platform_admin)
        return await self.members.standing(community.community_id, user_id, platform_admin)

    async def caller_standing(self, community: Community, caller: Caller) -> Standing:
        return await self.standing(community, caller.user_id, caller.is_platform_admin)

    async def target_standing(self, community: Community, user_id: str) -> Standing:
        """The standing of a user a moderator or above acts on, where only rank matters: a
        user who is not staff ranks below every moderator, member or not, so nothing is read
        unless the community's staff are not known."""
        return community.outranking(user_id) or await self.standing(community, user_id)

    async def post(self, post_id: str) -> Content:
        found = await self._arrival(lambda: self.content.post(post_id))
        if found is None:
            raise NotFound(
                "post not found",
                reason=reasons.POST_NOT_FOUND,
                metadata={reasons.METADATA_RESOURCE_ID: post_id},
            )
        return found

    async def comment(self, comment_id: str) -> Content:
        found = await self._arrival(lambda: self.content.comment(comment_id))
        if found is None:
            raise NotFound(
                "comment not found",
                reason=reasons.COMMENT_NOT_FOUND,
                metadata={reasons.METADATA_RESOURCE_ID: comment_id},
            )
        return found

    async def _arrival(self, find: Callable[[], Awaitable[T | None]]) -> T | None:
        deadline = time.monotonic() + self.arrival_wait_s
        while True:
            found = await find()
            if found is not None or time.monotonic() >= deadline:
                return found
            # Polling by _id: the fact comes from another service's event, nothing to await.
            await asyncio.sleep(POLL_S)
