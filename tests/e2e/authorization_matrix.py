"""The authorization matrix: for every RPC of every service, what each role gets back.

This table is the single source of truth: `docs/authorization.md` is generated from it
(`scripts/gen_authorization.py`), and `tests/e2e/test_authorization_matrix.py` calls every
RPC as every role against the live services and checks each answer against it.

It is data only (no imports beyond the standard library), so the generator can load it
without the test harness.
"""

from __future__ import annotations

from dataclasses import dataclass

# Who calls, in the order of the table's columns, with what makes them that role.
ROLES: dict[str, str] = {
    "anonymous": "no token at all",
    "outsider": "a valid token; not a member of the community",
    "member": "ROLE_MEMBER of the community",
    "muted": "a member muted in the community (MuteMember, 1 day)",
    "banned": "banned from the community (BanMember; so no longer a member)",
    "restricted": "a member under a platform restriction on every action (RestrictUser)",
    "moderator": "ROLE_MODERATOR of the community",
    "admin": "ROLE_ADMIN of the community",
    "owner": "ROLE_OWNER: the community's creator",
    "platform_admin": "a token whose roles hold platform_admin; not a member of the community",
}


@dataclass(frozen=True)
class Allowed:
    """Not refused for authentication or permission. `then` is empty when the call succeeds,
    else "CODE REASON": what the call's own rules answer once the caller passed (the request
    aims at something those rules refuse, e.g. a transfer to a non-member)."""

    then: str = ""


@dataclass(frozen=True)
class Refused:
    code: str
    reason: str


OK = Allowed()
NO_TOKEN = Refused("UNAUTHENTICATED", "TOKEN_MISSING")
NOT_A_MEMBER = Refused("PERMISSION_DENIED", "NOT_A_MEMBER")
ROLE_REQUIRED = Refused("PERMISSION_DENIED", "ROLE_REQUIRED")
MEMBER_MUTED = Refused("PERMISSION_DENIED", "MEMBER_MUTED")
MEMBER_BANNED = Refused("PERMISSION_DENIED", "MEMBER_BANNED")
USER_RESTRICTED = Refused("PERMISSION_DENIED", "USER_RESTRICTED")
PLATFORM_ADMIN_REQUIRED = Refused("PERMISSION_DENIED", "PLATFORM_ADMIN_REQUIRED")
NOT_AUTHOR = Refused("PERMISSION_DENIED", "NOT_AUTHOR")
NOT_INVITEE = Refused("PERMISSION_DENIED", "NOT_INVITEE")

Outcome = Allowed | Refused


def after(code: str, reason: str) -> Allowed:
    return Allowed(f"{code} {reason}")


@dataclass(frozen=True)
class Row:
    """One RPC (or one variant of it, e.g. its platform-wide form) aimed at `target`;
    `cells` holds one outcome per role, in the order of ROLES."""

    service: str
    rpc: str
    target: str
    cells: tuple[Outcome, ...]
    variant: str = ""
    # How the row reads SPEC, or that SPEC is silent and the row records today's behaviour.
    note: str = ""

    def outcome(self, role: str) -> Outcome:
        return self.cells[list(ROLES).index(role)]

    @property
    def name(self) -> str:
        return f"{self.rpc} ({self.variant})" if self.variant else self.rpc


# Shorthands for the table: the refusals above, and the common shapes of a row.
NT, NAM, RR = NO_TOKEN, NOT_A_MEMBER, ROLE_REQUIRED
EVERYONE: tuple[Outcome, ...] = (NT, OK, OK, OK, OK, OK, OK, OK, OK, OK)
MODERATOR_OR_ABOVE: tuple[Outcome, ...] = (NT, NAM, RR, RR, NAM, RR, OK, OK, OK, OK)
ADMIN_OR_ABOVE: tuple[Outcome, ...] = (NT, NAM, RR, RR, NAM, RR, RR, OK, OK, OK)
PLATFORM_ADMINS: tuple[Outcome, ...] = (NT, *[PLATFORM_ADMIN_REQUIRED] * 8, OK)
TAKING_PART: tuple[Outcome, ...] = (
    NT, NAM, OK, MEMBER_MUTED, MEMBER_BANNED, USER_RESTRICTED, OK, OK, OK, OK)

PUBLIC_READ = "The community is public: anyone signed in reads it (SPEC §1, §5)."
SILENT = "SPEC names no role for this; the row records today's behaviour."

#   columns: anonymous, outsider, member, muted, banned, restricted, moderator, admin, owner,
#            platform_admin
ROWS: list[Row] = [
    # --- membership (SPEC §4)
    Row("membership", "CreateCommunity", "a new community",
        (NT, OK, OK, OK, OK, USER_RESTRICTED, OK, OK, OK, OK),
        note="A ban is per community; a restriction on ACTION_CREATE_COMMUNITY is platform-wide."),
    Row("membership", "GetCommunity", "the community", EVERYONE, note=PUBLIC_READ),
    Row("membership", "UpdateCommunity", "the community: a new description", ADMIN_OR_ABOVE),
    Row("membership", "ArchiveCommunity", "the community",
        (NT, NAM, RR, RR, NAM, RR, RR, RR, OK, RR),
        note="Owner only: a platform admin ranks as an admin, below the owner (SPEC §3). "
        "Called last, the owner's call last of all: it archives the world."),
    Row("membership", "ListCommunities", "public communities by topic", EVERYONE),
    Row("membership", "ListMyCommunities", "the caller's own", EVERYONE),
    Row("membership", "JoinCommunity", "the community (join by request)",
        (NT, OK, *[after("FAILED_PRECONDITION", "ALREADY_MEMBER")] * 2, MEMBER_BANNED,
         *[after("FAILED_PRECONDITION", "ALREADY_MEMBER")] * 4, OK),
        note="Allowed for a non-member: a pending join request (also for a platform admin, "
        "who is not a member)."),
    Row("membership", "ListJoinRequests", "the community's", MODERATOR_OR_ABOVE),
    Row("membership", "ApproveJoinRequest", "a pending join request", MODERATOR_OR_ABOVE),
    Row("membership", "RejectJoinRequest", "a pending join request", MODERATOR_OR_ABOVE),
    Row("membership", "InviteMember", "a user who is not a member",
        (NT, NAM, OK, OK, NAM, USER_RESTRICTED, OK, OK, OK, OK),
        note="Any member may invite; a mute does not block inviting (SPEC §6 lists what it "
        "blocks), a restriction on ACTION_INVITE does. A platform admin may, as an admin."),
    Row("membership", "AcceptInvitation", "an invitation to the outsider, since revoked",
        (NT, after("FAILED_PRECONDITION", "INVITATION_NOT_PENDING"), *[NOT_INVITEE] * 8),
        note="Only the invitee; the outsider passes and the invitation's state refuses."),
    Row("membership", "DeclineInvitation", "a pending invitation to the outsider",
        (NT, OK, *[NOT_INVITEE] * 8), note="Only the invitee."),
    Row("membership", "RevokeInvitation", "a pending invitation another member sent",
        MODERATOR_OR_ABOVE, note="The inviter may revoke their own too (SPEC §4)."),
    Row("membership", "ListInvitations", "the community's", MODERATOR_OR_ABOVE,
        variant="community"),
    Row("membership", "ListInvitations", "the caller's own (no community_id)", EVERYONE,
        variant="own"),
    Row("membership", "LeaveCommunity", "the community",
        (NT, NAM, OK, OK, NAM, OK, OK, OK, after("FAILED_PRECONDITION", "OWNER_CANNOT_LEAVE"),
         NAM),
        note="Made by a second holder of the role, so the world keeps its own. A platform "
        "admin is not a member, so has nothing to leave."),
    Row("membership", "RemoveMember", "a member", MODERATOR_OR_ABOVE),
    Row("membership", "SetMemberRole", "a member, to ROLE_MODERATOR", ADMIN_OR_ABOVE,
        note="Only to and from roles below the caller's own: a moderator may not appoint one."),
    Row("membership", "TransferOwnership", "to the outsider",
        (NT, NAM, RR, RR, NAM, RR, RR, RR, after("FAILED_PRECONDITION", "TARGET_NOT_A_MEMBER"),
         RR),
        note="Owner only; the owner passes and the rule (a member only) refuses."),
    Row("membership", "GetMembership", "the member's",
        (NT, NAM, OK, OK, NAM, OK, OK, OK, OK, OK),
        note="Members of the community (and the user themself; the member's own call)."),
    Row("membership", "ListMembers", "the community's", EVERYONE, note=f"{SILENT} {PUBLIC_READ}"),
    Row("membership", "CreateGroup", "a new group", ADMIN_OR_ABOVE),
    Row("membership", "RemoveGroup", "a group", ADMIN_OR_ABOVE),
    Row("membership", "ListGroups", "the community's", EVERYONE, note=PUBLIC_READ),
    Row("membership", "JoinGroup", "a group only the owner is in",
        (NT, NAM, OK, OK, NAM, OK, OK, OK, after("FAILED_PRECONDITION", "ALREADY_GROUP_MEMBER"),
         NAM),
        note="Community members only. A platform admin is not a member of the community, and "
        "a group's members are members of the community (SPEC §4), so it may not join one."),
    Row("membership", "LeaveGroup", "a group every member is in",
        (NT, NAM, OK, OK, NAM, OK, OK, OK, OK, NAM),
        note="The banned user left every group with the community."),
    Row("membership", "AddGroupMember", "another member, into a group", ADMIN_OR_ABOVE,
        note="Adding oneself is JoinGroup's rule (members may)."),
    Row("membership", "ListGroupMembers", "a group of the community", EVERYONE,
        note=f"{SILENT} {PUBLIC_READ}"),
    # --- feed (SPEC §5)
    Row("feed", "CreatePost", "a community-wide post", TAKING_PART,
        note="A platform admin takes part as an admin would, in every community (SPEC §3)."),
    Row("feed", "CreatePost", "a post in a group of the owner and the member",
        (NT, NAM, OK, NAM, MEMBER_BANNED, NAM, NAM, NAM, OK, NAM), variant="group",
        note="Group content needs membership of the group too (SPEC §5), whatever the role: "
        "a moderator, admin or platform admin outside the group may read it, not post in it."),
    Row("feed", "GetPost", "a post by the member", EVERYONE, note=PUBLIC_READ),
    Row("feed", "ListPosts", "the community's posts", EVERYONE, note=PUBLIC_READ),
    Row("feed", "ListPosts", "a group's posts (the owner and the member are in it)",
        (NT, NAM, OK, NAM, NAM, NAM, OK, OK, OK, OK), variant="group",
        note="A group's posts need membership of the group; moderators and above of the "
        "community read everything (SPEC §5)."),
    Row("feed", "DeletePost", "a post by the member",
        (NT, NOT_AUTHOR, OK, *[NOT_AUTHOR] * 7),
        note="The author only; moderators and above remove content with RemoveContent."),
    Row("feed", "AddComment", "a post by the member", TAKING_PART),
    Row("feed", "ListComments", "a post by the member", EVERYONE, note=PUBLIC_READ),
    Row("feed", "LikePost", "a post by the member", TAKING_PART),
    Row("feed", "UnlikePost", "a post by the member", TAKING_PART,
        note="SPEC lists liking among what a mute, ban and ACTION_LIKE block; unliking is "
        "refused alike (today's behaviour)."),
    Row("feed", "SharePost", "a post by the member", TAKING_PART),
    Row("feed", "PublishAnnouncement", "to the whole community", ADMIN_OR_ABOVE),
    Row("feed", "GetHomeFeed", "the caller's own", EVERYONE),
    Row("feed", "StartLiveSession", "a new session", TAKING_PART),
    Row("feed", "JoinLiveSession", "a session the owner hosts",
        (NT, NAM, OK, OK, MEMBER_BANNED, OK, OK, OK, OK, OK),
        note="Mutes and ACTION_LIVE block starting a session, not watching one (SPEC §5)."),
    Row("feed", "LeaveLiveSession", "a session the owner hosts", EVERYONE,
        note=f"{SILENT} Stopping watching needs nothing: a caller not watching changes nothing."),
    Row("feed", "EndLiveSession", "a session the member hosts",
        (NT, NAM, OK, RR, NAM, RR, OK, OK, OK, OK),
        note="The host (the member), or moderators and above."),
    Row("feed", "ListLiveSessions", "the community's Live tab", EVERYONE, note=PUBLIC_READ),
    # --- moderation (SPEC §6)
    Row("moderation", "AddRule", "a new rule", ADMIN_OR_ABOVE),
    Row("moderation", "UpdateRule", "a rule", ADMIN_OR_ABOVE),
    Row("moderation", "RemoveRule", "a rule", ADMIN_OR_ABOVE),
    Row("moderation", "ListRules", "the community's", EVERYONE,
        note="Anyone who can read the community (SPEC §6)."),
    Row("moderation", "ReportContent", "a post by the member, under a community rule", EVERYONE,
        note=f"{SILENT} Anyone signed in may report what they can read."),
    Row("moderation", "ListReports", "the community's queue", MODERATOR_OR_ABOVE,
        variant="community"),
    Row("moderation", "ListReports", "the platform queue (platform: true)", PLATFORM_ADMINS,
        variant="platform"),
    Row("moderation", "ResolveReport", "an open report in the community's queue",
        MODERATOR_OR_ABOVE, variant="community"),
    Row("moderation", "ResolveReport", "an open report in the platform queue (REASON_SPAM)",
        PLATFORM_ADMINS, variant="platform"),
    Row("moderation", "RemoveContent", "a post by the member", MODERATOR_OR_ABOVE),
    Row("moderation", "RestoreContent", "a removed post by the member", MODERATOR_OR_ABOVE),
    Row("moderation", "MuteMember", "a member, for a day", MODERATOR_OR_ABOVE),
    Row("moderation", "UnmuteMember", "a muted member", MODERATOR_OR_ABOVE),
    Row("moderation", "BanMember", "a member", MODERATOR_OR_ABOVE),
    Row("moderation", "UnbanMember", "a banned user", MODERATOR_OR_ABOVE),
    Row("moderation", "RestrictUser", "a user, from ACTION_POST for a day", PLATFORM_ADMINS),
    Row("moderation", "LiftRestriction", "a restricted user", PLATFORM_ADMINS),
    Row("moderation", "AddAutomodRule", "a keyword rule for the community", ADMIN_OR_ABOVE,
        variant="community", note=SILENT),
    Row("moderation", "AddAutomodRule", "a platform-wide keyword rule (platform: true)",
        PLATFORM_ADMINS, variant="platform"),
    Row("moderation", "ListAutomodRules", "the community's", MODERATOR_OR_ABOVE,
        variant="community", note=SILENT),
    Row("moderation", "ListAutomodRules", "the platform's (platform: true)", PLATFORM_ADMINS,
        variant="platform"),
    Row("moderation", "RemoveAutomodRule", "a rule of the community", ADMIN_OR_ABOVE,
        note=SILENT),
    Row("moderation", "ListModerationLog", "the community's", MODERATOR_OR_ABOVE,
        variant="community", note=SILENT),
    Row("moderation", "ListModerationLog", "the platform's (platform: true)", PLATFORM_ADMINS,
        variant="platform"),
    # --- insights (SPEC §7)
    Row("insights", "GetInsights", "a group of the community (fewer than 51 members)",
        (NT, NAM, RR, RR, NAM, RR,
         *[after("FAILED_PRECONDITION", "INSIGHTS_THRESHOLD_NOT_MET")] * 4),
        note="Moderators and above and platform admins; the size is checked after the role."),
]


@dataclass(frozen=True)
class Forgery:
    """A token that must not let its bearer in: every RPC answers UNAUTHENTICATED `reason`."""

    name: str
    how: str
    reason: str


FORGERIES: list[Forgery] = [
    Forgery("none", "no authorization metadata", "TOKEN_MISSING"),
    Forgery("empty bearer", "`Bearer ` with nothing after it", "TOKEN_MISSING"),
    Forgery("other scheme", "`Basic` credentials instead of a bearer token", "TOKEN_MISSING"),
    Forgery("malformed", "not a JWT (`not.a.jwt`)", "TOKEN_INVALID"),
    Forgery("bad signature", "a valid token with its signature altered", "TOKEN_INVALID"),
    Forgery("tampered claims", "another user's claims under a valid token's signature",
            "TOKEN_INVALID"),
    Forgery("wrong secret", "signed with another 32-byte secret", "TOKEN_INVALID"),
    Forgery("alg none", "unsigned (`alg: none`)", "TOKEN_INVALID"),
    Forgery("other algorithm", "HS512 with the right secret (only HS256 is accepted)",
            "TOKEN_INVALID"),
    Forgery("expired", "`exp` 120 s ago, beyond the 30 s leeway", "TOKEN_EXPIRED"),
    Forgery("no exp", "no `exp` claim", "TOKEN_INVALID"),
    Forgery("no sub", "no `sub` claim", "TOKEN_INVALID"),
    Forgery("empty sub", "`sub` is the empty string", "TOKEN_INVALID"),
    Forgery("too-long sub", "`sub` of 129 characters (user ids are 1-128)", "TOKEN_INVALID"),
    Forgery("non-string sub", "`sub` is a number", "TOKEN_INVALID"),
    Forgery("roles not a list", "`roles` is the string `platform_admin`", "TOKEN_INVALID"),
]
