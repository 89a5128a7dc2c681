import datetime

from community.events.v1 import options_pb2 as _options_pb2
from community.moderation.v1 import types_pb2 as _types_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ContentRemoved(_message.Message):
    __slots__ = ("community_id", "group_id", "post_id", "comment_id", "author_id", "actor_id", "automod_rule_id", "report_id", "reason")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    COMMENT_ID_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    AUTOMOD_RULE_ID_FIELD_NUMBER: _ClassVar[int]
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    group_id: str
    post_id: str
    comment_id: str
    author_id: str
    actor_id: str
    automod_rule_id: str
    report_id: str
    reason: str
    def __init__(self, community_id: _Optional[str] = ..., group_id: _Optional[str] = ..., post_id: _Optional[str] = ..., comment_id: _Optional[str] = ..., author_id: _Optional[str] = ..., actor_id: _Optional[str] = ..., automod_rule_id: _Optional[str] = ..., report_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ContentRestored(_message.Message):
    __slots__ = ("community_id", "group_id", "post_id", "comment_id", "author_id", "actor_id", "reason")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    COMMENT_ID_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    group_id: str
    post_id: str
    comment_id: str
    author_id: str
    actor_id: str
    reason: str
    def __init__(self, community_id: _Optional[str] = ..., group_id: _Optional[str] = ..., post_id: _Optional[str] = ..., comment_id: _Optional[str] = ..., author_id: _Optional[str] = ..., actor_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class MemberMuted(_message.Message):
    __slots__ = ("community_id", "user_id", "actor_id", "automod_rule_id", "report_id", "reason", "duration", "expires_at")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    AUTOMOD_RULE_ID_FIELD_NUMBER: _ClassVar[int]
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    user_id: str
    actor_id: str
    automod_rule_id: str
    report_id: str
    reason: str
    duration: _duration_pb2.Duration
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, community_id: _Optional[str] = ..., user_id: _Optional[str] = ..., actor_id: _Optional[str] = ..., automod_rule_id: _Optional[str] = ..., report_id: _Optional[str] = ..., reason: _Optional[str] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class MemberUnmuted(_message.Message):
    __slots__ = ("community_id", "user_id", "actor_id", "reason")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    user_id: str
    actor_id: str
    reason: str
    def __init__(self, community_id: _Optional[str] = ..., user_id: _Optional[str] = ..., actor_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class MemberBanned(_message.Message):
    __slots__ = ("community_id", "user_id", "actor_id", "report_id", "reason", "duration", "expires_at")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    user_id: str
    actor_id: str
    report_id: str
    reason: str
    duration: _duration_pb2.Duration
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, community_id: _Optional[str] = ..., user_id: _Optional[str] = ..., actor_id: _Optional[str] = ..., report_id: _Optional[str] = ..., reason: _Optional[str] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class MemberUnbanned(_message.Message):
    __slots__ = ("community_id", "user_id", "actor_id", "reason")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    user_id: str
    actor_id: str
    reason: str
    def __init__(self, community_id: _Optional[str] = ..., user_id: _Optional[str] = ..., actor_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class UserRestricted(_message.Message):
    __slots__ = ("user_id", "actions", "actor_id", "report_id", "reason", "duration", "expires_at")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    actions: _containers.RepeatedScalarFieldContainer[_types_pb2.Action]
    actor_id: str
    report_id: str
    reason: str
    duration: _duration_pb2.Duration
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, user_id: _Optional[str] = ..., actions: _Optional[_Iterable[_Union[_types_pb2.Action, str]]] = ..., actor_id: _Optional[str] = ..., report_id: _Optional[str] = ..., reason: _Optional[str] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RestrictionLifted(_message.Message):
    __slots__ = ("user_id", "actions", "actor_id", "reason")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    actions: _containers.RepeatedScalarFieldContainer[_types_pb2.Action]
    actor_id: str
    reason: str
    def __init__(self, user_id: _Optional[str] = ..., actions: _Optional[_Iterable[_Union[_types_pb2.Action, str]]] = ..., actor_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ReportFiled(_message.Message):
    __slots__ = ("report_id", "community_id", "group_id", "post_id", "comment_id", "user_id", "reporter_id", "automod_rule_id", "reason", "rule_id", "details", "platform")
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    COMMENT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    REPORTER_ID_FIELD_NUMBER: _ClassVar[int]
    AUTOMOD_RULE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    report_id: str
    community_id: str
    group_id: str
    post_id: str
    comment_id: str
    user_id: str
    reporter_id: str
    automod_rule_id: str
    reason: _types_pb2.Reason
    rule_id: str
    details: str
    platform: bool
    def __init__(self, report_id: _Optional[str] = ..., community_id: _Optional[str] = ..., group_id: _Optional[str] = ..., post_id: _Optional[str] = ..., comment_id: _Optional[str] = ..., user_id: _Optional[str] = ..., reporter_id: _Optional[str] = ..., automod_rule_id: _Optional[str] = ..., reason: _Optional[_Union[_types_pb2.Reason, str]] = ..., rule_id: _Optional[str] = ..., details: _Optional[str] = ..., platform: _Optional[bool] = ...) -> None: ...

class ReportResolved(_message.Message):
    __slots__ = ("report_id", "community_id", "group_id", "post_id", "comment_id", "user_id", "resolution", "note", "actor_id", "platform")
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    COMMENT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    report_id: str
    community_id: str
    group_id: str
    post_id: str
    comment_id: str
    user_id: str
    resolution: _types_pb2.Resolution
    note: str
    actor_id: str
    platform: bool
    def __init__(self, report_id: _Optional[str] = ..., community_id: _Optional[str] = ..., group_id: _Optional[str] = ..., post_id: _Optional[str] = ..., comment_id: _Optional[str] = ..., user_id: _Optional[str] = ..., resolution: _Optional[_Union[_types_pb2.Resolution, str]] = ..., note: _Optional[str] = ..., actor_id: _Optional[str] = ..., platform: _Optional[bool] = ...) -> None: ...

class RuleAdded(_message.Message):
    __slots__ = ("rule_id", "community_id", "title", "description", "actor_id")
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    rule_id: str
    community_id: str
    title: str
    description: str
    actor_id: str
    def __init__(self, rule_id: _Optional[str] = ..., community_id: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., actor_id: _Optional[str] = ...) -> None: ...

class RuleUpdated(_message.Message):
    __slots__ = ("rule_id", "community_id", "title", "description", "actor_id")
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    rule_id: str
    community_id: str
    title: str
    description: str
    actor_id: str
    def __init__(self, rule_id: _Optional[str] = ..., community_id: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., actor_id: _Optional[str] = ...) -> None: ...

class RuleRemoved(_message.Message):
    __slots__ = ("rule_id", "community_id", "actor_id")
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    rule_id: str
    community_id: str
    actor_id: str
    def __init__(self, rule_id: _Optional[str] = ..., community_id: _Optional[str] = ..., actor_id: _Optional[str] = ...) -> None: ...

class AutomodRuleAdded(_message.Message):
    __slots__ = ("automod_rule_id", "community_id", "platform", "keywords", "regex", "action", "actor_id")
    AUTOMOD_RULE_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    KEYWORDS_FIELD_NUMBER: _ClassVar[int]
    REGEX_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    automod_rule_id: str
    community_id: str
    platform: bool
    keywords: _containers.RepeatedScalarFieldContainer[str]
    regex: str
    action: _types_pb2.Automod
    actor_id: str
    def __init__(self, automod_rule_id: _Optional[str] = ..., community_id: _Optional[str] = ..., platform: _Optional[bool] = ..., keywords: _Optional[_Iterable[str]] = ..., regex: _Optional[str] = ..., action: _Optional[_Union[_types_pb2.Automod, str]] = ..., actor_id: _Optional[str] = ...) -> None: ...

class AutomodRuleRemoved(_message.Message):
    __slots__ = ("automod_rule_id", "community_id", "platform", "actor_id")
    AUTOMOD_RULE_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    automod_rule_id: str
    community_id: str
    platform: bool
    actor_id: str
    def __init__(self, automod_rule_id: _Optional[str] = ..., community_id: _Optional[str] = ..., platform: _Optional[bool] = ..., actor_id: _Optional[str] = ...) -> None: ...
