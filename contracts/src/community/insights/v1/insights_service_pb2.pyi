import datetime

from community.insights.v1 import types_pb2 as _types_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetInsightsRequest(_message.Message):
    __slots__ = ("community_id", "group_id", "range_days", "time_zone", "consistency_token", "as_of_date")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    RANGE_DAYS_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    AS_OF_DATE_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    group_id: str
    range_days: int
    time_zone: str
    consistency_token: str
    as_of_date: str
    def __init__(self, community_id: _Optional[str] = ..., group_id: _Optional[str] = ..., range_days: _Optional[int] = ..., time_zone: _Optional[str] = ..., consistency_token: _Optional[str] = ..., as_of_date: _Optional[str] = ...) -> None: ...

class GetInsightsResponse(_message.Message):
    __slots__ = ("community_id", "group_id", "range_days", "time_zone", "member_count", "joins", "leaves", "net_growth", "posts", "comments", "likes", "shares", "announcements", "live_sessions", "live_joins", "active_members_1d", "active_members_7d", "active_members_28d", "engagement_rate", "popular_hours", "popular_days", "top_contributors", "top_posts", "daily", "reports", "content_removed", "members_muted", "members_banned", "as_of")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    RANGE_DAYS_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    MEMBER_COUNT_FIELD_NUMBER: _ClassVar[int]
    JOINS_FIELD_NUMBER: _ClassVar[int]
    LEAVES_FIELD_NUMBER: _ClassVar[int]
    NET_GROWTH_FIELD_NUMBER: _ClassVar[int]
    POSTS_FIELD_NUMBER: _ClassVar[int]
    COMMENTS_FIELD_NUMBER: _ClassVar[int]
    LIKES_FIELD_NUMBER: _ClassVar[int]
    SHARES_FIELD_NUMBER: _ClassVar[int]
    ANNOUNCEMENTS_FIELD_NUMBER: _ClassVar[int]
    LIVE_SESSIONS_FIELD_NUMBER: _ClassVar[int]
    LIVE_JOINS_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_MEMBERS_1D_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_MEMBERS_7D_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_MEMBERS_28D_FIELD_NUMBER: _ClassVar[int]
    ENGAGEMENT_RATE_FIELD_NUMBER: _ClassVar[int]
    POPULAR_HOURS_FIELD_NUMBER: _ClassVar[int]
    POPULAR_DAYS_FIELD_NUMBER: _ClassVar[int]
    TOP_CONTRIBUTORS_FIELD_NUMBER: _ClassVar[int]
    TOP_POSTS_FIELD_NUMBER: _ClassVar[int]
    DAILY_FIELD_NUMBER: _ClassVar[int]
    REPORTS_FIELD_NUMBER: _ClassVar[int]
    CONTENT_REMOVED_FIELD_NUMBER: _ClassVar[int]
    MEMBERS_MUTED_FIELD_NUMBER: _ClassVar[int]
    MEMBERS_BANNED_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    group_id: str
    range_days: int
    time_zone: str
    member_count: int
    joins: int
    leaves: int
    net_growth: int
    posts: int
    comments: int
    likes: int
    shares: int
    announcements: int
    live_sessions: int
    live_joins: int
    active_members_1d: int
    active_members_7d: int
    active_members_28d: int
    engagement_rate: float
    popular_hours: _containers.RepeatedScalarFieldContainer[int]
    popular_days: _containers.RepeatedScalarFieldContainer[int]
    top_contributors: _containers.RepeatedCompositeFieldContainer[_types_pb2.TopContributor]
    top_posts: _containers.RepeatedCompositeFieldContainer[_types_pb2.TopPost]
    daily: _containers.RepeatedCompositeFieldContainer[_types_pb2.DailyFigures]
    reports: int
    content_removed: int
    members_muted: int
    members_banned: int
    as_of: _timestamp_pb2.Timestamp
    def __init__(self, community_id: _Optional[str] = ..., group_id: _Optional[str] = ..., range_days: _Optional[int] = ..., time_zone: _Optional[str] = ..., member_count: _Optional[int] = ..., joins: _Optional[int] = ..., leaves: _Optional[int] = ..., net_growth: _Optional[int] = ..., posts: _Optional[int] = ..., comments: _Optional[int] = ..., likes: _Optional[int] = ..., shares: _Optional[int] = ..., announcements: _Optional[int] = ..., live_sessions: _Optional[int] = ..., live_joins: _Optional[int] = ..., active_members_1d: _Optional[int] = ..., active_members_7d: _Optional[int] = ..., active_members_28d: _Optional[int] = ..., engagement_rate: _Optional[float] = ..., popular_hours: _Optional[_Iterable[int]] = ..., popular_days: _Optional[_Iterable[int]] = ..., top_contributors: _Optional[_Iterable[_Union[_types_pb2.TopContributor, _Mapping]]] = ..., top_posts: _Optional[_Iterable[_Union[_types_pb2.TopPost, _Mapping]]] = ..., daily: _Optional[_Iterable[_Union[_types_pb2.DailyFigures, _Mapping]]] = ..., reports: _Optional[int] = ..., content_removed: _Optional[int] = ..., members_muted: _Optional[int] = ..., members_banned: _Optional[int] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
