"""Live sessions: going live, watching (with heartbeats), leaving, ending, and the Live tab.

Heartbeats: `live_heartbeats`, `_id = "<session_id>:<user_id>"`, the time of the viewer's last
JoinLiveSession (written only by that viewer's own calls; the latest one wins, which is what a
heartbeat means). The Live tab's active sessions: the community's "l:" timeline lists every
session ever started; `live_tabs` (`_id = community_id`) caches which of those up to a slot were
still active, so a read only walks the slots after it. The cache is a pure function of the
streams, so whichever reader writes it last, it stays correct.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from typing import Any

from community.feed.v1 import feed_service_pb2 as api
from community.moderation.v1.types_pb2 import Action
from community_common.auth import Caller
from community_common.clock import new_id
from community_common.commands import run_request
from community_common.event_store import Commit, NewEvent, RequestKey
from community_common.validation import Violations
from pymongo.errors import DuplicateKeyError

from feed.adapters import timelines as tl
from feed.application.deps import Deps
from feed.application.views import timestamp
from feed.domain import arguments, live
from feed.domain.live import LiveSession, ViewerShard
from feed.domain.paging import Cursors
from feed.domain.time import format_time
from feed.domain.timeline import is_placeholder, timeline_entry

HEARTBEATS = "live_heartbeats"
LIVE_TABS = "live_tabs"


def heartbeat_id(session_id: str, user_id: str) -> str:
    return f"{session_id}:{user_id}"


class LiveSessions:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.heartbeats = deps.store.db[HEARTBEATS]
        self.tabs = deps.store.db[LIVE_TABS]

    # --- reading state -------------------------------------------------------------------

    async def _session(self, session_id: str) -> LiveSession:
        session = await self.deps.streams.load(LiveSession, session_id)
        session.require_exists()
        return session  # type: ignore[no-any-return]

    async def _shard(self, session_id: str, user_id: str) -> tuple[str, ViewerShard]:
        stream_id = live.viewer_stream_id(session_id, live.shard_of(user_id))
        return stream_id, await self.deps.streams.load(ViewerShard, stream_id)

    async def _last_join(self, session_id: str, user_id: str) -> datetime | None:
        found = await self.heartbeats.find_one({"_id": heartbeat_id(session_id, user_id)})
        return found["at"] if found else None

    async def viewer_count(self, session: LiveSession, changed: ViewerShard | None = None) -> int:
        """`changed`: a shard this command is about to store, counted in place of its stored
        version (a response is built before its commit is written)."""
        if not session.active:
            return 0
        shards = await asyncio.gather(
            *(
                self.deps.streams.load(ViewerShard, live.viewer_stream_id(session.session_id, n))
                for n in range(live.VIEWER_SHARDS)
            )
        )
        if changed is not None:
            shards = [changed if s.stream_id == changed.stream_id else s for s in shards]
        watching = sorted(set().union(*(shard.watching for shard in shards)))
        beats = await asyncio.gather(
            *(self._last_join(session.session_id, user) for user in watching)
        )
        now = self.deps.clock()
        ttl = self.deps.live_viewer_ttl
        return sum(1 for beat in beats if live.heartbeat_fresh(beat, now, ttl))

    async def view(
        self, session: LiveSession, changed: ViewerShard | None = None
    ) -> api.LiveSession:
        return api.LiveSession(
            session_id=session.session_id,
            community_id=session.community_id,
            host_id=session.host_id,
            title=session.title,
            status=api.LIVE_SESSION_STATUS_ACTIVE
            if session.active
            else api.LIVE_SESSION_STATUS_ENDED,
            viewer_count=await self.viewer_count(session, changed),
            started_at=timestamp(session.started_at),
            ended_at=timestamp(session.ended_at),
        )

    # --- commands ------------------------------------------------------------------------

    async def start(
        self, caller: Caller, request: api.StartLiveSessionRequest
    ) -> api.StartLiveSessionResponse:
        check = Violations()
        check.identifier("community_id", request.community_id)
        check.text("title", request.title, arguments.MAX_TITLE, required=True)
        check.request_id(request.request_id)
        check.check()
        await self.deps.gate.wait_for(request.consistency_token, community_id=request.community_id)
        community_id = request.community_id

        async def command(key: RequestKey | None) -> tuple[api.StartLiveSessionResponse, Commit]:
            standing = await self.deps.knowledge.standing(community_id, caller)
            standing.require_community()
            standing.require_participation(Action.ACTION_LIVE, "", self.deps.clock())
            session_id = new_id()
            session = LiveSession(session_id)
            event = LiveSession.start(session_id, community_id, caller.user_id, request.title)
            # Position first (see posts.create), recorded in the event.
            now = self.deps.clock()
            timeline, entry = timeline_entry(event, format_time(now))
            event.timeline_position = await self.deps.timelines.append(timeline, entry)

            async def respond(_: Commit) -> api.StartLiveSessionResponse:
                return api.StartLiveSessionResponse(live_session=await self.view(session))

            started = NewEvent(event, time=now)
            return await self.deps.streams.save(session_id, session, [started], key, respond)

        return await run_request(
            self.deps.store,
            caller,
            request.request_id,
            "StartLiveSession",
            api.StartLiveSessionResponse,
            command,
        )

    async def join(
        self, caller: Caller, request: api.JoinLiveSessionRequest
    ) -> api.JoinLiveSessionResponse:
        _require_session_id(request.session_id, request.request_id)
        await self.deps.gate.wait_for(request.consistency_token)
        # Read once, before this call's own heartbeat replaces it.
        last_join = await self._last_join(request.session_id, caller.user_id)

        async def command(key: RequestKey | None) -> tuple[Any, Commit | None]:
            session = await self._session(request.session_id)
            standing = await self.deps.knowledge.standing(session.community_id, caller)
            now = self.deps.clock()
            # Watching needs membership and no ban; mutes and ACTION_LIVE only stop going live.
            standing.require_participation(Action.ACTION_UNSPECIFIED, "", now)
            session.require_active()
            # Heartbeat before the join event, so a counted viewer always has a fresh one.
            # A concurrent upsert by the same viewer may win the insert; theirs is as fresh.
            with contextlib.suppress(DuplicateKeyError):
                await self.heartbeats.replace_one(
                    {"_id": heartbeat_id(session.session_id, caller.user_id)},
                    {"at": now},
                    upsert=True,
                )
            stream_id, shard = await self._shard(session.session_id, caller.user_id)
            events = shard.join(session, caller.user_id, last_join, now, self.deps.live_viewer_ttl)

            async def respond(_: Commit | None = None) -> api.JoinLiveSessionResponse:
                return api.JoinLiveSessionResponse(live_session=await self.view(session, shard))

            if not events:
                return await respond(), None
            return await self.deps.streams.save(stream_id, shard, events, key, respond)

        return await run_request(
            self.deps.store,
            caller,
            request.request_id,
            "JoinLiveSession",
            api.JoinLiveSessionResponse,
            command,
        )

    async def leave(
        self, caller: Caller, request: api.LeaveLiveSessionRequest
    ) -> api.LeaveLiveSessionResponse:
        _require_session_id(request.session_id, request.request_id)
        await self.deps.gate.wait_for(request.consistency_token)

        async def command(key: RequestKey | None) -> tuple[Any, Commit | None]:
            session = await self._session(request.session_id)
            last_join = await self._last_join(session.session_id, caller.user_id)
            stream_id, shard = await self._shard(session.session_id, caller.user_id)
            now = self.deps.clock()
            events = shard.leave(session, caller.user_id, last_join, now, self.deps.live_viewer_ttl)

            async def respond(_: Commit | None = None) -> api.LeaveLiveSessionResponse:
                return api.LeaveLiveSessionResponse(live_session=await self.view(session, shard))

            if not events:
                return await respond(), None
            left = await self.deps.streams.save(stream_id, shard, events, key, respond)
            await self.heartbeats.delete_one(
                {"_id": heartbeat_id(session.session_id, caller.user_id)}
            )
            return left

        return await run_request(
            self.deps.store,
            caller,
            request.request_id,
            "LeaveLiveSession",
            api.LeaveLiveSessionResponse,
            command,
        )

    async def end(
        self, caller: Caller, request: api.EndLiveSessionRequest
    ) -> api.EndLiveSessionResponse:
        _require_session_id(request.session_id, request.request_id)
        await self.deps.gate.wait_for(request.consistency_token)

        async def command(key: RequestKey | None) -> tuple[api.EndLiveSessionResponse, Commit]:
            session = await self._session(request.session_id)
            standing = await self.deps.knowledge.standing(session.community_id, caller)
            event = session.end(caller.user_id, standing.is_moderator, standing.is_member)

            async def respond(_: Commit) -> api.EndLiveSessionResponse:
                return api.EndLiveSessionResponse(live_session=await self.view(session))

            return await self.deps.streams.save(session.session_id, session, [event], key, respond)

        return await run_request(
            self.deps.store,
            caller,
            request.request_id,
            "EndLiveSession",
            api.EndLiveSessionResponse,
            command,
        )

    # --- the Live tab --------------------------------------------------------------------

    async def live_tab(
        self, caller: Caller, request: api.ListLiveSessionsRequest
    ) -> api.ListLiveSessionsResponse:
        check = Violations()
        check.identifier("community_id", request.community_id)
        check.page_size(request.page_size)
        check.check()
        community_id = request.community_id
        cursors = Cursors.parse(request.page_token, "live", community_id)
        await self.deps.gate.wait_for(request.consistency_token, community_id=request.community_id)
        await self.deps.rebuilds.settled()  # live_tabs is dropped by a rebuild
        standing = await self.deps.knowledge.standing(community_id, caller)
        standing.require_community()
        standing.require_read("")

        sessions = await self._active(community_id)
        views = await asyncio.gather(*(self.view(s) for s in sessions))
        ordered = sorted(
            views,
            key=lambda v: (v.viewer_count, v.started_at.ToDatetime(), v.session_id),
            reverse=True,
        )
        # The tab changes every second; an offset is as stable a cursor as it can have.
        offset = cursors.below.get("offset", 0)
        size = arguments.page_size(request.page_size)
        page = ordered[offset : offset + size]
        more = offset + size < len(ordered)
        token = Cursors("live", community_id, {"offset": offset + size}).token() if more else ""
        return api.ListLiveSessionsResponse(live_sessions=page, next_page_token=token)

    async def _active(self, community_id: str) -> list[LiveSession]:
        timeline = tl.live_sessions(community_id)
        cached, top = await asyncio.gather(
            self.tabs.find_one({"_id": community_id}), self.deps.timelines.top(timeline)
        )
        through = int(cached["through"]) if cached else 0
        candidates: list[str] = list(cached["active"]) if cached else []
        below = top + 1
        while below - 1 > through:
            entries = await self.deps.timelines.read_below(
                timeline, below, min(100, below - 1 - through)
            )
            candidates.extend(e["session_id"] for e in entries if not is_placeholder(e))
            below = entries[-1]["slot"] if entries else through + 1
        loaded = await asyncio.gather(
            *(self.deps.streams.load(LiveSession, s) for s in dict.fromkeys(candidates))
        )
        # A session whose slot exists but whose start is not stored yet stays a candidate.
        active = [s for s in loaded if s.active]
        keep = [s.session_id for s in loaded if s.active or not s.exists]
        if through != top or keep != (cached or {}).get("active"):
            with contextlib.suppress(DuplicateKeyError):  # another reader cached it first
                await self.tabs.replace_one(
                    {"_id": community_id}, {"through": top, "active": keep}, upsert=True
                )
        return active


def _require_session_id(session_id: str, request_id: str = "") -> None:
    check = Violations()
    check.identifier("session_id", session_id)
    check.request_id(request_id)
    check.check()
