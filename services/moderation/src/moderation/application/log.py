"""The moderation log."""

from __future__ import annotations

from community.moderation.v1 import moderation_service_pb2 as api
from community_common.context import Caller

from moderation.adapters.lists import page_size, page_token, parse_page_token
from moderation.adapters.moderation_lists import (
    ModerationLists,
    log_list,
)
from moderation.application.pipeline import (
    UseCases,
    scope_violations,
)
from moderation.domain import limits, validation


class Log(UseCases):
    async def list_moderation_log(
        self, caller: Caller, request: api.ListModerationLogRequest
    ) -> api.ListModerationLogResponse:
        validation.check(scope_violations(request.community_id, request.platform))
        size = page_size(request.page_size, limits.DEFAULT_PAGE_SIZE, limits.MAX_PAGE_SIZE)
        query = f"log\0{request.community_id}\0{request.platform}"
        start = parse_page_token(request.page_token, query)
        await self.lookups.catch_up(request.consistency_token, community_id=request.community_id)
        scope = await self._readable_queue(caller, request.community_id, request.platform)
        found, next_start = await self.lists.newest_first(log_list(scope), start, size)
        return api.ListModerationLogResponse(
            entries=[ModerationLists.log_entry(entry) for _, entry in found],
            next_page_token=page_token(query, next_start) if next_start else "",
        )
