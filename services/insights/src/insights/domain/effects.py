"""What one event contributes to insights (SPEC §7), in the domain's words.

Each event type maps to a list of effects on spaces (a community, or a group of it):
a tally of a countable action, a member's activity with its contribution score, a post's
engagement, a headcount change, a role change. Nothing here depends on which other events
have arrived: events of one community come on three topics with no order between them (a
like may arrive before the liker's join), so no figure depends on that order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from community.feed.v1 import events_pb2 as feed
from community.membership.v1 import events_pb2 as membership
from community.membership.v1 import types_pb2 as membership_types
from community.moderation.v1 import events_pb2 as moderation
from google.protobuf.message import Message

# Counted actions: the per-day series of SPEC §7 and the moderation counts.
JOINS = "joins"
LEAVES = "leaves"  # leaves, removals and bans
POSTS = "posts"
COMMENTS = "comments"
LIKES = "likes"
SHARES = "shares"
ANNOUNCEMENTS = "announcements"
LIVE_SESSIONS = "live_sessions"
LIVE_JOINS = "live_joins"
REPORTS = "reports"
CONTENT_REMOVED = "content_removed"
MEMBERS_MUTED = "members_muted"
MEMBERS_BANNED = "members_banned"

DAILY_METRICS = (
    JOINS, LEAVES, POSTS, COMMENTS, LIKES, SHARES, ANNOUNCEMENTS, LIVE_SESSIONS, LIVE_JOINS
)
MODERATION_METRICS = (REPORTS, CONTENT_REMOVED, MEMBERS_MUTED, MEMBERS_BANNED)
# The actions popular_hours / popular_days count.
ENGAGEMENT_METRICS = (POSTS, COMMENTS, LIKES, SHARES, LIVE_SESSIONS, LIVE_JOINS)

# Contribution score per action: 3 per post, 2 per comment, 1 per like or share; starting or
# joining a live session makes a member active without scoring.
POST_SCORE, COMMENT_SCORE, LIKE_SCORE, SHARE_SCORE, LIVE_SCORE = 3, 2, 1, 1, 0

NO_ROLE = membership_types.ROLE_UNSPECIFIED
OWNER = membership_types.ROLE_OWNER
ADMIN = membership_types.ROLE_ADMIN


class Space(NamedTuple):
    community_id: str
    # Empty for the community itself.
    group_id: str = ""


@dataclass(frozen=True)
class Tally:
    """One counted action in a space."""

    space: Space
    metric: str


@dataclass(frozen=True)
class MonthTally:
    """A join or leave counted again in its space's UTC month, by day: a past day's member
    count is worked back from now's through these (a year back in 13 values, not 365)."""

    space: Space
    metric: str


@dataclass(frozen=True)
class Activity:
    """A member took part (posted, commented, liked, shared, went live or watched)."""

    space: Space
    user_id: str
    score: int


@dataclass(frozen=True)
class Engagement:
    """A comment, like or share on a post."""

    space: Space
    post_id: str


@dataclass(frozen=True)
class Headcount:
    space: Space
    delta: int


@dataclass(frozen=True)
class CommunityOpened:
    community_id: str


@dataclass(frozen=True)
class GroupOpened:
    space: Space


@dataclass(frozen=True)
class GroupClosed:
    space: Space


@dataclass(frozen=True)
class RoleChange:
    community_id: str
    user_id: str
    role: int


Effect = (
    Tally | MonthTally | Activity | Engagement | Headcount | CommunityOpened | GroupOpened
    | GroupClosed | RoleChange
)


def _spaces(community_id: str, *group_ids: str) -> list[Space]:
    """The community, plus the groups named: group content counts in its community too."""
    return [Space(community_id), *(Space(community_id, g) for g in group_ids if g)]


def _acted(
    metric: str, spaces: list[Space], user_id: str, score: int, post_id: str = ""
) -> list[Effect]:
    effects: list[Effect] = []
    for space in spaces:
        effects.append(Tally(space, metric))
        effects.append(Activity(space, user_id, score))
        if post_id:
            effects.append(Engagement(space, post_id))
    return effects


def _joined(space: Space, user_id: str, role: int = NO_ROLE) -> list[Effect]:
    effects: list[Effect] = [Headcount(space, +1), Tally(space, JOINS), MonthTally(space, JOINS)]
    if role:
        effects.append(RoleChange(space.community_id, user_id, role))
    return effects


def _left(event: Any) -> list[Effect]:
    """MemberLeft / MemberRemoved: out of the community and every group it lists."""
    effects: list[Effect] = [RoleChange(event.community_id, event.user_id, NO_ROLE)]
    for space in _spaces(event.community_id, *event.group_ids):
        effects += [Headcount(space, -1), Tally(space, LEAVES), MonthTally(space, LEAVES)]
    return effects


def _removed(event: Any) -> list[Effect]:
    effects = _left(event)
    if event.cause == membership_types.REMOVAL_CAUSE_BANNED:
        # The community counts moderation's MemberBanned; a group counts the bans that took
        # members from it (moderation's events name no group).
        effects += [Tally(Space(event.community_id, g), MEMBERS_BANNED) for g in event.group_ids]
    return effects


_Rule = Callable[[Any], list[Effect]]

_RULES: dict[str, _Rule] = {
    # --- membership: headcounts, joins and leaves, roles
    membership.CommunityCreated.DESCRIPTOR.full_name: lambda e: [
        CommunityOpened(e.community_id),
        *_joined(Space(e.community_id), e.owner_id, OWNER),
    ],
    membership.MemberJoined.DESCRIPTOR.full_name: lambda e: _joined(
        Space(e.community_id), e.user_id, e.role or membership_types.ROLE_MEMBER
    ),
    membership.MemberLeft.DESCRIPTOR.full_name: _left,
    membership.MemberRemoved.DESCRIPTOR.full_name: _removed,
    membership.MemberRoleChanged.DESCRIPTOR.full_name: lambda e: [
        RoleChange(e.community_id, e.user_id, e.new_role)
    ],
    membership.OwnershipTransferred.DESCRIPTOR.full_name: lambda e: [
        RoleChange(e.community_id, e.previous_owner_id, ADMIN),
        RoleChange(e.community_id, e.new_owner_id, OWNER),
    ],
    membership.GroupCreated.DESCRIPTOR.full_name: lambda e: [
        GroupOpened(Space(e.community_id, e.group_id)),
        *_joined(Space(e.community_id, e.group_id), e.creator_id),
    ],
    membership.GroupRemoved.DESCRIPTOR.full_name: lambda e: [
        GroupClosed(Space(e.community_id, e.group_id))
    ],
    membership.GroupMemberJoined.DESCRIPTOR.full_name: lambda e: _joined(
        Space(e.community_id, e.group_id), e.user_id
    ),
    membership.GroupMemberLeft.DESCRIPTOR.full_name: lambda e: [
        Headcount(Space(e.community_id, e.group_id), -1),
        Tally(Space(e.community_id, e.group_id), LEAVES),
        MonthTally(Space(e.community_id, e.group_id), LEAVES),
    ],
    # --- feed: engagement (a share counts in the shared post's space)
    feed.PostCreated.DESCRIPTOR.full_name: lambda e: _acted(
        POSTS, _spaces(e.community_id, e.group_id), e.author_id, POST_SCORE
    ),
    feed.CommentAdded.DESCRIPTOR.full_name: lambda e: _acted(
        COMMENTS, _spaces(e.community_id, e.group_id), e.author_id, COMMENT_SCORE, e.post_id
    ),
    feed.PostLiked.DESCRIPTOR.full_name: lambda e: _acted(
        LIKES, _spaces(e.community_id, e.group_id), e.user_id, LIKE_SCORE, e.post_id
    ),
    feed.PostShared.DESCRIPTOR.full_name: lambda e: _acted(
        SHARES, _spaces(e.community_id, e.group_id), e.user_id, SHARE_SCORE, e.post_id
    ),
    feed.AnnouncementPublished.DESCRIPTOR.full_name: lambda e: [
        Tally(space, ANNOUNCEMENTS) for space in _spaces(e.community_id, *e.group_ids)
    ],
    feed.LiveSessionStarted.DESCRIPTOR.full_name: lambda e: _acted(
        LIVE_SESSIONS, _spaces(e.community_id), e.host_id, LIVE_SCORE
    ),
    feed.LiveSessionJoined.DESCRIPTOR.full_name: lambda e: _acted(
        LIVE_JOINS, _spaces(e.community_id), e.user_id, LIVE_SCORE
    ),
    # --- moderation
    moderation.ReportFiled.DESCRIPTOR.full_name: lambda e: [
        Tally(space, REPORTS) for space in _spaces(e.community_id, e.group_id)
    ]
    if e.community_id
    else [],
    moderation.ContentRemoved.DESCRIPTOR.full_name: lambda e: [
        Tally(space, CONTENT_REMOVED) for space in _spaces(e.community_id, e.group_id)
    ],
    moderation.MemberMuted.DESCRIPTOR.full_name: lambda e: [
        Tally(Space(e.community_id), MEMBERS_MUTED)
    ],
    moderation.MemberBanned.DESCRIPTOR.full_name: lambda e: [
        Tally(Space(e.community_id), MEMBERS_BANNED)
    ],
}


def effects_of(event: Message) -> list[Effect]:
    """The effects of one event; none for the event types insights does not count (likes
    taken back, deletions, invitations, rules, ...: actions count when they happen)."""
    rule = _RULES.get(event.DESCRIPTOR.full_name)
    return rule(event) if rule else []
