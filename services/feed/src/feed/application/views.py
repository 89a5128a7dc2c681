"""Feed state as API messages: a post with its counts, a comment, an announcement, a session."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from community.feed.v1 import feed_service_pb2 as api
from google.protobuf.timestamp_pb2 import Timestamp

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


async def like_count(deps: Deps, post_id: str, loaded: likes.LikeShard | None = None) -> int:
    """The sum over the post's like shards. `loaded` is the shard a like or unlike has just
    written: the other shards then count as this process last saw them (a like's answer
    shows the caller's own change at once; other people's likes through other processes
    within the last moments may be missing from it, never from a read)."""
    if not await deps.liked.ever_liked(post_id):
        return 0
    others = [
        likes.stream_id(post_id, shard)
        for shard in range(likes.LIKE_SHARDS)
        if loaded is None or likes.stream_id(post_id, shard) != loaded.stream_id
    ]
    shards = await asyncio.gather(
        *(deps.streams.load(likes.LikeShard, s, kept=loaded is not None) for s in others)
    )
    return sum(shard.count for shard in shards) + (loaded.count if loaded else 0)


async def post_message(
    deps: Deps,
    post: Post,
    removed: bool,
    like_count_known: int | None = None,
    loaded: likes.LikeShard | None = None,
) -> api.Post:
    likes_now = (
        like_count_known
        if like_count_known is not None
        else await like_count(deps, post.post_id, loaded)
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
