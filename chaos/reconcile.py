"""The end of a run, checked from the outside: every acknowledged write in its service's event
store (pymongo, read directly), on Kafka (by ce_id, each key's records in ce_keysequence order
without gaps, each stream's in ce_sequence order), in the read models (through the API) and in
insights (against the oracle); no request with two effects, no event under two ce_ids, and the
DLQs holding exactly the poison records."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import grpc
from community.feed.v1 import feed_service_pb2 as feed
from community.insights.v1 import insights_service_pb2 as ins
from community.membership.v1 import membership_service_pb2 as ms
from community.moderation.v1 import moderation_service_pb2 as mod
from community_contracts import topics as topic_names

from chaos import oracle
from chaos.client import Caller
from chaos.faults import POISON_HEADER, Poison
from chaos.ledger import Ack, Ledger
from chaos.load import Arena, tag
from chaos.topics import EVENT_TOPICS, Record, read_all

STORES = {"membership": "membership", "feed": "feed", "moderation": "moderation"}
# How long insights may take to count the last writes once the load has stopped.
INSIGHTS_SETTLE_S = 60.0
# The reconciliation's reads page through whole communities: on a loaded machine one page can
# take longer than a client's usual deadline, and a slow answer is not a wrong one.
READ_TIMEOUT_S, READ_RETRY_S = 30.0, 180.0


@dataclass
class Findings:
    """Problems, each charged to a phase (the fault running when the write was sent, or when
    the event was stored)."""

    lost: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    duplicated: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    out_of_order: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    problems: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def note(self, kind: str, phase: str, what: str, detail: str) -> None:
        getattr(self, kind)[phase].add(what)
        if len(self.problems) < 200:
            self.problems.append(f"{kind} [{phase}] {detail}")


def _wall(ce_time: str) -> float:
    return datetime.fromisoformat(ce_time.replace("Z", "+00:00")).timestamp()


def reconcile(cluster: Any, ledger: Ledger, arenas: list[Arena]) -> Findings:
    found = Findings()
    stored = _event_stores(cluster)
    records = read_all(cluster.inst.kafka_bootstrap,
                       (*EVENT_TOPICS, *(topic_names.dlq(t) for t in EVENT_TOPICS)))
    events = [r for t in EVENT_TOPICS for r in records[t]]
    _check_stores(ledger, stored, found)
    _check_kafka(ledger, stored, events, found)
    _check_dlqs(records, found)
    _check_read_models(ledger, arenas, found)
    _check_insights(arenas, events, found)
    return found


# --- event stores ------------------------------------------------------------------------


@dataclass
class Stored:
    by_request: dict[str, list[dict[str, Any]]]  # request id -> commits
    events: dict[str, dict[str, Any]]  # ce_id -> stored event (+ "service", "stream_id")


def _event_stores(cluster: Any) -> Stored:
    client = cluster.mongo()
    by_request: dict[str, list[dict[str, Any]]] = defaultdict(list)
    events: dict[str, dict[str, Any]] = {}
    try:
        for service, database in STORES.items():
            for commit in client[database]["commits"].find(
                    {}, {"request.request_id": 1, "stream_id": 1, "events.ce_id": 1,
                         "events.sequence": 1, "events.ce_time": 1, "events.ce_type": 1,
                         "events.key": 1}):
                if rid := (commit.get("request") or {}).get("request_id"):
                    by_request[rid].append(commit)
                for event in commit.get("events", []):
                    events[event["ce_id"]] = {**event, "service": service,
                                              "stream_id": commit["stream_id"]}
    finally:
        client.close()
    return Stored(by_request, events)


def _check_stores(ledger: Ledger, stored: Stored, found: Findings) -> None:
    for ack in ledger.acks:
        commits = stored.by_request.get(ack.request_id, [])
        if not commits:
            found.note("lost", ack.phase, ack.request_id,
                       f"{ack.kind} {ack.request_id}: no commit in {ack.service}'s event store")
        elif len(commits) > 1:
            found.note("duplicated", ack.phase, ack.request_id,
                       f"{ack.kind} {ack.request_id}: {len(commits)} commits")
    found.facts["stored_events"] = len(stored.events)


# --- Kafka -------------------------------------------------------------------------------


def _check_kafka(ledger: Ledger, stored: Stored, events: list[Record], found: Findings) -> None:
    on_kafka = Counter(r.ce_id for r in events if r.ce_id)
    found.facts["kafka_records"] = len(events)
    found.facts["republished_same_ce_id"] = sum(n - 1 for n in on_kafka.values() if n > 1)
    for ack in ledger.acks:
        for commit in stored.by_request.get(ack.request_id, []):
            missing = [e["ce_id"] for e in commit.get("events", []) if e["ce_id"] not in on_kafka]
            if missing:
                found.note("lost", ack.phase, ack.request_id,
                           f"{ack.kind} {ack.request_id}: {len(missing)} event(s) never on Kafka")
    for ce_id, event in stored.events.items():
        if ce_id not in on_kafka:
            found.note("lost", ledger.phase_at(_wall(event["ce_time"])), ce_id,
                       f"stored event {ce_id} ({event['ce_type']}) never published")
    # One event, one ce_id: a record with an id no store holds, or one (stream, version) under
    # two ids, is an event published twice as if it were two.
    ids_of: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for record in events:
        if not record.ce_id:
            continue  # a poison record: the DLQ check accounts for it
        phase = ledger.phase_at(_wall(record.headers.get("ce_time", "1970-01-01T00:00:00Z")))
        if record.ce_id not in stored.events:
            found.note("duplicated", phase, record.ce_id,
                       f"{record.topic}: ce_id {record.ce_id} is in no event store")
        ids_of[(record.topic, record.headers.get("ce_subject", ""),
                record.headers.get("ce_sequence", ""))].add(record.ce_id)
    for (topic, subject, sequence), ids in ids_of.items():
        if len(ids) > 1:
            some = next(iter(ids))
            phase = ledger.phase_at(_wall(stored.events.get(some, {}).get("ce_time",
                                                                          "1970-01-01T00:00:00Z")))
            found.note("duplicated", phase, f"{subject}@{sequence}",
                       f"{topic}: {subject} version {sequence} published under {len(ids)} ids")
    _check_order(ledger, events, found)


def _check_order(ledger: Ledger, events: list[Record], found: Findings) -> None:
    """Per (topic, key): the first time each event appears, its ce_keysequence is the next
    number (1, 2, 3 … in offset order); per (topic, subject): ce_sequence only grows. A record
    seen again with its own ce_id is a re-publish, allowed (consumers dedupe)."""
    next_key_seq: dict[tuple[str, bytes | None], int] = defaultdict(lambda: 1)
    last_version: dict[tuple[str, str], int] = {}
    seen: set[str] = set()
    for record in events:  # (partition, offset) order; one key lives in one partition
        if not record.ce_id or record.ce_id in seen:
            continue
        seen.add(record.ce_id)
        phase = ledger.phase_at(_wall(record.headers.get("ce_time", "1970-01-01T00:00:00Z")))
        key_seq = record.headers.get("ce_keysequence")
        if key_seq is not None:
            expected = next_key_seq[(record.topic, record.key)]
            if int(key_seq) != expected:
                found.note("out_of_order", phase, record.ce_id,
                           f"{record.topic} key {record.key!r}: ce_keysequence {key_seq} "
                           f"where {expected} was next")
            next_key_seq[(record.topic, record.key)] = int(key_seq) + 1
        subject = record.headers.get("ce_subject", "")
        version = int(record.headers.get("ce_sequence", "0") or 0)
        previous = last_version.get((record.topic, subject))
        if previous is not None and version <= previous:
            found.note("out_of_order", phase, record.ce_id,
                       f"{record.topic} {subject}: ce_sequence {version} after {previous}")
        last_version[(record.topic, subject)] = max(version, previous or 0)


def _check_dlqs(records: dict[str, list[Record]], found: Findings) -> None:
    """Each DLQ holds the poison record of its topic (once per consumer group that met it)
    and nothing else."""
    for topic in EVENT_TOPICS:
        dlq = records[topic_names.dlq(topic)]
        markers = {r.headers.get(POISON_HEADER, "") for r in dlq}
        others = [r for r in dlq if not r.headers.get(POISON_HEADER)]
        sent = {m for m in Poison.sent if m.startswith(topic + ":")}
        found.facts[f"dlq {topic}"] = len(dlq)
        if others:
            found.problems.append(f"{topic_names.dlq(topic)}: {len(others)} record(s) that are "
                                  "not poison (a real event given up on)")
            found.facts.setdefault("dlq_unexpected", 0)
            found.facts["dlq_unexpected"] += len(others)
        if not sent <= markers:
            found.problems.append(f"{topic_names.dlq(topic)}: the poison record is missing")
            found.facts["dlq_missing_poison"] = found.facts.get("dlq_missing_poison", 0) + 1


# --- read models ---------------------------------------------------------------------------


def _pages(call: Any, request: Any, items: str) -> list[Any]:
    out: list[Any] = []
    while True:
        page = call(request)
        out += list(getattr(page, items))
        if not page.next_page_token:
            return out
        request.page_token = page.next_page_token


def _check_read_models(ledger: Ledger, arenas: list[Arena], found: Findings) -> None:
    by_kind: dict[str, list[Ack]] = defaultdict(list)
    for ack in ledger.acks:
        by_kind[ack.kind].append(ack)
    # A post reported as spam goes to the platform's queue, which platform admins read.
    admin = Caller("chaos-platform-admin", arenas[0].owner.channels, arenas[0].owner.secret,
                   platform_admin=True)
    platform_reports = _pages(lambda r: admin.read("moderation", "ListReports", r, READ_RETRY_S,
                                                   READ_TIMEOUT_S),
                              mod.ListReportsRequest(platform=True, page_size=100), "reports")
    for arena in arenas:
        owner = arena.owner

        def call(service: str, method: str, o: Any = owner) -> Any:
            return lambda request: o.read(service, method, request, READ_RETRY_S,
                                          READ_TIMEOUT_S)

        posts = _pages(call("feed", "ListPosts"),
                       feed.ListPostsRequest(community_id=arena.community_id, page_size=100),
                       "posts")
        bodies = Counter(p.body for p in posts)
        by_id = {p.post_id: p for p in posts}
        likes = Counter(a.post_id for a in by_kind["LikePost"]
                        if a.community_id == arena.community_id)
        comments: dict[str, Counter[str]] = {}
        for post in posts:
            if post.comment_count:
                listed = _pages(call("feed", "ListComments"),
                                feed.ListCommentsRequest(post_id=post.post_id, page_size=100),
                                "comments")
                comments[post.post_id] = Counter(c.body for c in listed)
        members = {m.user_id for m in _pages(
            call("membership", "ListMembers"),
            ms.ListMembersRequest(community_id=arena.community_id, page_size=100), "members")}
        report_ids = Counter(r.report_id for r in platform_reports
                             if r.community_id == arena.community_id)
        for ack in ledger.acks:
            if ack.community_id != arena.community_id:
                continue
            if ack.kind == "CreatePost":
                _count(found, ack, bodies[tag(ack.request_id)], "posts with its body")
            elif ack.kind == "AddComment":
                n = comments.get(ack.post_id, Counter())[tag(ack.request_id)]
                _count(found, ack, n, "comments with its body")
            elif ack.kind == "JoinCommunity":
                _count(found, ack, int(ack.user_id in members), "memberships")
            elif ack.kind == "ReportContent":
                _count(found, ack, report_ids[ack.report_id], "reports with its id")
        for post_id, n in likes.items():
            post = by_id.get(post_id)
            if post is not None and post.like_count != n:
                kind = "lost" if post.like_count < n else "duplicated"
                phase = next(a.phase for a in by_kind["LikePost"] if a.post_id == post_id)
                found.note(kind, phase, f"likes:{post_id}",
                           f"post {post_id}: like_count {post.like_count}, {n} likes acknowledged")
    for ack in by_kind["CreateCommunity"]:
        try:
            ack_owner = Caller(ack.user_id, arenas[0].owner.channels, arenas[0].owner.secret)
            ack_owner.read("membership", "GetCommunity",
                           ms.GetCommunityRequest(community_id=ack.community_id), READ_RETRY_S,
                           READ_TIMEOUT_S)
        except Exception:
            found.note("lost", ack.phase, ack.request_id,
                       f"CreateCommunity {ack.request_id}: community {ack.community_id} unknown")


def _count(found: Findings, ack: Ack, n: int, what: str) -> None:
    if n == 0:
        found.note("lost", ack.phase, ack.request_id,
                   f"{ack.kind} {ack.request_id}: not in the read model")
    elif n > 1:
        found.note("duplicated", ack.phase, ack.request_id,
                   f"{ack.kind} {ack.request_id}: {n} {what}")


# --- insights ------------------------------------------------------------------------------


def _check_insights(arenas: list[Arena], events: list[Record], found: Findings) -> None:
    """GetInsights must come to equal the oracle (polled: the last writes may still be on
    their way through the workers)."""
    expected = oracle.figures(events)
    for arena in arenas:
        want = expected.get(arena.community_id, oracle.Figures())
        deadline = time.monotonic() + INSIGHTS_SETTLE_S
        diff: dict[str, tuple[object, object]] = {"GetInsights": ("an answer", "none")}
        while time.monotonic() < deadline:
            try:
                got = oracle.served(arena.owner.call(
                    "insights", "GetInsights",
                    ins.GetInsightsRequest(community_id=arena.community_id), READ_TIMEOUT_S))
                diff = oracle.differences(want, got)
                if not diff:
                    break
            except grpc.RpcError as error:
                diff = {"GetInsights": ("an answer", f"{error.code()}")}
            time.sleep(0.5)
        found.facts[f"oracle {arena.community_id}"] = {
            "posts": want.posts, "comments": want.comments, "likes": want.likes,
            "member_count": want.member_count, "reports": want.reports}
        if diff:
            found.problems.append(f"insights of {arena.community_id} differ from the oracle "
                                  f"(oracle, served): {diff}")
            found.facts["insights_mismatches"] = found.facts.get("insights_mismatches", 0) + 1
