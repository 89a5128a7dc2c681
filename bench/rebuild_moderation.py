"""Moderation's lists rebuild on a synthetic history: EVENTS events (default 100,000) written
straight into the event store of a scratch database (one event per commit, as moderation's
commands store them: rules added, reports filed and resolved, mutes, removals over COMMUNITIES
communities), then `community_common.rebuild.rebuild` with moderation's projector, in this
process. For scale, the database's own bulk-insert ceiling for as many entry-sized documents.

    eval "$(uv run python deploy/local/stack.py env --instance test)"
    uv run python bench/rebuild_moderation.py        # EVENTS=... COMMUNITIES=... to vary

The last line is JSON: events, seconds, events_per_s, entries (list documents written), and
the two ceilings that bound it: read_ceiling_per_s (a plain scan of the commits) and
insert_ceiling_per_s (insert_many of as many entry-sized documents, marker index included).
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
import uuid
from typing import Any

from community.moderation.v1 import events_pb2 as events
from community.moderation.v1 import types_pb2 as types
from community_common.event_store import UNPUBLISHED, EventStore, NewEvent
from community_common.mongo import async_client, blocking_client
from community_common.rebuild import rebuild
from community_contracts import services
from google.protobuf.duration_pb2 import Duration
from google.protobuf.message import Message
from moderation.adapters.lists import LISTS
from moderation.rebuild import ListsProjector

CHUNK = 5_000


def history(count: int, communities: int) -> list[tuple[str, Message]]:
    """(stream id, event) pairs: a varied moderation history spread over the communities."""
    played: list[tuple[str, Message]] = []
    for n in range(count):
        community_id = f"bench-c{n % communities}"
        user_id = f"user-{n % 997}"
        kind = n % 5
        if kind == 0:
            rule_id = f"rule-{n}"
            played.append(
                (
                    f"rule:{rule_id}",
                    events.RuleAdded(rule_id=rule_id, community_id=community_id, title=f"Rule {n}"),
                )
            )
        elif kind in (1, 2):
            report_id = f"report-{n - kind + 1}"
            if kind == 1:
                message: Message = events.ReportFiled(
                    report_id=report_id,
                    community_id=community_id,
                    post_id=f"post-{n}",
                    user_id=user_id,
                    reason=types.REASON_COMMUNITY_RULE,
                )
            else:
                message = events.ReportResolved(
                    report_id=report_id,
                    community_id=community_id,
                    user_id=user_id,
                    resolution=types.RESOLUTION_DISMISS,
                    note="fine",
                )
            played.append((f"report:{report_id}", message))
        elif kind == 3:
            played.append(
                (
                    f"sanctions:{community_id}",
                    events.MemberMuted(
                        community_id=community_id,
                        user_id=user_id,
                        actor_id="mod",
                        reason="cool down",
                        duration=Duration(seconds=3600),
                    ),
                )
            )
        else:
            post_id = f"post-{n}"
            played.append(
                (
                    f"post:{post_id}",
                    events.ContentRemoved(
                        community_id=community_id,
                        post_id=post_id,
                        author_id=user_id,
                        actor_id="mod",
                        reason="off topic",
                    ),
                )
            )
    return played


def write_history(uri: str, database: Any, count: int, communities: int) -> None:
    store = EventStore(async_client(uri)[database.name], services.MODERATION.source)
    versions: dict[str, int] = {}
    documents = []
    for stream_id, message in history(count, communities):
        version = versions.get(stream_id, 0)
        versions[stream_id] = version + 1
        document = store.prepare(stream_id, version, [NewEvent(message)]).document
        document.pop(UNPUBLISHED)  # published long ago: no relay should pick it up
        documents.append(document)
        if len(documents) == CHUNK:
            database["commits"].insert_many(documents, ordered=False)
            documents = []
    if documents:
        database["commits"].insert_many(documents, ordered=False)


def read_ceiling(database: Any) -> float:
    """Commits per second through a plain scan of the event store (no decoding, no sort)."""
    started = time.monotonic()
    read = sum(1 for _ in database["commits"].find({}, batch_size=CHUNK))
    return read / (time.monotonic() - started)


def insert_ceiling(database: Any, count: int) -> float:
    """Entry-sized documents per second through insert_many in CHUNKs (no Python projection)."""
    scratch = database["ceiling"]
    scratch.create_index("marker", unique=True, sparse=True)
    documents = [
        {
            "_id": f"log:c:bench#{n:012d}",
            "marker": f"log:c:bench@{uuid.uuid4()}",
            "entry": b"x" * 90,
        }
        for n in range(count)
    ]
    started = time.monotonic()
    for start in range(0, count, CHUNK):
        scratch.insert_many(documents[start : start + CHUNK], ordered=False)
    return count / (time.monotonic() - started)


def main() -> None:
    count = int(os.environ.get("EVENTS", "100000"))
    communities = int(os.environ.get("COMMUNITIES", "200"))
    uri = os.environ.get("MONGODB_URI", "mongodb://127.0.0.1:37017")
    client = blocking_client(uri)
    database = client[f"bench_rebuild_moderation_{uuid.uuid4().hex[:8]}"]
    try:
        write_history(uri, database, count, communities)
        outcome = rebuild(database, ListsProjector(database), out=io.StringIO())
        entries = database[LISTS].estimated_document_count()
        reading = read_ceiling(database)
        ceiling = insert_ceiling(database, entries)
    finally:
        client.drop_database(database.name)
        client.close()
    print(
        json.dumps(
            {
                "events": outcome.events,
                "seconds": round(outcome.seconds, 2),
                "events_per_s": round(outcome.rate),
                "entries": entries,
                "read_ceiling_per_s": round(reading),
                "insert_ceiling_per_s": round(ceiling),
            }
        ),
        file=sys.stdout,
        flush=True,
    )


if __name__ == "__main__":
    main()
