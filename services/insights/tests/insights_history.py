"""A made-up but realistic history: communities created up to 60 days ago, members joining
and leaving, groups, posts, comments, likes, shares, announcements, live sessions, reports,
removals, mutes and bans, in time order. Seeded, so every run makes the same history."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from community.feed.v1 import events_pb2 as fe
from community.membership.v1 import events_pb2 as me
from community.membership.v1 import types_pb2 as mt
from community.moderation.v1 import events_pb2 as mo
from community.moderation.v1 import types_pb2 as mot
from insights_events import EventLog


@dataclass
class _Community:
    id: str
    owner: str
    target_size: int
    members: set[str] = field(default_factory=set)
    groups: dict[str, set[str]] = field(default_factory=dict)
    posts: list[tuple[str, str, str]] = field(default_factory=list)  # (post, author, group)
    sessions: list[tuple[str, str]] = field(default_factory=list)


def generate(prefix: str, now: datetime, *, communities: int = 4, events: int = 10_000,
             days: int = 60, seed: int = 7) -> tuple[EventLog, list[tuple[str, str]]]:
    """Returns the log and the spaces (community_id, group_id) it has."""
    rng = random.Random(seed)
    log = EventLog()
    # Sizes around the threshold: one well above, one just above, one hovering, one below.
    sizes = [140, 75, 52, 30, 90, 60][:communities]
    start = now - timedelta(days=days) + timedelta(hours=1)
    made = []
    for i in range(communities):
        owner = f"{prefix}.owner{i}"
        community = _Community(f"{prefix}-c{i}", owner, sizes[i], {owner})
        log.add(me.CommunityCreated(community_id=community.id, name=f"c{i}", owner_id=owner),
                start + timedelta(minutes=i))
        for g in range(2):
            group = f"{community.id}-g{g}"
            community.groups[group] = {owner}
            log.add(me.GroupCreated(community_id=community.id, group_id=group, name=group,
                                    creator_id=owner), start + timedelta(minutes=10 + g))
        made.append(community)
    span = (now - timedelta(minutes=1) - (start + timedelta(minutes=30))).total_seconds()
    moments = sorted(start + timedelta(minutes=30, seconds=rng.uniform(0, span))
                     for _ in range(events - len(log.records)))
    counter = 0
    for at in moments:
        counter += 1
        c = rng.choice(made)
        others = sorted(c.members - {c.owner})
        choice = rng.random()
        if len(log.records) >= events:
            break
        if choice < 0.12 and len(c.members) < c.target_size + 3:
            user = f"{prefix}.u{rng.randrange(400)}"
            if user not in c.members:
                c.members.add(user)
                log.add(me.MemberJoined(community_id=c.id, user_id=user, role=mt.ROLE_MEMBER,
                                        method=mt.JOIN_METHOD_OPEN), at)
        elif choice < 0.14 and others:
            user = rng.choice(others)
            left_groups = sorted(g for g, m in c.groups.items() if user in m)
            for g in left_groups:
                c.groups[g].discard(user)
            c.members.discard(user)
            if rng.random() < 0.3:
                log.add(mo.MemberBanned(community_id=c.id, user_id=user, actor_id=c.owner), at)
                log.add(me.MemberRemoved(community_id=c.id, user_id=user, role=mt.ROLE_MEMBER,
                                         group_ids=left_groups, cause=mt.REMOVAL_CAUSE_BANNED,
                                         actor_id=c.owner), at + timedelta(milliseconds=5))
            else:
                log.add(me.MemberLeft(community_id=c.id, user_id=user, role=mt.ROLE_MEMBER,
                                      group_ids=left_groups), at)
        elif choice < 0.19 and others:
            group = rng.choice(sorted(c.groups))
            candidates = sorted(c.members - c.groups[group])
            if candidates:
                user = rng.choice(candidates)
                c.groups[group].add(user)
                log.add(me.GroupMemberJoined(community_id=c.id, group_id=group, user_id=user),
                        at)
        elif choice < 0.20:
            group = rng.choice(sorted(c.groups))
            leavers = sorted(c.groups[group] - {c.owner})
            if leavers:
                user = rng.choice(leavers)
                c.groups[group].discard(user)
                log.add(me.GroupMemberLeft(community_id=c.id, group_id=group, user_id=user), at)
        elif choice < 0.21 and others:
            user = rng.choice(others)
            log.add(me.MemberRoleChanged(community_id=c.id, user_id=user,
                                         old_role=mt.ROLE_MEMBER, new_role=mt.ROLE_MODERATOR,
                                         actor_id=c.owner), at)
        elif choice < 0.40:
            author = rng.choice(sorted(c.members))
            groups = [g for g, m in c.groups.items() if author in m]
            group = rng.choice(["", *groups])
            post = f"{c.id}-p{counter}"
            c.posts.append((post, author, group))
            log.add(fe.PostCreated(post_id=post, community_id=c.id, group_id=group,
                                   author_id=author, body="hello"), at)
        elif choice < 0.85 and c.posts:
            post, author, group = rng.choice(c.posts[-40:])
            user = rng.choice(sorted(c.members))
            kind = rng.random()
            if kind < 0.35:
                log.add(fe.CommentAdded(comment_id=f"{post}-k{counter}", post_id=post,
                                        community_id=c.id, group_id=group, author_id=user,
                                        post_author_id=author, body="nice"), at)
            elif kind < 0.8:
                log.add(fe.PostLiked(post_id=post, community_id=c.id, group_id=group,
                                     user_id=user, post_author_id=author), at)
            elif kind < 0.85:
                log.add(fe.PostUnliked(post_id=post, community_id=c.id, group_id=group,
                                       user_id=user, post_author_id=author), at)
            else:
                log.add(fe.PostShared(post_id=post, community_id=c.id, group_id=group,
                                      user_id=user, post_author_id=author), at)
        elif choice < 0.87:
            targets = rng.sample(sorted(c.groups), rng.randrange(0, 3))
            log.add(fe.AnnouncementPublished(announcement_id=f"{c.id}-a{counter}",
                                             community_id=c.id, group_ids=targets,
                                             author_id=c.owner, body="news"), at)
        elif choice < 0.89:
            host = rng.choice(sorted(c.members))
            session = f"{c.id}-s{counter}"
            c.sessions.append((session, host))
            log.add(fe.LiveSessionStarted(session_id=session, community_id=c.id, host_id=host,
                                          title="live"), at)
        elif choice < 0.94 and c.sessions:
            session, host = rng.choice(c.sessions[-5:])
            log.add(fe.LiveSessionJoined(session_id=session, community_id=c.id, host_id=host,
                                         user_id=rng.choice(sorted(c.members))), at)
        elif choice < 0.96 and c.posts:
            post, author, group = rng.choice(c.posts[-40:])
            log.add(mo.ReportFiled(report_id=f"{c.id}-r{counter}", community_id=c.id,
                                   group_id=group, post_id=post, user_id=author,
                                   reporter_id=rng.choice(sorted(c.members)),
                                   reason=mot.REASON_SPAM), at)
        elif choice < 0.975 and c.posts:
            post, author, group = rng.choice(c.posts[-40:])
            log.add(mo.ContentRemoved(community_id=c.id, group_id=group, post_id=post,
                                      author_id=author, actor_id=c.owner), at)
        elif others:
            log.add(mo.MemberMuted(community_id=c.id, user_id=rng.choice(others),
                                   actor_id=c.owner), at)
    spaces = [(c.id, "") for c in made] + [(c.id, g) for c in made for g in sorted(c.groups)]
    return log, spaces
