"""The reconciliation's own rules, on hand-made records: a check that cannot fail would make
`make chaos` prove nothing."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from chaos import oracle
from chaos.ledger import Ledger
from chaos.reconcile import Findings, Stored, _check_kafka
from chaos.topics import Record

TOPIC = "community.feed.events.v1"
NOW = datetime.now(UTC).isoformat()


def record(offset: int, ce_id: str, key_seq: int, subject: str, version: int,
           ce_type: str = "community.feed.v1.PostCreated", actor: str = "ann",
           community: str = "c1") -> Record:
    headers = {"ce_id": ce_id, "ce_keysequence": str(key_seq), "ce_subject": subject,
               "ce_sequence": str(version), "ce_time": NOW, "ce_type": ce_type,
               "ce_actorid": actor, "ce_communityid": community}
    return Record(TOPIC, 0, offset, b"c1", headers, b"")


def stored(*records: Record) -> Stored:
    return Stored({}, {r.ce_id: {"ce_id": r.ce_id, "ce_time": NOW, "ce_type": "x"}
                       for r in records})


def kafka_findings(records: list[Record], store: Stored | None = None) -> Findings:
    found = Findings()
    ledger = Ledger()
    ledger.phases[0].started = time.time() - 60
    _check_kafka(ledger, store or stored(*records), records, found)
    return found


def test_records_in_order_and_a_republish_with_the_same_id_are_fine() -> None:
    a, b = record(0, "e1", 1, "p1", 1), record(1, "e2", 2, "p1", 2)
    found = kafka_findings([a, b, Record(TOPIC, 0, 2, b"c1", a.headers, b"")])
    assert not found.out_of_order and not found.duplicated and not found.lost
    assert found.facts["republished_same_ce_id"] == 1


def test_a_gap_in_a_keys_sequence_is_out_of_order() -> None:
    found = kafka_findings([record(0, "e1", 1, "p1", 1), record(1, "e3", 3, "p2", 1)])
    assert sum(len(v) for v in found.out_of_order.values()) == 1


def test_a_stream_going_back_a_version_is_out_of_order() -> None:
    found = kafka_findings([record(0, "e2", 1, "p1", 2), record(1, "e1", 2, "p1", 1)])
    assert sum(len(v) for v in found.out_of_order.values()) == 1


def test_one_version_under_two_ids_is_a_duplicate() -> None:
    found = kafka_findings([record(0, "e1", 1, "p1", 1), record(1, "e1b", 2, "p1", 1)])
    assert sum(len(v) for v in found.duplicated.values()) >= 1


def test_a_stored_event_never_published_is_lost() -> None:
    published = record(0, "e1", 1, "p1", 1)
    found = kafka_findings([published], stored(published, record(1, "e2", 2, "p1", 2)))
    assert sum(len(v) for v in found.lost.values()) == 1


def test_the_oracle_counts_each_event_once_and_ranks_contributors_by_score_then_id() -> None:
    created = record(0, "m0", 1, "c1", 1, "community.membership.v1.CommunityCreated", "own")
    joined = record(1, "m1", 2, "c1", 2, "community.membership.v1.MemberJoined", "bob")
    posts = [record(2, "p1", 3, "x1", 1, actor="bob"), record(3, "p2", 4, "x2", 1, actor="ann")]
    like = record(4, "l1", 5, "x1", 2, "community.feed.v1.PostLiked", "ann")
    figures = oracle.figures([created, joined, joined, *posts, like, posts[0]])["c1"]
    assert (figures.member_count, figures.joins, figures.posts, figures.likes) == (2, 2, 2, 1)
    assert figures.top_contributors == [("ann", 4), ("bob", 3)]
    assert figures.active_members_28d == 2
