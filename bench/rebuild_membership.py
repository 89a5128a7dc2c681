"""Benchmark: `python -m membership.rebuild`'s events/s on a synthetic history written straight
into a scratch event store, beside the database's own bulk-insert ceiling.

    uv run python bench/rebuild_membership.py   (MONGODB_URI; BENCH_REBUILD_EVENTS, default
                                                 100,000; BENCH_EVENTS_PER_COMMUNITY, 200)

The history is made by the real aggregate (membership.domain.community), command by command,
so every stream is one the service could have stored: a community is created, opens a few
groups, and then people join, are invited (accepted or declined), join groups, change role
and leave. The commits are inserted in bulk (the store's own documents, EventStore.prepare),
then the rebuild runs in this process exactly as `python -m membership.rebuild` does
(community_common.rebuild.rebuild with membership.rebuild.ReadModelProjector). The ceiling is
insert_many of as many user-index-sized documents as the rebuild wrote, on the same
database; the read ceiling is one plain sorted read of the commits. Prints a few lines and,
last, one JSON line with `events`, `seconds`, `events_per_s` and both ceilings; drops its
database.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from community.membership.v1 import types_pb2 as types
from community_common.event_store import UNPUBLISHED, EventStore, NewEvent, Provenance
from community_common.mongo import blocking_client
from community_common.rebuild import rebuild
from community_contracts import services
from membership.adapters.read_models import SUMMARIES, USER_INDEX
from membership.domain import roles
from membership.domain.community import Actor, Community
from membership.domain.limits import Limits
from membership.rebuild import ReadModelProjector
from pymongo.database import Database

LIMITS = Limits()
INSERT_CHUNK = 5000


class Play:
    """One community's history, command by command, as the service would store it."""

    def __init__(self, rng: random.Random, store: EventStore, at: datetime) -> None:
        self.rng = rng
        self.store = store
        self.at = at
        self.id = "c" + uuid.uuid4().hex[:24]
        self.owner = f"{self.id}-owner"
        self.commits: list[dict[str, Any]] = []
        self.people = 0
        self._at_recorded = at
        policy = types.JOIN_POLICY_OPEN
        visibility = rng.choice((types.VISIBILITY_PUBLIC, types.VISIBILITY_PRIVATE))
        self.c = Community.create(
            self.id, self.owner, f"Club {self.id[-6:]}", "", ["bench"], visibility, policy, at
        )
        self._commit()

    def _now(self) -> datetime:
        self.at += timedelta(seconds=self.rng.randint(1, 600))
        return self.at

    def _commit(self) -> None:
        c = self.c
        if not c.recorded:
            return
        base = c.version - len(c.recorded)
        events = [
            NewEvent(e, time=at or self._at_recorded)
            for e, at in zip(c.recorded, c.recorded_at, strict=True)
        ]
        document = self.store.prepare(self.id, base, events, provenance=Provenance()).document
        document[UNPUBLISHED] = False
        self.commits.append(document)
        c.recorded, c.recorded_at = [], []

    def step(self) -> None:
        """One command, chosen at random among those that apply."""
        c, rng = self.c, self.rng
        now = self._now()
        self._at_recorded = now
        members = [u for u in c.members if u != self.owner]
        roll = rng.random()
        if len(c.groups) < 3 or roll < 0.02:
            c.create_group(
                Actor(self.owner), f"{self.id}-g{uuid.uuid4().hex[:12]}", "g", "", now, LIMITS
            )
        elif roll < 0.35 or not members:
            self.people += 1
            c.join(Actor(f"{self.id}-u{self.people}"), "", False, now)
        elif roll < 0.55:
            self.people += 1
            invitee = f"{self.id}-u{self.people}"
            invitation_id = f"{self.id}-i{uuid.uuid4().hex[:12]}"
            c.invite(Actor(self.owner), invitation_id, invitee, False, now, LIMITS)
            self._commit()
            now = self._now()
            self._at_recorded = now
            if rng.random() < 0.8:
                c.accept_invitation(Actor(invitee), invitation_id, False, now)
            else:
                c.decline_invitation(Actor(invitee), invitation_id, now)
        elif roll < 0.8:
            user = rng.choice(members)
            group = rng.choice(list(c.groups.values()))
            if user not in group.members:
                c.join_group(Actor(user), group.group_id, now)
        elif roll < 0.9:
            user = rng.choice(members)
            role = rng.choice((roles.MEMBER, roles.MODERATOR, roles.ADMIN))
            if c.members[user].role != role:
                c.set_role(Actor(self.owner), user, role, now)
        else:
            c.leave(Actor(rng.choice(members)), now)
        self._commit()


def write_history(db: Database[Any], events: int, per_community: int) -> tuple[int, int]:
    """Commits for about `events` events; (events, communities) stored."""
    rng = random.Random(17)
    store = EventStore(db, services.MEMBERSHIP.source)  # type: ignore[arg-type]  # prepare only
    start = datetime.now(UTC) - timedelta(days=300)
    stored = communities = 0
    pending: list[dict[str, Any]] = []
    while stored < events:
        play = Play(rng, store, start)
        while play.c.version < per_community:
            play.step()
        communities += 1
        stored += play.c.version
        pending.extend(play.commits)
        if len(pending) >= INSERT_CHUNK:
            db["commits"].insert_many(pending, ordered=False)
            pending = []
    if pending:
        db["commits"].insert_many(pending, ordered=False)
    return stored, communities


def read_ceiling(db: Database[Any]) -> float:
    """Events per s of one plain read of every commit in `_id` order (what the rebuild
    reads), decoding nothing but the BSON."""
    started = time.perf_counter()
    events = sum(len(c["events"]) for c in db["commits"].find({}, {"events": 1}, sort=[("_id", 1)]))
    return events / (time.perf_counter() - started)


def insert_ceiling(db: Database[Any], documents: int) -> float:
    """insert_many of `documents` user-index-sized documents (indexed on `user_id`), per s."""
    scratch = db["ceiling"]
    scratch.create_index("user_id")
    at = datetime.now(UTC)
    rows = [
        {
            "_id": f"u{i % 5000}:c{uuid.uuid4().hex[:24]}:{i:012d}",
            "user_id": f"u{i % 5000}",
            "community_id": "c" + "0" * 24,
            "version": i,
            "kind": "membership",
            "role": 4,
            "joined_at": at,
        }
        for i in range(documents)
    ]
    started = time.perf_counter()
    for i in range(0, len(rows), INSERT_CHUNK):
        scratch.insert_many(rows[i : i + INSERT_CHUNK], ordered=False)
    return documents / (time.perf_counter() - started)


def main() -> None:
    uri = os.environ.get("MONGODB_URI", "mongodb://127.0.0.1:37017")
    events = int(os.environ.get("BENCH_REBUILD_EVENTS", "100000"))
    per_community = int(os.environ.get("BENCH_EVENTS_PER_COMMUNITY", "200"))
    client = blocking_client(uri)
    name = f"bench_rebuild_membership_{uuid.uuid4().hex[:8]}"
    db = client[name]
    try:
        started = time.perf_counter()
        stored, communities = write_history(db, events, per_community)
        print(
            f"history: {stored:,} events in {communities:,} communities, "
            f"written in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
        reading = read_ceiling(db)
        outcome = rebuild(db, ReadModelProjector(db), out=sys.stderr)
        facts = db[USER_INDEX].estimated_document_count()
        summaries = db[SUMMARIES].estimated_document_count()
        ceiling = insert_ceiling(db, facts)
        result = {
            "events": outcome.events,
            "seconds": round(outcome.seconds, 2),
            "events_per_s": round(outcome.rate),
            "communities": communities,
            "user_facts": facts,
            "summaries": summaries,
            "read_ceiling_per_s": round(reading),
            "vs_read_ceiling": round(outcome.rate / reading, 2),
            "insert_ceiling_docs_per_s": round(ceiling),
            "facts_per_s_vs_insert_ceiling": round(facts / outcome.seconds / ceiling, 2),
        }
        print(json.dumps(result))
    finally:
        client.drop_database(name)
        client.close()


if __name__ == "__main__":
    main()
