"""Communities for the dashboard's tests, made through the public gRPC API: one of 51 members
with every kind of activity insights counts, one of 50 (one short of the threshold), and the
dashboard's address on the running stack."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from community.feed.v1 import feed_service_pb2 as feed
from community.insights.v1 import insights_service_pb2 as insights
from community.membership.v1 import membership_service_pb2 as ms
from community.membership.v1 import types_pb2 as mtypes
from community.moderation.v1 import moderation_service_pb2 as mod
from community.moderation.v1 import types_pb2 as modtypes
from communityctl.client import User
from google.protobuf.duration_pb2 import Duration

from .conftest import INSTANCE, eventually

DASHBOARD = f"http://127.0.0.1:{INSTANCE.http_port}"
# How long a cross-service effect may take while the services replay the topics from the start.
CATCH_UP_S = 120.0


def get(path: str, token: str | None = None,
        method: str = "GET") -> tuple[int, dict[str, str], Any]:
    """(status, headers, JSON body or text) of a request to the dashboard's server."""
    request = urllib.request.Request(DASHBOARD + path, method=method)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, headers, raw = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, headers, raw = error.code, dict(error.headers), error.read()
    is_json = headers.get("Content-Type", "").startswith("application/json")
    return status, headers, json.loads(raw) if is_json else raw.decode()


@dataclass
class Community:
    community_id: str
    owner: User
    members: list[User]
    group_id: str = ""

    @property
    def member(self) -> User:
        """A plain member (not a moderator)."""
        return self.members[-1]


def in_parallel(call: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
    with ThreadPoolExecutor(6) as pool:
        return list(pool.map(call, items))


def populated_community(new_user: Callable[..., User], members: int,
                        activity: bool = True) -> Community:
    """An open community of `members` members (the owner included) and, with `activity`, a
    group, posts, comments, likes, a share, an announcement, a live session, a removed post
    and a mute — then waited for until insights counts all of it."""
    owner = new_user("owner")
    community_id = owner.membership.CreateCommunity(ms.CreateCommunityRequest(
        name="Dashboard", description="a dashboard test", topics=["e2e"],
        visibility=mtypes.VISIBILITY_PUBLIC, join_policy=mtypes.JOIN_POLICY_OPEN,
    )).community.community_id
    people = [new_user("member") for _ in range(members - 1)]
    tokens = in_parallel(lambda user: user.membership.JoinCommunity(
        ms.JoinCommunityRequest(community_id=community_id)).consistency_token, people)
    token = max(tokens, key=lambda t: int(t.rsplit(":", 1)[1]))
    world = Community(community_id, owner, people)
    posts = 0
    if activity:
        # First, so that moderation, which learns of posts from feed's events, has it by the
        # time it is reported.
        spam = people[44].feed.CreatePost(feed.CreatePostRequest(
            community_id=community_id, body="buy my car", consistency_token=token)).post
        world.group_id = owner.membership.CreateGroup(ms.CreateGroupRequest(
            community_id=community_id, name="Grade 1")).group.group_id
        authors = people[:6]
        made = in_parallel(lambda author: author.feed.CreatePost(feed.CreatePostRequest(
            community_id=community_id, body=f"hello from {author.user_id}",
            consistency_token=token)).post, authors)
        in_parallel(lambda pair: pair[0].feed.AddComment(feed.AddCommentRequest(
            post_id=made[pair[1] % 3].post_id, body="agreed")),
            [(people[10 + i], i) for i in range(6)])
        in_parallel(lambda pair: pair[0].feed.LikePost(feed.LikePostRequest(
            post_id=made[pair[1] % 2].post_id)), [(people[20 + i], i) for i in range(8)])
        people[30].feed.SharePost(feed.SharePostRequest(post_id=made[0].post_id))
        owner.feed.PublishAnnouncement(feed.PublishAnnouncementRequest(
            community_id=community_id, body="welcome"))
        session = owner.feed.StartLiveSession(feed.StartLiveSessionRequest(
            community_id=community_id, title="open day")).live_session
        in_parallel(lambda viewer: viewer.feed.JoinLiveSession(feed.JoinLiveSessionRequest(
            session_id=session.session_id)), people[40:43])
        rule = owner.moderation.AddRule(mod.AddRuleRequest(
            community_id=community_id, title="No ads", description="No ads here.",
            consistency_token=token)).rule
        # Moderation may not know the post yet: freshly started services replay the event
        # topics from the start (earlier suites filled them), as in test_stories' automod
        # story. A refused report is not remembered, so asking again is safe.
        report = eventually(lambda: people[45].moderation.ReportContent(
            mod.ReportContentRequest(community_id=community_id, post_id=spam.post_id,
                                     reason=modtypes.REASON_COMMUNITY_RULE,
                                     rule_id=rule.rule_id, details="an advert")).report,
            timeout=CATCH_UP_S)
        owner.moderation.ResolveReport(mod.ResolveReportRequest(
            report_id=report.report_id, resolution=modtypes.RESOLUTION_REMOVE_CONTENT))
        owner.moderation.MuteMember(mod.MuteMemberRequest(
            community_id=community_id, user_id=people[46].user_id,
            duration=Duration(seconds=600), reason="cool down"))
        posts = len(made) + 1

    def counted() -> bool:
        try:
            got = owner.insights.GetInsights(insights.GetInsightsRequest(
                community_id=community_id))
        except Exception:
            return False
        return got.member_count == members and got.posts == posts and (
            not activity or (got.members_muted == 1 and got.content_removed == 1
                             and got.live_joins == 3))

    if members > 50:
        eventually(counted, timeout=CATCH_UP_S)
    return world
