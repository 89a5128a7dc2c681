"""`communityctl demo` (`make demo`): a school's umbrella community played through the public
gRPC API only, then what its admin would look at — membership, the Live tab, the moderation
log and the insights.

Maple Street School is invite-only: the principal invites five parents, each parent spends
their five invitations on more parents, and so on until 62 parents have joined; a chess club
next door is open to anyone. Parents join the grade groups and the bus group, post, comment,
like and share; the principal sends a targeted announcement; a teacher goes live; a report is
resolved by removing the post, automod catches a scam, and a moderator mutes a parent.
"""

from __future__ import annotations

import os
import random
import sys
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
from community.feed.v1 import feed_service_pb2 as feed
from community.insights.v1 import insights_service_pb2 as insights
from community.membership.v1 import membership_service_pb2 as ms
from community.membership.v1 import types_pb2 as mtypes
from community.moderation.v1 import moderation_service_pb2 as mod
from community.moderation.v1 import types_pb2 as modtypes
from community_common.auth import mint_token
from community_common.consistency import ConsistencyToken
from google.protobuf.duration_pb2 import Duration

from communityctl.client import Platform, User
from communityctl.rpc import CallFailed, failure

PARENTS = 62
GRADES = ("Grade 1", "Grade 2", "Grade 3")
TOPICS = ("the spelling test", "the bake sale", "the field trip", "homework load",
          "the new playground", "lunch menus", "the science fair", "carpools")


# INSIGHTS_HTTP_PORT's default (SPEC §7), where `make up` serves the dashboard.
DASHBOARD_PORT = 50080
# Long enough to look around after the demo; short enough not to outlive the afternoon.
DASHBOARD_TOKEN_TTL_S = 8 * 3600

# Played by a few concurrent clients, like the many parents of a real school. Membership
# changes all land on the one community stream: the service queues them per community.
CONCURRENT_CLIENTS = 6


class Progress:
    """A one-line progress bar on stderr."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.started = total, 0, time.monotonic()

    def step(self, label: str, n: int = 1) -> None:
        before, self.done = self.done, min(self.total, self.done + n)
        width = 30
        filled = width * self.done // self.total
        bar = f"[{'#' * filled}{'.' * (width - filled)}] {self.done:>3}/{self.total} {label:<40}"
        if sys.stderr.isatty():
            print(f"\r{bar}", end="", file=sys.stderr, flush=True)
        elif filled != width * before // self.total:  # a log file gets one line per notch
            print(bar, file=sys.stderr, flush=True)

    def finish(self) -> None:
        print(f"\rplayed in {time.monotonic() - self.started:.1f}s{' ' * 70}", file=sys.stderr)


def play(platform: Platform, seed: int = 7) -> None:
    rng = random.Random(seed)
    run = uuid.uuid4().hex[:6]

    def person(name: str, admin: bool = False) -> User:
        return platform.user(f"{name}-{run}", platform_admin=admin)

    progress = Progress(total=PARENTS * 2 + 180)
    principal, teacher = person("principal"), person("teacher")
    school = principal.membership.CreateCommunity(ms.CreateCommunityRequest(
        name=f"Maple Street School {run}", description="Parents and staff of Maple Street",
        topics=["school", "parents"], visibility=mtypes.VISIBILITY_PRIVATE,
        join_policy=mtypes.JOIN_POLICY_INVITE_ONLY)).community
    sid = school.community_id
    chess = principal.membership.CreateCommunity(ms.CreateCommunityRequest(
        name=f"Maple Street Chess Club {run}", topics=["chess"],
        visibility=mtypes.VISIBILITY_PUBLIC, join_policy=mtypes.JOIN_POLICY_OPEN)).community
    invite(principal, teacher, sid)
    principal.membership.SetMemberRole(ms.SetMemberRoleRequest(
        community_id=sid, user_id=teacher.user_id, role=mtypes.ROLE_MODERATOR))
    groups = {name: principal.membership.CreateGroup(ms.CreateGroupRequest(
        community_id=sid, name=name, description=f"{name} parents")).group
        for name in (*GRADES, "School bus")}
    progress.step("school, chess club and groups created", 6)

    # Invitation chains: each parent spends their five invitations on new parents, a wave of
    # the chain at a time (a parent invites once they have joined).
    parents: list[User] = []
    inviters: deque[User] = deque([principal])
    while len(parents) < PARENTS:
        wave: list[tuple[User, User]] = []
        for inviter in [inviters.popleft() for _ in range(len(inviters))]:
            for _ in range(5):
                if len(parents) + len(wave) < PARENTS:
                    wave.append((inviter, person(f"parent{len(parents) + len(wave) + 1:02d}")))
        in_parallel(lambda pair: invite(pair[0], pair[1], sid), wave, progress,
                    lambda pair: f"{pair[1].user_id} invited by {pair[0].user_id.split('-')[0]}")
        parents.extend(parent for _, parent in wave)
        inviters.extend(parent for _, parent in wave)
    in_parallel(lambda parent: parent.membership.JoinCommunity(
        ms.JoinCommunityRequest(community_id=chess.community_id)), parents[:12])

    def join_groups(i: int) -> str:
        parent, grade = parents[i], groups[GRADES[i % len(GRADES)]]
        joined = [parent.membership.JoinGroup(ms.JoinGroupRequest(group_id=grade.group_id))]
        if i % 4 == 0:
            joined.append(parent.membership.JoinGroup(
                ms.JoinGroupRequest(group_id=groups["School bus"].group_id)))
        return latest([j.consistency_token for j in joined])

    token = latest(in_parallel(join_groups, range(len(parents)), progress,
                               lambda i: f"{parents[i].user_id} joined {GRADES[i % 3]}"))

    rule = principal.moderation.AddRule(mod.AddRuleRequest(
        community_id=sid, title="Be kind", description="No ads, no insults.",
        consistency_token=token)).rule
    principal.moderation.AddAutomodRule(mod.AddAutomodRuleRequest(
        community_id=sid, keywords=["free money"], action=modtypes.AUTOMOD_REMOVE))
    progress.step("rules and automod set up", 2)

    # Conversations.
    authors = [rng.choice(parents) for _ in range(24)]

    def write_post(n: int) -> Any:
        author = authors[n]
        group = groups[GRADES[parents.index(author) % len(GRADES)]] if n % 3 == 0 else None
        return author.feed.CreatePost(feed.CreatePostRequest(
            community_id=sid, group_id=group.group_id if group else "",
            body=f"What do you all think about {TOPICS[n % len(TOPICS)]}?",
            consistency_token=token)).post

    posts = in_parallel(write_post, range(len(authors)), progress, "posts")
    community_posts = [p for p in posts if not p.group_id]
    comments = [(rng.choice(parents), rng.choice(community_posts),
                 rng.choice(["Agreed!", "Good point.", "Count me in."])) for _ in range(36)]
    in_parallel(lambda c: c[0].feed.AddComment(feed.AddCommentRequest(
        post_id=c[1].post_id, body=c[2])), comments, progress, "comments")
    likes = [(rng.choice(parents), rng.choice(community_posts)) for _ in range(90)]
    in_parallel(lambda like: like[0].feed.LikePost(feed.LikePostRequest(
        post_id=like[1].post_id)), likes, progress, "likes")
    in_parallel(lambda parent: parent.feed.SharePost(feed.SharePostRequest(
        post_id=community_posts[0].post_id, target_community_id=chess.community_id)),
        parents[:5], progress, "shares")

    principal.feed.PublishAnnouncement(feed.PublishAnnouncementRequest(
        community_id=sid, group_ids=[groups["Grade 1"].group_id, groups["School bus"].group_id],
        body="Grade 1 field trip on Friday: the bus leaves at 8:15."))
    principal.feed.PublishAnnouncement(feed.PublishAnnouncementRequest(
        community_id=sid, body="The school is closed on Monday."))
    progress.step("announcements", 2)

    session = teacher.feed.StartLiveSession(feed.StartLiveSessionRequest(
        community_id=sid, title="Science fair, live from the gym")).live_session
    progress.step("live session started")
    in_parallel(lambda viewer: viewer.feed.JoinLiveSession(feed.JoinLiveSessionRequest(
        session_id=session.session_id)), parents[:12], progress, "viewers joined")

    spammer, chatterbox = parents[-1], parents[-2]
    ad = spammer.feed.CreatePost(feed.CreatePostRequest(
        community_id=sid, body="Selling used cars, great prices, DM me")).post
    report = parents[0].moderation.ReportContent(mod.ReportContentRequest(
        community_id=sid, post_id=ad.post_id, reason=modtypes.REASON_COMMUNITY_RULE,
        rule_id=rule.rule_id, details="an advert")).report
    teacher.moderation.ResolveReport(mod.ResolveReportRequest(
        report_id=report.report_id, resolution=modtypes.RESOLUTION_REMOVE_CONTENT,
        note="no ads here"))
    spammer.feed.CreatePost(feed.CreatePostRequest(
        community_id=sid, body="FREE MONEY for every parent, click here"))
    teacher.moderation.MuteMember(mod.MuteMemberRequest(
        community_id=sid, user_id=chatterbox.user_id, duration=Duration(seconds=3600),
        reason="cool down"))
    progress.step("report resolved, automod hit, a mute", 4)
    progress.finish()

    show(principal, school, groups, len(posts) + 2)
    print_dashboard(platform, principal, sid)


def in_parallel(call: Callable[[Any], Any], items: Iterable[Any],
                progress: Progress | None = None,
                label: str | Callable[[Any], str] = "") -> list[Any]:
    """Runs `call` over `items` with a few concurrent clients; results in item order."""
    items = list(items)
    with ThreadPoolExecutor(CONCURRENT_CLIENTS) as pool:
        futures = [pool.submit(call, item) for item in items]
        results = []
        for item, future in zip(items, futures, strict=True):
            results.append(future.result())
            if progress:
                progress.step(label(item) if callable(label) else label)
    return results


def latest(tokens: Iterable[str]) -> str:
    """The consistency token of the newest of several writes to one community."""
    return max(tokens, key=lambda token: ConsistencyToken.parse(token).version)


def invite(inviter: User, invitee: User, community_id: str) -> str:
    sent = inviter.membership.InviteMember(ms.InviteMemberRequest(
        community_id=community_id, invitee_id=invitee.user_id)).invitation
    return invitee.membership.AcceptInvitation(
        ms.AcceptInvitationRequest(invitation_id=sent.invitation_id)).consistency_token


# ----------------------------------------------------------------------------- the admin's view

def show(admin: User, school: Any, groups: dict[str, Any], posts_made: int) -> None:
    sid = school.community_id
    community = admin.membership.GetCommunity(ms.GetCommunityRequest(community_id=sid)).community
    print(f"\n== {community.name}: {community.member_count} members")
    for role in (mtypes.ROLE_OWNER, mtypes.ROLE_ADMIN, mtypes.ROLE_MODERATOR, mtypes.ROLE_MEMBER):
        members = admin.membership.ListMembers(ms.ListMembersRequest(
            community_id=sid, role=role, page_size=100)).members
        print(f"   {mtypes.Role.Name(role):<16} {len(members)}")
    for group in admin.membership.ListGroups(ms.ListGroupsRequest(community_id=sid)).groups:
        print(f"   group {group.name:<12} {group.member_count} members")

    print("\n== Live tab")
    for live in admin.feed.ListLiveSessions(ms_live(sid)).live_sessions:
        print(f"   {live.title:<36} {live.viewer_count} watching (host {live.host_id})")

    print("\n== Moderation log")
    log = admin.moderation.ListModerationLog(mod.ListModerationLogRequest(
        community_id=sid, page_size=10)).entries
    for entry in log:
        actor = entry.actor_id or "automod"
        target = entry.post_id or entry.user_id or entry.rule_id or entry.automod_rule_id
        action = mod.ModerationAction.Name(entry.action).removeprefix("MODERATION_ACTION_")
        print(f"   {entry.time.ToDatetime():%H:%M:%S}  {action:<20} by {actor:<20} "
              f"on {target}  {entry.reason}")

    figures = wait_for_insights(admin, sid, community.member_count, posts_made)
    print(f"\n== Insights (last {figures.range_days} days, as of {figures.as_of.ToJsonString()})")
    print(f"   growth: {figures.member_count} members, {figures.joins} joins, "
          f"{figures.leaves} leaves, net {figures.net_growth:+d}")
    print(f"   engagement: {figures.posts} posts, {figures.comments} comments, "
          f"{figures.likes} likes, {figures.shares} shares, {figures.announcements} "
          f"announcements, {figures.live_sessions} live sessions ({figures.live_joins} joins)")
    print(f"   active members: {figures.active_members_1d} today, {figures.active_members_7d} "
          f"this week, {figures.active_members_28d} in 28 days "
          f"(engagement rate {figures.engagement_rate:.0%})")
    print(f"   moderation: {figures.reports} reports, {figures.content_removed} removed, "
          f"{figures.members_muted} muted, {figures.members_banned} banned")
    print("   popular hours (UTC):")
    peak = max(figures.popular_hours) or 1
    for hour, count in enumerate(figures.popular_hours):
        if count:
            print(f"     {hour:02d}:00 {'█' * max(1, 40 * count // peak)} {count}")
    print("   top contributors:")
    for c in figures.top_contributors:
        print(f"     {c.user_id:<24} {c.score}")


def print_dashboard(platform: Platform, admin: User, community_id: str) -> None:
    """Where the admin sees the same figures as charts, and a token to sign in with."""
    url = f"{dashboard_url().rstrip('/')}/communities/{community_id}"
    token = mint_token(platform.secret, admin.user_id, ttl=DASHBOARD_TOKEN_TTL_S)
    print(f"\n== Dashboard: {url}")
    print(f"   sign in as {admin.user_id} (valid {DASHBOARD_TOKEN_TTL_S // 3600} h): {token}")


def dashboard_url() -> str:
    """COMMUNITY_DASHBOARD_URL, else the insights API's dashboard on its default port."""
    return os.environ.get("COMMUNITY_DASHBOARD_URL", f"http://127.0.0.1:{DASHBOARD_PORT}/")


def ms_live(community_id: str) -> feed.ListLiveSessionsRequest:
    return feed.ListLiveSessionsRequest(community_id=community_id)


def wait_for_insights(admin: User, community_id: str, members: int, posts: int,
                      timeout: float = 30.0) -> Any:
    """Insights are computed from the event streams: wait (bounded) until they have caught up."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = admin.insights.GetInsights(insights.GetInsightsRequest(
                community_id=community_id, range_days=7))
            if last.member_count >= members and last.posts >= posts:
                return last
        except grpc.RpcError as error:
            last = error
        time.sleep(0.3)
    if isinstance(last, grpc.RpcError):
        raise failure(last)
    return last


def main(platform_factory: Callable[[], Platform] = Platform.from_env) -> None:
    platform = platform_factory()
    try:
        play(platform)
    except grpc.RpcError as error:
        raise failure(error) from None
    except CallFailed:
        raise
    finally:
        platform.close()
