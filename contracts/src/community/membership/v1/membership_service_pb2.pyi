import datetime

from community.membership.v1 import types_pb2 as _types_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Community(_message.Message):
    __slots__ = ("community_id", "name", "description", "topics", "visibility", "join_policy", "owner_id", "member_count", "archived", "created_at", "caller_role")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TOPICS_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_FIELD_NUMBER: _ClassVar[int]
    JOIN_POLICY_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_COUNT_FIELD_NUMBER: _ClassVar[int]
    ARCHIVED_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CALLER_ROLE_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    name: str
    description: str
    topics: _containers.RepeatedScalarFieldContainer[str]
    visibility: _types_pb2.Visibility
    join_policy: _types_pb2.JoinPolicy
    owner_id: str
    member_count: int
    archived: bool
    created_at: _timestamp_pb2.Timestamp
    caller_role: _types_pb2.Role
    def __init__(self, community_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., topics: _Optional[_Iterable[str]] = ..., visibility: _Optional[_Union[_types_pb2.Visibility, str]] = ..., join_policy: _Optional[_Union[_types_pb2.JoinPolicy, str]] = ..., owner_id: _Optional[str] = ..., member_count: _Optional[int] = ..., archived: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., caller_role: _Optional[_Union[_types_pb2.Role, str]] = ...) -> None: ...

class Membership(_message.Message):
    __slots__ = ("community_id", "user_id", "role", "joined_at", "invites_remaining", "unlimited_invites")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    JOINED_AT_FIELD_NUMBER: _ClassVar[int]
    INVITES_REMAINING_FIELD_NUMBER: _ClassVar[int]
    UNLIMITED_INVITES_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    user_id: str
    role: _types_pb2.Role
    joined_at: _timestamp_pb2.Timestamp
    invites_remaining: int
    unlimited_invites: bool
    def __init__(self, community_id: _Optional[str] = ..., user_id: _Optional[str] = ..., role: _Optional[_Union[_types_pb2.Role, str]] = ..., joined_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., invites_remaining: _Optional[int] = ..., unlimited_invites: _Optional[bool] = ...) -> None: ...

class JoinRequest(_message.Message):
    __slots__ = ("join_request_id", "community_id", "user_id", "status", "created_at", "decided_at", "decided_by_id")
    JOIN_REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_ID_FIELD_NUMBER: _ClassVar[int]
    join_request_id: str
    community_id: str
    user_id: str
    status: _types_pb2.JoinRequestStatus
    created_at: _timestamp_pb2.Timestamp
    decided_at: _timestamp_pb2.Timestamp
    decided_by_id: str
    def __init__(self, join_request_id: _Optional[str] = ..., community_id: _Optional[str] = ..., user_id: _Optional[str] = ..., status: _Optional[_Union[_types_pb2.JoinRequestStatus, str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., decided_by_id: _Optional[str] = ...) -> None: ...

class Invitation(_message.Message):
    __slots__ = ("invitation_id", "community_id", "inviter_id", "invitee_id", "status", "created_at", "expires_at")
    INVITATION_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    INVITER_ID_FIELD_NUMBER: _ClassVar[int]
    INVITEE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    invitation_id: str
    community_id: str
    inviter_id: str
    invitee_id: str
    status: _types_pb2.InvitationStatus
    created_at: _timestamp_pb2.Timestamp
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, invitation_id: _Optional[str] = ..., community_id: _Optional[str] = ..., inviter_id: _Optional[str] = ..., invitee_id: _Optional[str] = ..., status: _Optional[_Union[_types_pb2.InvitationStatus, str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Group(_message.Message):
    __slots__ = ("group_id", "community_id", "name", "description", "creator_id", "member_count", "created_at")
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CREATOR_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_COUNT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    community_id: str
    name: str
    description: str
    creator_id: str
    member_count: int
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, group_id: _Optional[str] = ..., community_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., creator_id: _Optional[str] = ..., member_count: _Optional[int] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GroupMember(_message.Message):
    __slots__ = ("group_id", "community_id", "user_id", "joined_at")
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    JOINED_AT_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    community_id: str
    user_id: str
    joined_at: _timestamp_pb2.Timestamp
    def __init__(self, group_id: _Optional[str] = ..., community_id: _Optional[str] = ..., user_id: _Optional[str] = ..., joined_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateCommunityRequest(_message.Message):
    __slots__ = ("name", "description", "topics", "visibility", "join_policy", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TOPICS_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_FIELD_NUMBER: _ClassVar[int]
    JOIN_POLICY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    topics: _containers.RepeatedScalarFieldContainer[str]
    visibility: _types_pb2.Visibility
    join_policy: _types_pb2.JoinPolicy
    request_id: str
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., topics: _Optional[_Iterable[str]] = ..., visibility: _Optional[_Union[_types_pb2.Visibility, str]] = ..., join_policy: _Optional[_Union[_types_pb2.JoinPolicy, str]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateCommunityResponse(_message.Message):
    __slots__ = ("community", "consistency_token")
    COMMUNITY_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    community: Community
    consistency_token: str
    def __init__(self, community: _Optional[_Union[Community, _Mapping]] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class GetCommunityRequest(_message.Message):
    __slots__ = ("community_id",)
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    def __init__(self, community_id: _Optional[str] = ...) -> None: ...

class GetCommunityResponse(_message.Message):
    __slots__ = ("community",)
    COMMUNITY_FIELD_NUMBER: _ClassVar[int]
    community: Community
    def __init__(self, community: _Optional[_Union[Community, _Mapping]] = ...) -> None: ...

class UpdateCommunityRequest(_message.Message):
    __slots__ = ("community_id", "name", "description", "topics", "visibility", "join_policy", "update_mask", "request_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TOPICS_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_FIELD_NUMBER: _ClassVar[int]
    JOIN_POLICY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    name: str
    description: str
    topics: _containers.RepeatedScalarFieldContainer[str]
    visibility: _types_pb2.Visibility
    join_policy: _types_pb2.JoinPolicy
    update_mask: _field_mask_pb2.FieldMask
    request_id: str
    def __init__(self, community_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., topics: _Optional[_Iterable[str]] = ..., visibility: _Optional[_Union[_types_pb2.Visibility, str]] = ..., join_policy: _Optional[_Union[_types_pb2.JoinPolicy, str]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class UpdateCommunityResponse(_message.Message):
    __slots__ = ("community", "consistency_token")
    COMMUNITY_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    community: Community
    consistency_token: str
    def __init__(self, community: _Optional[_Union[Community, _Mapping]] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class ArchiveCommunityRequest(_message.Message):
    __slots__ = ("community_id", "request_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    request_id: str
    def __init__(self, community_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ArchiveCommunityResponse(_message.Message):
    __slots__ = ("community", "consistency_token")
    COMMUNITY_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    community: Community
    consistency_token: str
    def __init__(self, community: _Optional[_Union[Community, _Mapping]] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class ListCommunitiesRequest(_message.Message):
    __slots__ = ("topic", "query", "page_size", "page_token")
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    topic: str
    query: str
    page_size: int
    page_token: str
    def __init__(self, topic: _Optional[str] = ..., query: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListCommunitiesResponse(_message.Message):
    __slots__ = ("communities", "next_page_token")
    COMMUNITIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    communities: _containers.RepeatedCompositeFieldContainer[Community]
    next_page_token: str
    def __init__(self, communities: _Optional[_Iterable[_Union[Community, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListMyCommunitiesRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListMyCommunitiesResponse(_message.Message):
    __slots__ = ("communities", "next_page_token")
    COMMUNITIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    communities: _containers.RepeatedCompositeFieldContainer[Community]
    next_page_token: str
    def __init__(self, communities: _Optional[_Iterable[_Union[Community, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class JoinCommunityRequest(_message.Message):
    __slots__ = ("community_id", "request_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    request_id: str
    def __init__(self, community_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class JoinCommunityResponse(_message.Message):
    __slots__ = ("membership", "join_request", "consistency_token")
    MEMBERSHIP_FIELD_NUMBER: _ClassVar[int]
    JOIN_REQUEST_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    membership: Membership
    join_request: JoinRequest
    consistency_token: str
    def __init__(self, membership: _Optional[_Union[Membership, _Mapping]] = ..., join_request: _Optional[_Union[JoinRequest, _Mapping]] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class ListJoinRequestsRequest(_message.Message):
    __slots__ = ("community_id", "status", "page_size", "page_token")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    status: _types_pb2.JoinRequestStatus
    page_size: int
    page_token: str
    def __init__(self, community_id: _Optional[str] = ..., status: _Optional[_Union[_types_pb2.JoinRequestStatus, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListJoinRequestsResponse(_message.Message):
    __slots__ = ("join_requests", "next_page_token")
    JOIN_REQUESTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    join_requests: _containers.RepeatedCompositeFieldContainer[JoinRequest]
    next_page_token: str
    def __init__(self, join_requests: _Optional[_Iterable[_Union[JoinRequest, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ApproveJoinRequestRequest(_message.Message):
    __slots__ = ("join_request_id", "request_id")
    JOIN_REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    join_request_id: str
    request_id: str
    def __init__(self, join_request_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ApproveJoinRequestResponse(_message.Message):
    __slots__ = ("join_request", "membership", "consistency_token")
    JOIN_REQUEST_FIELD_NUMBER: _ClassVar[int]
    MEMBERSHIP_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    join_request: JoinRequest
    membership: Membership
    consistency_token: str
    def __init__(self, join_request: _Optional[_Union[JoinRequest, _Mapping]] = ..., membership: _Optional[_Union[Membership, _Mapping]] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class RejectJoinRequestRequest(_message.Message):
    __slots__ = ("join_request_id", "request_id")
    JOIN_REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    join_request_id: str
    request_id: str
    def __init__(self, join_request_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RejectJoinRequestResponse(_message.Message):
    __slots__ = ("join_request", "consistency_token")
    JOIN_REQUEST_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    join_request: JoinRequest
    consistency_token: str
    def __init__(self, join_request: _Optional[_Union[JoinRequest, _Mapping]] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class InviteMemberRequest(_message.Message):
    __slots__ = ("community_id", "invitee_id", "request_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    INVITEE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    invitee_id: str
    request_id: str
    def __init__(self, community_id: _Optional[str] = ..., invitee_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class InviteMemberResponse(_message.Message):
    __slots__ = ("invitation", "consistency_token")
    INVITATION_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    invitation: Invitation
    consistency_token: str
    def __init__(self, invitation: _Optional[_Union[Invitation, _Mapping]] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class AcceptInvitationRequest(_message.Message):
    __slots__ = ("invitation_id", "request_id")
    INVITATION_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    invitation_id: str
    request_id: str
    def __init__(self, invitation_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class AcceptInvitationResponse(_message.Message):
    __slots__ = ("invitation", "membership", "consistency_token")
    INVITATION_FIELD_NUMBER: _ClassVar[int]
    MEMBERSHIP_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    invitation: Invitation
    membership: Membership
    consistency_token: str
    def __init__(self, invitation: _Optional[_Union[Invitation, _Mapping]] = ..., membership: _Optional[_Union[Membership, _Mapping]] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class DeclineInvitationRequest(_message.Message):
    __slots__ = ("invitation_id", "request_id")
    INVITATION_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    invitation_id: str
    request_id: str
    def __init__(self, invitation_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class DeclineInvitationResponse(_message.Message):
    __slots__ = ("invitation", "consistency_token")
    INVITATION_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    invitation: Invitation
    consistency_token: str
    def __init__(self, invitation: _Optional[_Union[Invitation, _Mapping]] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class RevokeInvitationRequest(_message.Message):
    __slots__ = ("invitation_id", "request_id")
    INVITATION_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    invitation_id: str
    request_id: str
    def __init__(self, invitation_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RevokeInvitationResponse(_message.Message):
    __slots__ = ("invitation", "consistency_token")
    INVITATION_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    invitation: Invitation
    consistency_token: str
    def __init__(self, invitation: _Optional[_Union[Invitation, _Mapping]] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class ListInvitationsRequest(_message.Message):
    __slots__ = ("community_id", "status", "page_size", "page_token")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    status: _types_pb2.InvitationStatus
    page_size: int
    page_token: str
    def __init__(self, community_id: _Optional[str] = ..., status: _Optional[_Union[_types_pb2.InvitationStatus, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListInvitationsResponse(_message.Message):
    __slots__ = ("invitations", "next_page_token")
    INVITATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    invitations: _containers.RepeatedCompositeFieldContainer[Invitation]
    next_page_token: str
    def __init__(self, invitations: _Optional[_Iterable[_Union[Invitation, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class LeaveCommunityRequest(_message.Message):
    __slots__ = ("community_id", "request_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    request_id: str
    def __init__(self, community_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class LeaveCommunityResponse(_message.Message):
    __slots__ = ("consistency_token",)
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    consistency_token: str
    def __init__(self, consistency_token: _Optional[str] = ...) -> None: ...

class RemoveMemberRequest(_message.Message):
    __slots__ = ("community_id", "user_id", "reason", "request_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    user_id: str
    reason: str
    request_id: str
    def __init__(self, community_id: _Optional[str] = ..., user_id: _Optional[str] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RemoveMemberResponse(_message.Message):
    __slots__ = ("consistency_token",)
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    consistency_token: str
    def __init__(self, consistency_token: _Optional[str] = ...) -> None: ...

class SetMemberRoleRequest(_message.Message):
    __slots__ = ("community_id", "user_id", "role", "request_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    user_id: str
    role: _types_pb2.Role
    request_id: str
    def __init__(self, community_id: _Optional[str] = ..., user_id: _Optional[str] = ..., role: _Optional[_Union[_types_pb2.Role, str]] = ..., request_id: _Optional[str] = ...) -> None: ...

class SetMemberRoleResponse(_message.Message):
    __slots__ = ("membership", "consistency_token")
    MEMBERSHIP_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    membership: Membership
    consistency_token: str
    def __init__(self, membership: _Optional[_Union[Membership, _Mapping]] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class TransferOwnershipRequest(_message.Message):
    __slots__ = ("community_id", "new_owner_id", "request_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    NEW_OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    new_owner_id: str
    request_id: str
    def __init__(self, community_id: _Optional[str] = ..., new_owner_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class TransferOwnershipResponse(_message.Message):
    __slots__ = ("community", "consistency_token")
    COMMUNITY_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    community: Community
    consistency_token: str
    def __init__(self, community: _Optional[_Union[Community, _Mapping]] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class GetMembershipRequest(_message.Message):
    __slots__ = ("community_id", "user_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    user_id: str
    def __init__(self, community_id: _Optional[str] = ..., user_id: _Optional[str] = ...) -> None: ...

class GetMembershipResponse(_message.Message):
    __slots__ = ("membership",)
    MEMBERSHIP_FIELD_NUMBER: _ClassVar[int]
    membership: Membership
    def __init__(self, membership: _Optional[_Union[Membership, _Mapping]] = ...) -> None: ...

class ListMembersRequest(_message.Message):
    __slots__ = ("community_id", "role", "page_size", "page_token")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    role: _types_pb2.Role
    page_size: int
    page_token: str
    def __init__(self, community_id: _Optional[str] = ..., role: _Optional[_Union[_types_pb2.Role, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListMembersResponse(_message.Message):
    __slots__ = ("members", "next_page_token")
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    members: _containers.RepeatedCompositeFieldContainer[Membership]
    next_page_token: str
    def __init__(self, members: _Optional[_Iterable[_Union[Membership, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CreateGroupRequest(_message.Message):
    __slots__ = ("community_id", "name", "description", "request_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    name: str
    description: str
    request_id: str
    def __init__(self, community_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateGroupResponse(_message.Message):
    __slots__ = ("group", "consistency_token")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    group: Group
    consistency_token: str
    def __init__(self, group: _Optional[_Union[Group, _Mapping]] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class RemoveGroupRequest(_message.Message):
    __slots__ = ("group_id", "request_id")
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    request_id: str
    def __init__(self, group_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RemoveGroupResponse(_message.Message):
    __slots__ = ("consistency_token",)
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    consistency_token: str
    def __init__(self, consistency_token: _Optional[str] = ...) -> None: ...

class ListGroupsRequest(_message.Message):
    __slots__ = ("community_id", "page_size", "page_token")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    page_size: int
    page_token: str
    def __init__(self, community_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListGroupsResponse(_message.Message):
    __slots__ = ("groups", "next_page_token")
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    groups: _containers.RepeatedCompositeFieldContainer[Group]
    next_page_token: str
    def __init__(self, groups: _Optional[_Iterable[_Union[Group, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class JoinGroupRequest(_message.Message):
    __slots__ = ("group_id", "request_id")
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    request_id: str
    def __init__(self, group_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class JoinGroupResponse(_message.Message):
    __slots__ = ("group_member", "consistency_token")
    GROUP_MEMBER_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    group_member: GroupMember
    consistency_token: str
    def __init__(self, group_member: _Optional[_Union[GroupMember, _Mapping]] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class LeaveGroupRequest(_message.Message):
    __slots__ = ("group_id", "request_id")
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    request_id: str
    def __init__(self, group_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class LeaveGroupResponse(_message.Message):
    __slots__ = ("consistency_token",)
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    consistency_token: str
    def __init__(self, consistency_token: _Optional[str] = ...) -> None: ...

class AddGroupMemberRequest(_message.Message):
    __slots__ = ("group_id", "user_id", "request_id")
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    user_id: str
    request_id: str
    def __init__(self, group_id: _Optional[str] = ..., user_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class AddGroupMemberResponse(_message.Message):
    __slots__ = ("group_member", "consistency_token")
    GROUP_MEMBER_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    group_member: GroupMember
    consistency_token: str
    def __init__(self, group_member: _Optional[_Union[GroupMember, _Mapping]] = ..., consistency_token: _Optional[str] = ...) -> None: ...

class ListGroupMembersRequest(_message.Message):
    __slots__ = ("group_id", "page_size", "page_token")
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    page_size: int
    page_token: str
    def __init__(self, group_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListGroupMembersResponse(_message.Message):
    __slots__ = ("members", "next_page_token")
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    members: _containers.RepeatedCompositeFieldContainer[GroupMember]
    next_page_token: str
    def __init__(self, members: _Optional[_Iterable[_Union[GroupMember, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
