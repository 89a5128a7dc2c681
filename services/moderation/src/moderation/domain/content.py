"""Removal of a post and of the comments on it: one stream per post (ce_subject = post_id).

Removing removed content, or restoring content that is not removed, changes nothing and
records nothing. The stream also remembers which content automod has already acted on, so a
feed event seen twice is acted on once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from community.moderation.v1 import events_pb2 as events

from moderation.domain.aggregate import Aggregate


@dataclass(frozen=True)
class Content:
    """A post, or a comment on one, as feed's events describe it."""

    community_id: str
    post_id: str
    author_id: str
    group_id: str = ""
    # Empty for the post itself.
    comment_id: str = ""

    @property
    def key(self) -> str:
        """Which piece of the post's content this is: "" = the post, else the comment id."""
        return self.comment_id


class PostModeration(Aggregate):
    def __init__(self, post_id: str) -> None:
        super().__init__()
        self.post_id = post_id
        self.removed: set[str] = set()
        self.automod_acted: set[str] = set()

    def is_removed(self, content: Content) -> bool:
        return content.key in self.removed

    def remove(
        self,
        content: Content,
        now: datetime,
        *,
        actor_id: str = "",
        automod_rule_id: str = "",
        report_id: str = "",
        reason: str = "",
    ) -> bool:
        """Remove the content; False when it already was removed."""
        if self.is_removed(content):
            return False
        self.record(
            events.ContentRemoved(
                community_id=content.community_id,
                group_id=content.group_id,
                post_id=content.post_id,
                comment_id=content.comment_id,
                author_id=content.author_id,
                actor_id=actor_id,
                automod_rule_id=automod_rule_id,
                report_id=report_id,
                reason=reason,
            ),
            now,
        )
        return True

    def restore(self, content: Content, actor_id: str, reason: str, now: datetime) -> bool:
        """Restore removed content; False when it was not removed."""
        if not self.is_removed(content):
            return False
        self.record(
            events.ContentRestored(
                community_id=content.community_id,
                group_id=content.group_id,
                post_id=content.post_id,
                comment_id=content.comment_id,
                author_id=content.author_id,
                actor_id=actor_id,
                reason=reason,
            ),
            now,
        )
        return True

    def _on_ContentRemoved(self, event: events.ContentRemoved, at: datetime) -> None:
        self.removed.add(event.comment_id)
        if event.automod_rule_id:
            self.automod_acted.add(event.comment_id)

    def _on_ContentRestored(self, event: events.ContentRestored, at: datetime) -> None:
        self.removed.discard(event.comment_id)

    def snapshot(self) -> dict[str, Any]:
        return {"removed": sorted(self.removed), "automod_acted": sorted(self.automod_acted)}

    def restore_snapshot(self, state: dict[str, Any]) -> None:
        self.removed = set(state["removed"])
        self.automod_acted = set(state["automod_acted"])
