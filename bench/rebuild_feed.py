"""Rate of `python -m feed.rebuild` (benchmark P4-feed) on a synthetic history, in a scratch
database and topic of the `test` instance:

    eval "$(uv run python deploy/local/stack.py env --instance test)"
    uv run python bench/rebuild_feed.py --events 100000

Writes feed's own history straight into the event store (commits as the commands store them:
posts in communities and groups with their timeline positions, comments, likes in like
shards, announcements, live sessions started and ended) and a membership history to a
scratch topic (about a sixth of the events), with the timeline claims and like marks the
commands would have made (`--fresh`: without them, as after losing them). Then runs the kernel's
rebuild with feed's projector and prints `events` (the history's), `seconds`, `events_per_s`
as JSON on its last line, beside the database's own ceilings measured in the same run: its
bulk insert of those commits, and its read of all of them in `_id` order (what a replay of
every commit would cost; feed's replay reads only the first commit of each stream it needs).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from community.feed.v1 import events_pb2 as ev
from community_common import rebuild as kernel
from community_common.event_store import COMMITS, EventStore, NewEvent
from community_common.mongo import blocking_client
from community_contracts import services
from feed.adapters.liked_posts import LIKED_POSTS
from feed.adapters.timelines import SLOTS, slot_document
from feed.domain.likes import shard_of, stream_id
from feed.domain.time import format_time
from feed.domain.timeline import timeline_entry
from feed.rebuild import FeedProjector
from pymongo.database import Database

sys.path.insert(0, str(Path(__file__).parent))
import history

import tools

COMMUNITIES = 50
GROUPS_PER_COMMUNITY = 4


def feed_history(prefix: str, total: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Commit documents of about `total` events, and the timeline claims they made."""
    store = EventStore(None, services.FEED.source)  # type: ignore[arg-type]  # prepare only
    at = datetime.now(UTC) - timedelta(days=1)
    commits: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    tops: dict[str, int] = {}
    made = 0

    def commit(stream: str, version: int, message: Any, time: datetime) -> None:
        nonlocal made
        prepared = store.prepare(stream, version, [NewEvent(message, time=time)])
        commits.append(prepared.document)
        made += 1

    def positioned(message: Any, time: datetime) -> None:
        timeline, entry = timeline_entry(message, format_time(time))
        tops[timeline] = position = tops.get(timeline, 0) + 1
        message.timeline_position = position
        claims.append(slot_document(timeline, position, entry))

    n = 0
    while made < total:
        n += 1
        at += timedelta(milliseconds=7)
        community = f"{prefix}-c{n % COMMUNITIES}"
        group = f"{community}-g{n % GROUPS_PER_COMMUNITY}" if n % 3 == 0 else ""
        if n % 97 == 0:
            announcement = ev.AnnouncementPublished(
                announcement_id=f"{prefix}-a{n}",
                community_id=community,
                author_id="owner",
                group_ids=[group] if group else [],
                body="announcement",
            )
            positioned(announcement, at)
            commit(announcement.announcement_id, 0, announcement, at)
            continue
        if n % 89 == 0:
            session = f"{prefix}-s{n}"
            started = ev.LiveSessionStarted(
                session_id=session, community_id=community, host_id="host", title="live"
            )
            positioned(started, at)
            commit(session, 0, started, at)
            ended = ev.LiveSessionEnded(
                session_id=session, community_id=community, host_id="host", actor_id="host"
            )
            commit(session, 1, ended, at + timedelta(minutes=5))
            continue
        post_id = f"{prefix}-p{n}"
        post = ev.PostCreated(
            post_id=post_id,
            community_id=community,
            group_id=group,
            author_id=f"u{n % 500}",
            body="hello " * 8,
        )
        positioned(post, at)
        commit(post_id, 0, post, at)
        for c in range(2):  # comments
            comment = ev.CommentAdded(
                comment_id=f"{post_id}-c{c}",
                post_id=post_id,
                community_id=community,
                group_id=group,
                author_id=f"u{(n + c) % 500}",
                post_author_id=post.author_id,
                body="nice",
            )
            commit(post_id, 1 + c, comment, at + timedelta(seconds=c + 1))
        likers: dict[int, int] = {}
        for like in range(2):  # likes, each in its user's shard
            user = f"u{(n * 7 + like) % 500}"
            shard = shard_of(user)
            liked = ev.PostLiked(
                post_id=post_id,
                community_id=community,
                group_id=group,
                user_id=user,
                post_author_id=post.author_id,
            )
            commit(stream_id(post_id, shard), likers.get(shard, 0), liked, at)
            likers[shard] = likers.get(shard, 0) + 1
    return commits, claims


def insert_all(db: Database[Any], name: str, documents: list[dict[str, Any]]) -> float:
    started = time.perf_counter()
    for start in range(0, len(documents), 5000):
        db[name].insert_many(documents[start : start + 5000], ordered=False)
    return time.perf_counter() - started


def measure(mongo_uri: str, bootstrap: str, events: int, fresh: bool = False) -> dict[str, Any]:
    run = uuid.uuid4().hex[:8]
    client = blocking_client(mongo_uri)
    db = client[f"feedbench_{run}"]
    topic = tools.create_topic(bootstrap, f"feedbench.{run}.membership")
    try:
        membership = events // 6
        count, _ = history.produce(
            bootstrap, topic, history.membership_history(f"bench-{run}", COMMUNITIES, membership)
        )
        commits, claims = feed_history(f"b{run}", events - count)
        stored = sum(len(c["events"]) for c in commits)
        # The database's own ceiling: the same commits, bulk-inserted.
        insert_seconds = insert_all(db, COMMITS, commits)
        if not fresh:  # what the commands wrote: claims, and the marks of liked posts
            insert_all(db, SLOTS, claims)
            liked = {
                e["ce_subject"].partition(":likes:")[0]
                for c in commits
                for e in c["events"]
                if e["ce_type"] == ev.PostLiked.DESCRIPTOR.full_name
            }
            insert_all(db, LIKED_POSTS, [{"_id": post_id} for post_id in sorted(liked)])
        # The database's read ceiling: every commit in `_id` order, as a replay of all of
        # them would read it.
        started = time.perf_counter()
        read = sum(1 for _ in db[COMMITS].find({}, {"events": 1}, sort=[("_id", 1)]))
        read_seconds = time.perf_counter() - started
        outcome = kernel.rebuild(db, FeedProjector(db, bootstrap, topic), out=io.StringIO())
        assert db[SLOTS].count_documents({}) == len(claims)
        history_events = stored + count
        return {
            "events": history_events,
            "store_events": stored,
            "membership_events": count,
            "events_read": outcome.events,
            "claims_kept": not fresh,
            "seconds": round(outcome.seconds, 2),
            "events_per_s": round(history_events / outcome.seconds),
            "db_bulk_insert_commits_per_s": round(len(commits) / insert_seconds),
            "read_ceiling_per_s": round(read / read_seconds),
        }
    finally:
        client.drop_database(db.name)
        client.close()
        tools.delete_topics(bootstrap, f"feedbench.{run}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--events", type=int, default=int(os.environ.get("BENCH_REBUILD_EVENTS", "100000"))
    )
    parser.add_argument("--fresh", action="store_true", help="no timeline claims kept")
    args = parser.parse_args()
    result = measure(
        os.environ["MONGODB_URI"], os.environ["KAFKA_BOOTSTRAP_SERVERS"], args.events, args.fresh
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
