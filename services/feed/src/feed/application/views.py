"""Feed state as API messages: a post with its counts, a comment, an announcement, a session."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any

from community.feed.v1 import feed_service_pb2 as api
from google.protobuf.timestamp_pb2 import Timestamp
from pymongo.errors import DuplicateKeyError

from feed.adapters import streams
from feed.application.deps import Deps
from feed.domain import likes
from feed.domain.post import Post
from feed.domain.time import parse_time


def timestamp(text: str) -> Timestamp | None:
    if not text:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(parse_time(text))
    return stamp


# `liked_posts` (`_id = post_id`) is inserted before a post's first like is stored, so a post
# without it has no likes: most posts are read with one get instead of one load per shard.
LIKED_POSTS = "liked_posts"


async def mark_liked(deps: Deps, post_id: str) -> None:
    with contextlib.suppress(DuplicateKeyError):
        await deps.store.db[LIKED_POSTS].insert_one({"_id": post_id})


async def like_count(deps: Deps, post_id: str) -> int:
    if await deps.store.db[LIKED_POSTS].find_one({"_id": post_id}) is None:
        return 0
    shards = await asyncio.gather(
        *(
            streams.load(deps.store, likes.LikeShard, likes.stream_id(post_id, shard))
            for shard in range(likes.LIKE_SHARDS)
        )
    )
    return sum(shard.count for shard in shards)


async def post_message(
    deps: Deps, post: Post, removed: bool, like_count_known: int | None = None
) -> api.Post:
    likes_now = (
        like_count_known if like_count_known is not None else await like_count(deps, post.post_id)
    )
    return api.Post(
        post_id=post.post_id,
        community_id=post.community_id,
        group_id=post.group_id,
        author_id=post.author_id,
        body=post.body,
        created_at=timestamp(post.created_at),
        like_count=likes_now,
        comment_count=post.comment_count,
        share_count=post.share_count,
        removed=removed,
    )


def announcement_message(entry: Mapping[str, Any]) -> api.Announcement:
    return api.Announcement(
        announcement_id=entry["announcement_id"],
        community_id=entry["community_id"],
        group_ids=entry["group_ids"],
        author_id=entry["author_id"],
        body=entry["body"],
        created_at=timestamp(entry["created_at"]),
    )
