from community.events.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class PostCreated(_message.Message):
    __slots__ = ("post_id", "community_id", "group_id", "author_id", "body", "timeline_position")
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    TIMELINE_POSITION_FIELD_NUMBER: _ClassVar[int]
    post_id: str
    community_id: str
    group_id: str
    author_id: str
    body: str
    timeline_position: int
    def __init__(self, post_id: _Optional[str] = ..., community_id: _Optional[str] = ..., group_id: _Optional[str] = ..., author_id: _Optional[str] = ..., body: _Optional[str] = ..., timeline_position: _Optional[int] = ...) -> None: ...

class PostDeleted(_message.Message):
    __slots__ = ("post_id", "community_id", "group_id", "author_id", "actor_id")
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    post_id: str
    community_id: str
    group_id: str
    author_id: str
    actor_id: str
    def __init__(self, post_id: _Optional[str] = ..., community_id: _Optional[str] = ..., group_id: _Optional[str] = ..., author_id: _Optional[str] = ..., actor_id: _Optional[str] = ...) -> None: ...

class CommentAdded(_message.Message):
    __slots__ = ("comment_id", "post_id", "community_id", "group_id", "author_id", "post_author_id", "body", "parent_comment_id")
    COMMENT_ID_FIELD_NUMBER: _ClassVar[int]
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    POST_AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    PARENT_COMMENT_ID_FIELD_NUMBER: _ClassVar[int]
    comment_id: str
    post_id: str
    community_id: str
    group_id: str
    author_id: str
    post_author_id: str
    body: str
    parent_comment_id: str
    def __init__(self, comment_id: _Optional[str] = ..., post_id: _Optional[str] = ..., community_id: _Optional[str] = ..., group_id: _Optional[str] = ..., author_id: _Optional[str] = ..., post_author_id: _Optional[str] = ..., body: _Optional[str] = ..., parent_comment_id: _Optional[str] = ...) -> None: ...

class PostLiked(_message.Message):
    __slots__ = ("post_id", "community_id", "group_id", "user_id", "post_author_id")
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    POST_AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    post_id: str
    community_id: str
    group_id: str
    user_id: str
    post_author_id: str
    def __init__(self, post_id: _Optional[str] = ..., community_id: _Optional[str] = ..., group_id: _Optional[str] = ..., user_id: _Optional[str] = ..., post_author_id: _Optional[str] = ...) -> None: ...

class PostUnliked(_message.Message):
    __slots__ = ("post_id", "community_id", "group_id", "user_id", "post_author_id")
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    POST_AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    post_id: str
    community_id: str
    group_id: str
    user_id: str
    post_author_id: str
    def __init__(self, post_id: _Optional[str] = ..., community_id: _Optional[str] = ..., group_id: _Optional[str] = ..., user_id: _Optional[str] = ..., post_author_id: _Optional[str] = ...) -> None: ...

class PostShared(_message.Message):
    __slots__ = ("post_id", "community_id", "group_id", "user_id", "post_author_id", "target_community_id")
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    POST_AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    post_id: str
    community_id: str
    group_id: str
    user_id: str
    post_author_id: str
    target_community_id: str
    def __init__(self, post_id: _Optional[str] = ..., community_id: _Optional[str] = ..., group_id: _Optional[str] = ..., user_id: _Optional[str] = ..., post_author_id: _Optional[str] = ..., target_community_id: _Optional[str] = ...) -> None: ...

class AnnouncementPublished(_message.Message):
    __slots__ = ("announcement_id", "community_id", "group_ids", "author_id", "body", "timeline_position")
    ANNOUNCEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_IDS_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    TIMELINE_POSITION_FIELD_NUMBER: _ClassVar[int]
    announcement_id: str
    community_id: str
    group_ids: _containers.RepeatedScalarFieldContainer[str]
    author_id: str
    body: str
    timeline_position: int
    def __init__(self, announcement_id: _Optional[str] = ..., community_id: _Optional[str] = ..., group_ids: _Optional[_Iterable[str]] = ..., author_id: _Optional[str] = ..., body: _Optional[str] = ..., timeline_position: _Optional[int] = ...) -> None: ...

class LiveSessionStarted(_message.Message):
    __slots__ = ("session_id", "community_id", "host_id", "title", "timeline_position")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    HOST_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    TIMELINE_POSITION_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    community_id: str
    host_id: str
    title: str
    timeline_position: int
    def __init__(self, session_id: _Optional[str] = ..., community_id: _Optional[str] = ..., host_id: _Optional[str] = ..., title: _Optional[str] = ..., timeline_position: _Optional[int] = ...) -> None: ...

class LiveSessionJoined(_message.Message):
    __slots__ = ("session_id", "community_id", "host_id", "user_id")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    HOST_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    community_id: str
    host_id: str
    user_id: str
    def __init__(self, session_id: _Optional[str] = ..., community_id: _Optional[str] = ..., host_id: _Optional[str] = ..., user_id: _Optional[str] = ...) -> None: ...

class LiveSessionLeft(_message.Message):
    __slots__ = ("session_id", "community_id", "host_id", "user_id", "timed_out")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    HOST_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    TIMED_OUT_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    community_id: str
    host_id: str
    user_id: str
    timed_out: bool
    def __init__(self, session_id: _Optional[str] = ..., community_id: _Optional[str] = ..., host_id: _Optional[str] = ..., user_id: _Optional[str] = ..., timed_out: _Optional[bool] = ...) -> None: ...

class LiveSessionEnded(_message.Message):
    __slots__ = ("session_id", "community_id", "host_id", "actor_id")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    HOST_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    community_id: str
    host_id: str
    actor_id: str
    def __init__(self, session_id: _Optional[str] = ..., community_id: _Optional[str] = ..., host_id: _Optional[str] = ..., actor_id: _Optional[str] = ...) -> None: ...
