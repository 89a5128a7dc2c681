"""Likes: who likes a post, kept in a few streams per post instead of the post's own stream.

A popular post gets many likes at once; if every like appended to the post's stream, the
likers would fight over one version number and most would have to retry. Each user's likes of
a post go to one of `LIKE_SHARDS` streams chosen by their user id, so concurrent likers
mostly write to different streams, and the like count is the sum of the shards' counts.
Their events' `ce_subject` is that shard stream's id "<post_id>:likes:<n>" and `ce_sequence`
its version, so a consumer deduplicating by (ce_subject, ce_sequence) stays right; the payload's
`post_id` names the post. (The events.proto comment still says `ce_subject: post_id`.)
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from community.feed.v1 import events_pb2 as ev
from community_common.aggregate import EventSourced

LIKE_SHARDS = 4


def shard_of(user_id: str) -> int:
    # crc32 is stable across processes (Python's hash() is not).
    return zlib.crc32(user_id.encode()) % LIKE_SHARDS


def stream_id(post_id: str, shard: int) -> str:
    return f"{post_id}:likes:{shard}"


@dataclass
class LikeShard(EventSourced):
    """The users of one shard who like the post now."""

    stream_id: str
    version: int = 0
    likers: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        EventSourced.__init__(self)

    @property
    def count(self) -> int:
        return len(self.likers)

    def like(self, post: Any, user_id: str) -> ev.PostLiked | None:
        """None when the user already likes it (liking again changes nothing)."""
        if user_id in self.likers:
            return None
        return ev.PostLiked(
            post_id=post.post_id,
            community_id=post.community_id,
            group_id=post.group_id,
            user_id=user_id,
            post_author_id=post.author_id,
        )

    def unlike(self, post: Any, user_id: str) -> ev.PostUnliked | None:
        """None when the user does not like it (nothing to take back)."""
        if user_id not in self.likers:
            return None
        return ev.PostUnliked(
            post_id=post.post_id,
            community_id=post.community_id,
            group_id=post.group_id,
            user_id=user_id,
            post_author_id=post.author_id,
        )

    def _on_PostLiked(self, e: ev.PostLiked, at: datetime) -> None:
        self.likers.add(e.user_id)

    def _on_PostUnliked(self, e: ev.PostUnliked, at: datetime) -> None:
        self.likers.discard(e.user_id)

    def snapshot(self) -> dict[str, Any]:
        return {"likers": sorted(self.likers)}

    @classmethod
    def from_snapshot(cls, stream_id: str, version: int, state: dict[str, Any]) -> LikeShard:
        return cls(stream_id=stream_id, version=version, likers=set(state["likers"]))
