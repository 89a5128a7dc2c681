"""The friendly command names: `communityctl <noun> <verb>` → one RPC of one service.

Every request field is given as `field=value` (repeated fields comma-separated, enums by name,
durations like `3600s`), so a new RPC needs only a line here.
"""

from __future__ import annotations

COMMANDS: dict[str, dict[str, tuple[str, str]]] = {
    "communities": {
        "create": ("membership", "CreateCommunity"),
        "get": ("membership", "GetCommunity"),
        "update": ("membership", "UpdateCommunity"),
        "archive": ("membership", "ArchiveCommunity"),
        "list": ("membership", "ListCommunities"),
        "mine": ("membership", "ListMyCommunities"),
        "join": ("membership", "JoinCommunity"),
        "leave": ("membership", "LeaveCommunity"),
    },
    "join-requests": {
        "list": ("membership", "ListJoinRequests"),
        "approve": ("membership", "ApproveJoinRequest"),
        "reject": ("membership", "RejectJoinRequest"),
    },
    "invitations": {
        "send": ("membership", "InviteMember"),
        "accept": ("membership", "AcceptInvitation"),
        "decline": ("membership", "DeclineInvitation"),
        "revoke": ("membership", "RevokeInvitation"),
        "list": ("membership", "ListInvitations"),
    },
    "members": {
        "get": ("membership", "GetMembership"),
        "list": ("membership", "ListMembers"),
        "remove": ("membership", "RemoveMember"),
        "set-role": ("membership", "SetMemberRole"),
        "transfer-ownership": ("membership", "TransferOwnership"),
    },
    "groups": {
        "create": ("membership", "CreateGroup"),
        "remove": ("membership", "RemoveGroup"),
        "list": ("membership", "ListGroups"),
        "join": ("membership", "JoinGroup"),
        "leave": ("membership", "LeaveGroup"),
        "add-member": ("membership", "AddGroupMember"),
        "members": ("membership", "ListGroupMembers"),
    },
    "posts": {
        "create": ("feed", "CreatePost"),
        "get": ("feed", "GetPost"),
        "list": ("feed", "ListPosts"),
        "delete": ("feed", "DeletePost"),
        "comment": ("feed", "AddComment"),
        "comments": ("feed", "ListComments"),
        "like": ("feed", "LikePost"),
        "unlike": ("feed", "UnlikePost"),
        "share": ("feed", "SharePost"),
        "home": ("feed", "GetHomeFeed"),
    },
    "announcements": {
        "publish": ("feed", "PublishAnnouncement"),
    },
    "live": {
        "start": ("feed", "StartLiveSession"),
        "join": ("feed", "JoinLiveSession"),
        "leave": ("feed", "LeaveLiveSession"),
        "end": ("feed", "EndLiveSession"),
        "list": ("feed", "ListLiveSessions"),
    },
    "rules": {
        "add": ("moderation", "AddRule"),
        "update": ("moderation", "UpdateRule"),
        "remove": ("moderation", "RemoveRule"),
        "list": ("moderation", "ListRules"),
    },
    "reports": {
        "file": ("moderation", "ReportContent"),
        "list": ("moderation", "ListReports"),
        "resolve": ("moderation", "ResolveReport"),
    },
    "moderation": {
        "remove-content": ("moderation", "RemoveContent"),
        "restore-content": ("moderation", "RestoreContent"),
        "mute": ("moderation", "MuteMember"),
        "unmute": ("moderation", "UnmuteMember"),
        "ban": ("moderation", "BanMember"),
        "unban": ("moderation", "UnbanMember"),
        "restrict": ("moderation", "RestrictUser"),
        "lift-restriction": ("moderation", "LiftRestriction"),
        "log": ("moderation", "ListModerationLog"),
    },
    "automod": {
        "add": ("moderation", "AddAutomodRule"),
        "list": ("moderation", "ListAutomodRules"),
        "remove": ("moderation", "RemoveAutomodRule"),
    },
    "insights": {
        "get": ("insights", "GetInsights"),
    },
}
