"""Announcements: admins send them to a whole community or to chosen groups; nobody replies
or posts into them. Whom an announcement reaches is decided when it is read, so a member who
joins a targeted group later sees it."""

from __future__ import annotations

from collections.abc import Iterable

from community.feed.v1 import events_pb2 as ev


def publish(
    announcement_id: str, community_id: str, group_ids: Iterable[str], author_id: str, body: str
) -> ev.AnnouncementPublished:
    return ev.AnnouncementPublished(
        announcement_id=announcement_id,
        community_id=community_id,
        group_ids=list(dict.fromkeys(group_ids)),  # each group once, in the order given
        author_id=author_id,
        body=body,
    )


def reaches(group_ids: Iterable[str], member_groups: Iterable[str]) -> bool:
    """Whether an announcement targeting `group_ids` reaches a member of `member_groups`."""
    targets = set(group_ids)
    return not targets or bool(targets & set(member_groups))
