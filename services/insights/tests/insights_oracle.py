"""SPEC §7 computed straight from a list of events, the plain way: no code shared with the
insights service. The figures are a dict keyed by GetInsightsResponse field names."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from community.membership.v1 import types_pb2 as mt

Event = tuple[Any, datetime]  # (protobuf message, ce_time)

DAILY = ["joins", "leaves", "posts", "comments", "likes", "shares", "announcements",
         "live_sessions", "live_joins"]
ENGAGING = {"PostCreated": "posts", "CommentAdded": "comments", "PostLiked": "likes",
            "PostShared": "shares", "LiveSessionStarted": "live_sessions",
            "LiveSessionJoined": "live_joins"}
SCORES = {"PostCreated": 3, "CommentAdded": 2, "PostLiked": 1, "PostShared": 1,
          "LiveSessionStarted": 0, "LiveSessionJoined": 0}


def _name(message: Any) -> str:
    return message.DESCRIPTOR.name


def member_count(events: list[Event], community_id: str, group_id: str = "") -> int:
    """Replays the membership events (their own stream order) for one space."""
    members: set[str] = set()
    for message, _ in events:
        if getattr(message, "community_id", None) != community_id:
            continue
        kind = _name(message)
        if not group_id:
            if kind == "CommunityCreated":
                members.add(message.owner_id)
            elif kind == "MemberJoined":
                members.add(message.user_id)
            elif kind in ("MemberLeft", "MemberRemoved"):
                members.discard(message.user_id)
        elif getattr(message, "group_id", "") == group_id or group_id in getattr(
            message, "group_ids", []
        ):
            if kind == "GroupCreated":
                members.add(message.creator_id)
            elif kind == "GroupMemberJoined":
                members.add(message.user_id)
            elif kind in ("GroupMemberLeft", "MemberLeft", "MemberRemoved"):
                members.discard(message.user_id)
            elif kind == "GroupRemoved":
                members.clear()
    return len(members)


def _in_space(message: Any, community_id: str, group_id: str) -> bool:
    """Is this event's content (or membership change) in the space? Group content also counts
    in its community; announcements in every targeted group; live sessions are community-wide."""
    if getattr(message, "community_id", None) != community_id:
        return False
    if not group_id:
        return True
    if group_id in getattr(message, "group_ids", []):
        return True
    return getattr(message, "group_id", None) == group_id


def _counted(message: Any, community_id: str, group_id: str) -> list[str]:
    """Which counters an event adds one to in the space."""
    kind = _name(message)
    if not _in_space(message, community_id, group_id):
        return []
    if kind in ENGAGING:
        if kind.startswith("LiveSession") and group_id:
            return []
        return [ENGAGING[kind]]
    if kind == "AnnouncementPublished":
        return ["announcements"]
    if kind in ("CommunityCreated", "MemberJoined"):
        return [] if group_id else ["joins"]
    if kind in ("GroupCreated", "GroupMemberJoined"):
        return ["joins"] if group_id else []
    if kind == "GroupMemberLeft":
        return ["leaves"] if group_id else []
    if kind == "MemberLeft":
        return ["leaves"]
    if kind == "MemberRemoved":
        banned = group_id and message.cause == mt.REMOVAL_CAUSE_BANNED
        return ["leaves", "members_banned"] if banned else ["leaves"]
    if kind == "ReportFiled":
        return ["reports"]
    if kind == "ContentRemoved":
        return ["content_removed"]
    if kind == "MemberMuted":
        return [] if group_id else ["members_muted"]
    if kind == "MemberBanned":
        return [] if group_id else ["members_banned"]
    return []


ACTOR_FIELD = {"PostCreated": "author_id", "CommentAdded": "author_id", "PostLiked": "user_id",
               "PostShared": "user_id", "LiveSessionStarted": "host_id",
               "LiveSessionJoined": "user_id"}


def _actor(message: Any) -> str:
    return getattr(message, ACTOR_FIELD[_name(message)])


def figures(
    events: list[Event], community_id: str, group_id: str, range_days: int, zone_name: str,
    now: datetime,
) -> dict[str, Any]:
    zone = ZoneInfo(zone_name)
    today = now.astimezone(zone).date()
    first = today - timedelta(days=range_days - 1)
    totals: Counter[str] = Counter()
    daily: dict[Any, Counter[str]] = defaultdict(Counter)
    hours, weekdays = [0] * 24, [0] * 7
    scores: Counter[str] = Counter()
    engagement: Counter[str] = Counter()
    last_day: dict[str, Any] = {}
    for message, at in events:
        local = at.astimezone(zone)
        day = local.date()
        counted = _counted(message, community_id, group_id)
        kind = _name(message)
        if counted and kind in ENGAGING:
            user = _actor(message)
            if day <= today:
                last_day[user] = max(last_day.get(user, day), day)
        if not counted or not first <= day <= today:
            continue
        for name in counted:
            totals[name] += 1
            daily[day][name] += 1
        if kind in ENGAGING:
            hours[local.hour] += 1
            weekdays[local.weekday()] += 1
            scores[_actor(message)] += SCORES[kind]
            if kind in ("CommentAdded", "PostLiked", "PostShared"):
                engagement[message.post_id] += 1
    members = member_count(events, community_id, group_id)
    active = {n: sum(1 for d in last_day.values() if d >= today - timedelta(days=n - 1))
              for n in (1, 7, 28)}
    contributors = sorted((-s, u) for u, s in scores.items() if s > 0)[:10]
    posts = sorted((-e, p) for p, e in engagement.items() if e > 0)[:5]
    result: dict[str, Any] = {
        "member_count": members,
        **{name: totals[name] for name in [*DAILY, "reports", "content_removed",
                                            "members_muted", "members_banned"]},
        "net_growth": totals["joins"] - totals["leaves"],
        "active_members_1d": active[1],
        "active_members_7d": active[7],
        "active_members_28d": active[28],
        "engagement_rate": active[28] / members if members else 0.0,
        "popular_hours": hours,
        "popular_days": weekdays,
        "top_contributors": [(u, -s) for s, u in contributors],
        "top_posts": [(p, -e) for e, p in posts],
        "daily": [
            ((first + timedelta(days=i)).isoformat(),
             {name: daily[first + timedelta(days=i)][name] for name in DAILY})
            for i in range(range_days)
        ],
    }
    return result


def from_response(response: Any) -> dict[str, Any]:
    """A GetInsightsResponse (or InsightsSnapshot) in the oracle's shape, for comparing."""
    result: dict[str, Any] = {
        name: getattr(response, name)
        for name in ["member_count", *DAILY, "reports", "content_removed", "members_muted",
                     "members_banned", "net_growth", "active_members_1d", "active_members_7d",
                     "active_members_28d", "engagement_rate"]
    }
    result["popular_hours"] = list(response.popular_hours)
    result["popular_days"] = list(response.popular_days)
    result["top_contributors"] = [(c.user_id, c.score) for c in response.top_contributors]
    result["top_posts"] = [(p.post_id, p.engagement) for p in response.top_posts]
    result["daily"] = [(d.date, {name: getattr(d, name) for name in DAILY})
                       for d in response.daily]
    return result
