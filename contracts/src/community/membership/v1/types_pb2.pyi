from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROLE_UNSPECIFIED: _ClassVar[Role]
    ROLE_OWNER: _ClassVar[Role]
    ROLE_ADMIN: _ClassVar[Role]
    ROLE_MODERATOR: _ClassVar[Role]
    ROLE_MEMBER: _ClassVar[Role]

class Visibility(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VISIBILITY_UNSPECIFIED: _ClassVar[Visibility]
    VISIBILITY_PUBLIC: _ClassVar[Visibility]
    VISIBILITY_PRIVATE: _ClassVar[Visibility]

class JoinPolicy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    JOIN_POLICY_UNSPECIFIED: _ClassVar[JoinPolicy]
    JOIN_POLICY_OPEN: _ClassVar[JoinPolicy]
    JOIN_POLICY_INVITE_ONLY: _ClassVar[JoinPolicy]
    JOIN_POLICY_REQUEST: _ClassVar[JoinPolicy]

class JoinMethod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    JOIN_METHOD_UNSPECIFIED: _ClassVar[JoinMethod]
    JOIN_METHOD_OPEN: _ClassVar[JoinMethod]
    JOIN_METHOD_INVITATION: _ClassVar[JoinMethod]
    JOIN_METHOD_REQUEST_APPROVED: _ClassVar[JoinMethod]

class RemovalCause(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REMOVAL_CAUSE_UNSPECIFIED: _ClassVar[RemovalCause]
    REMOVAL_CAUSE_REMOVED: _ClassVar[RemovalCause]
    REMOVAL_CAUSE_BANNED: _ClassVar[RemovalCause]

class InvitationStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INVITATION_STATUS_UNSPECIFIED: _ClassVar[InvitationStatus]
    INVITATION_STATUS_PENDING: _ClassVar[InvitationStatus]
    INVITATION_STATUS_ACCEPTED: _ClassVar[InvitationStatus]
    INVITATION_STATUS_DECLINED: _ClassVar[InvitationStatus]
    INVITATION_STATUS_REVOKED: _ClassVar[InvitationStatus]
    INVITATION_STATUS_EXPIRED: _ClassVar[InvitationStatus]

class JoinRequestStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    JOIN_REQUEST_STATUS_UNSPECIFIED: _ClassVar[JoinRequestStatus]
    JOIN_REQUEST_STATUS_PENDING: _ClassVar[JoinRequestStatus]
    JOIN_REQUEST_STATUS_APPROVED: _ClassVar[JoinRequestStatus]
    JOIN_REQUEST_STATUS_REJECTED: _ClassVar[JoinRequestStatus]
ROLE_UNSPECIFIED: Role
ROLE_OWNER: Role
ROLE_ADMIN: Role
ROLE_MODERATOR: Role
ROLE_MEMBER: Role
VISIBILITY_UNSPECIFIED: Visibility
VISIBILITY_PUBLIC: Visibility
VISIBILITY_PRIVATE: Visibility
JOIN_POLICY_UNSPECIFIED: JoinPolicy
JOIN_POLICY_OPEN: JoinPolicy
JOIN_POLICY_INVITE_ONLY: JoinPolicy
JOIN_POLICY_REQUEST: JoinPolicy
JOIN_METHOD_UNSPECIFIED: JoinMethod
JOIN_METHOD_OPEN: JoinMethod
JOIN_METHOD_INVITATION: JoinMethod
JOIN_METHOD_REQUEST_APPROVED: JoinMethod
REMOVAL_CAUSE_UNSPECIFIED: RemovalCause
REMOVAL_CAUSE_REMOVED: RemovalCause
REMOVAL_CAUSE_BANNED: RemovalCause
INVITATION_STATUS_UNSPECIFIED: InvitationStatus
INVITATION_STATUS_PENDING: InvitationStatus
INVITATION_STATUS_ACCEPTED: InvitationStatus
INVITATION_STATUS_DECLINED: InvitationStatus
INVITATION_STATUS_REVOKED: InvitationStatus
INVITATION_STATUS_EXPIRED: InvitationStatus
JOIN_REQUEST_STATUS_UNSPECIFIED: JoinRequestStatus
JOIN_REQUEST_STATUS_PENDING: JoinRequestStatus
JOIN_REQUEST_STATUS_APPROVED: JoinRequestStatus
JOIN_REQUEST_STATUS_REJECTED: JoinRequestStatus
