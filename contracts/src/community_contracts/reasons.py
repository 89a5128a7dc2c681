"""The `google.rpc.ErrorInfo` reasons of the platform's errors (SPEC §3 to §9), each with the
canonical gRPC code it is always sent with.

Every refusal carries an ErrorInfo with `domain` = DOMAIN and one of these reasons, so a
client can branch on the reason without parsing messages. The names SPEC spells are part of
the public contract; the others follow the same pattern.
"""

from __future__ import annotations

from grpc import StatusCode

# ErrorInfo.domain of every error of every service: the reasons are one shared vocabulary.
DOMAIN = "community.platform"

# ErrorInfo.metadata keys.
METADATA_MEMBER_COUNT = "member_count"  # INSIGHTS_THRESHOLD_NOT_MET: the space's members now
METADATA_THRESHOLD = "threshold"  # INSIGHTS_THRESHOLD_NOT_MET: the count to exceed ("50")
METADATA_LIMIT = "limit"  # *_LIMIT_REACHED: the limit in force
# ROLE_REQUIRED: the lowest role allowed, e.g. "ROLE_ADMIN".
METADATA_REQUIRED_ROLE = "required_role"
# MEMBER_MUTED, MEMBER_BANNED, USER_RESTRICTED: when it ends, RFC 3339; absent = permanent.
METADATA_EXPIRES_AT = "expires_at"
METADATA_ACTION = "action"  # USER_RESTRICTED: the restricted Action, e.g. "ACTION_POST"
METADATA_RESOURCE_ID = "resource_id"  # *_NOT_FOUND: the id that was not found

# --- UNAUTHENTICATED: checked before anything else (SPEC §3).
TOKEN_MISSING = "TOKEN_MISSING"  # no `authorization: Bearer` metadata
TOKEN_INVALID = "TOKEN_INVALID"  # malformed, wrongly signed, or missing claims
TOKEN_EXPIRED = "TOKEN_EXPIRED"  # past `exp` (beyond the leeway)

# --- INVALID_ARGUMENT: sent with a google.rpc.BadRequest naming each bad field.
INVALID_ARGUMENT = "INVALID_ARGUMENT"  # any bad field without a more specific reason
INVALID_REGEX = "INVALID_REGEX"  # AddAutomodRule: the regex does not compile or is too costly
INVALID_PAGE_TOKEN = "INVALID_PAGE_TOKEN"  # not a token this list handed out
INVALID_CONSISTENCY_TOKEN = "INVALID_CONSISTENCY_TOKEN"  # not "<community_id>:<version>"
REQUEST_ID_REUSED = "REQUEST_ID_REUSED"  # the same request_id with a different request

# --- NOT_FOUND.
NOT_FOUND = "NOT_FOUND"  # anything without a more specific reason
COMMUNITY_NOT_FOUND = "COMMUNITY_NOT_FOUND"
GROUP_NOT_FOUND = "GROUP_NOT_FOUND"
MEMBER_NOT_FOUND = "MEMBER_NOT_FOUND"  # the user named is not a member (GetMembership...)
INVITATION_NOT_FOUND = "INVITATION_NOT_FOUND"
JOIN_REQUEST_NOT_FOUND = "JOIN_REQUEST_NOT_FOUND"
POST_NOT_FOUND = "POST_NOT_FOUND"
COMMENT_NOT_FOUND = "COMMENT_NOT_FOUND"
LIVE_SESSION_NOT_FOUND = "LIVE_SESSION_NOT_FOUND"
RULE_NOT_FOUND = "RULE_NOT_FOUND"
REPORT_NOT_FOUND = "REPORT_NOT_FOUND"
AUTOMOD_RULE_NOT_FOUND = "AUTOMOD_RULE_NOT_FOUND"

# --- PERMISSION_DENIED: refused participation (SPEC §3).
NOT_A_MEMBER = "NOT_A_MEMBER"  # the caller is not a member of the community (or group)
MEMBER_MUTED = "MEMBER_MUTED"
MEMBER_BANNED = "MEMBER_BANNED"
USER_RESTRICTED = "USER_RESTRICTED"  # a platform restriction on this action
ROLE_REQUIRED = "ROLE_REQUIRED"  # the caller's role is too low (or the target's is not lower)
PLATFORM_ADMIN_REQUIRED = "PLATFORM_ADMIN_REQUIRED"  # platform-wide variants
NOT_AUTHOR = "NOT_AUTHOR"  # DeletePost by someone else
NOT_INVITEE = "NOT_INVITEE"  # Accept/DeclineInvitation by someone else

# --- FAILED_PRECONDITION: a rule forbids it now.
COMMUNITY_LIMIT_REACHED = "COMMUNITY_LIMIT_REACHED"  # owns MAX_COMMUNITIES_PER_USER already
GROUP_LIMIT_REACHED = "GROUP_LIMIT_REACHED"  # MAX_GROUPS_PER_COMMUNITY groups already
INVITATION_REQUIRED = "INVITATION_REQUIRED"  # JoinCommunity on an invite-only community
OWNER_CANNOT_LEAVE = "OWNER_CANNOT_LEAVE"
INSIGHTS_THRESHOLD_NOT_MET = "INSIGHTS_THRESHOLD_NOT_MET"  # 50 members or fewer
COMMUNITY_ARCHIVED = "COMMUNITY_ARCHIVED"
ALREADY_MEMBER = "ALREADY_MEMBER"  # joining, or inviting someone who is already a member
ALREADY_GROUP_MEMBER = "ALREADY_GROUP_MEMBER"
NOT_A_GROUP_MEMBER = "NOT_A_GROUP_MEMBER"  # LeaveGroup by someone not in the group
TARGET_NOT_A_MEMBER = "TARGET_NOT_A_MEMBER"  # AddGroupMember, TransferOwnership to a non-member
INVITEE_BANNED = "INVITEE_BANNED"  # inviting a user banned from the community
INVITATION_ALREADY_PENDING = "INVITATION_ALREADY_PENDING"  # the invitee has one pending here
INVITATION_NOT_PENDING = "INVITATION_NOT_PENDING"  # already accepted, declined, revoked, expired
JOIN_REQUEST_ALREADY_PENDING = "JOIN_REQUEST_ALREADY_PENDING"
JOIN_REQUEST_NOT_PENDING = "JOIN_REQUEST_NOT_PENDING"
LIVE_SESSION_ENDED = "LIVE_SESSION_ENDED"
REPORT_ALREADY_RESOLVED = "REPORT_ALREADY_RESOLVED"
CONTENT_REMOVED = "CONTENT_REMOVED"  # commenting on, liking or sharing removed content

# --- RESOURCE_EXHAUSTED.
INVITE_QUOTA_EXHAUSTED = "INVITE_QUOTA_EXHAUSTED"  # a member with no invitations left

# --- ABORTED: a concurrent write won; retrying is safe.
CONCURRENT_MODIFICATION = "CONCURRENT_MODIFICATION"

# --- UNAVAILABLE: retrying later is safe.
CONSISTENCY_TIMEOUT = "CONSISTENCY_TIMEOUT"  # the consistency_token was not reached in 2 s
UNAVAILABLE = "UNAVAILABLE"  # a dependency (MongoDB, Kafka) cannot be reached
REBUILDING = "REBUILDING"  # the read models are being rebuilt (`make rebuild`) for too long

# --- INTERNAL: a bug; details go to the log, never to the client.
INTERNAL = "INTERNAL"

CODES: dict[str, StatusCode] = {
    **dict.fromkeys([TOKEN_MISSING, TOKEN_INVALID, TOKEN_EXPIRED], StatusCode.UNAUTHENTICATED),
    **dict.fromkeys(
        [
            INVALID_ARGUMENT,
            INVALID_REGEX,
            INVALID_PAGE_TOKEN,
            INVALID_CONSISTENCY_TOKEN,
            REQUEST_ID_REUSED,
        ],
        StatusCode.INVALID_ARGUMENT,
    ),
    **dict.fromkeys(
        [
            NOT_FOUND,
            COMMUNITY_NOT_FOUND,
            GROUP_NOT_FOUND,
            MEMBER_NOT_FOUND,
            INVITATION_NOT_FOUND,
            JOIN_REQUEST_NOT_FOUND,
            POST_NOT_FOUND,
            COMMENT_NOT_FOUND,
            LIVE_SESSION_NOT_FOUND,
            RULE_NOT_FOUND,
            REPORT_NOT_FOUND,
            AUTOMOD_RULE_NOT_FOUND,
        ],
        StatusCode.NOT_FOUND,
    ),
    **dict.fromkeys(
        [
            NOT_A_MEMBER,
            MEMBER_MUTED,
            MEMBER_BANNED,
            USER_RESTRICTED,
            ROLE_REQUIRED,
            PLATFORM_ADMIN_REQUIRED,
            NOT_AUTHOR,
            NOT_INVITEE,
        ],
        StatusCode.PERMISSION_DENIED,
    ),
    **dict.fromkeys(
        [
            COMMUNITY_LIMIT_REACHED,
            GROUP_LIMIT_REACHED,
            INVITATION_REQUIRED,
            OWNER_CANNOT_LEAVE,
            INSIGHTS_THRESHOLD_NOT_MET,
            COMMUNITY_ARCHIVED,
            ALREADY_MEMBER,
            ALREADY_GROUP_MEMBER,
            NOT_A_GROUP_MEMBER,
            TARGET_NOT_A_MEMBER,
            INVITEE_BANNED,
            INVITATION_ALREADY_PENDING,
            INVITATION_NOT_PENDING,
            JOIN_REQUEST_ALREADY_PENDING,
            JOIN_REQUEST_NOT_PENDING,
            LIVE_SESSION_ENDED,
            REPORT_ALREADY_RESOLVED,
            CONTENT_REMOVED,
        ],
        StatusCode.FAILED_PRECONDITION,
    ),
    INVITE_QUOTA_EXHAUSTED: StatusCode.RESOURCE_EXHAUSTED,
    CONCURRENT_MODIFICATION: StatusCode.ABORTED,
    CONSISTENCY_TIMEOUT: StatusCode.UNAVAILABLE,
    UNAVAILABLE: StatusCode.UNAVAILABLE,
    REBUILDING: StatusCode.UNAVAILABLE,
    INTERNAL: StatusCode.INTERNAL,
}

ALL: frozenset[str] = frozenset(CODES)


def code(reason: str) -> StatusCode:
    """The canonical gRPC code a reason is always sent with."""
    return CODES[reason]
