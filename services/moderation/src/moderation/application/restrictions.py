"""Platform-wide restrictions of a user's actions (platform admins)."""

from __future__ import annotations

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
    require_platform_admin,
)
from moderation.domain import validation
from moderation.domain.restrictions import UserRestrictions, check_actions
from moderation.domain.times import timestamp


class Restrictions(UseCases):
    async def restrict_user(
        self, caller: Caller, request: api.RestrictUserRequest
    ) -> api.RestrictUserResponse:
        duration = duration_of(request)
        validation.check(
            validation.required_id("user_id", request.user_id),
            check_actions("actions", request.actions, required=True),
            [("duration", "is required")] if duration is None else [],
            validation.positive_duration("duration", duration),
            reason_violations(request.reason),
        )
        await self.lookups.catch_up(request.consistency_token)
        require_platform_admin(caller)

        async def command(
            key: RequestKey | None,
        ) -> tuple[api.RestrictUserResponse, Commit | None]:
            restrictions = await self.repository.load(UserRestrictions, request.user_id)
            expires_at = restrictions.restrict(
                request.actions, duration, caller.user_id, request.reason, self.clock()
            )
            response = api.RestrictUserResponse(expires_at=timestamp(expires_at))
            return response, await self._save(restrictions, request.user_id, key, response)

        return await run_request(
            self.store,
            caller,
            request.request_id,
            "RestrictUser",
            api.RestrictUserResponse,
            command,
        )

    async def lift_restriction(
        self, caller: Caller, request: api.LiftRestrictionRequest
    ) -> api.LiftRestrictionResponse:
        validation.check(
            validation.required_id("user_id", request.user_id),
            check_actions("actions", request.actions, required=False),
            reason_violations(request.reason),
        )
        await self.lookups.catch_up(request.consistency_token)
        require_platform_admin(caller)

        async def command(
            key: RequestKey | None,
        ) -> tuple[api.LiftRestrictionResponse, Commit | None]:
            restrictions = await self.repository.load(UserRestrictions, request.user_id)
            restrictions.lift(request.actions, caller.user_id, request.reason, self.clock())
            response = api.LiftRestrictionResponse()
            return response, await self._save(restrictions, request.user_id, key, response)

        return await run_request(
            self.store,
            caller,
            request.request_id,
            "LiftRestriction",
            api.LiftRestrictionResponse,
            command,
        )
