"""`community.feed.v1.FeedService` over gRPC: each RPC hands the authenticated caller and the
request to its use case. Authentication and error mapping are the host's interceptors."""

from __future__ import annotations

from community.feed.v1 import feed_service_pb2 as api
from community.feed.v1 import feed_service_pb2_grpc
from community_common.auth import current_caller
from grpc import aio

from feed.application.announcements import Announcements
from feed.application.deps import Deps
from feed.application.home_feed import HomeFeed
from feed.application.live import LiveSessions
from feed.application.posts import Posts


class FeedApi(feed_service_pb2_grpc.FeedServiceServicer):
    def __init__(self, deps: Deps) -> None:
        self.posts = Posts(deps)
        self.announcements = Announcements(deps)
        self.home = HomeFeed(deps, self.posts)
        self.live = LiveSessions(deps)

    async def CreatePost(
        self, request: api.CreatePostRequest, context: aio.ServicerContext
    ) -> api.CreatePostResponse:
        return await self.posts.create(current_caller(), request)

    async def GetPost(
        self, request: api.GetPostRequest, context: aio.ServicerContext
    ) -> api.GetPostResponse:
        return await self.posts.get(current_caller(), request)

    async def ListPosts(
        self, request: api.ListPostsRequest, context: aio.ServicerContext
    ) -> api.ListPostsResponse:
        return await self.posts.list_posts(current_caller(), request)

    async def DeletePost(
        self, request: api.DeletePostRequest, context: aio.ServicerContext
    ) -> api.DeletePostResponse:
        return await self.posts.delete(current_caller(), request)

    async def AddComment(
        self, request: api.AddCommentRequest, context: aio.ServicerContext
    ) -> api.AddCommentResponse:
        return await self.posts.add_comment(current_caller(), request)

    async def ListComments(
        self, request: api.ListCommentsRequest, context: aio.ServicerContext
    ) -> api.ListCommentsResponse:
        return await self.posts.list_comments(current_caller(), request)

    async def LikePost(
        self, request: api.LikePostRequest, context: aio.ServicerContext
    ) -> api.LikePostResponse:
        return await self.posts.like(current_caller(), request)

    async def UnlikePost(
        self, request: api.UnlikePostRequest, context: aio.ServicerContext
    ) -> api.UnlikePostResponse:
        return await self.posts.unlike(current_caller(), request)

    async def SharePost(
        self, request: api.SharePostRequest, context: aio.ServicerContext
    ) -> api.SharePostResponse:
        return await self.posts.share(current_caller(), request)

    async def PublishAnnouncement(
        self, request: api.PublishAnnouncementRequest, context: aio.ServicerContext
    ) -> api.PublishAnnouncementResponse:
        return await self.announcements.publish(current_caller(), request)

    async def GetHomeFeed(
        self, request: api.GetHomeFeedRequest, context: aio.ServicerContext
    ) -> api.GetHomeFeedResponse:
        return await self.home.get(current_caller(), request)

    async def StartLiveSession(
        self, request: api.StartLiveSessionRequest, context: aio.ServicerContext
    ) -> api.StartLiveSessionResponse:
        return await self.live.start(current_caller(), request)

    async def JoinLiveSession(
        self, request: api.JoinLiveSessionRequest, context: aio.ServicerContext
    ) -> api.JoinLiveSessionResponse:
        return await self.live.join(current_caller(), request)

    async def LeaveLiveSession(
        self, request: api.LeaveLiveSessionRequest, context: aio.ServicerContext
    ) -> api.LeaveLiveSessionResponse:
        return await self.live.leave(current_caller(), request)

    async def EndLiveSession(
        self, request: api.EndLiveSessionRequest, context: aio.ServicerContext
    ) -> api.EndLiveSessionResponse:
        return await self.live.end(current_caller(), request)

    async def ListLiveSessions(
        self, request: api.ListLiveSessionsRequest, context: aio.ServicerContext
    ) -> api.ListLiveSessionsResponse:
        return await self.live.live_tab(current_caller(), request)
