import datetime

from community.moderation.v1 import types_pb2 as _types_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ModerationAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MODERATION_ACTION_UNSPECIFIED: _ClassVar[ModerationAction]
    MODERATION_ACTION_CONTENT_REMOVED: _ClassVar[ModerationAction]
    MODERATION_ACTION_CONTENT_RESTORED: _ClassVar[ModerationAction]
    MODERATION_ACTION_MEMBER_MUTED: _ClassVar[ModerationAction]
    MODERATION_ACTION_MEMBER_UNMUTED: _ClassVar[ModerationAction]
    MODERATION_ACTION_MEMBER_BANNED: _ClassVar[ModerationAction]
    MODERATION_ACTION_MEMBER_UNBANNED: _ClassVar[ModerationAction]
    MODERATION_ACTION_USER_RESTRICTED: _ClassVar[ModerationAction]
    MODERATION_ACTION_RESTRICTION_LIFTED: _ClassVar[ModerationAction]
    MODERATION_ACTION_REPORT_RESOLVED: _ClassVar[ModerationAction]
    MODERATION_ACTION_RULE_ADDED: _ClassVar[ModerationAction]
    MODERATION_ACTION_RULE_UPDATED: _ClassVar[ModerationAction]
    MODERATION_ACTION_RULE_REMOVED: _ClassVar[ModerationAction]
    MODERATION_ACTION_AUTOMOD_RULE_ADDED: _ClassVar[ModerationAction]
    MODERATION_ACTION_AUTOMOD_RULE_REMOVED: _ClassVar[ModerationAction]
MODERATION_ACTION_UNSPECIFIED: ModerationAction
MODERATION_ACTION_CONTENT_REMOVED: ModerationAction
MODERATION_ACTION_CONTENT_RESTORED: ModerationAction
MODERATION_ACTION_MEMBER_MUTED: ModerationAction
MODERATION_ACTION_MEMBER_UNMUTED: ModerationAction
MODERATION_ACTION_MEMBER_BANNED: ModerationAction
MODERATION_ACTION_MEMBER_UNBANNED: ModerationAction
MODERATION_ACTION_USER_RESTRICTED: ModerationAction
MODERATION_ACTION_RESTRICTION_LIFTED: ModerationAction
MODERATION_ACTION_REPORT_RESOLVED: ModerationAction
MODERATION_ACTION_RULE_ADDED: ModerationAction
MODERATION_ACTION_RULE_UPDATED: ModerationAction
MODERATION_ACTION_RULE_REMOVED: ModerationAction
MODERATION_ACTION_AUTOMOD_RULE_ADDED: ModerationAction
MODERATION_ACTION_AUTOMOD_RULE_REMOVED: ModerationAction

class Rule(_message.Message):
    __slots__ = ("rule_id", "community_id", "title", "description", "created_at", "updated_at")
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    rule_id: str
    community_id: str
    title: str
    description: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, rule_id: _Optional[str] = ..., community_id: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Report(_message.Message):
    __slots__ = ("report_id", "community_id", "group_id", "post_id", "comment_id", "user_id", "reporter_id", "automod_rule_id", "reason", "rule_id", "details", "platform", "status", "resolution", "note", "resolver_id", "created_at", "resolved_at")
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
    STATUS_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    RESOLVER_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_AT_FIELD_NUMBER: _ClassVar[int]
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
    status: _types_pb2.ReportStatus
    resolution: _types_pb2.Resolution
    note: str
    resolver_id: str
    created_at: _timestamp_pb2.Timestamp
    resolved_at: _timestamp_pb2.Timestamp
    def __init__(self, report_id: _Optional[str] = ..., community_id: _Optional[str] = ..., group_id: _Optional[str] = ..., post_id: _Optional[str] = ..., comment_id: _Optional[str] = ..., user_id: _Optional[str] = ..., reporter_id: _Optional[str] = ..., automod_rule_id: _Optional[str] = ..., reason: _Optional[_Union[_types_pb2.Reason, str]] = ..., rule_id: _Optional[str] = ..., details: _Optional[str] = ..., platform: _Optional[bool] = ..., status: _Optional[_Union[_types_pb2.ReportStatus, str]] = ..., resolution: _Optional[_Union[_types_pb2.Resolution, str]] = ..., note: _Optional[str] = ..., resolver_id: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., resolved_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AutomodRule(_message.Message):
    __slots__ = ("automod_rule_id", "community_id", "platform", "keywords", "regex", "action", "creator_id", "created_at")
    AUTOMOD_RULE_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    KEYWORDS_FIELD_NUMBER: _ClassVar[int]
    REGEX_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    CREATOR_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    automod_rule_id: str
    community_id: str
    platform: bool
    keywords: _containers.RepeatedScalarFieldContainer[str]
    regex: str
    action: _types_pb2.Automod
    creator_id: str
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, automod_rule_id: _Optional[str] = ..., community_id: _Optional[str] = ..., platform: _Optional[bool] = ..., keywords: _Optional[_Iterable[str]] = ..., regex: _Optional[str] = ..., action: _Optional[_Union[_types_pb2.Automod, str]] = ..., creator_id: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ModerationLogEntry(_message.Message):
    __slots__ = ("action", "community_id", "actor_id", "automod_rule_id", "user_id", "post_id", "comment_id", "rule_id", "report_id", "reason", "time", "expires_at", "actions")
    ACTION_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    AUTOMOD_RULE_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    COMMENT_ID_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    action: ModerationAction
    community_id: str
    actor_id: str
    automod_rule_id: str
    user_id: str
    post_id: str
    comment_id: str
    rule_id: str
    report_id: str
    reason: str
    time: _timestamp_pb2.Timestamp
    expires_at: _timestamp_pb2.Timestamp
    actions: _containers.RepeatedScalarFieldContainer[_types_pb2.Action]
    def __init__(self, action: _Optional[_Union[ModerationAction, str]] = ..., community_id: _Optional[str] = ..., actor_id: _Optional[str] = ..., automod_rule_id: _Optional[str] = ..., user_id: _Optional[str] = ..., post_id: _Optional[str] = ..., comment_id: _Optional[str] = ..., rule_id: _Optional[str] = ..., report_id: _Optional[str] = ..., reason: _Optional[str] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actions: _Optional[_Iterable[_Union[_types_pb2.Action, str]]] = ...) -> None: ...

class AddRuleRequest(_message.Message):
    __slots__ = ("community_id", "title", "description", "request_id", "consistency_token")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    title: str
    description: str
    request_id: str
    consistency_token: str
    def __init__(self, community_id: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., request_id: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class AddRuleResponse(_message.Message):
    __slots__ = ("rule",)
    RULE_FIELD_NUMBER: _ClassVar[int]
    rule: Rule
    def __init__(self, rule: _Optional[_Union[Rule, _Mapping]] = ...) -> None: ...

class UpdateRuleRequest(_message.Message):
    __slots__ = ("rule_id", "title", "description", "update_mask", "request_id", "consistency_token")
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    rule_id: str
    title: str
    description: str
    update_mask: _field_mask_pb2.FieldMask
    request_id: str
    consistency_token: str
    def __init__(self, rule_id: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., request_id: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class UpdateRuleResponse(_message.Message):
    __slots__ = ("rule",)
    RULE_FIELD_NUMBER: _ClassVar[int]
    rule: Rule
    def __init__(self, rule: _Optional[_Union[Rule, _Mapping]] = ...) -> None: ...

class RemoveRuleRequest(_message.Message):
    __slots__ = ("rule_id", "request_id", "consistency_token")
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    rule_id: str
    request_id: str
    consistency_token: str
    def __init__(self, rule_id: _Optional[str] = ..., request_id: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class RemoveRuleResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListRulesRequest(_message.Message):
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

class ListRulesResponse(_message.Message):
    __slots__ = ("rules", "next_page_token")
    RULES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    rules: _containers.RepeatedCompositeFieldContainer[Rule]
    next_page_token: str
    def __init__(self, rules: _Optional[_Iterable[_Union[Rule, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ReportContentRequest(_message.Message):
    __slots__ = ("community_id", "post_id", "comment_id", "user_id", "reason", "rule_id", "details", "request_id", "consistency_token")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    COMMENT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    post_id: str
    comment_id: str
    user_id: str
    reason: _types_pb2.Reason
    rule_id: str
    details: str
    request_id: str
    consistency_token: str
    def __init__(self, community_id: _Optional[str] = ..., post_id: _Optional[str] = ..., comment_id: _Optional[str] = ..., user_id: _Optional[str] = ..., reason: _Optional[_Union[_types_pb2.Reason, str]] = ..., rule_id: _Optional[str] = ..., details: _Optional[str] = ..., request_id: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class ReportContentResponse(_message.Message):
    __slots__ = ("report",)
    REPORT_FIELD_NUMBER: _ClassVar[int]
    report: Report
    def __init__(self, report: _Optional[_Union[Report, _Mapping]] = ...) -> None: ...

class ListReportsRequest(_message.Message):
    __slots__ = ("community_id", "platform", "status", "page_size", "page_token", "consistency_token")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    platform: bool
    status: _types_pb2.ReportStatus
    page_size: int
    page_token: str
    consistency_token: str
    def __init__(self, community_id: _Optional[str] = ..., platform: _Optional[bool] = ..., status: _Optional[_Union[_types_pb2.ReportStatus, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class ListReportsResponse(_message.Message):
    __slots__ = ("reports", "next_page_token")
    REPORTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    reports: _containers.RepeatedCompositeFieldContainer[Report]
    next_page_token: str
    def __init__(self, reports: _Optional[_Iterable[_Union[Report, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ResolveReportRequest(_message.Message):
    __slots__ = ("report_id", "resolution", "note", "duration", "request_id", "consistency_token")
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    report_id: str
    resolution: _types_pb2.Resolution
    note: str
    duration: _duration_pb2.Duration
    request_id: str
    consistency_token: str
    def __init__(self, report_id: _Optional[str] = ..., resolution: _Optional[_Union[_types_pb2.Resolution, str]] = ..., note: _Optional[str] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., request_id: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class ResolveReportResponse(_message.Message):
    __slots__ = ("report",)
    REPORT_FIELD_NUMBER: _ClassVar[int]
    report: Report
    def __init__(self, report: _Optional[_Union[Report, _Mapping]] = ...) -> None: ...

class RemoveContentRequest(_message.Message):
    __slots__ = ("post_id", "comment_id", "reason", "request_id", "consistency_token")
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    COMMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    post_id: str
    comment_id: str
    reason: str
    request_id: str
    consistency_token: str
    def __init__(self, post_id: _Optional[str] = ..., comment_id: _Optional[str] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class RemoveContentResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RestoreContentRequest(_message.Message):
    __slots__ = ("post_id", "comment_id", "reason", "request_id", "consistency_token")
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    COMMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    post_id: str
    comment_id: str
    reason: str
    request_id: str
    consistency_token: str
    def __init__(self, post_id: _Optional[str] = ..., comment_id: _Optional[str] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class RestoreContentResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class MuteMemberRequest(_message.Message):
    __slots__ = ("community_id", "user_id", "duration", "reason", "request_id", "consistency_token")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    user_id: str
    duration: _duration_pb2.Duration
    reason: str
    request_id: str
    consistency_token: str
    def __init__(self, community_id: _Optional[str] = ..., user_id: _Optional[str] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class MuteMemberResponse(_message.Message):
    __slots__ = ("expires_at",)
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class UnmuteMemberRequest(_message.Message):
    __slots__ = ("community_id", "user_id", "reason", "request_id", "consistency_token")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    user_id: str
    reason: str
    request_id: str
    consistency_token: str
    def __init__(self, community_id: _Optional[str] = ..., user_id: _Optional[str] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class UnmuteMemberResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class BanMemberRequest(_message.Message):
    __slots__ = ("community_id", "user_id", "duration", "reason", "request_id", "consistency_token")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    user_id: str
    duration: _duration_pb2.Duration
    reason: str
    request_id: str
    consistency_token: str
    def __init__(self, community_id: _Optional[str] = ..., user_id: _Optional[str] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class BanMemberResponse(_message.Message):
    __slots__ = ("expires_at",)
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class UnbanMemberRequest(_message.Message):
    __slots__ = ("community_id", "user_id", "reason", "request_id", "consistency_token")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    user_id: str
    reason: str
    request_id: str
    consistency_token: str
    def __init__(self, community_id: _Optional[str] = ..., user_id: _Optional[str] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class UnbanMemberResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RestrictUserRequest(_message.Message):
    __slots__ = ("user_id", "actions", "duration", "reason", "request_id", "consistency_token")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    actions: _containers.RepeatedScalarFieldContainer[_types_pb2.Action]
    duration: _duration_pb2.Duration
    reason: str
    request_id: str
    consistency_token: str
    def __init__(self, user_id: _Optional[str] = ..., actions: _Optional[_Iterable[_Union[_types_pb2.Action, str]]] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class RestrictUserResponse(_message.Message):
    __slots__ = ("expires_at",)
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class LiftRestrictionRequest(_message.Message):
    __slots__ = ("user_id", "actions", "reason", "request_id", "consistency_token")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    actions: _containers.RepeatedScalarFieldContainer[_types_pb2.Action]
    reason: str
    request_id: str
    consistency_token: str
    def __init__(self, user_id: _Optional[str] = ..., actions: _Optional[_Iterable[_Union[_types_pb2.Action, str]]] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class LiftRestrictionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AddAutomodRuleRequest(_message.Message):
    __slots__ = ("community_id", "platform", "keywords", "regex", "action", "request_id", "consistency_token")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    KEYWORDS_FIELD_NUMBER: _ClassVar[int]
    REGEX_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    platform: bool
    keywords: _containers.RepeatedScalarFieldContainer[str]
    regex: str
    action: _types_pb2.Automod
    request_id: str
    consistency_token: str
    def __init__(self, community_id: _Optional[str] = ..., platform: _Optional[bool] = ..., keywords: _Optional[_Iterable[str]] = ..., regex: _Optional[str] = ..., action: _Optional[_Union[_types_pb2.Automod, str]] = ..., request_id: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class AddAutomodRuleResponse(_message.Message):
    __slots__ = ("automod_rule",)
    AUTOMOD_RULE_FIELD_NUMBER: _ClassVar[int]
    automod_rule: AutomodRule
    def __init__(self, automod_rule: _Optional[_Union[AutomodRule, _Mapping]] = ...) -> None: ...

class ListAutomodRulesRequest(_message.Message):
    __slots__ = ("community_id", "platform", "page_size", "page_token", "consistency_token")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    platform: bool
    page_size: int
    page_token: str
    consistency_token: str
    def __init__(self, community_id: _Optional[str] = ..., platform: _Optional[bool] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class ListAutomodRulesResponse(_message.Message):
    __slots__ = ("automod_rules", "next_page_token")
    AUTOMOD_RULES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    automod_rules: _containers.RepeatedCompositeFieldContainer[AutomodRule]
    next_page_token: str
    def __init__(self, automod_rules: _Optional[_Iterable[_Union[AutomodRule, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RemoveAutomodRuleRequest(_message.Message):
    __slots__ = ("automod_rule_id", "request_id", "consistency_token")
    AUTOMOD_RULE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    automod_rule_id: str
    request_id: str
    consistency_token: str
    def __init__(self, automod_rule_id: _Optional[str] = ..., request_id: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class RemoveAutomodRuleResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListModerationLogRequest(_message.Message):
    __slots__ = ("community_id", "platform", "page_size", "page_token", "consistency_token")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    platform: bool
    page_size: int
    page_token: str
    consistency_token: str
    def __init__(self, community_id: _Optional[str] = ..., platform: _Optional[bool] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class ListModerationLogResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[ModerationLogEntry]
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[ModerationLogEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
