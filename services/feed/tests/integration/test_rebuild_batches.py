"""The rebuild's in-memory, batched writes store exactly what the live consumer's event-by-event
writes store, across flushes and after memory was emptied."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from community.membership.v1 import events_pb2 as mem
from community.membership.v1.types_pb2 import Role
from community.moderation.v1 import events_pb2 as mod
from community_common.mongo import blocking_client
from community_common.testing.events import event_envelope
from feed import rebuild
from feed.adapters.knowledge_store import COLLECTIONS, KnowledgeWriter
from google.protobuf.message import Message


def history(c: str) -> list[tuple[Message, int]]:
    """Two communities' membership streams interleaved, a user in both, a redelivery, and
    moderation events; (message, ce_sequence)."""
    d = c + "-d"
    events: list[tuple[Message, int]] = [
        (mem.CommunityCreated(community_id=c, owner_id="owner"), 1),
        (mem.CommunityCreated(community_id=d, owner_id="owner"), 1),
    ]
    for n in range(2, 40):
        events.append((mem.MemberJoined(community_id=c, user_id=f"u{n}", role=Role.ROLE_MEMBER), n))
        events.append((mem.MemberJoined(community_id=d, user_id=f"u{n}", role=Role.ROLE_MEMBER), n))
    events += [
        (mem.GroupCreated(community_id=c, group_id="g", creator_id="u3"), 40),
        (mem.GroupMemberJoined(community_id=c, group_id="g", user_id="u4"), 41),
        (mem.MemberLeft(community_id=c, user_id="u3", role=Role.ROLE_MEMBER), 42),
        (mem.MemberJoined(community_id=c, user_id="u3", role=Role.ROLE_MEMBER), 43),
        (mem.MemberRoleChanged(community_id=c, user_id="u4", new_role=Role.ROLE_ADMIN), 44),
        (mem.MemberJoined(community_id=c, user_id="late", role=Role.ROLE_MEMBER), 20),  # stale
        (mod.MemberMuted(community_id=c, user_id="u5"), 1),
        (mod.MemberBanned(community_id=c, user_id="u5"), 2),
        (mod.UserRestricted(user_id="u6", actions=[1, 2]), 1),
        (mod.ContentRemoved(community_id=c, post_id="p", comment_id="k"), 1),
    ]
    return events


def contents(db: Any) -> dict[str, list[Any]]:
    return {name: sorted(db[name].find({}), key=lambda d: d["_id"]) for name in COLLECTIONS}


@pytest.mark.parametrize(("flush_every", "hold_at_most"), [(10**6, 10**6), (7, 20)])
def test_replayed_documents_match_the_live_writer(
    mongo_uri: str, monkeypatch: pytest.MonkeyPatch, flush_every: int, hold_at_most: int
) -> None:
    monkeypatch.setattr(rebuild, "FLUSH_EVERY", flush_every)
    monkeypatch.setattr(rebuild, "HOLD_AT_MOST", hold_at_most)
    run = uuid.uuid4().hex[:10]
    client = blocking_client(mongo_uri)
    live, replayed = client[f"feed_live_{run}"], client[f"feed_replayed_{run}"]
    try:
        documents = rebuild.ReplayedDocuments(replayed)
        writers = (KnowledgeWriter(live), KnowledgeWriter(replayed, documents))
        for message, sequence in history(f"c-{run}"):
            envelope = event_envelope(message, sequence=sequence)
            for writer in writers:
                writer.apply(envelope, message)
        documents.flush()
        expected = contents(live)
        # Two owners, 2 x 38 joins and "late" (its own document has not seen sequence 20).
        members = [d for d in expected["standing"] if d["_id"].startswith("member:")]
        assert len(members) == len(expected["member_index"]) == 79
        # u5's sanctions and u6's restrictions share the collection, found by the same query.
        assert len(expected["standing"]) == 81
        assert contents(replayed) == expected
    finally:
        client.drop_database(live.name)
        client.drop_database(replayed.name)
        client.close()
