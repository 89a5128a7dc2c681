"""The authorization matrix's world, made through the public gRPC API only: one community in
which one user holds each role, and for every row of the matrix a well-formed request aimed
at it (tests/e2e/authorization_matrix.py says what each role must get back).

A request whose effect would change the world (a ban, a removal, a leave) aims at a target
made for that one call (a fresh member to ban, a fresh post to delete, a stand-in who holds
the caller's role and leaves), so every cell sees the same world whatever ran before it. A
cell the table refuses changes nothing, so the refused roles of a row share one such target
(made once, the first time one is needed), which keeps the run short.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import grpc
from community.feed.v1 import feed_service_pb2 as feed
from community.insights.v1 import insights_service_pb2 as insights
from community.membership.v1 import membership_service_pb2 as ms
from community.membership.v1 import types_pb2 as mtypes
from community.moderation.v1 import moderation_service_pb2 as mod
from community.moderation.v1 import types_pb2 as modtypes
from communityctl.client import Platform, User
from google.protobuf.duration_pb2 import Duration
from google.protobuf.field_mask_pb2 import FieldMask

from .authorization_matrix import ROLES
from .conftest import eventually

# Sanctions outlive the run by far; a cross-service effect is awaited for at most this long.
DAY = Duration(seconds=86_400)
PROPAGATION_S = 30.0
PROJECTING = ("feed", "moderation", "insights")  # the services that learn membership by events
EVERY_ACTION = [a for a in modtypes.Action.values() if a != modtypes.ACTION_UNSPECIFIED]


@dataclass
class Call:
    """One cell's call: who makes it (None = no token at all) and the request."""

    caller: User | None
    service: str
    rpc: str
    request: Any


@dataclass
class World:
    platform: Platform
    users: dict[str, User]  # role -> the user holding it (anonymous: a user whose token is dropped)
    community_id: str = ""
    token: str = ""  # the community's latest membership consistency token
    post_id: str = ""  # a post by the member
    rule_id: str = ""
    session_id: str = ""  # a live session the owner hosts
    join_group_id: str = ""  # a group only the owner is in
    leave_group_id: str = ""  # a group every member of the community is in
    member_group_id: str = ""  # a group of the owner and the member
    revoked_invitation_id: str = ""  # an invitation to the outsider, revoked
    pending_invitation_id: str = ""  # an invitation to the outsider, pending
    other_member_id: str = ""  # a plain member who holds no role of the matrix
    # Posts moderation already knows (it learns them from feed's events, which no
    # consistency token covers): to remove, and removed ones to restore.
    removable_posts: list[str] = field(default_factory=list)
    removed_posts: list[str] = field(default_factory=list)
    # Per thread, the token the call being made carries when its target's making returned a
    # later one than the world's.
    _call: threading.local = field(default_factory=threading.local)
    # Per row: the request its refused cells share, and the token that covers its target.
    _shared: dict[tuple[str, str, str], tuple[Any, str]] = field(default_factory=dict)

    # --- helpers for targets made per call

    @property
    def owner(self) -> User:
        return self.users["owner"]

    @property
    def moderator(self) -> User:
        return self.users["moderator"]

    def shared(self, key: tuple[str, str, str], make: Callable[[World], Any]) -> Any:
        """The row's shared request (made by the first call that needs it)."""
        if key not in self._shared:
            request = make(self)
            self._shared[key] = (request, self.call_token)
        request, self.target_token = self._shared[key]
        copy = type(request)()
        copy.CopyFrom(request)
        return copy

    def fresh_user(self, name: str = "t") -> User:
        return self.platform.user(f"authz-{name}-{uuid.uuid4().hex[:10]}")

    def advance(self, token: str) -> str:
        """Keeps the latest of the community's tokens (versions only grow) for the call being
        made, so the services decide on what its target's making wrote."""
        if token and _version(token) > _version(self.call_token):
            self.target_token = token
        return token

    @property
    def target_token(self) -> str:
        return getattr(self._call, "token", "")

    @target_token.setter
    def target_token(self, token: str) -> None:
        self._call.token = token

    @property
    def call_token(self) -> str:
        return self.target_token or self.token

    def fresh_member(self, role: int = mtypes.ROLE_MEMBER) -> User:
        user = self.fresh_user("m")
        invitation = self.owner.membership.InviteMember(ms.InviteMemberRequest(
            community_id=self.community_id, invitee_id=user.user_id)).invitation
        self.advance(user.membership.AcceptInvitation(ms.AcceptInvitationRequest(
            invitation_id=invitation.invitation_id)).consistency_token)
        if role != mtypes.ROLE_MEMBER:
            self.advance(self.owner.membership.SetMemberRole(ms.SetMemberRoleRequest(
                community_id=self.community_id, user_id=user.user_id, role=role,
            )).consistency_token)
        return user

    def fresh_muted(self) -> User:
        user = self.fresh_member()
        self.moderator.moderation.MuteMember(mod.MuteMemberRequest(
            community_id=self.community_id, user_id=user.user_id, duration=DAY,
            consistency_token=self.call_token))
        return user

    def fresh_banned(self) -> User:
        user = self.fresh_member()
        self.moderator.moderation.BanMember(mod.BanMemberRequest(
            community_id=self.community_id, user_id=user.user_id,
            consistency_token=self.call_token))
        return user

    def fresh_restricted(self) -> User:
        user = self.fresh_user("r")
        self.users["platform_admin"].moderation.RestrictUser(mod.RestrictUserRequest(
            user_id=user.user_id, actions=EVERY_ACTION, duration=DAY))
        return user

    def fresh_post(self, author: str = "member") -> str:
        return str(self.users[author].feed.CreatePost(feed.CreatePostRequest(
            community_id=self.community_id, body="a post", consistency_token=self.call_token,
        )).post.post_id)

    def fresh_group(self) -> str:
        created = self.owner.membership.CreateGroup(ms.CreateGroupRequest(
            community_id=self.community_id, name="group"))
        self.advance(created.consistency_token)
        return str(created.group.group_id)

    def fresh_join_request(self) -> str:
        joined = self.fresh_user("j").membership.JoinCommunity(
            ms.JoinCommunityRequest(community_id=self.community_id))
        self.advance(joined.consistency_token)
        return str(joined.join_request.join_request_id)

    def invitation_to(self, invitee: str, inviter: str = "owner") -> str:
        sent = self.users[inviter].membership.InviteMember(ms.InviteMemberRequest(
            community_id=self.community_id, invitee_id=invitee))
        self.advance(sent.consistency_token)
        return str(sent.invitation.invitation_id)

    def stand_in(self, role: str) -> User:
        """A second holder of `role` (for calls that would take the role from its holder)."""
        makers: dict[str, Callable[[], User]] = {
            "member": self.fresh_member,
            "muted": self.fresh_muted,
            "moderator": lambda: self.fresh_member(mtypes.ROLE_MODERATOR),
            "admin": lambda: self.fresh_member(mtypes.ROLE_ADMIN),
        }
        if role == "restricted":
            user = self.fresh_member()
            self.users["platform_admin"].moderation.RestrictUser(mod.RestrictUserRequest(
                user_id=user.user_id, actions=EVERY_ACTION, duration=DAY))
            return user
        return makers[role]() if role in makers else self.users[role]


def _version(token: str) -> int:
    return int(token.rpartition(":")[2]) if token else 0


def refused(call: Callable[[], Any]) -> bool:
    """True once `call` is refused for permission (a sanction has reached the service)."""
    try:
        call()
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.PERMISSION_DENIED:
            return True
        raise
    return False


def build_world(platform: Platform) -> World:
    """One public community (join by request) where each role has its holder; returns once
    every service has learnt every role and sanction."""
    run = uuid.uuid4().hex[:8]
    users = {
        role: platform.user(f"authz-{run}-{role}", platform_admin=role == "platform_admin")
        for role in ROLES
    }
    world = World(platform, users)
    admin = users["platform_admin"]
    # First, so it has reached every service by the time the world is built.
    admin.moderation.RestrictUser(mod.RestrictUserRequest(
        user_id=users["restricted"].user_id, actions=EVERY_ACTION, duration=DAY,
        reason="the restricted role"))
    created = world.owner.membership.CreateCommunity(ms.CreateCommunityRequest(
        name=f"Authorization {run}", description="every role once", topics=["authz"],
        visibility=mtypes.VISIBILITY_PUBLIC, join_policy=mtypes.JOIN_POLICY_REQUEST))
    world.community_id = created.community.community_id
    world.advance(created.consistency_token)
    for role in ("admin", "moderator", "member", "muted", "banned", "restricted"):
        invitation_id = world.invitation_to(users[role].user_id)
        world.advance(users[role].membership.AcceptInvitation(
            ms.AcceptInvitationRequest(invitation_id=invitation_id)).consistency_token)
    for role, rank in (("admin", mtypes.ROLE_ADMIN), ("moderator", mtypes.ROLE_MODERATOR)):
        world.advance(world.owner.membership.SetMemberRole(ms.SetMemberRoleRequest(
            community_id=world.community_id, user_id=users[role].user_id, role=rank,
        )).consistency_token)
    world.join_group_id = world.fresh_group()
    world.leave_group_id = world.fresh_group()
    for role in ("admin", "moderator", "member", "muted", "banned", "restricted"):
        world.advance(world.owner.membership.AddGroupMember(ms.AddGroupMemberRequest(
            group_id=world.leave_group_id, user_id=users[role].user_id)).consistency_token)
    world.member_group_id = world.fresh_group()
    world.advance(world.owner.membership.AddGroupMember(ms.AddGroupMemberRequest(
        group_id=world.member_group_id, user_id=users["member"].user_id)).consistency_token)
    world.revoked_invitation_id = world.invitation_to(users["outsider"].user_id)
    world.owner.membership.RevokeInvitation(
        ms.RevokeInvitationRequest(invitation_id=world.revoked_invitation_id))
    world.pending_invitation_id = world.invitation_to(users["outsider"].user_id)
    world.other_member_id = world.fresh_member().user_id
    await_projections(world)
    world.post_id = world.fresh_post("member")
    world.removable_posts = [world.fresh_post("member") for _ in range(6)]
    world.removed_posts = [world.fresh_post("member") for _ in range(6)]
    world.rule_id = world.owner.moderation.AddRule(mod.AddRuleRequest(
        community_id=world.community_id, title="Be kind", consistency_token=world.call_token,
    )).rule.rule_id
    world.session_id = world.owner.feed.StartLiveSession(feed.StartLiveSessionRequest(
        community_id=world.community_id, title="live", consistency_token=world.call_token,
    )).live_session.session_id
    world.moderator.moderation.MuteMember(mod.MuteMemberRequest(
        community_id=world.community_id, user_id=users["muted"].user_id, duration=DAY,
        reason="the muted role", consistency_token=world.call_token))
    world.moderator.moderation.BanMember(mod.BanMemberRequest(
        community_id=world.community_id, user_id=users["banned"].user_id,
        reason="the banned role", consistency_token=world.call_token))
    for post_id in world.removed_posts:  # once moderation has learnt the posts
        eventually(lambda post_id=post_id: world.moderator.moderation.RemoveContent(
            mod.RemoveContentRequest(post_id=post_id)), PROPAGATION_S)
    _await_sanctions(world)
    return world


def _await_sanctions(world: World) -> None:
    """Mutes, bans and restrictions cross services by events (no consistency token names
    them): wait until each service refuses their holders, then take a token that covers the
    ban's removal from the community."""
    users, post = world.users, world.post_id

    def like(role: str) -> Callable[[], Any]:
        return lambda: users[role].feed.LikePost(feed.LikePostRequest(
            post_id=post, consistency_token=world.call_token))

    for role in ("muted", "banned", "restricted"):
        eventually(lambda role=role: refused(like(role)), PROPAGATION_S)  # type: ignore[misc]

    def ban_removed() -> bool:
        try:
            world.owner.membership.GetMembership(ms.GetMembershipRequest(
                community_id=world.community_id, user_id=users["banned"].user_id))
        except grpc.RpcError as error:
            return error.code() == grpc.StatusCode.NOT_FOUND
        return False

    eventually(ban_removed, PROPAGATION_S)
    eventually(lambda: refused(lambda: users["restricted"].membership.InviteMember(
        ms.InviteMemberRequest(community_id=world.community_id,
                               invitee_id=world.fresh_user().user_id))), PROPAGATION_S)
    world.fresh_group()  # a write after the removal: its token covers it
    world.token = world.call_token


# --- one builder per row: (world, role, fresh) -> Call, `fresh` when the call may change
# its target. Keys are the rows' (service, rpc, variant).

Builder = Callable[[World, str, bool], Call]
BUILDERS: dict[tuple[str, str, str], Builder] = {}


def row(service: str, rpc: str, variant: str = "") -> Callable[[Builder], Builder]:
    def register(build: Builder) -> Builder:
        BUILDERS[(service, rpc, variant)] = build
        return build

    return register


def simple(service: str, rpc: str, make: Callable[[World], Any], variant: str = "") -> None:
    """A row whose request, made by `make`, is the same for every role."""
    key = (service, rpc, variant)
    BUILDERS[key] = lambda w, role, fresh: Call(
        w.users[role], service, rpc, make(w) if fresh else w.shared(key, make))


# membership
simple("membership", "CreateCommunity", lambda w: ms.CreateCommunityRequest(
    name="Another", visibility=mtypes.VISIBILITY_PUBLIC, join_policy=mtypes.JOIN_POLICY_OPEN))
simple("membership", "GetCommunity", lambda w: ms.GetCommunityRequest(
    community_id=w.community_id))
simple("membership", "UpdateCommunity", lambda w: ms.UpdateCommunityRequest(
    community_id=w.community_id, description="every role once, updated",
    update_mask=FieldMask(paths=["description"])))
simple("membership", "ArchiveCommunity", lambda w: ms.ArchiveCommunityRequest(
    community_id=w.community_id))
simple("membership", "ListCommunities", lambda w: ms.ListCommunitiesRequest(topic="authz"))
simple("membership", "ListMyCommunities", lambda w: ms.ListMyCommunitiesRequest())
simple("membership", "JoinCommunity", lambda w: ms.JoinCommunityRequest(
    community_id=w.community_id))
simple("membership", "ListJoinRequests", lambda w: ms.ListJoinRequestsRequest(
    community_id=w.community_id))
simple("membership", "ApproveJoinRequest", lambda w: ms.ApproveJoinRequestRequest(
    join_request_id=w.fresh_join_request()))
simple("membership", "RejectJoinRequest", lambda w: ms.RejectJoinRequestRequest(
    join_request_id=w.fresh_join_request()))
simple("membership", "InviteMember", lambda w: ms.InviteMemberRequest(
    community_id=w.community_id, invitee_id=w.fresh_user().user_id))
simple("membership", "AcceptInvitation", lambda w: ms.AcceptInvitationRequest(
    invitation_id=w.revoked_invitation_id))
simple("membership", "DeclineInvitation", lambda w: ms.DeclineInvitationRequest(
    invitation_id=w.pending_invitation_id))


def _invitation_by_another_member(w: World) -> str:
    sent = w.fresh_member().membership.InviteMember(ms.InviteMemberRequest(
        community_id=w.community_id, invitee_id=w.fresh_user().user_id))
    w.advance(sent.consistency_token)
    return str(sent.invitation.invitation_id)


simple("membership", "RevokeInvitation", lambda w: ms.RevokeInvitationRequest(
    invitation_id=_invitation_by_another_member(w)))


simple("membership", "ListInvitations", lambda w: ms.ListInvitationsRequest(
    community_id=w.community_id), variant="community")
simple("membership", "ListInvitations", lambda w: ms.ListInvitationsRequest(), variant="own")


@row("membership", "LeaveCommunity")
def _leave(w: World, role: str, fresh: bool) -> Call:
    caller = w.stand_in(role) if fresh else w.users[role]
    return Call(caller, "membership", "LeaveCommunity",
                ms.LeaveCommunityRequest(community_id=w.community_id))


simple("membership", "RemoveMember", lambda w: ms.RemoveMemberRequest(
    community_id=w.community_id, user_id=w.fresh_member().user_id))
simple("membership", "SetMemberRole", lambda w: ms.SetMemberRoleRequest(
    community_id=w.community_id, user_id=w.fresh_member().user_id,
    role=mtypes.ROLE_MODERATOR))
simple("membership", "TransferOwnership", lambda w: ms.TransferOwnershipRequest(
    community_id=w.community_id, new_owner_id=w.users["outsider"].user_id))
simple("membership", "GetMembership", lambda w: ms.GetMembershipRequest(
    community_id=w.community_id, user_id=w.users["member"].user_id))
simple("membership", "ListMembers", lambda w: ms.ListMembersRequest(
    community_id=w.community_id))
simple("membership", "CreateGroup", lambda w: ms.CreateGroupRequest(
    community_id=w.community_id, name="another group"))
simple("membership", "RemoveGroup", lambda w: ms.RemoveGroupRequest(group_id=w.fresh_group()))
simple("membership", "ListGroups", lambda w: ms.ListGroupsRequest(community_id=w.community_id))
simple("membership", "JoinGroup", lambda w: ms.JoinGroupRequest(group_id=w.join_group_id))
simple("membership", "LeaveGroup", lambda w: ms.LeaveGroupRequest(group_id=w.leave_group_id))
simple("membership", "AddGroupMember", lambda w: ms.AddGroupMemberRequest(
    group_id=w.fresh_group(), user_id=w.other_member_id))
simple("membership", "ListGroupMembers", lambda w: ms.ListGroupMembersRequest(
    group_id=w.join_group_id))

# feed
simple("feed", "CreatePost", lambda w: feed.CreatePostRequest(
    community_id=w.community_id, body="hello"))
simple("feed", "CreatePost", lambda w: feed.CreatePostRequest(
    community_id=w.community_id, group_id=w.member_group_id, body="hello group"),
    variant="group")
simple("feed", "GetPost", lambda w: feed.GetPostRequest(post_id=w.post_id))
simple("feed", "ListPosts", lambda w: feed.ListPostsRequest(community_id=w.community_id))
simple("feed", "ListPosts", lambda w: feed.ListPostsRequest(
    community_id=w.community_id, group_id=w.member_group_id), variant="group")
simple("feed", "DeletePost", lambda w: feed.DeletePostRequest(post_id=w.fresh_post("member")))
simple("feed", "AddComment", lambda w: feed.AddCommentRequest(post_id=w.post_id, body="hi"))
simple("feed", "ListComments", lambda w: feed.ListCommentsRequest(post_id=w.post_id))
simple("feed", "LikePost", lambda w: feed.LikePostRequest(post_id=w.post_id))
simple("feed", "UnlikePost", lambda w: feed.UnlikePostRequest(post_id=w.post_id))
simple("feed", "SharePost", lambda w: feed.SharePostRequest(post_id=w.post_id))
simple("feed", "PublishAnnouncement", lambda w: feed.PublishAnnouncementRequest(
    community_id=w.community_id, body="news"))
simple("feed", "GetHomeFeed", lambda w: feed.GetHomeFeedRequest())
simple("feed", "StartLiveSession", lambda w: feed.StartLiveSessionRequest(
    community_id=w.community_id, title="my live"))
simple("feed", "JoinLiveSession", lambda w: feed.JoinLiveSessionRequest(
    session_id=w.session_id))
simple("feed", "LeaveLiveSession", lambda w: feed.LeaveLiveSessionRequest(
    session_id=w.session_id))
simple("feed", "EndLiveSession", lambda w: feed.EndLiveSessionRequest(
    session_id=w.users["member"].feed.StartLiveSession(feed.StartLiveSessionRequest(
        community_id=w.community_id, title="to end", consistency_token=w.call_token,
    )).live_session.session_id))
simple("feed", "ListLiveSessions", lambda w: feed.ListLiveSessionsRequest(
    community_id=w.community_id))


# moderation
def _fresh_rule(w: World) -> str:
    return str(w.owner.moderation.AddRule(mod.AddRuleRequest(
        community_id=w.community_id, title="a rule", consistency_token=w.call_token)).rule.rule_id)


def _fresh_report(w: World, reason: int = modtypes.REASON_COMMUNITY_RULE) -> str:
    rule_id = w.rule_id if reason == modtypes.REASON_COMMUNITY_RULE else ""
    return str(w.users["member"].moderation.ReportContent(mod.ReportContentRequest(
        community_id=w.community_id, post_id=w.post_id, reason=reason, rule_id=rule_id,
        consistency_token=w.call_token)).report.report_id)


def _fresh_automod_rule(w: World) -> str:
    return str(w.owner.moderation.AddAutomodRule(mod.AddAutomodRuleRequest(
        community_id=w.community_id, keywords=["zzzforbidden"], action=modtypes.AUTOMOD_FLAG,
        consistency_token=w.call_token)).automod_rule.automod_rule_id)




simple("moderation", "AddRule", lambda w: mod.AddRuleRequest(
    community_id=w.community_id, title="Another rule"))
simple("moderation", "UpdateRule", lambda w: mod.UpdateRuleRequest(
    rule_id=w.rule_id, description="be kind to everyone",
    update_mask=FieldMask(paths=["description"])))
simple("moderation", "RemoveRule", lambda w: mod.RemoveRuleRequest(rule_id=_fresh_rule(w)))
simple("moderation", "ListRules", lambda w: mod.ListRulesRequest(community_id=w.community_id))
simple("moderation", "ReportContent", lambda w: mod.ReportContentRequest(
    community_id=w.community_id, post_id=w.post_id, reason=modtypes.REASON_COMMUNITY_RULE,
    rule_id=w.rule_id))
simple("moderation", "ListReports", lambda w: mod.ListReportsRequest(
    community_id=w.community_id), variant="community")
simple("moderation", "ListReports", lambda w: mod.ListReportsRequest(platform=True),
       variant="platform")
simple("moderation", "ResolveReport", lambda w: mod.ResolveReportRequest(
    report_id=_fresh_report(w), resolution=modtypes.RESOLUTION_DISMISS), variant="community")
simple("moderation", "ResolveReport", lambda w: mod.ResolveReportRequest(
    report_id=_fresh_report(w, modtypes.REASON_SPAM), resolution=modtypes.RESOLUTION_DISMISS),
    variant="platform")
simple("moderation", "RemoveContent", lambda w: mod.RemoveContentRequest(
    post_id=w.removable_posts.pop() if w.removable_posts else w.fresh_post()))
simple("moderation", "RestoreContent", lambda w: mod.RestoreContentRequest(
    post_id=w.removed_posts.pop() if w.removed_posts else w.post_id))
simple("moderation", "MuteMember", lambda w: mod.MuteMemberRequest(
    community_id=w.community_id, user_id=w.fresh_member().user_id, duration=DAY))
simple("moderation", "UnmuteMember", lambda w: mod.UnmuteMemberRequest(
    community_id=w.community_id, user_id=w.fresh_muted().user_id))
simple("moderation", "BanMember", lambda w: mod.BanMemberRequest(
    community_id=w.community_id, user_id=w.fresh_member().user_id))
simple("moderation", "UnbanMember", lambda w: mod.UnbanMemberRequest(
    community_id=w.community_id, user_id=w.fresh_banned().user_id))
simple("moderation", "RestrictUser", lambda w: mod.RestrictUserRequest(
    user_id=w.fresh_user().user_id, actions=[modtypes.ACTION_POST], duration=DAY))
simple("moderation", "LiftRestriction", lambda w: mod.LiftRestrictionRequest(
    user_id=w.fresh_restricted().user_id, actions=EVERY_ACTION))
simple("moderation", "AddAutomodRule", lambda w: mod.AddAutomodRuleRequest(
    community_id=w.community_id, keywords=["zzzspam"], action=modtypes.AUTOMOD_FLAG),
    variant="community")
simple("moderation", "AddAutomodRule", lambda w: mod.AddAutomodRuleRequest(
    platform=True, keywords=[f"zzz{uuid.uuid4().hex[:8]}"], action=modtypes.AUTOMOD_FLAG),
    variant="platform")
simple("moderation", "ListAutomodRules", lambda w: mod.ListAutomodRulesRequest(
    community_id=w.community_id), variant="community")
simple("moderation", "ListAutomodRules", lambda w: mod.ListAutomodRulesRequest(platform=True),
       variant="platform")
simple("moderation", "RemoveAutomodRule", lambda w: mod.RemoveAutomodRuleRequest(
    automod_rule_id=_fresh_automod_rule(w)))
simple("moderation", "ListModerationLog", lambda w: mod.ListModerationLogRequest(
    community_id=w.community_id), variant="community")
simple("moderation", "ListModerationLog", lambda w: mod.ListModerationLogRequest(
    platform=True), variant="platform")

# insights
simple("insights", "GetInsights", lambda w: insights.GetInsightsRequest(
    community_id=w.community_id, group_id=w.join_group_id))


def make_call(
    world: World, service: str, rpc: str, variant: str, role: str, fresh: bool
) -> Call:
    """The cell's call, with the world's latest consistency token where the request has one
    (so feed, moderation and insights decide on everything membership has acknowledged)."""
    world.target_token = ""
    call = BUILDERS[(service, rpc, variant)](world, role, fresh)
    fields = call.request.DESCRIPTOR.fields_by_name
    if "consistency_token" in fields and not call.request.consistency_token:
        call.request.consistency_token = world.call_token
        if world.target_token:
            await_projections(world, (service,))
    if role == "anonymous":
        call.caller = None
    return call


def await_projections(world: World, services: tuple[str, ...] = PROJECTING) -> None:
    """Waits until `services` have applied the community's membership events up to the
    token of the call being made (or the world's). A burst of membership writes — the world's
    making, a target made for one call — may take a busy machine's consumers longer than the
    2 s one request waits; this waits for that first, so each call tests permissions."""
    owner, community_id, token = world.owner, world.community_id, world.call_token
    reads: dict[str, Callable[[], Any]] = {
        "feed": lambda: owner.feed.ListPosts(feed.ListPostsRequest(
            community_id=community_id, consistency_token=token)),
        "moderation": lambda: owner.moderation.ListRules(mod.ListRulesRequest(
            community_id=community_id, consistency_token=token)),
        "insights": lambda: owner.insights.GetInsights(insights.GetInsightsRequest(
            community_id=community_id, consistency_token=token)),
    }

    def caught_up(read: Callable[[], Any]) -> bool:
        try:
            read()
        except grpc.RpcError as error:
            return error.code() != grpc.StatusCode.UNAVAILABLE
        return True

    for service in services:
        eventually(lambda s=service: caught_up(reads[s]), PROPAGATION_S)  # type: ignore[misc]
