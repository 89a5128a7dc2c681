"""Mutes and bans of a community's members."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from community.moderation.v1 import moderation_service_pb2 as api
from community_common.commands import run_request
from community_common.context import Caller
from community_common.event_store import (
    Commit,
    RequestKey,
)

from moderation.application.pipeline import (
    UseCases,
    duration_of,
    reason_violations,
)
from moderation.domain import standing, validation
from moderation.domain.times import timestamp


class Sanctions(UseCases):
    async def mute_member(
        self, caller: Caller, request: api.MuteMemberRequest
    ) -> api.MuteMemberResponse:
        duration = duration_of(request)
        self._check_member_request(request)
        validation.check(validation.mute_duration("duration", duration))
        assert duration is not None
        await self.lookups.catch_up(request.consistency_token, community_id=request.community_id)

        async def command(key: RequestKey | None) -> tuple[api.MuteMemberResponse, Commit | None]:
            await self._require_acts_on_member(caller, request.community_id, request.user_id)
            return await self._sanction(
                request.community_id,
                lambda s, now: s.mute(
                    request.user_id, duration, now, actor_id=caller.user_id, reason=request.reason
                ),
                key,
                lambda expires_at: api.MuteMemberResponse(expires_at=timestamp(expires_at)),
            )

        return await run_request(
            self.store, caller, request.request_id, "MuteMember", api.MuteMemberResponse, command
        )

    async def unmute_member(
        self, caller: Caller, request: api.UnmuteMemberRequest
    ) -> api.UnmuteMemberResponse:
        self._check_member_request(request)
        await self.lookups.catch_up(request.consistency_token, community_id=request.community_id)

        async def command(
            key: RequestKey | None,
        ) -> tuple[api.UnmuteMemberResponse, Commit | None]:
            await self._require_acts_on_member(caller, request.community_id, request.user_id)
            return await self._sanction(
                request.community_id,
                lambda s, now: s.unmute(request.user_id, caller.user_id, request.reason, now),
                key,
                lambda _: api.UnmuteMemberResponse(),
            )

        return await run_request(
            self.store,
            caller,
            request.request_id,
            "UnmuteMember",
            api.UnmuteMemberResponse,
            command,
        )

    async def ban_member(
        self, caller: Caller, request: api.BanMemberRequest
    ) -> api.BanMemberResponse:
        duration = duration_of(request)
        self._check_member_request(request)
        validation.check(validation.positive_duration("duration", duration))
        await self.lookups.catch_up(request.consistency_token, community_id=request.community_id)

        def respond(expires_at: datetime | None) -> api.BanMemberResponse:
            response = api.BanMemberResponse()
            if expires_at is not None:
                response.expires_at.CopyFrom(timestamp(expires_at))
            return response

        async def command(key: RequestKey | None) -> tuple[api.BanMemberResponse, Commit | None]:
            await self._require_acts_on_member(caller, request.community_id, request.user_id)
            return await self._sanction(
                request.community_id,
                lambda s, now: s.ban(
                    request.user_id, duration, now, actor_id=caller.user_id, reason=request.reason
                ),
                key,
                respond,
            )

        return await run_request(
            self.store, caller, request.request_id, "BanMember", api.BanMemberResponse, command
        )

    async def unban_member(
        self, caller: Caller, request: api.UnbanMemberRequest
    ) -> api.UnbanMemberResponse:
        self._check_member_request(request)
        await self.lookups.catch_up(request.consistency_token, community_id=request.community_id)

        async def command(
            key: RequestKey | None,
        ) -> tuple[api.UnbanMemberResponse, Commit | None]:
            await self._require_acts_on_member(caller, request.community_id, request.user_id)
            return await self._sanction(
                request.community_id,
                lambda s, now: s.unban(request.user_id, caller.user_id, request.reason, now),
                key,
                lambda _: api.UnbanMemberResponse(),
            )

        return await run_request(
            self.store, caller, request.request_id, "UnbanMember", api.UnbanMemberResponse, command
        )

    @staticmethod
    def _check_member_request(request: Any) -> None:
        validation.check(
            validation.required_id("community_id", request.community_id),
            validation.required_id("user_id", request.user_id),
            reason_violations(request.reason),
        )

    async def _require_acts_on_member(
        self, caller: Caller, community_id: str, user_id: str
    ) -> None:
        community = await self.lookups.community(community_id)
        actor = await self.lookups.caller_standing(community, caller)
        standing.require_acts_on(actor, await self.lookups.target_standing(community, user_id))
        standing.require_active(community)
