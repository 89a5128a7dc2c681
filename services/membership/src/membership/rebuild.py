"""`python -m membership.rebuild` (`make rebuild SERVICE=membership`): drop membership's read
models and project them again from its own event store, on the kernel's one rebuild
mechanism (community_common.rebuild: lease, announce, drop, replay, checkpoint, resume).

Dropped and rebuilt: `community_summaries` and `user_index` (membership.adapters.read_models).
Kept, never touched: the event store (`commits` with the request-id records inside them,
`snapshots`), the owner ledgers (`owner_ledgers`: which create or transfer wins a slot), and
the sanctions (`bans`, `restrictions`: standing documents that JoinCommunity, InviteMember,
CreateCommunity... read, projected from moderation's topic as they arrive).

The replay reads the commits by `_id` (stream, then version), so each community's events
come together and in order. It folds each community with the aggregate the commands use
(`Community.apply`), writes every event's user facts with the commands' own
`projection.user_facts` in large unordered inserts, and each community's summary
(`projection.summary_of`) once its stream is done. Applied twice (a run resumed after a
crash, or racing a command that projects its own write) nothing changes: a fact's `_id` is
its user, community and version, and a summary replaces only one of an earlier projection.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from community_common.config import env_int
from community_common.envelope import EventEnvelope
from community_common.event_store import COMMITS, commit_id, envelope_from_document
from community_common.rebuild import BulkInserts, Position, Source, StoreSource, insert_new
from community_common.rebuild import main as rebuild_main
from community_contracts import services
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from membership.adapters.read_models import (
    COLLECTIONS,
    INDEXES,
    SUMMARIES,
    USER_INDEX,
    fact_document,
    newer_summary,
)
from membership.application import projection
from membership.domain.community import Community

SERVICE = services.MEMBERSHIP
# Facts handed to the writer threads at a time (community_common.rebuild.BulkInserts).
FACTS_PER_INSERT = 5000


class ReadAhead:
    """A source read a few batches ahead on a thread of its own, so the database answers the
    next read while this process projects the last one."""

    def __init__(self, source: Source, depth: int = 3) -> None:
        self.source = source
        self.name = source.name
        self.depth = depth

    def total(self, position: Position | None) -> int:
        return self.source.total(position)

    def read(self, position: Position | None) -> Iterator[tuple[list[EventEnvelope], Position]]:
        batches: queue.Queue[Any] = queue.Queue(self.depth)
        done = object()
        stop = threading.Event()

        def offer(item: Any) -> bool:
            while not stop.is_set():
                try:
                    batches.put(item, timeout=0.2)
                    return True
                except queue.Full:
                    continue
            return False

        def pump() -> None:
            try:
                for batch in self.source.read(position):
                    if not offer(batch):
                        return
                offer(done)
            except BaseException as error:  # handed to the reader, raised there
                offer(error)

        reader = threading.Thread(target=pump, name=f"read-ahead {self.name}", daemon=True)
        reader.start()
        try:
            while (item := batches.get()) is not done:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            reader.join()


class ReadModelProjector:
    """membership's read models as a projection of its event store (community_common.rebuild
    .Projector)."""

    service = SERVICE.short_name
    read_models = COLLECTIONS

    def __init__(self, database: Database[Any], batch_commits: int = 2000) -> None:
        self.db = database
        self.batch_commits = batch_commits
        # The community whose stream is being read (streams come one after another).
        self.community: Community | None = None
        self.facts: list[dict[str, Any]] = []
        # Summaries not yet written, by community id (the latest of each wins).
        self.summaries: dict[str, dict[str, Any]] = {}
        self.inserts = BulkInserts()

    def sources(self) -> Sequence[Source]:
        return [ReadAhead(StoreSource(self.db, SERVICE.source, self.batch_commits))]

    def prepare(self) -> None:
        for collection, key in INDEXES:
            self.db[collection].create_index(key)

    def apply(self, events: Sequence[EventEnvelope]) -> None:
        for envelope in events:
            community = self._community_of(envelope)
            if envelope.sequence <= community.version:
                continue  # already folded (a stream read again from its start)
            message = envelope.message()
            at = envelope.occurred_at
            community.apply(message, at)
            for user_id, fact in projection.user_facts(message, envelope.sequence, at):
                self.facts.append(fact_document(user_id, fact))
            if len(self.facts) >= FACTS_PER_INSERT:
                self._write_facts()

    def flush(self) -> None:
        """Everything applied so far, durable: the facts, the summaries of finished
        communities and of the one being read (at its version so far; its final summary
        replaces that one)."""
        if self.community is not None:
            self._summarise(self.community)
        self._write_facts()
        self.inserts.wait()  # a fact stored before (a resumed run, a command) is the same
        self._write_summaries()

    # --- folding ---------------------------------------------------------------------------

    def _community_of(self, envelope: EventEnvelope) -> Community:
        current = self.community
        if current is not None and current.community_id == envelope.subject:
            return current
        if current is not None:
            self._summarise(current)  # its stream is done: streams come one after another
        self.community = self._folded_before(envelope.subject, envelope.sequence)
        return self.community

    def _folded_before(self, stream_id: str, sequence: int) -> Community:
        """The community as of just before `sequence`: empty for a stream's first event, else
        (a resumed run starting mid-stream) folded from the stream's earlier commits."""
        community = Community(stream_id)
        if sequence <= 1:
            return community
        earlier = self.db[COMMITS].find(
            {"_id": {"$gte": commit_id(stream_id, 0), "$lt": commit_id(stream_id, sequence - 1)}},
            {"events": 1},
            sort=[("_id", 1)],
        )
        for document in earlier:
            for stored in document.get("events", ()):
                envelope = envelope_from_document(stored, SERVICE.source)
                if community.version < envelope.sequence < sequence:
                    community.apply_stored(envelope)
        return community

    def _summarise(self, community: Community) -> None:
        self.summaries[community.community_id] = projection.summary_of(community, community.version)

    # --- writing ---------------------------------------------------------------------------

    def _write_facts(self) -> None:
        if self.facts:
            documents, self.facts = self.facts, []
            self.inserts.insert(self.db[USER_INDEX], documents)

    def _write_summaries(self) -> None:
        """One insert of every pending summary; one that collides (a command, or this run
        before a checkpoint, stored one already) replaces it if it is of an earlier
        projection, else is dropped (the stored one is as new or newer)."""
        summaries, self.summaries = list(self.summaries.values()), {}
        # Few collide (the summary of the community read across a checkpoint, a command's):
        # one replace each (FerretDB's bulk replace reports no nModified, which pymongo needs).
        for summary in insert_new(self.db[SUMMARIES], summaries):
            with contextlib.suppress(DuplicateKeyError):
                self.db[SUMMARIES].replace_one(newer_summary(summary), summary, upsert=True)


def main() -> None:
    """The kernel's command line (its environment), plus REBUILD_BATCH_COMMITS: commits per
    read of the event store (default 2000; the checkpoint falls between reads)."""
    batch_commits = env_int("REBUILD_BATCH_COMMITS", 2000, minimum=1)
    rebuild_main(
        SERVICE.short_name,
        lambda database, bootstrap: ReadModelProjector(database, batch_commits),
    )


if __name__ == "__main__":
    main()
