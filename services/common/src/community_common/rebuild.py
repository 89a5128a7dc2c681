"""The one rebuild mechanism: drop a service's read models and project them again from events.

A service describes its read models with a `Projector` (which collections it owns, where its
events come from, how a batch of events changes the models); `rebuild` does the rest, the
same way for every service:

1. **One at a time.** The run takes the `rebuild:<service>` lease (community_common.lease); a
   second run of the same service waits for it and, while the first is alive, refuses.
2. **Announce, then drop.** The state document (`rebuilds`, `_id` = the service) says
   `running` first; services watching it (`RebuildWatch`) pause their projecting consumers
   and hold reads of the read models until it says `done`. After a grace of a few watch
   polls, the projector's collections are dropped and their indexes made again.
3. **Replay** each source in order (`StoreSource`: the service's own event store, commit by
   commit in stream order; `TopicSource`: another service's topic, every partition from its
   first record to the end seen at the start), a batch at a time into `Projector.apply`.
4. **Checkpoint.** Every `checkpoint_every` events the projector flushes and the position is
   saved in the state document. A run that finds the state `running` (an earlier run died)
   resumes from the checkpoint without dropping: the projector must make a batch applied
   twice change nothing (per-stream marks, event-keyed inserts: community_common.projection).
5. **Done.** The last flush, then `done` with the count and rate; the lease is let go.

It never writes an event store, a request-id record or a commit's flag: the sources only read.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TextIO

from community_contracts.reasons import REBUILDING
from kafka import KafkaConsumer, TopicPartition
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import BulkWriteError

from community_common.config import env_float, env_int, env_str
from community_common.envelope import EventEnvelope, MalformedEvent
from community_common.errors import Unavailable
from community_common.event_store import COMMITS, envelope_from_document
from community_common.failpoints import failpoint
from community_common.lease import Lease
from community_common.logging import configure_logging
from community_common.mongo import blocking_client

log = logging.getLogger("community_common.rebuild")

REBUILDS = "rebuilds"
RUNNING = "running"
DONE = "done"
# How often services read the state document (RebuildWatch), and how long a fresh run waits
# after announcing itself before it drops anything: several polls, so every process has
# paused its consumers and holds new reads.
WATCH_POLL_S = 0.2
ANNOUNCE_GRACE_S = 1.0

Position = dict[str, Any]


class Source(Protocol):
    """Where a projector's events come from; read in batches, resumable at a position."""

    name: str

    def total(self, position: Position | None) -> int:
        """About how many events are left to read from `position` (None: the start)."""
        ...

    def read(self, position: Position | None) -> Iterator[tuple[list[EventEnvelope], Position]]:
        """Batches of events oldest first, each with the position just after it."""
        ...


class Projector(Protocol):
    """A service's read models as a projection of its events."""

    # Read-only (properties), so a class attribute of a narrower type, such as a tuple,
    # satisfies the protocol.
    @property
    def service(self) -> str: ...

    @property
    def read_models(self) -> Sequence[str]:
        """Every collection the rebuild drops at a fresh start (never the write side: the
        event store, request-id records, the documents that decide "only one wins")."""
        ...

    def sources(self) -> Sequence[Source]: ...

    def prepare(self) -> None:
        """After the drop: create the read models' indexes."""

    def apply(self, events: Sequence[EventEnvelope]) -> None:
        """Project one batch (events of one source, oldest first). After a crash the events
        since the last checkpoint are applied again: doing so must change nothing."""

    def flush(self) -> None:
        """Make everything applied so far durable (before each checkpoint and at the end)."""


# --- sources -------------------------------------------------------------------------------


class StoreSource:
    """The service's own event store: every commit by `_id` (stream, then version), so each
    stream's events come in order and a stream's commits come together."""

    def __init__(self, database: Database[Any], source: str, batch_commits: int = 2000) -> None:
        self.commits = database[COMMITS]
        self.source = source
        self.name = f"store:{database.name}"
        self.batch_commits = batch_commits

    def _query(self, position: Position | None) -> dict[str, Any]:
        after = (position or {}).get("after")
        return {"_id": {"$gt": after}} if after else {}

    def total(self, position: Position | None) -> int:
        if not position:
            return self.commits.estimated_document_count()
        return self.commits.count_documents(self._query(position))

    def read(self, position: Position | None) -> Iterator[tuple[list[EventEnvelope], Position]]:
        cursor = self.commits.find(
            self._query(position),
            {"_id": 1, "events": 1},
            sort=[("_id", 1)],
            batch_size=self.batch_commits,
        )
        batch: list[EventEnvelope] = []
        last = (position or {}).get("after")
        count = 0
        for document in cursor:
            # A stored answer of a command that changed nothing has no events.
            batch.extend(envelope_from_document(e, self.source) for e in document.get("events", ()))
            last = document["_id"]
            count += 1
            if count >= self.batch_commits:
                yield batch, {"after": last}
                batch, count = [], 0
        if count:
            yield batch, {"after": last}


class TopicSource:
    """Another service's events, as the service's consumers saw them: every partition of the
    topic from its first record to the end offsets seen when the rebuild started (kept in the
    checkpoint, so a resumed run stops at the same place). Malformed records are skipped: the
    running consumer dead-lettered them."""

    def __init__(self, bootstrap_servers: str, topic: str, max_records: int = 10_000) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.topic = topic
        # The name keys the checkpoint in the state document, and stored keys take no dots
        # (FerretDB refuses them; topic names have them: community.membership.events.v1).
        self.name = "topic:" + topic.replace(".", "_")
        self.max_records = max_records

    def _consumer(self) -> KafkaConsumer:
        # kafka-python checks CRC32C in pure Python, which halves its read rate; the broker
        # verified every batch when it was produced, and TCP guards the wire.
        return KafkaConsumer(
            bootstrap_servers=self.bootstrap_servers,
            enable_auto_commit=False,
            max_poll_records=self.max_records,
            fetch_max_bytes=64 * 1024 * 1024,
            max_partition_fetch_bytes=16 * 1024 * 1024,
            check_crcs=False,
        )

    def _bounds(
        self, consumer: KafkaConsumer, position: Position | None
    ) -> tuple[list[TopicPartition], dict[int, int], dict[int, int]]:
        partitions = [
            TopicPartition(self.topic, p)
            for p in sorted(consumer.partitions_for_topic(self.topic) or ())
        ]
        if position and "ends" in position:
            ends = {int(p): int(o) for p, o in position["ends"].items()}
        else:
            ends = {tp.partition: o for tp, o in consumer.end_offsets(partitions).items()}
        starts = {tp.partition: o for tp, o in consumer.beginning_offsets(partitions).items()}
        for p, offset in ((position or {}).get("next") or {}).items():
            starts[int(p)] = max(starts.get(int(p), 0), int(offset))
        return partitions, starts, ends

    def total(self, position: Position | None) -> int:
        consumer = self._consumer()
        try:
            _, starts, ends = self._bounds(consumer, position)
            return sum(max(0, end - starts.get(p, 0)) for p, end in ends.items())
        finally:
            consumer.close()

    def read(self, position: Position | None) -> Iterator[tuple[list[EventEnvelope], Position]]:
        consumer = self._consumer()
        try:
            partitions, starts, ends = self._bounds(consumer, position)
            wanted = [tp for tp in partitions if starts.get(tp.partition, 0) < ends[tp.partition]]
            if not wanted:
                return
            consumer.assign(wanted)
            for tp in wanted:
                consumer.seek(tp, starts[tp.partition])
            following = dict(starts)
            while any(following[tp.partition] < ends[tp.partition] for tp in wanted):
                batch: list[EventEnvelope] = []
                for tp, records in consumer.poll(timeout_ms=500).items():
                    end = ends[tp.partition]
                    for record in records:
                        if record.offset >= end:
                            break
                        following[tp.partition] = record.offset + 1
                        try:
                            batch.append(
                                EventEnvelope.from_kafka_record(
                                    record.key, record.value, record.headers
                                )
                            )
                        except MalformedEvent:
                            continue
                    if following[tp.partition] >= end:
                        consumer.pause(tp)
                if batch or any(following[p] != starts[p] for p in following):
                    starts = dict(following)
                    yield (
                        batch,
                        {
                            "ends": {str(p): o for p, o in ends.items()},
                            "next": {str(p): o for p, o in following.items()},
                        },
                    )
        finally:
            consumer.close()


# --- writing -------------------------------------------------------------------------------

DUPLICATE_KEY = 11000
# Documents per insert command: large enough that a round trip is noise.
INSERT_CHUNK = 5000

Document = dict[str, Any]


def insert_new(
    collection: Collection[Any],
    documents: Sequence[Document],
    *,
    look_first: bool = False,
    chunk_size: int = INSERT_CHUNK,
) -> list[Document]:
    """Insert `documents` in unordered chunks; returns those whose `_id` was taken already
    (written before a crash, or by a command projecting its own write), which stay as stored.

    `look_first`: most are expected to exist (e.g. feed's kept timeline claims), so their
    `_id`s are looked up first and only the missing ones inserted: FerretDB spends about ten
    times as long refusing a duplicate as inserting a document, and three times as long as
    finding it."""
    taken: list[Document] = []
    for start in range(0, len(documents), chunk_size):
        chunk = list(documents[start : start + chunk_size])
        if look_first:
            wanted = [doc["_id"] for doc in chunk]
            held = {d["_id"] for d in collection.find({"_id": {"$in": wanted}}, {"_id": 1})}
            taken += [doc for doc in chunk if doc["_id"] in held]
            chunk = [doc for doc in chunk if doc["_id"] not in held]
            if not chunk:
                continue
        try:
            collection.insert_many(chunk, ordered=False)
        except BulkWriteError as error:
            errors = error.details["writeErrors"]
            if any(e["code"] != DUPLICATE_KEY for e in errors):
                raise
            taken += [chunk[e["index"]] for e in errors]
    return taken


class BulkInserts:
    """Inserts handed to writer threads, so the database writes while the replay reads and
    projects the next batch; at most `writers` chunks in flight. `wait()` (a projector's
    flush) returns once every insert handed over is done, with the documents found taken."""

    def __init__(self, writers: int = 2, chunk_size: int = INSERT_CHUNK) -> None:
        self.writers = writers
        self.chunk_size = chunk_size
        self._pool = ThreadPoolExecutor(writers, thread_name_prefix="rebuild-writer")
        self._writing: deque[Future[list[Document]]] = deque()
        self._taken: list[Document] = []

    def insert(
        self,
        collection: Collection[Any],
        documents: Sequence[Document],
        *,
        look_first: bool = False,
    ) -> None:
        for start in range(0, len(documents), self.chunk_size):
            while len(self._writing) >= self.writers:
                self._taken += self._writing.popleft().result()
            chunk = documents[start : start + self.chunk_size]
            self._writing.append(
                self._pool.submit(
                    insert_new, collection, chunk, look_first=look_first, chunk_size=self.chunk_size
                )
            )

    def wait(self) -> list[Document]:
        while self._writing:
            self._taken += self._writing.popleft().result()  # raises what the insert raised
        taken, self._taken = self._taken, []
        return taken


# --- progress -------------------------------------------------------------------------------


class Progress:
    """Events done / total, rate and ETA: redrawn in place on a terminal, else one line per
    notch (every 10%), so a log file gets a handful of lines."""

    NOTCHES = 10
    REDRAW_S = 0.2

    def __init__(self, label: str, total: int, out: TextIO | None = None) -> None:
        self.label = label
        self.total = max(total, 0)
        self.out = out or sys.stderr
        self.tty = self.out.isatty()
        self.done = 0
        self.started = time.monotonic()
        self._drawn = 0.0
        self._notch = 0

    def advance(self, events: int) -> None:
        self.done += events
        self.total = max(self.total, self.done)
        now = time.monotonic()
        if self.tty:
            if now - self._drawn >= self.REDRAW_S:
                self._drawn = now
                self.out.write("\r" + self.line(now))
                self.out.flush()
        else:
            notch = self.done * self.NOTCHES // self.total if self.total else self.NOTCHES
            if notch > self._notch:
                self._notch = notch
                print(self.line(now), file=self.out, flush=True)

    def rate(self, now: float | None = None) -> float:
        elapsed = (now or time.monotonic()) - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    def line(self, now: float) -> str:
        rate = self.rate(now)
        share = self.done / self.total if self.total else 1.0
        width = 24
        bar = "#" * int(share * width) + "." * (width - int(share * width))
        eta = (self.total - self.done) / rate if rate > 0 else 0.0
        return (
            f"{self.label} [{bar}] {share:4.0%} {self.done:,}/{self.total:,} events "
            f"{rate:,.0f}/s ETA {eta:,.0f}s"
        )

    def finish(self) -> None:
        # The total was an estimate (stored commits, not events): what was done is the truth.
        self.total = self.done
        if self.tty:
            self.out.write("\r" + self.line(time.monotonic()) + "\n")
            self.out.flush()
        elif self._notch < self.NOTCHES:
            print(self.line(time.monotonic()), file=self.out, flush=True)


# --- the run --------------------------------------------------------------------------------


class RebuildRefused(Exception):
    """Another rebuild of the same service is running."""


@dataclass(frozen=True)
class Outcome:
    events: int
    seconds: float
    resumed: bool

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


class _LeaseKeeper(threading.Thread):
    """Keeps the lease while the replay runs (a long flush must not let it lapse)."""

    def __init__(self, lease: Lease) -> None:
        super().__init__(name="rebuild-lease", daemon=True)
        self.lease = lease
        self.lost = False
        self._stop = threading.Event()

    def run(self) -> None:
        while not self._stop.wait(min(1.0, self.lease.lease_s / 5)):
            if not self.lease.held():
                self.lost = True
                return

    def stop(self) -> None:
        self._stop.set()


def take_lease(lease: Lease, service: str) -> None:
    """Wait for the lease: a run that died loses it within two slots (it may have pre-claimed
    the next one); a live one keeps it, and this run refuses."""
    deadline = time.monotonic() + 2 * lease.lease_s + 1.0
    while not lease.held():
        if time.monotonic() > deadline:
            raise RebuildRefused(
                f"another rebuild of {service} is running ({lease.current_holder()})"
            )
        time.sleep(0.25)


def rebuild(
    database: Database[Any],
    projector: Projector,
    *,
    lease_s: float = 5.0,
    checkpoint_every: int = 50_000,
    out: TextIO | None = None,
) -> Outcome:
    service = projector.service
    lease = Lease(database, f"rebuild:{service}", lease_s)
    take_lease(lease, service)
    keeper = _LeaseKeeper(lease)
    keeper.start()
    states = database[REBUILDS]
    try:
        state = states.find_one({"_id": service})
        resumed = state is not None and state.get("state") == RUNNING
        if resumed:
            assert state is not None
            checkpoints: dict[str, Position] = dict(state.get("checkpoints") or {})
            applied = int(state.get("events", 0))
            started = state["started_at"]
        else:
            checkpoints, applied, started = {}, 0, datetime.now(UTC)
            states.replace_one(
                {"_id": service},
                {"state": RUNNING, "started_at": started, "checkpoints": {}, "events": 0},
                upsert=True,
            )
            time.sleep(ANNOUNCE_GRACE_S)  # every service has seen it (RebuildWatch polls)
            for name in projector.read_models:
                database.drop_collection(name)
            projector.prepare()
        clock = time.monotonic()
        sources = projector.sources()
        progress = Progress(
            f"rebuild {service}",
            sum(s.total(checkpoints.get(s.name)) for s in sources),
            out,
        )
        since_checkpoint = 0
        for source in sources:
            for events, reached in source.read(checkpoints.get(source.name)):
                if keeper.lost:
                    raise RebuildRefused(f"lost the rebuild lease of {service}")
                projector.apply(events)
                progress.advance(len(events))
                since_checkpoint += len(events)
                checkpoints[source.name] = reached
                if since_checkpoint >= checkpoint_every:
                    projector.flush()
                    applied += since_checkpoint
                    since_checkpoint = 0
                    states.update_one(
                        {"_id": service},
                        {"$set": {"checkpoints": checkpoints, "events": applied}},
                    )
                    failpoint("rebuild-checkpointed")
        projector.flush()
        applied += since_checkpoint
        seconds = time.monotonic() - clock
        progress.finish()
        states.replace_one(
            {"_id": service},
            {
                "state": DONE,
                "started_at": started,
                "finished_at": datetime.now(UTC),
                "events": applied,
                "seconds": seconds,
            },
        )
        return Outcome(events=progress.done, seconds=seconds, resumed=resumed)
    finally:
        keeper.stop()


# --- what services do while a rebuild runs ---------------------------------------------------


class RebuildWatch:
    """A service's view of its own rebuilds: `running` while one is (polled every
    WATCH_POLL_S by `watch()`, a background task). Consumers projecting into the read models
    pause while it runs; reads of the read models wait for it (`settled`)."""

    def __init__(self, database: Any, service: str, wait_s: float = 30.0) -> None:
        self.states = database[REBUILDS]
        self.service = service
        self.wait_s = wait_s
        self.running = False
        # How many rebuilds this process has seen start (a reader that remembers positions
        # in the read models forgets them when it changes).
        self.generation = 0

    async def refresh(self) -> bool:
        found = await self.states.find_one({"_id": self.service}, {"state": 1})
        running = found is not None and found.get("state") == RUNNING
        if running and not self.running:
            self.generation += 1
            log.info("the %s read models are rebuilding: their reads wait", self.service)
        self.running = running
        return running

    async def watch(self) -> None:
        while True:
            try:
                await self.refresh()
            except Exception:  # an outage: keep the last answer, try again
                log.debug("rebuild state unreadable", exc_info=True)
            await asyncio.sleep(WATCH_POLL_S)

    async def settled(self) -> None:
        """Return at once unless a rebuild runs; then wait for it (up to `wait_s`), else
        UNAVAILABLE `REBUILDING` (safe to retry)."""
        if not self.running:
            return
        deadline = time.monotonic() + self.wait_s
        while self.running:
            if time.monotonic() > deadline:
                raise Unavailable(REBUILDING, f"the {self.service} read models are rebuilding")
            await asyncio.sleep(WATCH_POLL_S / 2)


# --- the command line ----------------------------------------------------------------------


def main(service: str, make_projector: Callable[[Database[Any], str], Projector]) -> None:
    """`python -m <service>.rebuild`: the `make rebuild SERVICE=<service>` entry point.
    Environment: MONGODB_URI, MONGODB_DATABASE (default: the service's name),
    KAFKA_BOOTSTRAP_SERVERS, REBUILD_CHECKPOINT_EVERY, REBUILD_LEASE_S."""
    parser = argparse.ArgumentParser(prog=f"python -m {service}.rebuild", description=__doc__)
    parser.parse_args()
    configure_logging(f"{service}-rebuild", env_str("LOG_LEVEL", "INFO"))
    # kafka-python warns of every slow poll of its own loop; the progress bar is the news here.
    logging.getLogger("kafka").setLevel(logging.ERROR)
    mongodb_uri = env_str("MONGODB_URI", "mongodb://127.0.0.1:27017")
    database_name = env_str("MONGODB_DATABASE", service)
    bootstrap = env_str("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    client = blocking_client(mongodb_uri)
    try:
        projector = make_projector(client[database_name], bootstrap)
        outcome = rebuild(
            client[database_name],
            projector,
            lease_s=env_float("REBUILD_LEASE_S", 5.0, minimum=1.0),
            checkpoint_every=env_int("REBUILD_CHECKPOINT_EVERY", 50_000, minimum=1),
        )
    except RebuildRefused as refused:
        print(f"rebuild refused: {refused}", file=sys.stderr)
        raise SystemExit(3) from None
    finally:
        client.close()
    how = "resumed and finished" if outcome.resumed else "rebuilt"
    print(
        f"{how} the {service} read models: {outcome.events:,} events in {outcome.seconds:.1f} s "
        f"({outcome.rate:,.0f} events/s)",
        flush=True,
    )
