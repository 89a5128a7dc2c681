"""`community.membership.v1.MembershipService` over gRPC: who calls, are the arguments valid,
then the use case. Authentication already happened in the server's interceptor; errors
raised here or below become rich statuses in the error-mapping interceptor."""

from __future__ import annotations

from typing import Any

from community.membership.v1 import membership_service_pb2 as api
from community.membership.v1 import membership_service_pb2_grpc
from community.membership.v1 import types_pb2 as types
from community_common.auth import current_caller
from grpc import aio

from membership.application.service import MembershipService
from membership.domain import limits, roles
from membership.domain.community import SETTINGS, Actor
from membership.entrypoints.validation import (
    INVITATION_STATUSES,
    JOIN_POLICIES,
    JOIN_REQUEST_STATUSES,
    QUERY_MAX,
    TOPIC,
    VISIBILITIES,
    Violations,
    role_filter,
)


def _actor() -> Actor:
    caller = current_caller()
    return Actor(caller.user_id, caller.is_platform_admin)


def _settings(v: Violations, request: Any, names: set[str]) -> None:
    if "name" in names:
        v.text("name", request.name, limits.NAME_MAX, required=True)
    if "description" in names:
        v.text("description", request.description, limits.DESCRIPTION_MAX)
    if "topics" in names:
        v.topics(request.topics)
    if "visibility" in names:
        v.one_of("visibility", request.visibility, VISIBILITIES, optional=False)
    if "join_policy" in names:
        v.one_of("join_policy", request.join_policy, JOIN_POLICIES, optional=False)


class MembershipApi(membership_service_pb2_grpc.MembershipServiceServicer):
    def __init__(self, service: MembershipService) -> None:
        self.service = service

    # --- communities -------------------------------------------------------------------------

    async def CreateCommunity(
        self, request: api.CreateCommunityRequest, context: aio.ServicerContext
    ) -> api.CreateCommunityResponse:
        actor = _actor()
        v = Violations()
        # Unset visibility and join policy take the friendly defaults: public and open.
        visibility = request.visibility or types.VISIBILITY_PUBLIC
        join_policy = request.join_policy or types.JOIN_POLICY_OPEN
        v.text("name", request.name, limits.NAME_MAX, required=True)
        v.text("description", request.description, limits.DESCRIPTION_MAX)
        v.topics(request.topics)
        v.one_of("visibility", visibility, VISIBILITIES, optional=False)
        v.one_of("join_policy", join_policy, JOIN_POLICIES, optional=False)
        v.request_id(request.request_id)
        v.check()
        return await self.service.create_community(
            actor,
            request.name.strip(),
            request.description,
            list(request.topics),
            visibility,
            join_policy,
            request.request_id,
        )

    async def GetCommunity(
        self, request: api.GetCommunityRequest, context: aio.ServicerContext
    ) -> api.GetCommunityResponse:
        actor = _actor()
        v = Violations()
        v.community_id(request.community_id)
        v.check()
        return await self.service.get_community(actor, request.community_id)

    async def UpdateCommunity(
        self, request: api.UpdateCommunityRequest, context: aio.ServicerContext
    ) -> api.UpdateCommunityResponse:
        actor = _actor()
        v = Violations()
        v.community_id(request.community_id)
        v.request_id(request.request_id)
        paths = set(request.update_mask.paths)
        unknown = paths - set(SETTINGS)
        if unknown:
            v.add("update_mask", f"unknown settings {sorted(unknown)}; use {list(SETTINGS)}")
        if not paths:  # every setting given a non-empty value
            paths = {name for name in SETTINGS if _given(request, name)}
            if not paths:
                v.add("update_mask", "nothing to update")
        _settings(v, request, paths)
        v.check()
        changes: dict[str, Any] = {}
        for name in SETTINGS:
            if name in paths:
                value = getattr(request, name)
                changes[name] = list(value) if name == "topics" else value
        if "name" in changes:
            changes["name"] = changes["name"].strip()
        return await self.service.update_community(
            actor, request.community_id, changes, request.request_id
        )

    async def ArchiveCommunity(
        self, request: api.ArchiveCommunityRequest, context: aio.ServicerContext
    ) -> api.ArchiveCommunityResponse:
        actor = _actor()
        v = Violations()
        v.community_id(request.community_id)
        v.request_id(request.request_id)
        v.check()
        return await self.service.archive_community(actor, request.community_id, request.request_id)

    async def ListCommunities(
        self, request: api.ListCommunitiesRequest, context: aio.ServicerContext
    ) -> api.ListCommunitiesResponse:
        actor = _actor()
        v = Violations()
        if request.topic and not TOPIC.fullmatch(request.topic):
            v.add("topic", f"must match {limits.TOPIC_PATTERN}")
        v.text("query", request.query, QUERY_MAX)
        v.page_size(request.page_size)
        v.check()
        return await self.service.list_communities(
            actor, request.topic, request.query.strip(), request.page_size, request.page_token
        )

    async def ListMyCommunities(
        self, request: api.ListMyCommunitiesRequest, context: aio.ServicerContext
    ) -> api.ListMyCommunitiesResponse:
        actor = _actor()
        v = Violations()
        v.page_size(request.page_size)
        v.check()
        return await self.service.list_my_communities(actor, request.page_size, request.page_token)

    # --- joining -----------------------------------------------------------------------------

    async def JoinCommunity(
        self, request: api.JoinCommunityRequest, context: aio.ServicerContext
    ) -> api.JoinCommunityResponse:
        actor = _actor()
        v = Violations()
        v.community_id(request.community_id)
        v.request_id(request.request_id)
        v.check()
        return await self.service.join_community(actor, request.community_id, request.request_id)

    async def ListJoinRequests(
        self, request: api.ListJoinRequestsRequest, context: aio.ServicerContext
    ) -> api.ListJoinRequestsResponse:
        actor = _actor()
        v = Violations()
        v.community_id(request.community_id)
        v.one_of("status", request.status, JOIN_REQUEST_STATUSES, optional=True)
        v.page_size(request.page_size)
        v.check()
        return await self.service.list_join_requests(
            actor, request.community_id, request.status, request.page_size, request.page_token
        )

    async def ApproveJoinRequest(
        self, request: api.ApproveJoinRequestRequest, context: aio.ServicerContext
    ) -> api.ApproveJoinRequestResponse:
        actor = _actor()
        v = Violations()
        v.child_id(request.join_request_id, "r", "join_request_id")
        v.request_id(request.request_id)
        v.check()
        return await self.service.approve_join_request(
            actor, request.join_request_id, request.request_id
        )

    async def RejectJoinRequest(
        self, request: api.RejectJoinRequestRequest, context: aio.ServicerContext
    ) -> api.RejectJoinRequestResponse:
        actor = _actor()
        v = Violations()
        v.child_id(request.join_request_id, "r", "join_request_id")
        v.request_id(request.request_id)
        v.check()
        return await self.service.reject_join_request(
            actor, request.join_request_id, request.request_id
        )

    # --- invitations -------------------------------------------------------------------------

    async def InviteMember(
        self, request: api.InviteMemberRequest, context: aio.ServicerContext
    ) -> api.InviteMemberResponse:
        actor = _actor()
        v = Violations()
        v.community_id(request.community_id)
        v.user_id(request.invitee_id, "invitee_id")
        v.request_id(request.request_id)
        v.check()
        return await self.service.invite_member(
            actor, request.community_id, request.invitee_id, request.request_id
        )

    async def AcceptInvitation(
        self, request: api.AcceptInvitationRequest, context: aio.ServicerContext
    ) -> api.AcceptInvitationResponse:
        actor = _actor()
        self._invitation_id(request)
        return await self.service.accept_invitation(
            actor, request.invitation_id, request.request_id
        )

    async def DeclineInvitation(
        self, request: api.DeclineInvitationRequest, context: aio.ServicerContext
    ) -> api.DeclineInvitationResponse:
        actor = _actor()
        self._invitation_id(request)
        return await self.service.decline_invitation(
            actor, request.invitation_id, request.request_id
        )

    async def RevokeInvitation(
        self, request: api.RevokeInvitationRequest, context: aio.ServicerContext
    ) -> api.RevokeInvitationResponse:
        actor = _actor()
        self._invitation_id(request)
        return await self.service.revoke_invitation(
            actor, request.invitation_id, request.request_id
        )

    @staticmethod
    def _invitation_id(request: Any) -> None:
        v = Violations()
        v.child_id(request.invitation_id, "i", "invitation_id")
        v.request_id(request.request_id)
        v.check()

    async def ListInvitations(
        self, request: api.ListInvitationsRequest, context: aio.ServicerContext
    ) -> api.ListInvitationsResponse:
        actor = _actor()
        v = Violations()
        if request.community_id:
            v.community_id(request.community_id)
        v.one_of("status", request.status, INVITATION_STATUSES, optional=True)
        v.page_size(request.page_size)
        v.check()
        return await self.service.list_invitations(
            actor, request.community_id, request.status, request.page_size, request.page_token
        )

    # --- leaving and roles -------------------------------------------------------------------

    async def LeaveCommunity(
        self, request: api.LeaveCommunityRequest, context: aio.ServicerContext
    ) -> api.LeaveCommunityResponse:
        actor = _actor()
        v = Violations()
        v.community_id(request.community_id)
        v.request_id(request.request_id)
        v.check()
        return await self.service.leave_community(actor, request.community_id, request.request_id)

    async def RemoveMember(
        self, request: api.RemoveMemberRequest, context: aio.ServicerContext
    ) -> api.RemoveMemberResponse:
        actor = _actor()
        v = Violations()
        v.community_id(request.community_id)
        v.user_id(request.user_id, "user_id")
        v.text("reason", request.reason, limits.REASON_MAX)
        v.request_id(request.request_id)
        v.check()
        return await self.service.remove_member(
            actor, request.community_id, request.user_id, request.reason, request.request_id
        )

    async def SetMemberRole(
        self, request: api.SetMemberRoleRequest, context: aio.ServicerContext
    ) -> api.SetMemberRoleResponse:
        actor = _actor()
        v = Violations()
        v.community_id(request.community_id)
        v.user_id(request.user_id, "user_id")
        if request.role == roles.OWNER:
            v.add("role", "ownership moves by TransferOwnership")
        else:
            v.one_of("role", request.role, roles.ASSIGNABLE, optional=False)
        v.request_id(request.request_id)
        v.check()
        return await self.service.set_member_role(
            actor, request.community_id, request.user_id, request.role, request.request_id
        )

    async def TransferOwnership(
        self, request: api.TransferOwnershipRequest, context: aio.ServicerContext
    ) -> api.TransferOwnershipResponse:
        actor = _actor()
        v = Violations()
        v.community_id(request.community_id)
        v.user_id(request.new_owner_id, "new_owner_id")
        v.request_id(request.request_id)
        v.check()
        return await self.service.transfer_ownership(
            actor, request.community_id, request.new_owner_id, request.request_id
        )

    async def GetMembership(
        self, request: api.GetMembershipRequest, context: aio.ServicerContext
    ) -> api.GetMembershipResponse:
        actor = _actor()
        v = Violations()
        v.community_id(request.community_id)
        v.user_id(request.user_id, "user_id", optional=True)
        v.check()
        return await self.service.get_membership(actor, request.community_id, request.user_id)

    async def ListMembers(
        self, request: api.ListMembersRequest, context: aio.ServicerContext
    ) -> api.ListMembersResponse:
        actor = _actor()
        v = Violations()
        v.community_id(request.community_id)
        role_filter(v, request.role)
        v.page_size(request.page_size)
        v.check()
        return await self.service.list_members(
            actor, request.community_id, request.role, request.page_size, request.page_token
        )

    # --- groups ------------------------------------------------------------------------------

    async def CreateGroup(
        self, request: api.CreateGroupRequest, context: aio.ServicerContext
    ) -> api.CreateGroupResponse:
        actor = _actor()
        v = Violations()
        v.community_id(request.community_id)
        v.text("name", request.name, limits.GROUP_NAME_MAX, required=True)
        v.text("description", request.description, limits.DESCRIPTION_MAX)
        v.request_id(request.request_id)
        v.check()
        return await self.service.create_group(
            actor,
            request.community_id,
            request.name.strip(),
            request.description,
            request.request_id,
        )

    async def RemoveGroup(
        self, request: api.RemoveGroupRequest, context: aio.ServicerContext
    ) -> api.RemoveGroupResponse:
        actor = _actor()
        self._group_id(request)
        return await self.service.remove_group(actor, request.group_id, request.request_id)

    async def ListGroups(
        self, request: api.ListGroupsRequest, context: aio.ServicerContext
    ) -> api.ListGroupsResponse:
        actor = _actor()
        v = Violations()
        v.community_id(request.community_id)
        v.page_size(request.page_size)
        v.check()
        return await self.service.list_groups(
            actor, request.community_id, request.page_size, request.page_token
        )

    async def JoinGroup(
        self, request: api.JoinGroupRequest, context: aio.ServicerContext
    ) -> api.JoinGroupResponse:
        actor = _actor()
        self._group_id(request)
        return await self.service.join_group(actor, request.group_id, request.request_id)

    async def LeaveGroup(
        self, request: api.LeaveGroupRequest, context: aio.ServicerContext
    ) -> api.LeaveGroupResponse:
        actor = _actor()
        self._group_id(request)
        return await self.service.leave_group(actor, request.group_id, request.request_id)

    async def AddGroupMember(
        self, request: api.AddGroupMemberRequest, context: aio.ServicerContext
    ) -> api.AddGroupMemberResponse:
        actor = _actor()
        v = Violations()
        v.child_id(request.group_id, "g", "group_id")
        v.user_id(request.user_id, "user_id")
        v.request_id(request.request_id)
        v.check()
        return await self.service.add_group_member(
            actor, request.group_id, request.user_id, request.request_id
        )

    async def ListGroupMembers(
        self, request: api.ListGroupMembersRequest, context: aio.ServicerContext
    ) -> api.ListGroupMembersResponse:
        actor = _actor()
        v = Violations()
        v.child_id(request.group_id, "g", "group_id")
        v.page_size(request.page_size)
        v.check()
        return await self.service.list_group_members(
            actor, request.group_id, request.page_size, request.page_token
        )

    @staticmethod
    def _group_id(request: Any) -> None:
        v = Violations()
        v.child_id(request.group_id, "g", "group_id")
        v.request_id(request.request_id)
        v.check()


def _given(request: Any, name: str) -> bool:
    value = getattr(request, name)
    return bool(list(value) if name == "topics" else value)


__all__ = ["MembershipApi"]
