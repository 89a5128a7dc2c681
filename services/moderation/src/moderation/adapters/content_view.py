"""The posts and comments moderation may act on, projected from feed's events.

Collection `content` (one writer: the feed consumer): `_id = "post:<post_id>"` or
`"comment:<comment_id>"` with the community, group, post and author. Inserted once (a
redelivered event collides and changes nothing); a post its author deleted is marked deleted.
"""

from __future__ import annotations

from typing import Any

from community.feed.v1 import events_pb2 as feed
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from moderation.domain.content import Content

CONTENT = "content"


def _post_id(post_id: str) -> str:
    return f"post:{post_id}"


def _comment_id(comment_id: str) -> str:
    return f"comment:{comment_id}"


class ContentView:
    def __init__(self, database: AsyncDatabase[Any]) -> None:
        self.content = database[CONTENT]

    async def post(self, post_id: str) -> Content | None:
        found = await self.content.find_one({"_id": _post_id(post_id)})
        return None if found is None or found.get("deleted") else _content(found)

    async def comment(self, comment_id: str) -> Content | None:
        found = await self.content.find_one({"_id": _comment_id(comment_id)})
        return None if found is None else _content(found)

    async def add_post(self, event: feed.PostCreated) -> None:
        await self._insert(
            _post_id(event.post_id),
            Content(event.community_id, event.post_id, event.author_id, event.group_id),
        )

    async def add_comment(self, event: feed.CommentAdded) -> None:
        await self._insert(
            _comment_id(event.comment_id),
            Content(
                event.community_id,
                event.post_id,
                event.author_id,
                event.group_id,
                event.comment_id,
            ),
        )

    async def delete_post(self, event: feed.PostDeleted) -> None:
        await self.content.update_one({"_id": _post_id(event.post_id)}, {"$set": {"deleted": True}})

    async def _insert(self, document_id: str, content: Content) -> None:
        try:
            await self.content.insert_one(
                {
                    "_id": document_id,
                    "community_id": content.community_id,
                    "group_id": content.group_id,
                    "post_id": content.post_id,
                    "comment_id": content.comment_id,
                    "author_id": content.author_id,
                }
            )
        except DuplicateKeyError:
            pass  # seen before


def _content(document: dict[str, Any]) -> Content:
    return Content(
        community_id=document["community_id"],
        post_id=document["post_id"],
        author_id=document["author_id"],
        group_id=document["group_id"],
        comment_id=document["comment_id"],
    )
