"""`python -m moderation.rebuild` (`make rebuild SERVICE=moderation`): drop moderation's read
models and list every stored event again, on the kernel's rebuild (community_common.rebuild).

The read models are the `lists` (rules, automod rules, report queues, moderation logs: every
list RPC reads them, by position). Everything else is kept: the event store (`commits`,
`snapshots`, request ids in the commits) is the write side, and the membership projection
(`communities`, `members`, `consistency_checkpoints`) and the `content` view are documents
commands read to decide (who ranks how, whether a community or post exists and whose it is);
they are not lists, and dropping them would turn commands into NOT_FOUND while it runs.

A list's order is the order its events were stored (`StoredOrder`): by commit time, then
commit id (stream, version), then the event's place in its commit. That is the order the
commands append in as they commit, so the rebuild writes each entry at the position live
appends gave it. Positions are counted per list as the events go by; a resumed run counts
again (without writing) the events before its checkpoint, and its rewrites of entries already
written collide on `_id` and marker and change nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from community_common import rebuild
from community_common.config import env_int
from community_common.envelope import EventEnvelope, parse_time
from community_common.event_store import COMMITS, envelope_from_document
from community_common.mongo import write_in_chunks
from community_common.rebuild import Position
from community_contracts import services
from pymongo import UpdateOne
from pymongo.database import Database

from moderation.adapters.lists import LISTS, MARKER, entry_id, head_id, marker_of
from moderation.adapters.moderation_lists import list_entries

SERVICE = services.MODERATION
INSERT_BATCH = 5_000
RAW = CodecOptions(document_class=RawBSONDocument, tz_aware=True)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class StoredOrder:
    """Moderation's event store in the order its events were stored (commit time, commit id,
    place in the commit), up to the time of the run's first read (kept in the position, so a
    resumed run reads the same events: what is committed later, during the rebuild, the
    service lists itself). Each read sorts the commits in memory and starts at the position's
    count of events done; the events before it go to `recount`."""

    def __init__(
        self,
        database: Database[Any],
        recount: Callable[[Sequence[EventEnvelope]], None],
        batch_events: int = 10_000,
    ) -> None:
        self.commits = database[COMMITS]
        self.recount = recount
        self.name = f"store-by-time:{database.name}"
        self.batch_events = batch_events

    def total(self, position: Position | None) -> int:
        done = int((position or {}).get("done", 0))
        return max(0, self.commits.estimated_document_count() - done)

    def _stored(self, until: datetime) -> list[Any]:
        """The commits up to `until`, sorted, as raw BSON (decoded when they are replayed: a
        fraction of the memory of decoded documents)."""
        commits = []
        for document in self.commits.with_options(codec_options=RAW).find(
            {}, {"committed_at": 1, "events": 1}, batch_size=INSERT_BATCH
        ):
            events = document.get("events")
            if not events:
                continue  # a stored answer of a command that changed nothing
            at = document.get("committed_at")
            at = _aware(at) if at is not None else parse_time(events[0]["ce_time"])
            if at <= until:
                commits.append((at, document["_id"], document))
        commits.sort(key=lambda commit: (commit[0], commit[1]))
        return [document for _, _, document in commits]

    def read(self, position: Position | None) -> Iterator[tuple[list[EventEnvelope], Position]]:
        # Milliseconds, as stored: a resumed run compares with the same instant.
        now = datetime.now(UTC)
        until = (
            _aware(position["until"])
            if position
            else now.replace(microsecond=now.microsecond // 1000 * 1000)
        )
        done = int((position or {}).get("done", 0))
        stored = (event for commit in self._stored(until) for event in commit["events"])
        self.recount(
            [envelope_from_document(event, SERVICE.source) for event in islice(stored, done)]
        )
        while chunk := list(islice(stored, self.batch_events)):
            done += len(chunk)
            yield (
                [envelope_from_document(event, SERVICE.source) for event in chunk],
                {"until": until, "done": done},
            )


class ListsProjector:
    """The lists as a projection of moderation's events, written in bulk."""

    service: str = SERVICE.short_name
    read_models: Sequence[str] = (LISTS,)

    def __init__(self, database: Database[Any]) -> None:
        self.database = database
        self.lists = database[LISTS]
        self.positions: Counter[str] = Counter()
        self._entries: list[dict[str, Any]] = []
        self._moved: set[str] = set()
        self.inserts = rebuild.BulkInserts()

    def sources(self) -> Sequence[rebuild.Source]:
        batch = env_int("REBUILD_BATCH_EVENTS", 10_000, minimum=1)
        return [StoredOrder(self.database, self.recount, batch)]

    def prepare(self) -> None:
        # As Lists.ensure_indexes: an event's second entry in one list collides.
        self.lists.create_index(MARKER, unique=True, sparse=True)

    def recount(self, events: Sequence[EventEnvelope]) -> None:
        """Positions taken by `events`, listed before the checkpoint a run resumes from."""
        for event in events:
            for name, _ in list_entries(event):
                self.positions[name] += 1

    def apply(self, events: Sequence[EventEnvelope]) -> None:
        for event in events:
            for name, entry in list_entries(event):
                self.positions[name] += 1
                self._entries.append(
                    {
                        **entry,
                        "_id": entry_id(name, self.positions[name]),
                        MARKER: marker_of(name, event.id),
                    }
                )
                self._moved.add(name)
        if len(self._entries) >= INSERT_BATCH:
            self._insert()

    def _insert(self) -> None:
        """Hand the entries so far to the writer threads, so the database inserts a chunk while
        this thread decodes the next. An entry written already (by the run that died after it)
        is the same entry at the same position."""
        self.inserts.insert(self.lists, self._entries)
        self._entries = []

    def flush(self) -> None:
        self._insert()
        self.inserts.wait()
        # Every position up to the count is written now: a valid head hint for readers.
        write_in_chunks(
            self.lists,
            [
                UpdateOne(
                    {"_id": head_id(name)},
                    {"$max": {"position": self.positions[name]}},
                    upsert=True,
                )
                for name in sorted(self._moved)
            ],
        )
        self._moved = set()


def main() -> None:
    rebuild.main(SERVICE.short_name, lambda database, bootstrap: ListsProjector(database))


if __name__ == "__main__":
    main()
