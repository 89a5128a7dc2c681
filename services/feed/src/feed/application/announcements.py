"""Announcements from a community's admins to the whole community or to chosen groups."""

from __future__ import annotations

from community.feed.v1 import feed_service_pb2 as api
from community.membership.v1.types_pb2 import Role
from community.moderation.v1.types_pb2 import Action
from community_common.auth import Caller
from community_common.clock import new_id
from community_common.commands import run_request
from community_common.event_store import Commit, NewEvent, RequestKey
from community_common.validation import Violations

from feed.application.deps import Deps
from feed.application.views import announcement_message
from feed.domain import announcement, arguments
from feed.domain.time import format_time
from feed.domain.timeline import timeline_entry


class Announcements:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def publish(
        self, caller: Caller, request: api.PublishAnnouncementRequest
    ) -> api.PublishAnnouncementResponse:
        check = Violations()
        check.identifier("community_id", request.community_id)
        check.identifiers("group_ids", request.group_ids, arguments.MAX_TARGET_GROUPS)
        check.text("body", request.body, arguments.MAX_BODY, required=True)
        check.request_id(request.request_id)
        check.check()
        await self.deps.gate.wait_for(request.consistency_token, community_id=request.community_id)
        community_id = request.community_id

        async def command(key: RequestKey | None) -> tuple[api.PublishAnnouncementResponse, Commit]:
            standing = await self.deps.knowledge.standing(community_id, caller)
            standing.require_community()
            for group_id in request.group_ids:
                standing.require_group(group_id)
            standing.require_role(Role.ROLE_ADMIN)
            standing.require_participation(Action.ACTION_POST, "", self.deps.clock())
            announcement_id = new_id()
            event = announcement.publish(
                announcement_id, community_id, request.group_ids, caller.user_id, request.body
            )
            # Position first (see posts.create); the entry carries the event's own time.
            now = self.deps.clock()
            timeline, entry = timeline_entry(event, format_time(now))
            event.timeline_position = await self.deps.timelines.append(timeline, entry)
            response = api.PublishAnnouncementResponse(announcement=announcement_message(entry))
            prepared = self.deps.store.prepare(announcement_id, 0, [NewEvent(event, time=now)])
            return response, await self.deps.store.insert(prepared, request=key, result=response)

        return await run_request(
            self.deps.store,
            caller,
            request.request_id,
            "PublishAnnouncement",
            api.PublishAnnouncementResponse,
            command,
        )
