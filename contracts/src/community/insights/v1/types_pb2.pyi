from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class TopContributor(_message.Message):
    __slots__ = ("user_id", "score")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    score: int
    def __init__(self, user_id: _Optional[str] = ..., score: _Optional[int] = ...) -> None: ...

class TopPost(_message.Message):
    __slots__ = ("post_id", "engagement")
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    ENGAGEMENT_FIELD_NUMBER: _ClassVar[int]
    post_id: str
    engagement: int
    def __init__(self, post_id: _Optional[str] = ..., engagement: _Optional[int] = ...) -> None: ...

class DailyFigures(_message.Message):
    __slots__ = ("date", "joins", "leaves", "posts", "comments", "likes", "shares", "announcements", "live_sessions", "live_joins")
    DATE_FIELD_NUMBER: _ClassVar[int]
    JOINS_FIELD_NUMBER: _ClassVar[int]
    LEAVES_FIELD_NUMBER: _ClassVar[int]
    POSTS_FIELD_NUMBER: _ClassVar[int]
    COMMENTS_FIELD_NUMBER: _ClassVar[int]
    LIKES_FIELD_NUMBER: _ClassVar[int]
    SHARES_FIELD_NUMBER: _ClassVar[int]
    ANNOUNCEMENTS_FIELD_NUMBER: _ClassVar[int]
    LIVE_SESSIONS_FIELD_NUMBER: _ClassVar[int]
    LIVE_JOINS_FIELD_NUMBER: _ClassVar[int]
    date: str
    joins: int
    leaves: int
    posts: int
    comments: int
    likes: int
    shares: int
    announcements: int
    live_sessions: int
    live_joins: int
    def __init__(self, date: _Optional[str] = ..., joins: _Optional[int] = ..., leaves: _Optional[int] = ..., posts: _Optional[int] = ..., comments: _Optional[int] = ..., likes: _Optional[int] = ..., shares: _Optional[int] = ..., announcements: _Optional[int] = ..., live_sessions: _Optional[int] = ..., live_joins: _Optional[int] = ...) -> None: ...
