"""Posts and what members do with them: create, read, list, delete, comment, like, share."""

from __future__ import annotations

import asyncio
from typing import Any

from community.feed.v1 import events_pb2 as ev
from community.feed.v1 import feed_service_pb2 as api
from community.moderation.v1.types_pb2 import Action
from community_common.auth import Caller
from community_common.clock import new_id
from community_common.commands import run_request
from community_common.event_store import COMMITS, Commit, NewEvent, RequestKey, commit_id
from community_common.validation import Violations

from feed.adapters import timelines as tl
from feed.adapters.knowledge_store import Removals
from feed.application.deps import Deps
from feed.application.views import post_message, timestamp
from feed.domain import arguments, likes
from feed.domain.access import Standing
from feed.domain.paging import Cursors
from feed.domain.post import Post, not_found, require_not_removed
from feed.domain.time import format_time
from feed.domain.timeline import is_placeholder, timeline_entry


class Posts:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    # --- shared steps --------------------------------------------------------------------

    async def _readable(
        self, post_id: str, caller: Caller, appending: bool = False
    ) -> tuple[Post, Standing, Removals]:
        """The post if the caller may see it: existence, then permission to read, then
        hidden when removed (to all but moderators and above). `appending`: the command
        appends to the post's stream (see community_common.repository)."""
        post = await self.deps.streams.load(Post, post_id, appending=appending)
        post.require_exists()
        standing, removals = await asyncio.gather(
            self.deps.knowledge.standing(post.community_id, caller),
            self.deps.knowledge.removals(post_id),
        )
        standing.require_read(post.group_id)
        if removals.post_removed and not standing.is_moderator:
            raise not_found(post_id)
        return post, standing, removals

    async def view(self, post: Post, removals: Removals) -> api.Post:
        return await post_message(self.deps, post, removals.post_removed)

    async def listed(self, post_id: str, standing: Standing) -> api.Post | None:
        """A timeline entry's post as a list shows it, or None when it is hidden."""
        post, removals = await asyncio.gather(
            self.deps.streams.load(Post, post_id), self.deps.knowledge.removals(post_id)
        )
        if not post.exists or (removals.post_removed and not standing.is_moderator):
            return None
        return await self.view(post, removals)

    async def _entry(self, entry: dict[str, Any], standing: Standing) -> api.Post | None:
        if is_placeholder(entry):
            return None
        return await self.listed(entry["post_id"], standing)

    # --- commands ------------------------------------------------------------------------

    async def create(
        self, caller: Caller, request: api.CreatePostRequest
    ) -> api.CreatePostResponse:
        check = Violations()
        check.identifier("community_id", request.community_id)
        check.identifier("group_id", request.group_id, required=False)
        check.text("body", request.body, arguments.MAX_BODY, required=True)
        check.request_id(request.request_id)
        check.check()
        await self.deps.gate.wait_for(request.consistency_token, community_id=request.community_id)
        community_id, group_id = request.community_id, request.group_id

        async def command(key: RequestKey | None) -> tuple[api.CreatePostResponse, Commit]:
            standing = await self.deps.knowledge.standing(community_id, caller)
            standing.require_community()
            standing.require_group(group_id)
            standing.require_participation(Action.ACTION_POST, group_id, self.deps.clock())
            post_id = new_id()
            post = Post(post_id)
            event = Post.create(post_id, community_id, group_id, caller.user_id, request.body)
            # The position is claimed first: a crash before the append leaves an empty slot,
            # which lists skip, rather than a post no list shows. The entry is the one a
            # rebuild makes from the stored event (same time, same position).
            now = self.deps.clock()
            timeline, entry = timeline_entry(event, format_time(now))
            event.timeline_position = await self.deps.timelines.append(timeline, entry)

            async def respond(_: Commit) -> api.CreatePostResponse:
                message = await post_message(self.deps, post, removed=False, like_count_known=0)
                return api.CreatePostResponse(post=message)

            created = NewEvent(event, time=now)
            return await self.deps.streams.save(post_id, post, [created], key, respond)

        return await run_request(
            self.deps.store,
            caller,
            request.request_id,
            "CreatePost",
            api.CreatePostResponse,
            command,
        )

    async def delete(
        self, caller: Caller, request: api.DeletePostRequest
    ) -> api.DeletePostResponse:
        check = Violations()
        check.identifier("post_id", request.post_id)
        check.request_id(request.request_id)
        check.check()
        await self.deps.gate.wait_for(request.consistency_token)

        async def command(key: RequestKey | None) -> tuple[api.DeletePostResponse, Commit]:
            post = await self.deps.streams.load(Post, request.post_id, appending=True)
            post.require_exists()
            event = post.delete(caller.user_id)
            return await self.deps.streams.save(post.post_id, post, [event], key, _deleted)

        return await run_request(
            self.deps.store,
            caller,
            request.request_id,
            "DeletePost",
            api.DeletePostResponse,
            command,
        )

    async def add_comment(
        self, caller: Caller, request: api.AddCommentRequest
    ) -> api.AddCommentResponse:
        check = Violations()
        check.identifier("post_id", request.post_id)
        check.text("body", request.body, arguments.MAX_BODY, required=True)
        check.identifier("parent_comment_id", request.parent_comment_id, required=False)
        check.request_id(request.request_id)
        check.check()
        await self.deps.gate.wait_for(request.consistency_token)

        async def command(key: RequestKey | None) -> tuple[api.AddCommentResponse, Commit]:
            async with self.deps.streams.one_at_a_time(request.post_id):
                return await comment(key)

        async def comment(key: RequestKey | None) -> tuple[api.AddCommentResponse, Commit]:
            post, standing, removals = await self._readable(request.post_id, caller, appending=True)
            post.require_comment(request.parent_comment_id)
            standing.require_participation(Action.ACTION_COMMENT, post.group_id, self.deps.clock())
            require_not_removed(removals.post_removed)
            event = post.comment(new_id(), caller.user_id, request.body, request.parent_comment_id)

            async def respond(commit: Commit) -> api.AddCommentResponse:
                comment = comment_message(event, commit.events[0].time, removed=False)
                return api.AddCommentResponse(comment=comment)

            return await self.deps.streams.save(post.post_id, post, [event], key, respond)

        return await run_request(
            self.deps.store,
            caller,
            request.request_id,
            "AddComment",
            api.AddCommentResponse,
            command,
        )

    async def _like_or_unlike(
        self, caller: Caller, post_id: str, token: str, request_id: str, like: bool
    ) -> Any:
        check = Violations()
        check.identifier("post_id", post_id)
        check.request_id(request_id)
        check.check()
        await self.deps.gate.wait_for(token)
        response_type = api.LikePostResponse if like else api.UnlikePostResponse

        async def command(key: RequestKey | None) -> tuple[Any, Commit | None]:
            post, standing, removals = await self._readable(post_id, caller)
            standing.require_participation(Action.ACTION_LIKE, post.group_id, self.deps.clock())
            require_not_removed(removals.post_removed)
            stream_id = likes.stream_id(post_id, likes.shard_of(caller.user_id))
            async with self.deps.streams.one_at_a_time(stream_id):
                shard = await self.deps.streams.load(likes.LikeShard, stream_id, appending=True)
                event = (
                    shard.like(post, caller.user_id) if like else shard.unlike(post, caller.user_id)
                )

                async def respond(_: Commit | None = None) -> Any:
                    message = await post_message(
                        self.deps, post, removals.post_removed, loaded=shard
                    )
                    return response_type(post=message)

                if event is None:  # already liked (or not liked): nothing changes
                    return await respond(), None
                if isinstance(event, ev.PostLiked):
                    # Before the like is stored: a post without the mark has no likes.
                    await self.deps.liked.mark(event)
                return await self.deps.streams.save(stream_id, shard, [event], key, respond)

        operation = "LikePost" if like else "UnlikePost"
        return await run_request(
            self.deps.store, caller, request_id, operation, response_type, command
        )

    async def like(self, caller: Caller, request: api.LikePostRequest) -> api.LikePostResponse:
        return await self._like_or_unlike(  # type: ignore[no-any-return]
            caller, request.post_id, request.consistency_token, request.request_id, like=True
        )

    async def unlike(
        self, caller: Caller, request: api.UnlikePostRequest
    ) -> api.UnlikePostResponse:
        return await self._like_or_unlike(  # type: ignore[no-any-return]
            caller, request.post_id, request.consistency_token, request.request_id, like=False
        )

    async def share(self, caller: Caller, request: api.SharePostRequest) -> api.SharePostResponse:
        check = Violations()
        check.identifier("post_id", request.post_id)
        check.identifier("target_community_id", request.target_community_id, required=False)
        check.request_id(request.request_id)
        check.check()
        await self.deps.gate.wait_for(request.consistency_token)
        target_id = request.target_community_id

        async def command(key: RequestKey | None) -> tuple[api.SharePostResponse, Commit]:
            post, standing, removals = await self._readable(request.post_id, caller)
            target = None
            if target_id:
                target = await self.deps.knowledge.standing(target_id, caller)
                target.require_community()
            now = self.deps.clock()
            standing.require_participation(Action.ACTION_SHARE, post.group_id, now)
            if target is not None:
                # Sharing into a community is taking part there too.
                target.require_participation(Action.ACTION_SHARE, "", now)
            require_not_removed(removals.post_removed)
            event = post.share(caller.user_id, target_id)

            async def respond(_: Commit) -> api.SharePostResponse:
                return api.SharePostResponse(post=await self.view(post, removals))

            return await self.deps.streams.save(post.post_id, post, [event], key, respond)

        return await run_request(
            self.deps.store, caller, request.request_id, "SharePost", api.SharePostResponse, command
        )

    # --- queries -------------------------------------------------------------------------

    async def get(self, caller: Caller, request: api.GetPostRequest) -> api.GetPostResponse:
        check = Violations()
        check.identifier("post_id", request.post_id)
        check.check()
        await self.deps.gate.wait_for(request.consistency_token)
        post, _, removals = await self._readable(request.post_id, caller)
        return api.GetPostResponse(post=await self.view(post, removals))

    async def list_posts(
        self, caller: Caller, request: api.ListPostsRequest
    ) -> api.ListPostsResponse:
        check = Violations()
        check.identifier("community_id", request.community_id)
        check.identifier("group_id", request.group_id, required=False)
        check.page_size(request.page_size)
        check.check()
        group_id = request.group_id
        timeline = (
            tl.group_posts(group_id) if group_id else tl.community_posts(request.community_id)
        )
        cursors = Cursors.parse(request.page_token, "posts", timeline)
        await self.deps.gate.wait_for(request.consistency_token, community_id=request.community_id)
        standing = await self.deps.knowledge.standing(request.community_id, caller)
        standing.require_community()
        standing.require_group(group_id)
        standing.require_read(group_id)

        size = arguments.page_size(request.page_size)
        below = cursors.below.get(timeline) or await self.deps.timelines.top(timeline) + 1
        posts: list[api.Post] = []
        while len(posts) < size and below > 1:
            entries = await self.deps.timelines.read_below(timeline, below, size - len(posts))
            if not entries:
                break
            shown = await asyncio.gather(*(self._entry(e, standing) for e in entries))
            for entry, post in zip(entries, shown, strict=True):
                below = entry["slot"]
                if post is not None:
                    posts.append(post)
        next_token = Cursors("posts", timeline, {timeline: below}).token() if below > 1 else ""
        return api.ListPostsResponse(posts=posts, next_page_token=next_token)

    async def list_comments(
        self, caller: Caller, request: api.ListCommentsRequest
    ) -> api.ListCommentsResponse:
        check = Violations()
        check.identifier("post_id", request.post_id)
        check.page_size(request.page_size)
        check.check()
        cursors = Cursors.parse(request.page_token, "comments", request.post_id)
        await self.deps.gate.wait_for(request.consistency_token)
        post, standing, removals = await self._readable(request.post_id, caller)
        size = arguments.page_size(request.page_size)
        # The post's own stream is the comment list, oldest first: walk its commits by _id.
        version = cursors.below.get(post.post_id, 1)
        comments: list[api.Comment] = []
        commits = self.deps.store.db[COMMITS]
        while len(comments) < size and version < post.version:
            document = await commits.find_one({"_id": commit_id(post.post_id, version)})
            if document is None:
                break
            for stored in document["events"]:
                version += 1
                if stored["ce_type"] != ev.CommentAdded.DESCRIPTOR.full_name:
                    continue
                event = ev.CommentAdded.FromString(bytes(stored["payload"]))
                removed = event.comment_id in removals.removed_comments
                if removed and not standing.is_moderator:
                    continue
                comments.append(comment_message(event, stored["ce_time"], removed))
        more = version < post.version
        token = Cursors("comments", post.post_id, {post.post_id: version}).token() if more else ""
        return api.ListCommentsResponse(comments=comments, next_page_token=token)


def comment_message(event: ev.CommentAdded, time: str, removed: bool) -> api.Comment:
    return api.Comment(
        comment_id=event.comment_id,
        post_id=event.post_id,
        community_id=event.community_id,
        group_id=event.group_id,
        author_id=event.author_id,
        body=event.body,
        parent_comment_id=event.parent_comment_id,
        created_at=timestamp(time),
        removed=removed,
    )


async def _deleted(_: Commit) -> api.DeletePostResponse:
    return api.DeletePostResponse()
