"""Removing and restoring posts and comments."""

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
    reason_violations,
)
from moderation.domain import standing, validation


class ContentActions(UseCases):
    async def remove_content(
        self, caller: Caller, request: api.RemoveContentRequest
    ) -> api.RemoveContentResponse:
        await self._act_on_content(caller, request, remove=True, operation="RemoveContent")
        return api.RemoveContentResponse()

    async def restore_content(
        self, caller: Caller, request: api.RestoreContentRequest
    ) -> api.RestoreContentResponse:
        await self._act_on_content(caller, request, remove=False, operation="RestoreContent")
        return api.RestoreContentResponse()

    async def _act_on_content(
        self,
        caller: Caller,
        request: api.RemoveContentRequest | api.RestoreContentRequest,
        *,
        remove: bool,
        operation: str,
    ) -> None:
        kind = request.WhichOneof("target")
        problems = (
            [("target", "give one of post_id, comment_id")]
            if kind is None
            else validation.required_id(kind, getattr(request, kind))
        )
        validation.check(problems, reason_violations(request.reason))
        await self.lookups.catch_up(request.consistency_token)

        async def command(
            key: RequestKey | None,
        ) -> tuple[api.RemoveContentResponse, Commit | None]:
            content = (
                await self.lookups.post(request.post_id)
                if kind == "post_id"
                else await self.lookups.comment(request.comment_id)
            )
            community = await self.lookups.community(content.community_id)
            actor = await self.lookups.caller_standing(community, caller)
            author = await self.lookups.target_standing(community, content.author_id)
            standing.require_acts_on(actor, author)
            standing.require_active(community)
            response = api.RemoveContentResponse()
            commit = await self._change_content(
                content,
                remove=remove,
                actor_id=caller.user_id,
                reason=request.reason,
                request=key,
                response=response,
            )
            return response, commit

        await run_request(
            self.store, caller, request.request_id, operation, api.RemoveContentResponse, command
        )
