import datetime

from community.events.v1 import options_pb2 as _options_pb2
from community.membership.v1 import types_pb2 as _types_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CommunityCreated(_message.Message):
    __slots__ = ("community_id", "name", "description", "topics", "visibility", "join_policy", "owner_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TOPICS_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_FIELD_NUMBER: _ClassVar[int]
    JOIN_POLICY_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    name: str
    description: str
    topics: _containers.RepeatedScalarFieldContainer[str]
    visibility: _types_pb2.Visibility
    join_policy: _types_pb2.JoinPolicy
    owner_id: str
    def __init__(self, community_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., topics: _Optional[_Iterable[str]] = ..., visibility: _Optional[_Union[_types_pb2.Visibility, str]] = ..., join_policy: _Optional[_Union[_types_pb2.JoinPolicy, str]] = ..., owner_id: _Optional[str] = ...) -> None: ...

class CommunityUpdated(_message.Message):
    __slots__ = ("community_id", "name", "description", "topics", "visibility", "join_policy", "updated_fields", "actor_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TOPICS_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_FIELD_NUMBER: _ClassVar[int]
    JOIN_POLICY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    name: str
    description: str
    topics: _containers.RepeatedScalarFieldContainer[str]
    visibility: _types_pb2.Visibility
    join_policy: _types_pb2.JoinPolicy
    updated_fields: _containers.RepeatedScalarFieldContainer[str]
    actor_id: str
    def __init__(self, community_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., topics: _Optional[_Iterable[str]] = ..., visibility: _Optional[_Union[_types_pb2.Visibility, str]] = ..., join_policy: _Optional[_Union[_types_pb2.JoinPolicy, str]] = ..., updated_fields: _Optional[_Iterable[str]] = ..., actor_id: _Optional[str] = ...) -> None: ...

class CommunityArchived(_message.Message):
    __slots__ = ("community_id", "owner_id", "actor_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    owner_id: str
    actor_id: str
    def __init__(self, community_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., actor_id: _Optional[str] = ...) -> None: ...

class MemberJoined(_message.Message):
    __slots__ = ("community_id", "user_id", "role", "method", "invitation_id", "inviter_id", "join_request_id", "approver_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    INVITATION_ID_FIELD_NUMBER: _ClassVar[int]
    INVITER_ID_FIELD_NUMBER: _ClassVar[int]
    JOIN_REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVER_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    user_id: str
    role: _types_pb2.Role
    method: _types_pb2.JoinMethod
    invitation_id: str
    inviter_id: str
    join_request_id: str
    approver_id: str
    def __init__(self, community_id: _Optional[str] = ..., user_id: _Optional[str] = ..., role: _Optional[_Union[_types_pb2.Role, str]] = ..., method: _Optional[_Union[_types_pb2.JoinMethod, str]] = ..., invitation_id: _Optional[str] = ..., inviter_id: _Optional[str] = ..., join_request_id: _Optional[str] = ..., approver_id: _Optional[str] = ...) -> None: ...

class MemberLeft(_message.Message):
    __slots__ = ("community_id", "user_id", "role", "group_ids")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    GROUP_IDS_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    user_id: str
    role: _types_pb2.Role
    group_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, community_id: _Optional[str] = ..., user_id: _Optional[str] = ..., role: _Optional[_Union[_types_pb2.Role, str]] = ..., group_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class MemberRemoved(_message.Message):
    __slots__ = ("community_id", "user_id", "role", "group_ids", "cause", "actor_id", "reason")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    GROUP_IDS_FIELD_NUMBER: _ClassVar[int]
    CAUSE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    user_id: str
    role: _types_pb2.Role
    group_ids: _containers.RepeatedScalarFieldContainer[str]
    cause: _types_pb2.RemovalCause
    actor_id: str
    reason: str
    def __init__(self, community_id: _Optional[str] = ..., user_id: _Optional[str] = ..., role: _Optional[_Union[_types_pb2.Role, str]] = ..., group_ids: _Optional[_Iterable[str]] = ..., cause: _Optional[_Union[_types_pb2.RemovalCause, str]] = ..., actor_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class MemberRoleChanged(_message.Message):
    __slots__ = ("community_id", "user_id", "old_role", "new_role", "actor_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    OLD_ROLE_FIELD_NUMBER: _ClassVar[int]
    NEW_ROLE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    user_id: str
    old_role: _types_pb2.Role
    new_role: _types_pb2.Role
    actor_id: str
    def __init__(self, community_id: _Optional[str] = ..., user_id: _Optional[str] = ..., old_role: _Optional[_Union[_types_pb2.Role, str]] = ..., new_role: _Optional[_Union[_types_pb2.Role, str]] = ..., actor_id: _Optional[str] = ...) -> None: ...

class OwnershipTransferred(_message.Message):
    __slots__ = ("community_id", "previous_owner_id", "new_owner_id", "new_owner_previous_role")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    NEW_OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    NEW_OWNER_PREVIOUS_ROLE_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    previous_owner_id: str
    new_owner_id: str
    new_owner_previous_role: _types_pb2.Role
    def __init__(self, community_id: _Optional[str] = ..., previous_owner_id: _Optional[str] = ..., new_owner_id: _Optional[str] = ..., new_owner_previous_role: _Optional[_Union[_types_pb2.Role, str]] = ...) -> None: ...

class InvitationSent(_message.Message):
    __slots__ = ("community_id", "invitation_id", "inviter_id", "invitee_id", "expires_at")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    INVITATION_ID_FIELD_NUMBER: _ClassVar[int]
    INVITER_ID_FIELD_NUMBER: _ClassVar[int]
    INVITEE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    invitation_id: str
    inviter_id: str
    invitee_id: str
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, community_id: _Optional[str] = ..., invitation_id: _Optional[str] = ..., inviter_id: _Optional[str] = ..., invitee_id: _Optional[str] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class InvitationAccepted(_message.Message):
    __slots__ = ("community_id", "invitation_id", "inviter_id", "invitee_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    INVITATION_ID_FIELD_NUMBER: _ClassVar[int]
    INVITER_ID_FIELD_NUMBER: _ClassVar[int]
    INVITEE_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    invitation_id: str
    inviter_id: str
    invitee_id: str
    def __init__(self, community_id: _Optional[str] = ..., invitation_id: _Optional[str] = ..., inviter_id: _Optional[str] = ..., invitee_id: _Optional[str] = ...) -> None: ...

class InvitationDeclined(_message.Message):
    __slots__ = ("community_id", "invitation_id", "inviter_id", "invitee_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    INVITATION_ID_FIELD_NUMBER: _ClassVar[int]
    INVITER_ID_FIELD_NUMBER: _ClassVar[int]
    INVITEE_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    invitation_id: str
    inviter_id: str
    invitee_id: str
    def __init__(self, community_id: _Optional[str] = ..., invitation_id: _Optional[str] = ..., inviter_id: _Optional[str] = ..., invitee_id: _Optional[str] = ...) -> None: ...

class InvitationRevoked(_message.Message):
    __slots__ = ("community_id", "invitation_id", "inviter_id", "invitee_id", "revoker_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    INVITATION_ID_FIELD_NUMBER: _ClassVar[int]
    INVITER_ID_FIELD_NUMBER: _ClassVar[int]
    INVITEE_ID_FIELD_NUMBER: _ClassVar[int]
    REVOKER_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    invitation_id: str
    inviter_id: str
    invitee_id: str
    revoker_id: str
    def __init__(self, community_id: _Optional[str] = ..., invitation_id: _Optional[str] = ..., inviter_id: _Optional[str] = ..., invitee_id: _Optional[str] = ..., revoker_id: _Optional[str] = ...) -> None: ...

class InvitationExpired(_message.Message):
    __slots__ = ("community_id", "invitation_id", "inviter_id", "invitee_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    INVITATION_ID_FIELD_NUMBER: _ClassVar[int]
    INVITER_ID_FIELD_NUMBER: _ClassVar[int]
    INVITEE_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    invitation_id: str
    inviter_id: str
    invitee_id: str
    def __init__(self, community_id: _Optional[str] = ..., invitation_id: _Optional[str] = ..., inviter_id: _Optional[str] = ..., invitee_id: _Optional[str] = ...) -> None: ...

class JoinRequested(_message.Message):
    __slots__ = ("community_id", "join_request_id", "user_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    JOIN_REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    join_request_id: str
    user_id: str
    def __init__(self, community_id: _Optional[str] = ..., join_request_id: _Optional[str] = ..., user_id: _Optional[str] = ...) -> None: ...

class JoinRequestApproved(_message.Message):
    __slots__ = ("community_id", "join_request_id", "user_id", "approver_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    JOIN_REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVER_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    join_request_id: str
    user_id: str
    approver_id: str
    def __init__(self, community_id: _Optional[str] = ..., join_request_id: _Optional[str] = ..., user_id: _Optional[str] = ..., approver_id: _Optional[str] = ...) -> None: ...

class JoinRequestRejected(_message.Message):
    __slots__ = ("community_id", "join_request_id", "user_id", "actor_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    JOIN_REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    join_request_id: str
    user_id: str
    actor_id: str
    def __init__(self, community_id: _Optional[str] = ..., join_request_id: _Optional[str] = ..., user_id: _Optional[str] = ..., actor_id: _Optional[str] = ...) -> None: ...

class GroupCreated(_message.Message):
    __slots__ = ("community_id", "group_id", "name", "description", "creator_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CREATOR_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    group_id: str
    name: str
    description: str
    creator_id: str
    def __init__(self, community_id: _Optional[str] = ..., group_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., creator_id: _Optional[str] = ...) -> None: ...

class GroupRemoved(_message.Message):
    __slots__ = ("community_id", "group_id", "actor_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    group_id: str
    actor_id: str
    def __init__(self, community_id: _Optional[str] = ..., group_id: _Optional[str] = ..., actor_id: _Optional[str] = ...) -> None: ...

class GroupMemberJoined(_message.Message):
    __slots__ = ("community_id", "group_id", "user_id", "added_by_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ADDED_BY_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    group_id: str
    user_id: str
    added_by_id: str
    def __init__(self, community_id: _Optional[str] = ..., group_id: _Optional[str] = ..., user_id: _Optional[str] = ..., added_by_id: _Optional[str] = ...) -> None: ...

class GroupMemberLeft(_message.Message):
    __slots__ = ("community_id", "group_id", "user_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    group_id: str
    user_id: str
    def __init__(self, community_id: _Optional[str] = ..., group_id: _Optional[str] = ..., user_id: _Optional[str] = ...) -> None: ...
