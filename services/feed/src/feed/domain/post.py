"""The post aggregate: one event stream per post holding its creation, comments, shares and
deletion (the contract's `ce_subject: post_id`). Likes live in `likes.py`, off this stream.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from community.feed.v1 import events_pb2 as ev
from community_common.aggregate import EventSourced
from community_common.envelope import format_time
from community_common.errors import FailedPrecondition, NotFound, PermissionDenied
from community_contracts import reasons


def not_found(post_id: str) -> NotFound:
    return NotFound(
        f"post {post_id} not found",
        reason=reasons.POST_NOT_FOUND,
        metadata={reasons.METADATA_RESOURCE_ID: post_id},
    )


@dataclass
class Post(EventSourced):
    post_id: str
    version: int = 0
    community_id: str = ""
    group_id: str = ""
    author_id: str = ""
    body: str = ""
    # RFC 3339 time the post was stored (its PostCreated's ce_time).
    created_at: str = ""
    comment_count: int = 0
    share_count: int = 0
    deleted: bool = False
    comment_ids: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        EventSourced.__init__(self)

    @property
    def exists(self) -> bool:
        return self.version > 0 and not self.deleted

    # --- commands: each checks the rules and returns the events to record ---------------

    @staticmethod
    def create(
        post_id: str, community_id: str, group_id: str, author_id: str, body: str
    ) -> ev.PostCreated:
        return ev.PostCreated(
            post_id=post_id,
            community_id=community_id,
            group_id=group_id,
            author_id=author_id,
            body=body,
        )

    def require_exists(self) -> None:
        if not self.exists:
            raise not_found(self.post_id)

    def require_comment(self, comment_id: str) -> None:
        """The comment to reply to must be on this post (empty = a top-level comment)."""
        if comment_id and comment_id not in self.comment_ids:
            raise NotFound(
                f"comment {comment_id} not found on this post",
                reason=reasons.COMMENT_NOT_FOUND,
                metadata={reasons.METADATA_RESOURCE_ID: comment_id},
            )

    def comment(
        self, comment_id: str, author_id: str, body: str, parent_comment_id: str
    ) -> ev.CommentAdded:
        self.require_comment(parent_comment_id)
        return ev.CommentAdded(
            comment_id=comment_id,
            post_id=self.post_id,
            community_id=self.community_id,
            group_id=self.group_id,
            author_id=author_id,
            post_author_id=self.author_id,
            body=body,
            parent_comment_id=parent_comment_id,
        )

    def share(self, user_id: str, target_community_id: str) -> ev.PostShared:
        return ev.PostShared(
            post_id=self.post_id,
            community_id=self.community_id,
            group_id=self.group_id,
            user_id=user_id,
            post_author_id=self.author_id,
            target_community_id=target_community_id,
        )

    def delete(self, actor_id: str) -> ev.PostDeleted:
        if actor_id != self.author_id:
            raise PermissionDenied(reasons.NOT_AUTHOR, "only the author can delete a post")
        return ev.PostDeleted(
            post_id=self.post_id,
            community_id=self.community_id,
            group_id=self.group_id,
            author_id=self.author_id,
            actor_id=actor_id,
        )

    # --- state changes only by applying events ------------------------------------------

    def _on_PostCreated(self, e: ev.PostCreated, at: datetime) -> None:
        self.community_id = e.community_id
        self.group_id = e.group_id
        self.author_id = e.author_id
        self.body = e.body
        self.created_at = format_time(at)

    def _on_CommentAdded(self, e: ev.CommentAdded, at: datetime) -> None:
        self.comment_count += 1
        self.comment_ids.add(e.comment_id)

    def _on_PostShared(self, e: ev.PostShared, at: datetime) -> None:
        self.share_count += 1

    def _on_PostDeleted(self, e: ev.PostDeleted, at: datetime) -> None:
        self.deleted = True

    def snapshot(self) -> dict[str, Any]:
        return {
            "community_id": self.community_id,
            "group_id": self.group_id,
            "author_id": self.author_id,
            "body": self.body,
            "created_at": self.created_at,
            "comment_count": self.comment_count,
            "share_count": self.share_count,
            "deleted": self.deleted,
            "comment_ids": sorted(self.comment_ids),
        }

    @classmethod
    def from_snapshot(cls, post_id: str, version: int, state: dict[str, Any]) -> Post:
        return cls(
            post_id=post_id,
            version=version,
            community_id=state["community_id"],
            group_id=state["group_id"],
            author_id=state["author_id"],
            body=state["body"],
            created_at=state["created_at"],
            comment_count=state["comment_count"],
            share_count=state["share_count"],
            deleted=state["deleted"],
            comment_ids=set(state["comment_ids"]),
        )


def require_not_removed(removed: bool) -> None:
    """Commenting on, liking or sharing a post moderation removed is refused."""
    if removed:
        raise FailedPrecondition(reasons.CONTENT_REMOVED, "this post was removed by moderation")
