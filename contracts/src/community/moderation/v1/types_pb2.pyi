from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class Action(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACTION_UNSPECIFIED: _ClassVar[Action]
    ACTION_POST: _ClassVar[Action]
    ACTION_COMMENT: _ClassVar[Action]
    ACTION_LIKE: _ClassVar[Action]
    ACTION_SHARE: _ClassVar[Action]
    ACTION_LIVE: _ClassVar[Action]
    ACTION_INVITE: _ClassVar[Action]
    ACTION_CREATE_COMMUNITY: _ClassVar[Action]

class Reason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REASON_UNSPECIFIED: _ClassVar[Reason]
    REASON_COMMUNITY_RULE: _ClassVar[Reason]
    REASON_SPAM: _ClassVar[Reason]
    REASON_HARASSMENT: _ClassVar[Reason]
    REASON_PLATFORM_GUIDELINES: _ClassVar[Reason]

class Resolution(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RESOLUTION_UNSPECIFIED: _ClassVar[Resolution]
    RESOLUTION_DISMISS: _ClassVar[Resolution]
    RESOLUTION_REMOVE_CONTENT: _ClassVar[Resolution]
    RESOLUTION_MUTE_AUTHOR: _ClassVar[Resolution]
    RESOLUTION_BAN_AUTHOR: _ClassVar[Resolution]

class Automod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AUTOMOD_UNSPECIFIED: _ClassVar[Automod]
    AUTOMOD_FLAG: _ClassVar[Automod]
    AUTOMOD_REMOVE: _ClassVar[Automod]
    AUTOMOD_REMOVE_AND_MUTE: _ClassVar[Automod]

class ReportStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REPORT_STATUS_UNSPECIFIED: _ClassVar[ReportStatus]
    REPORT_STATUS_OPEN: _ClassVar[ReportStatus]
    REPORT_STATUS_RESOLVED: _ClassVar[ReportStatus]
ACTION_UNSPECIFIED: Action
ACTION_POST: Action
ACTION_COMMENT: Action
ACTION_LIKE: Action
ACTION_SHARE: Action
ACTION_LIVE: Action
ACTION_INVITE: Action
ACTION_CREATE_COMMUNITY: Action
REASON_UNSPECIFIED: Reason
REASON_COMMUNITY_RULE: Reason
REASON_SPAM: Reason
REASON_HARASSMENT: Reason
REASON_PLATFORM_GUIDELINES: Reason
RESOLUTION_UNSPECIFIED: Resolution
RESOLUTION_DISMISS: Resolution
RESOLUTION_REMOVE_CONTENT: Resolution
RESOLUTION_MUTE_AUTHOR: Resolution
RESOLUTION_BAN_AUTHOR: Resolution
AUTOMOD_UNSPECIFIED: Automod
AUTOMOD_FLAG: Automod
AUTOMOD_REMOVE: Automod
AUTOMOD_REMOVE_AND_MUTE: Automod
REPORT_STATUS_UNSPECIFIED: ReportStatus
REPORT_STATUS_OPEN: ReportStatus
REPORT_STATUS_RESOLVED: ReportStatus
