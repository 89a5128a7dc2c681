"""`python -m feed.rebuild` (`make rebuild SERVICE=feed`): feed's read models, projected again
from events on the kernel's one rebuild mechanism (community_common.rebuild).

What it drops and replays, what it re-projects in place, and what it keeps:

- **Dropped and rebuilt**: `member_index` (a user's communities, for the home feed) from
  membership's topic, with the live consumer's own rules (`KnowledgeWriter`), and
  `live_tabs` (the Live tab's cache of active sessions, a pure function of the `l:` timeline
  and the session streams: the first read after the rebuild walks the whole timeline again).
- **Re-projected in place, never dropped**: `timeline_slots` from feed's own event store
  (every PostCreated / AnnouncementPublished / LiveSessionStarted names its position). The
  slots are also the colliding-insert claim that decides order ("only one wins"), and
  commands keep claiming while the rebuild runs, so dropping them would let a new post take
  an old post's position. Each entry is inserted as its event says (feed.domain.timeline,
  the code the commands use, so a claimed entry is the same document and its insert changes
  nothing); a position below a timeline's highest that nothing holds any more (a command
  died between claim and store, and its claim was lost) gets a placeholder, so positions
  stay dense for the top probe; a claim without an event is kept as it is (lists skip it).
  `liked_posts` the same way from PostLiked (marks only ever grow; LikePost reads them).
- **Kept** (write side, or read by every command): the event store (`commits`,
  `snapshots`, request-id records), `standing` and `removals` (every command decides with
  them), `communities` and `consistency_checkpoints` (a non-member's command and every
  `consistency_token` read them), `timeline_heads` (a hint that readers check by probing),
  `live_heartbeats` (viewers' last JoinLiveSession: ephemeral, not events by contract). The
  consumers that keep them go on while the rebuild runs, except `feed-membership`, which
  also writes `member_index` and pauses (it resumes from its committed offsets; per-document
  sequence marks make the overlap harmless).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from community.feed.v1 import events_pb2 as ev
from community_common import rebuild as kernel
from community_common.envelope import EventEnvelope
from community_common.rebuild import (
    INSERT_CHUNK,
    BulkInserts,
    Position,
    Source,
    StoreSource,
    TopicSource,
    insert_new,
)
from community_contracts import services, topics
from google.protobuf.message import Message
from pymongo.database import Database

from feed.adapters.knowledge_store import MEMBER_INDEX, KnowledgeWriter, without_id
from feed.adapters.liked_posts import LIKED_POSTS, mark_of
from feed.adapters.timelines import SLOTS, slot_document, slot_id
from feed.application.live import LIVE_TABS
from feed.domain.knowledge import Doc
from feed.domain.timeline import PLACEHOLDER, POSITIONED_TYPES, timeline_entry
from feed.entrypoints.consumers import MEMBERSHIP_TYPES

SERVICE = services.FEED

LIKED_TYPE = ev.PostLiked.DESCRIPTOR.full_name
DECODED = POSITIONED_TYPES | {LIKED_TYPE}


class ReplayedKnowledge:
    """`KnowledgeWriter`'s documents while the rebuild replays membership's topic.

    Only `member_index` is written; the rest (`standing`, `communities`) are kept by the live
    consumers, so the writer's view of them is held in memory (from this run's events) and
    never stored. A fresh run's `member_index` is empty, so what is held is the truth; a
    resumed run reads entries it does not hold from the database (an earlier run wrote them).
    """

    def __init__(self, database: Database[Any]) -> None:
        self.db = database
        self.fresh = False
        self.held: dict[tuple[str, str], Doc] = {}
        self.new: dict[str, Doc] = {}  # member_index entries not yet written

    def get(self, collection: str, key: str) -> Doc | None:
        found = self.held.get((collection, key))
        if found is None and collection == MEMBER_INDEX and not self.fresh:
            stored = self.db[MEMBER_INDEX].find_one({"_id": key})
            if stored is not None:
                found = self.held[(collection, key)] = without_id(stored)
        return found

    def put(self, collection: str, key: str, doc: Doc) -> None:
        self.held[(collection, key)] = without_id(doc)
        if collection == MEMBER_INDEX:
            self.new[key] = {**without_id(doc), "_id": key}

    def add(self, collection: str, key: str, doc: Doc) -> bool:
        if self.get(collection, key) is not None:
            return False
        self.put(collection, key, doc)
        return True

    def keys_in_scope(self, collection: str, scope: str) -> list[str]:
        return sorted(
            key
            for (name, key), doc in self.held.items()
            if name == collection and doc.get("scope") == scope
        )

    def written(self) -> list[Doc]:
        """The entries to write now (handed over once)."""
        entries = list(self.new.values())
        self.new.clear()
        return entries


class FeedCommits(StoreSource):
    """Feed's event store, as much of it as the read models need: the first commit of each
    stream that starts with an event taking a timeline position or with a like (a like
    shard's first event is always a like: the post's mark). The database leaves the rest
    (comments, shares, later likes and unlikes, viewers) unread; the cost of a replay is the
    documents it reads. Says when it has been read to the end (placeholders wait for it)."""

    FIRST_COMMITS = {"base_version": 0, "events.ce_type": {"$in": sorted(DECODED)}}

    def __init__(self, database: Database[Any]) -> None:
        super().__init__(database, SERVICE.source, batch_commits=5000)
        self.finished = False

    def _query(self, position: Position | None) -> dict[str, Any]:
        return {**super()._query(position), **self.FIRST_COMMITS}

    def total(self, position: Position | None) -> int:
        # About how many: counting with a filter reads as much as the replay itself, so the
        # collection's statistics (every commit) bound it.
        stats = self.commits.database.command("collStats", self.commits.name)
        return int(stats.get("count", 0))

    def read(self, position: Position | None) -> Iterator[tuple[list[EventEnvelope], Position]]:
        yield from super().read(position)
        self.finished = True


class FeedProjector:
    service = SERVICE.short_name
    read_models = (MEMBER_INDEX, LIVE_TABS)

    def __init__(
        self,
        database: Database[Any],
        bootstrap_servers: str,
        membership_topic: str = topics.MEMBERSHIP_EVENTS,
    ) -> None:
        self.db = database
        self.store = FeedCommits(database)
        # Moderation's topic is not replayed: its events change only kept documents.
        self.membership = TopicSource(bootstrap_servers, membership_topic)
        self.knowledge = ReplayedKnowledge(database)
        self.writer = KnowledgeWriter(database, self.knowledge)
        self.slots: list[Doc] = []
        self.marks: dict[str, Doc] = {}
        self.placeholders_done = False
        self.inserts = BulkInserts()
        # Per timeline, the positions of the events read, when the run read them all (a
        # fresh run; None when resumed).
        self.positions: dict[str, set[int]] | None = None

    def sources(self) -> Sequence[Source]:
        return [self.store, self.membership]

    def prepare(self) -> None:
        # After the drop (a fresh run): member_index is empty, so the run's own entries are
        # all there is, and the run reads every stored event's position.
        self.knowledge.fresh = True
        self.positions = {}

    def apply(self, events: Sequence[EventEnvelope]) -> None:
        for event in events:
            kind = event.type
            if kind in DECODED:
                self._feed(event, event.message())
            elif kind in MEMBERSHIP_TYPES:
                self.writer.apply(event, event.message())
        self._write_full_chunks()

    def _feed(self, event: EventEnvelope, message: Message) -> None:
        if isinstance(message, ev.PostLiked):
            self.marks[message.post_id] = mark_of(message)
            return
        position = getattr(message, "timeline_position", 0)
        if not position:
            return  # stored before events carried it: its claimed slot is kept as it is
        timeline, entry = timeline_entry(message, event.time)
        self.slots.append(slot_document(timeline, position, entry))
        if self.positions is not None:
            self.positions.setdefault(timeline, set()).add(position)

    def _write(self, collection: str, documents: list[Doc], look_first: bool) -> None:
        self.inserts.insert(self.db[collection], documents, look_first=look_first)

    def _write_full_chunks(self, final: bool = False) -> None:
        """Hand full chunks to the writer threads, so the database writes while the next
        batch is read (everything at a flush)."""
        if final or len(self.slots) >= INSERT_CHUNK:
            self._write(SLOTS, self.slots, look_first=True)
            self.slots = []
        if final or len(self.marks) >= INSERT_CHUNK:
            self._write(LIKED_POSTS, list(self.marks.values()), look_first=True)
            self.marks = {}
        if final or len(self.knowledge.new) >= INSERT_CHUNK:
            # Dropped at a fresh start: only a resumed run meets entries written before.
            look_first = not self.knowledge.fresh
            self._write(MEMBER_INDEX, self.knowledge.written(), look_first=look_first)

    def flush(self) -> None:
        self._write_full_chunks(final=True)
        self.inserts.wait()  # one taken already (a command's claim, a run before) stays
        if self.store.finished and not self.placeholders_done:
            self._fill_gaps()
            self.placeholders_done = True

    def _fill_gaps(self) -> None:
        """Placeholders at the positions below a timeline's highest that nothing holds (a
        claimed entry lost, its event never stored). Commands claim above a taken position
        only, so they never open one. A fresh run saw every stored event's position, so only
        the positions it did not see are looked up; a resumed run did not, and reads the
        timelines' positions from the collection."""
        if self.positions is None:
            candidates = self._unheld_from_collection()
        else:
            candidates = [
                (timeline, position)
                for timeline, seen in self.positions.items()
                for position in range(1, max(seen))
                if position not in seen
            ]
        placeholders: list[Doc] = []
        for start in range(0, len(candidates), INSERT_CHUNK):
            wanted = {slot_id(t, p): (t, p) for t, p in candidates[start : start + INSERT_CHUNK]}
            held = self.db[SLOTS].find({"_id": {"$in": list(wanted)}}, {"_id": 1})
            for key in wanted.keys() - {doc["_id"] for doc in held}:
                timeline, position = wanted[key]
                placeholders.append(slot_document(timeline, position, {"kind": PLACEHOLDER}))
        insert_new(self.db[SLOTS], placeholders)

    def _unheld_from_collection(self) -> list[tuple[str, int]]:
        missing: list[tuple[str, int]] = []
        timeline, expected = "", 1
        for doc in self.db[SLOTS].find({}, {"timeline": 1, "slot": 1}, sort=[("_id", 1)]):
            if doc["timeline"] != timeline:
                timeline, expected = doc["timeline"], 1
            missing += [(timeline, position) for position in range(expected, doc["slot"])]
            expected = doc["slot"] + 1
        return missing


def main() -> None:
    kernel.main(SERVICE.short_name, FeedProjector)


if __name__ == "__main__":
    main()
