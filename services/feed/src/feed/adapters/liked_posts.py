"""`liked_posts` (`_id = post_id`): inserted before a post's first like is stored, so a post
without it has no likes and is read with one get instead of one load per like shard.

A projection of `PostLiked` events (`mark_of`, used by LikePost and by `python -m
feed.rebuild`): a mark whose like never got stored only costs its post a count of the
shards. Marks are never removed, so a rebuild re-inserts them in place (a duplicate changes
nothing) and LikePost reads stay right while it runs.

The collection only ever grows (an unlike leaves the mark), so a post once seen marked stays
marked: this process remembers the most recent ones and asks the database only about others.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from typing import Any

from community.feed.v1.events_pb2 import PostLiked
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

LIKED_POSTS = "liked_posts"
REMEMBERED = 16_384


def mark_of(event: PostLiked) -> dict[str, Any]:
    return {"_id": event.post_id}


class LikedPosts:
    def __init__(self, database: AsyncDatabase[Any], remembered: int = REMEMBERED) -> None:
        self.collection = database[LIKED_POSTS]
        self.remembered = remembered
        self._known: OrderedDict[str, None] = OrderedDict()

    async def mark(self, liked: PostLiked) -> None:
        post_id = liked.post_id
        if post_id not in self._known:
            with contextlib.suppress(DuplicateKeyError):
                await self.collection.insert_one(mark_of(liked))
        self._remember(post_id)

    async def ever_liked(self, post_id: str) -> bool:
        if post_id in self._known:
            self._remember(post_id)
            return True
        if await self.collection.find_one({"_id": post_id}) is None:
            return False
        self._remember(post_id)
        return True

    def _remember(self, post_id: str) -> None:
        self._known[post_id] = None
        self._known.move_to_end(post_id)
        if len(self._known) > self.remembered:
            self._known.popitem(last=False)
