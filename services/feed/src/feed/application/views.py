"""Feed state as API messages: a post with its counts, a comment, an announcement, a session."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from community.feed.v1 import feed_service_pb2 as api
from google.protobuf.timestamp_pb2 import Timestamp

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


async def like_count(deps: Deps, post_id: str) -> int:
    shards = await asyncio.gather(
        *(
            streams.load(deps.store, likes.LikeShard, likes.stream_id(post_id, shard))
            for shard in range(likes.LIKE_SHARDS)
        )
    )
    return sum(shard.count for shard in shards)


async def post_message(deps: Deps, post: Post, removed: bool) -> api.Post:
    return api.Post(
        post_id=post.post_id,
        community_id=post.community_id,
        group_id=post.group_id,
        author_id=post.author_id,
        body=post.body,
        created_at=timestamp(post.created_at),
        like_count=await like_count(deps, post.post_id),
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
