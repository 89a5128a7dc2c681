"""The Kafka topics of the platform (SPEC §2, §8): their names, keys and settings.

Three topics hold events (the event-sourced services' streams, kept forever); the insights
topic holds snapshots of figures (the latest per space is what counts, so it is compacted).
Every topic has a dead-letter twin `<topic>.dlq` for records a consumer could not handle.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MEMBERSHIP_EVENTS = "community.membership.events.v1"
FEED_EVENTS = "community.feed.events.v1"
MODERATION_EVENTS = "community.moderation.events.v1"
INSIGHTS_SNAPSHOTS = "community.insights.snapshots.v1"

DLQ_SUFFIX = ".dlq"

# Kafka keeps these records forever.
_KEEP_FOREVER = {"retention.ms": "-1", "cleanup.policy": "delete"}


@dataclass(frozen=True)
class Topic:
    name: str
    # What the record key is, in words (for docs).
    key: str
    # True for the event streams (every record is an event, never deleted).
    holds_events: bool
    # Topic-level Kafka settings to create it with.
    config: dict[str, str] = field(default_factory=dict)
    description: str = ""

    @property
    def dlq(self) -> str:
        return dlq(self.name)


TOPICS: dict[str, Topic] = {
    t.name: t
    for t in (
        Topic(
            MEMBERSHIP_EVENTS,
            key="community_id",
            holds_events=True,
            config=_KEEP_FOREVER,
            description="Communities, groups, members, roles, invitations and join requests.",
        ),
        Topic(
            FEED_EVENTS,
            key="community_id",
            holds_events=True,
            config=_KEEP_FOREVER,
            description="Posts, comments, likes, shares, announcements and live sessions.",
        ),
        Topic(
            MODERATION_EVENTS,
            key="community_id; for platform-wide events the restricted user_id, or the "
            "platform automod rule's automod_rule_id",
            holds_events=True,
            config=_KEEP_FOREVER,
            description="Rules, reports, moderation actions, restrictions and automod rules.",
        ),
        Topic(
            INSIGHTS_SNAPSHOTS,
            key="space_id (the group_id for a group, else the community_id)",
            holds_events=False,
            config={"cleanup.policy": "compact"},
            description="The current insights figures of each community and group.",
        ),
    )
}

# Every topic name, dead-letter twins excluded.
ALL: tuple[str, ...] = tuple(TOPICS)
# The topics whose records are events.
EVENT_TOPICS: tuple[str, ...] = tuple(t.name for t in TOPICS.values() if t.holds_events)

# Dead-letter topics keep failed records until someone has looked at them.
DLQ_CONFIG: dict[str, str] = dict(_KEEP_FOREVER)


def dlq(topic: str) -> str:
    """The dead-letter twin of a topic: `<topic>.dlq`."""
    if is_dlq(topic):
        raise ValueError(f"{topic} is already a dead-letter topic")
    return topic + DLQ_SUFFIX


def is_dlq(topic: str) -> bool:
    return topic.endswith(DLQ_SUFFIX)


def config(topic: str) -> dict[str, str]:
    """The Kafka settings to create a topic, or its dead-letter twin, with."""
    if is_dlq(topic):
        TOPICS[topic.removesuffix(DLQ_SUFFIX)]  # raises KeyError for a topic that is not ours
        return dict(DLQ_CONFIG)
    return dict(TOPICS[topic].config)
