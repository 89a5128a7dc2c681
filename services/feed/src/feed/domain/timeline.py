"""Timeline entries as a projection of feed's events: the one place that says which event puts
what into which timeline.

Per space a dense sequence of positions 1, 2, 3, ... in order of acceptance: "c:<community>"
community-wide posts, "g:<group>" a group's posts, "a:<community>" announcements,
"l:<community>" live sessions. A command claims the next position (adapters/timelines.py)
with the entry this module makes from the event it is about to store, then records the
position in the event (`timeline_position`) and stores the event at the same time the entry
carries; a rebuild makes the same entry from the stored event. So an entry is always what
its event says, whoever wrote it.
"""

from __future__ import annotations

from typing import Any

from community.feed.v1 import events_pb2 as ev
from google.protobuf.message import Message

Entry = dict[str, Any]

# What a rebuild puts at a position some command claimed but whose event was never stored
# (the command died between the two): positions stay dense, and every list skips it.
PLACEHOLDER = "empty"

# The events that take a timeline position.
POSITIONED = (ev.PostCreated, ev.AnnouncementPublished, ev.LiveSessionStarted)
POSITIONED_TYPES = frozenset(t.DESCRIPTOR.full_name for t in POSITIONED)


def community_posts(community_id: str) -> str:
    return f"c:{community_id}"


def group_posts(group_id: str) -> str:
    return f"g:{group_id}"


def announcements(community_id: str) -> str:
    return f"a:{community_id}"


def live_sessions(community_id: str) -> str:
    return f"l:{community_id}"


def posts_of(community_id: str, group_id: str) -> str:
    """The timeline a post is listed in: its group's, or the community's when it has none."""
    return group_posts(group_id) if group_id else community_posts(community_id)


def timeline_entry(event: Message, time: str) -> tuple[str, Entry]:
    """The timeline and the entry an event that takes a position puts there; `time` is the
    event's ce_time (RFC 3339 UTC, one format, so text order is time order)."""
    if isinstance(event, ev.PostCreated):
        timeline = posts_of(event.community_id, event.group_id)
        return timeline, {"kind": "post", "post_id": event.post_id, "created_at": time}
    if isinstance(event, ev.AnnouncementPublished):
        # The whole announcement, which never changes, so the home feed needs no second read.
        return announcements(event.community_id), {
            "kind": "announcement",
            "announcement_id": event.announcement_id,
            "community_id": event.community_id,
            "group_ids": list(event.group_ids),
            "author_id": event.author_id,
            "body": event.body,
            "created_at": time,
        }
    if isinstance(event, ev.LiveSessionStarted):
        return live_sessions(event.community_id), {"kind": "live", "session_id": event.session_id}
    raise TypeError(f"{type(event).__name__} takes no timeline position")


def is_placeholder(entry: Entry) -> bool:
    return entry.get("kind") == PLACEHOLDER
