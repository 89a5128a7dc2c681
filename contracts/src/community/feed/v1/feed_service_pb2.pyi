import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LiveSessionStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LIVE_SESSION_STATUS_UNSPECIFIED: _ClassVar[LiveSessionStatus]
    LIVE_SESSION_STATUS_ACTIVE: _ClassVar[LiveSessionStatus]
    LIVE_SESSION_STATUS_ENDED: _ClassVar[LiveSessionStatus]
LIVE_SESSION_STATUS_UNSPECIFIED: LiveSessionStatus
LIVE_SESSION_STATUS_ACTIVE: LiveSessionStatus
LIVE_SESSION_STATUS_ENDED: LiveSessionStatus

class Post(_message.Message):
    __slots__ = ("post_id", "community_id", "group_id", "author_id", "body", "created_at", "like_count", "comment_count", "share_count", "removed")
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    LIKE_COUNT_FIELD_NUMBER: _ClassVar[int]
    COMMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    SHARE_COUNT_FIELD_NUMBER: _ClassVar[int]
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    post_id: str
    community_id: str
    group_id: str
    author_id: str
    body: str
    created_at: _timestamp_pb2.Timestamp
    like_count: int
    comment_count: int
    share_count: int
    removed: bool
    def __init__(self, post_id: _Optional[str] = ..., community_id: _Optional[str] = ..., group_id: _Optional[str] = ..., author_id: _Optional[str] = ..., body: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., like_count: _Optional[int] = ..., comment_count: _Optional[int] = ..., share_count: _Optional[int] = ..., removed: _Optional[bool] = ...) -> None: ...

class Comment(_message.Message):
    __slots__ = ("comment_id", "post_id", "community_id", "group_id", "author_id", "body", "parent_comment_id", "created_at", "removed")
    COMMENT_ID_FIELD_NUMBER: _ClassVar[int]
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    PARENT_COMMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    comment_id: str
    post_id: str
    community_id: str
    group_id: str
    author_id: str
    body: str
    parent_comment_id: str
    created_at: _timestamp_pb2.Timestamp
    removed: bool
    def __init__(self, comment_id: _Optional[str] = ..., post_id: _Optional[str] = ..., community_id: _Optional[str] = ..., group_id: _Optional[str] = ..., author_id: _Optional[str] = ..., body: _Optional[str] = ..., parent_comment_id: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., removed: _Optional[bool] = ...) -> None: ...

class Announcement(_message.Message):
    __slots__ = ("announcement_id", "community_id", "group_ids", "author_id", "body", "created_at")
    ANNOUNCEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_IDS_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    announcement_id: str
    community_id: str
    group_ids: _containers.RepeatedScalarFieldContainer[str]
    author_id: str
    body: str
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, announcement_id: _Optional[str] = ..., community_id: _Optional[str] = ..., group_ids: _Optional[_Iterable[str]] = ..., author_id: _Optional[str] = ..., body: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class HomeFeedItem(_message.Message):
    __slots__ = ("post", "announcement")
    POST_FIELD_NUMBER: _ClassVar[int]
    ANNOUNCEMENT_FIELD_NUMBER: _ClassVar[int]
    post: Post
    announcement: Announcement
    def __init__(self, post: _Optional[_Union[Post, _Mapping]] = ..., announcement: _Optional[_Union[Announcement, _Mapping]] = ...) -> None: ...

class LiveSession(_message.Message):
    __slots__ = ("session_id", "community_id", "host_id", "title", "status", "viewer_count", "started_at", "ended_at")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    HOST_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VIEWER_COUNT_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    community_id: str
    host_id: str
    title: str
    status: LiveSessionStatus
    viewer_count: int
    started_at: _timestamp_pb2.Timestamp
    ended_at: _timestamp_pb2.Timestamp
    def __init__(self, session_id: _Optional[str] = ..., community_id: _Optional[str] = ..., host_id: _Optional[str] = ..., title: _Optional[str] = ..., status: _Optional[_Union[LiveSessionStatus, str]] = ..., viewer_count: _Optional[int] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreatePostRequest(_message.Message):
    __slots__ = ("community_id", "group_id", "body", "request_id", "consistency_token")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    group_id: str
    body: str
    request_id: str
    consistency_token: str
    def __init__(self, community_id: _Optional[str] = ..., group_id: _Optional[str] = ..., body: _Optional[str] = ..., request_id: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class CreatePostResponse(_message.Message):
    __slots__ = ("post",)
    POST_FIELD_NUMBER: _ClassVar[int]
    post: Post
    def __init__(self, post: _Optional[_Union[Post, _Mapping]] = ...) -> None: ...

class GetPostRequest(_message.Message):
    __slots__ = ("post_id", "consistency_token")
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    post_id: str
    consistency_token: str
    def __init__(self, post_id: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class GetPostResponse(_message.Message):
    __slots__ = ("post",)
    POST_FIELD_NUMBER: _ClassVar[int]
    post: Post
    def __init__(self, post: _Optional[_Union[Post, _Mapping]] = ...) -> None: ...

class ListPostsRequest(_message.Message):
    __slots__ = ("community_id", "group_id", "page_size", "page_token", "consistency_token")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    group_id: str
    page_size: int
    page_token: str
    consistency_token: str
    def __init__(self, community_id: _Optional[str] = ..., group_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class ListPostsResponse(_message.Message):
    __slots__ = ("posts", "next_page_token")
    POSTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    posts: _containers.RepeatedCompositeFieldContainer[Post]
    next_page_token: str
    def __init__(self, posts: _Optional[_Iterable[_Union[Post, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DeletePostRequest(_message.Message):
    __slots__ = ("post_id", "consistency_token", "request_id")
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    post_id: str
    consistency_token: str
    request_id: str
    def __init__(self, post_id: _Optional[str] = ..., consistency_token: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class DeletePostResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AddCommentRequest(_message.Message):
    __slots__ = ("post_id", "body", "parent_comment_id", "request_id", "consistency_token")
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    PARENT_COMMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    post_id: str
    body: str
    parent_comment_id: str
    request_id: str
    consistency_token: str
    def __init__(self, post_id: _Optional[str] = ..., body: _Optional[str] = ..., parent_comment_id: _Optional[str] = ..., request_id: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class AddCommentResponse(_message.Message):
    __slots__ = ("comment",)
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    comment: Comment
    def __init__(self, comment: _Optional[_Union[Comment, _Mapping]] = ...) -> None: ...

class ListCommentsRequest(_message.Message):
    __slots__ = ("post_id", "page_size", "page_token", "consistency_token")
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    post_id: str
    page_size: int
    page_token: str
    consistency_token: str
    def __init__(self, post_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class ListCommentsResponse(_message.Message):
    __slots__ = ("comments", "next_page_token")
    COMMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    comments: _containers.RepeatedCompositeFieldContainer[Comment]
    next_page_token: str
    def __init__(self, comments: _Optional[_Iterable[_Union[Comment, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class LikePostRequest(_message.Message):
    __slots__ = ("post_id", "consistency_token", "request_id")
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    post_id: str
    consistency_token: str
    request_id: str
    def __init__(self, post_id: _Optional[str] = ..., consistency_token: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class LikePostResponse(_message.Message):
    __slots__ = ("post",)
    POST_FIELD_NUMBER: _ClassVar[int]
    post: Post
    def __init__(self, post: _Optional[_Union[Post, _Mapping]] = ...) -> None: ...

class UnlikePostRequest(_message.Message):
    __slots__ = ("post_id", "consistency_token", "request_id")
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    post_id: str
    consistency_token: str
    request_id: str
    def __init__(self, post_id: _Optional[str] = ..., consistency_token: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class UnlikePostResponse(_message.Message):
    __slots__ = ("post",)
    POST_FIELD_NUMBER: _ClassVar[int]
    post: Post
    def __init__(self, post: _Optional[_Union[Post, _Mapping]] = ...) -> None: ...

class SharePostRequest(_message.Message):
    __slots__ = ("post_id", "target_community_id", "request_id", "consistency_token")
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    post_id: str
    target_community_id: str
    request_id: str
    consistency_token: str
    def __init__(self, post_id: _Optional[str] = ..., target_community_id: _Optional[str] = ..., request_id: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class SharePostResponse(_message.Message):
    __slots__ = ("post",)
    POST_FIELD_NUMBER: _ClassVar[int]
    post: Post
    def __init__(self, post: _Optional[_Union[Post, _Mapping]] = ...) -> None: ...

class PublishAnnouncementRequest(_message.Message):
    __slots__ = ("community_id", "group_ids", "body", "request_id", "consistency_token")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_IDS_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    group_ids: _containers.RepeatedScalarFieldContainer[str]
    body: str
    request_id: str
    consistency_token: str
    def __init__(self, community_id: _Optional[str] = ..., group_ids: _Optional[_Iterable[str]] = ..., body: _Optional[str] = ..., request_id: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class PublishAnnouncementResponse(_message.Message):
    __slots__ = ("announcement",)
    ANNOUNCEMENT_FIELD_NUMBER: _ClassVar[int]
    announcement: Announcement
    def __init__(self, announcement: _Optional[_Union[Announcement, _Mapping]] = ...) -> None: ...

class GetHomeFeedRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "consistency_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    consistency_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class GetHomeFeedResponse(_message.Message):
    __slots__ = ("items", "next_page_token")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[HomeFeedItem]
    next_page_token: str
    def __init__(self, items: _Optional[_Iterable[_Union[HomeFeedItem, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class StartLiveSessionRequest(_message.Message):
    __slots__ = ("community_id", "title", "request_id", "consistency_token")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    title: str
    request_id: str
    consistency_token: str
    def __init__(self, community_id: _Optional[str] = ..., title: _Optional[str] = ..., request_id: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class StartLiveSessionResponse(_message.Message):
    __slots__ = ("live_session",)
    LIVE_SESSION_FIELD_NUMBER: _ClassVar[int]
    live_session: LiveSession
    def __init__(self, live_session: _Optional[_Union[LiveSession, _Mapping]] = ...) -> None: ...

class JoinLiveSessionRequest(_message.Message):
    __slots__ = ("session_id", "consistency_token", "request_id")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    consistency_token: str
    request_id: str
    def __init__(self, session_id: _Optional[str] = ..., consistency_token: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class JoinLiveSessionResponse(_message.Message):
    __slots__ = ("live_session",)
    LIVE_SESSION_FIELD_NUMBER: _ClassVar[int]
    live_session: LiveSession
    def __init__(self, live_session: _Optional[_Union[LiveSession, _Mapping]] = ...) -> None: ...

class LeaveLiveSessionRequest(_message.Message):
    __slots__ = ("session_id", "consistency_token", "request_id")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    consistency_token: str
    request_id: str
    def __init__(self, session_id: _Optional[str] = ..., consistency_token: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class LeaveLiveSessionResponse(_message.Message):
    __slots__ = ("live_session",)
    LIVE_SESSION_FIELD_NUMBER: _ClassVar[int]
    live_session: LiveSession
    def __init__(self, live_session: _Optional[_Union[LiveSession, _Mapping]] = ...) -> None: ...

class EndLiveSessionRequest(_message.Message):
    __slots__ = ("session_id", "consistency_token", "request_id")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    consistency_token: str
    request_id: str
    def __init__(self, session_id: _Optional[str] = ..., consistency_token: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class EndLiveSessionResponse(_message.Message):
    __slots__ = ("live_session",)
    LIVE_SESSION_FIELD_NUMBER: _ClassVar[int]
    live_session: LiveSession
    def __init__(self, live_session: _Optional[_Union[LiveSession, _Mapping]] = ...) -> None: ...

class ListLiveSessionsRequest(_message.Message):
    __slots__ = ("community_id", "page_size", "page_token", "consistency_token")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    page_size: int
    page_token: str
    consistency_token: str
    def __init__(self, community_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class ListLiveSessionsResponse(_message.Message):
    __slots__ = ("live_sessions", "next_page_token")
    LIVE_SESSIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    live_sessions: _containers.RepeatedCompositeFieldContainer[LiveSession]
    next_page_token: str
    def __init__(self, live_sessions: _Optional[_Iterable[_Union[LiveSession, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
