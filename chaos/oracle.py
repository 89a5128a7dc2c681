"""Insights figures recomputed from the topics, from SPEC §7 alone.

Written without the insights worker's code on purpose: an oracle that reuses it could not
disagree with it. It reads only the CloudEvents headers (ce_type, ce_communityid, ce_actorid,
ce_id), counts each event once by ce_id, and assumes every event of this run falls inside the
default 28-day range (the run lasts minutes). Member counts come from membership events only:
the owner is a member from `CommunityCreated`, `MemberJoined` adds one, `MemberLeft`,
`MemberRemoved` take one away. The owner's arrival counts as a join too, so that over a
space's whole history net growth (joins - leaves) is its member count.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from chaos.topics import Record

MEMBERSHIP = "community.membership.v1."
FEED = "community.feed.v1."
MODERATION = "community.moderation.v1."
# Top contributors' score per action (SPEC §7).
SCORE = {FEED + "PostCreated": 3, FEED + "CommentAdded": 2, FEED + "PostLiked": 1,
         FEED + "PostShared": 1}
ACTIVE = {*SCORE, FEED + "LiveSessionStarted", FEED + "LiveSessionJoined"}


@dataclass
class Figures:
    member_count: int = 0
    joins: int = 0
    leaves: int = 0
    posts: int = 0
    comments: int = 0
    likes: int = 0
    reports: int = 0
    active_members_28d: int = 0
    top_contributors: list[tuple[str, int]] = field(default_factory=list)

    COMPARED = ("member_count", "joins", "leaves", "posts", "comments", "likes", "reports",
                "active_members_28d", "top_contributors")


def figures(records: list[Record]) -> dict[str, Figures]:
    """Per community id."""
    seen: set[str] = set()
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    scores: dict[str, Counter[str]] = defaultdict(Counter)
    active: dict[str, set[str]] = defaultdict(set)
    for record in records:
        ce_id, ce_type = record.ce_id, record.headers.get("ce_type", "")
        community = record.headers.get("ce_communityid", "")
        if not ce_id or not community or ce_id in seen:
            continue
        seen.add(ce_id)
        counts[community][ce_type] += 1
        actor = record.headers.get("ce_actorid", "")
        if ce_type in SCORE:
            scores[community][actor] += SCORE[ce_type]
        if ce_type in ACTIVE:
            active[community].add(actor)
    result = {}
    for community, c in counts.items():
        leaves = c[MEMBERSHIP + "MemberLeft"] + c[MEMBERSHIP + "MemberRemoved"]
        top = sorted(scores[community].items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        result[community] = Figures(
            member_count=c[MEMBERSHIP + "CommunityCreated"] + c[MEMBERSHIP + "MemberJoined"]
            - leaves,
            joins=c[MEMBERSHIP + "CommunityCreated"] + c[MEMBERSHIP + "MemberJoined"],
            leaves=leaves,
            posts=c[FEED + "PostCreated"],
            comments=c[FEED + "CommentAdded"],
            likes=c[FEED + "PostLiked"],
            reports=c[MODERATION + "ReportFiled"],
            active_members_28d=len(active[community]),
            top_contributors=top,
        )
    return result


def served(response: Any) -> Figures:
    """The same figures as GetInsights answered them."""
    return Figures(**{name: getattr(response, name) for name in Figures.COMPARED
                      if name != "top_contributors"},
                   top_contributors=[(c.user_id, int(c.score))
                                     for c in response.top_contributors])


def differences(expected: Figures, actual: Figures) -> dict[str, tuple[object, object]]:
    return {name: (getattr(expected, name), getattr(actual, name)) for name in Figures.COMPARED
            if getattr(expected, name) != getattr(actual, name)}
