"""The consumers that keep feed's knowledge of communities and people up to date.

Two consumer groups, so that only membership events move the consistency checkpoints that
`consistency_token`s wait for:
- `feed-membership` reads `community.membership.events.v1` (communities, members, groups);
- `feed-moderation` reads `community.moderation.events.v1` (mutes, bans, restrictions,
  removed and restored content).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from community_common.consistency import ConsistencyCheckpoints
from community_common.consumer import EventConsumer
from community_contracts import registry, topics
from pymongo.database import Database

from feed.adapters.knowledge_store import KnowledgeWriter
from feed.domain import knowledge

MEMBERSHIP_GROUP = "feed-membership"
MODERATION_GROUP = "feed-moderation"

MODERATION_TYPES = frozenset(
    t.DESCRIPTOR.full_name
    for t in (*knowledge.SANCTION_EVENTS, *knowledge.RESTRICTION_EVENTS, *knowledge.REMOVAL_EVENTS)
)
MEMBERSHIP_TYPES = frozenset(kind.name for kind in registry.in_topic(topics.MEMBERSHIP_EVENTS))


def consumers(
    database: Database[Any],
    bootstrap_servers: str,
    partitions: int,
    group_prefix: str = "",
    rebuilding: Callable[[], bool] = lambda: False,
) -> list[EventConsumer]:
    """`rebuilding()`: whether `python -m feed.rebuild` runs. The membership consumer writes
    `member_index`, which it drops and replays, so it pauses (staying in its group) until the
    end, then goes on from its committed offsets: the replay and the overlap are harmless,
    every document keeps the sequence it applied. The moderation consumer writes only kept
    documents and goes on."""
    writer = KnowledgeWriter(database)

    return [
        EventConsumer(
            bootstrap_servers,
            group_prefix + MEMBERSHIP_GROUP,
            [topics.MEMBERSHIP_EVENTS],
            writer.apply,
            handles=MEMBERSHIP_TYPES,
            paused=rebuilding,
            checkpoint=ConsistencyCheckpoints(database).record,
            dlq_partitions=partitions,
        ),
        EventConsumer(
            bootstrap_servers,
            group_prefix + MODERATION_GROUP,
            [topics.MODERATION_EVENTS],
            writer.apply,
            handles=MODERATION_TYPES,
            dlq_partitions=partitions,
        ),
    ]
