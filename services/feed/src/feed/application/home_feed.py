"""The home feed: posts from every community and group the caller belongs to, and the
announcements that reach them, newest first, paged over all those timelines at once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from community.feed.v1 import feed_service_pb2 as api
from community_common.auth import Caller
from community_common.validation import Violations

from feed.adapters import timelines as tl
from feed.application.deps import Deps
from feed.application.posts import Posts
from feed.application.views import announcement_message
from feed.domain import announcement, arguments
from feed.domain.access import Standing
from feed.domain.paging import Cursors, Entry, newest
from feed.domain.timeline import is_placeholder

LIST = "home"


@dataclass
class _Reader:
    """One timeline being merged: its unread entries fetched so far, and its cursor."""

    timeline: str
    below: int
    standing: Standing
    member_groups: frozenset[str] = frozenset()
    buffered: list[Entry] = field(default_factory=list)

    @property
    def exhausted(self) -> bool:
        return not self.buffered and self.below <= 1


class HomeFeed:
    def __init__(self, deps: Deps, posts: Posts) -> None:
        self.deps = deps
        self.posts = posts

    async def get(self, caller: Caller, request: api.GetHomeFeedRequest) -> api.GetHomeFeedResponse:
        check = Violations()
        check.page_size(request.page_size)
        check.check()
        cursors = Cursors.parse(request.page_token, LIST, caller.user_id)
        await self.deps.gate.wait_for(request.consistency_token)
        await self.deps.rebuilds.settled()  # member_index is rebuilt from scratch
        size = arguments.page_size(request.page_size)
        batch = min(size, 20)

        readers = await self._readers(caller, cursors)
        items: list[api.HomeFeedItem] = []
        while len(items) < size:
            await asyncio.gather(*(self._fill(r, batch) for r in readers if not r.buffered))
            heads = {r.timeline: r.buffered[0] for r in readers if r.buffered}
            entry = newest(heads)
            if entry is None:
                break
            reader = next(r for r in readers if r.timeline == entry.timeline)
            reader.buffered.pop(0)
            reader.below = entry.slot
            item = await self._item(entry, reader)
            if item is not None:
                items.append(item)
        more = any(not r.exhausted for r in readers)
        token = Cursors(LIST, caller.user_id, {r.timeline: r.below for r in readers}).token()
        return api.GetHomeFeedResponse(items=items, next_page_token=token if more else "")

    async def _readers(self, caller: Caller, cursors: Cursors) -> list[_Reader]:
        memberships = await self.deps.knowledge.memberships(caller.user_id)
        standings = await asyncio.gather(
            *(self.deps.knowledge.standing(m.community_id, caller) for m in memberships)
        )
        wanted: list[tuple[str, Standing, frozenset[str]]] = []
        for membership, standing in zip(memberships, standings, strict=True):
            community_id = membership.community_id
            wanted.append((tl.community_posts(community_id), standing, frozenset()))
            wanted.append((tl.announcements(community_id), standing, membership.groups))
            wanted.extend((tl.group_posts(g), standing, frozenset()) for g in membership.groups)

        async def start(timeline: str) -> int:
            # A timeline the token does not know (a community joined since) starts at its top.
            known = cursors.below.get(timeline)
            return known if known is not None else await self.deps.timelines.top(timeline) + 1

        belows = await asyncio.gather(*(start(timeline) for timeline, _, _ in wanted))
        return [
            _Reader(timeline, below, standing, groups)
            for (timeline, standing, groups), below in zip(wanted, belows, strict=True)
        ]

    async def _fill(self, reader: _Reader, batch: int) -> None:
        lowest = reader.buffered[-1].slot if reader.buffered else reader.below
        if lowest <= 1:
            return
        for raw in await self.deps.timelines.read_below(reader.timeline, lowest, batch):
            # A placeholder has no time: it sorts below everything and is skipped.
            time = raw.get("created_at", "")
            reader.buffered.append(Entry(reader.timeline, raw["slot"], time, raw))

    async def _item(self, entry: Entry, reader: _Reader) -> api.HomeFeedItem | None:
        data: Any = entry.data
        if is_placeholder(data):
            return None
        if data["kind"] == "announcement":
            if not announcement.reaches(data["group_ids"], reader.member_groups):
                return None
            return api.HomeFeedItem(announcement=announcement_message(data))
        post = await self.posts.listed(data["post_id"], reader.standing)
        return api.HomeFeedItem(post=post) if post is not None else None
