"""The outbox relay: publishes stored commits to Kafka, in stream order, at least once.

Every commit is stored with `unpublished: true` (event_store.UNPUBLISHED). The relay reads
the oldest unpublished commits and, per stream, walks the commit chain from the stream's relay
position (`relay_positions`, `_id` = stream id, `next_base`) by `_id` gets, publishing each
commit whose base is the position, then flushing (acks=all), then advancing the position,
then unsetting the flag of the commits it covered. So:

- a commit is published only after every earlier commit of its stream;
- a crash anywhere re-publishes at most a few commits, with their stored ce_id / ce_time, so
  consumers recognise them;
- a stored commit is always announced (the flag is part of its one insert), and a write that
  lost its race or died before its insert left nothing to clean up.

Only one relay per service database is active: it must hold the current lease slot
(`leases`, `_id = "relay:<floor(now / lease_s)>"`, won by the insert that does not collide),
and pre-claims the next slot near the end of its own so it keeps the lease while alive.

A relay that was frozen past its lease (SIGSTOP, a paused VM) and wakes mid-batch must not act
on what it read as holder: before each step with an effect (numbering, publishing, moving a
position) it checks its lease by the monotonic clock (`Lease.still_held`), asks the database
once that deadline has passed (`Lease.renew`: held without a break), and drops the batch if
the lease is gone. The two writes are fenced by the data too, for a holder frozen right after
the check: a key's numbering is replaced only if its `next` is still the one this relay read
(another holder numbering meanwhile makes it fail), and a position only ever moves forward.
What stays possible is a send already handed to the producer when the process froze: it goes
out on waking, with the same ce_id and ce_keysequence it was given, as a duplicate consumers
drop.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from kafka import KafkaProducer
from pymongo import ReplaceOne, UpdateOne
from pymongo.database import Database

from community_common.config import env_float, env_int
from community_common.event_store import (
    COMMITS,
    COMMITTED,
    UNPUBLISHED,
    Commit,
    commit_from_document,
    commit_id,
)
from community_common.kafka_clients import KAFKA_OUTAGE_ERRORS, event_producer
from community_common.lease import Lease
from community_common.mongo import MONGO_OUTAGE_ERRORS, write_in_chunks

log = logging.getLogger("community_common.relay")

POSITIONS = "relay_positions"
KEY_SEQUENCES = "relay_key_sequences"

# A test sets this to kill the relay at a chosen point, to prove nothing is lost.
FAILPOINT_ENV = "RELAY_FAILPOINT"
AFTER_FETCH_BEFORE_PUBLISH = "after_fetch_before_publish"
AFTER_PUBLISH_BEFORE_ADVANCE = "after_publish_before_advance"
# Freezes the relay (SIGSTOP to itself) with a numbered batch in hand, as a zombie would be.
FREEZE_BEFORE_PUBLISH = "freeze_before_publish"


# RELAY_LEASE_S's default: the slot a lease is held for.
DEFAULT_LEASE_S = 3.0
# The longest pause between two tries through an outage.
OUTAGE_RETRY_MAX_S = 1.0


class LeaseLost(Exception):
    """The relay's lease ran out while it worked on a batch: the batch is dropped."""


@dataclass(frozen=True)
class RelaySettings:
    """Where to publish and how eagerly; each has an env var with a working default."""

    topic: str
    # A dead holder's lease passes on within this long (the next holder waits out its slot).
    lease_s: float = DEFAULT_LEASE_S
    # Commits stored by this process wake the relay at once (event_store.COMMITTED); the idle
    # poll is for those of other processes on the same database (replicas, crash recovery).
    idle_poll_s: float = 0.1
    batch_size: int = 200

    @classmethod
    def from_env(cls, topic: str) -> RelaySettings:
        return cls(
            topic=topic,
            lease_s=env_float("RELAY_LEASE_S", DEFAULT_LEASE_S, minimum=1.0),
            idle_poll_s=env_float("RELAY_IDLE_POLL_S", 0.1, minimum=0.001),
            batch_size=env_int("RELAY_BATCH_SIZE", 200, minimum=1),
        )


@dataclass
class _Plan:
    """What one batch publishes: commits in send order with their first key sequence."""

    sends: list[tuple[Commit, int]] = field(default_factory=list)
    # Unpublished commits this batch found already published (a crash before their flag was
    # unset): only the flag is left to clear.
    covered: list[str] = field(default_factory=list)

    @property
    def event_count(self) -> int:
        return sum(len(commit.events) for commit, _ in self.sends)


class OutboxRelay:
    """A background worker (thread) publishing a service's commits to its Kafka topic."""

    name = "outbox-relay"

    def __init__(
        self,
        database: Database[Any],
        bootstrap_servers: str,
        settings: RelaySettings,
        *,
        lease: Lease | None = None,
        holder: str | None = None,
        producer_factory: Callable[[], KafkaProducer] | None = None,
    ) -> None:
        self.db = database
        self.settings = settings
        # A named holder (the replica's name) takes its own lease back at once on a restart.
        self.lease = lease or Lease(database, "relay", settings.lease_s, holder)
        self._producer_factory = producer_factory or (
            lambda: event_producer(bootstrap_servers, client_id=f"relay-{database.name}")
        )
        self._producer: KafkaProducer | None = None
        # What this relay last wrote while holding the lease; cleared when it may be stale.
        self._positions: dict[str, int] = {}
        self._key_documents: dict[str, dict[str, Any]] = {}
        self._was_holder = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failpoint = os.environ.get(FAILPOINT_ENV, "")

    # --- worker lifecycle ----------------------------------------------------------------

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._producer is not None:
            self._producer.close(timeout=5)
            self._producer = None

    def unready_reason(self) -> str | None:
        if self._thread is None or not self._thread.is_alive():
            return f"{self.name} not running"
        return None

    def _run(self) -> None:
        backoff = 0.1
        indexed = False
        while not self._stop.is_set():
            try:
                if not indexed:
                    # Its one query; the services create it too (EventStore.ensure_indexes).
                    self.db[COMMITS].create_index(UNPUBLISHED, sparse=True)
                    indexed = True
                if not self._holds_lease():
                    self._stop.wait(min(1.0, self.settings.lease_s / 10))
                    continue
                # Cleared before the commits are read, so one stored meanwhile either is in
                # this batch or rings again.
                COMMITTED.clear()
                published = self.relay_batch()
                backoff = 0.1
                if published == 0:
                    COMMITTED.wait(self.settings.idle_poll_s)
            except LeaseLost as lost:
                log.warning("relay lease lost mid-batch, nothing more sent: %s", lost)
                self._was_holder = False
                self._reset()
            except (*MONGO_OUTAGE_ERRORS, *KAFKA_OUTAGE_ERRORS) as error:
                log.warning("relay waiting for infrastructure: %r", error)
                self._reset()
                self._stop.wait(backoff)
                # At least once a second: a broker or database back is used at once (at 5 s,
                # a restarted broker waited for the relay's next try).
                backoff = min(backoff * 2, OUTAGE_RETRY_MAX_S)
            except Exception:
                log.exception("relay batch failed")
                self._reset()
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)

    def _holds_lease(self) -> bool:
        held = self.lease.held()
        if held and not self._was_holder:
            # Someone else may have advanced positions while we were not the holder.
            self._forget()
            log.info("relay lease acquired by %s", self.lease.holder)
        elif self._was_holder and not held:
            log.info("relay lease lost by %s", self.lease.holder)
        self._was_holder = held
        return held

    def _fence(self, step: str) -> None:
        # Past the deadline, the database says whether the lease is still ours without a
        # break (a slow batch on a loaded machine renews instead of giving up).
        if not self.lease.still_held() and not self.lease.renew():
            raise LeaseLost(f"before {step}")

    def _forget(self) -> None:
        self._positions.clear()
        self._key_documents.clear()

    def _reset(self) -> None:
        self._forget()
        if self._producer is not None:
            try:
                self._producer.close(timeout=1)
            except Exception:
                log.debug("closing producer failed", exc_info=True)
            self._producer = None

    # --- one batch -----------------------------------------------------------------------

    def _position(self, stream_id: str) -> int:
        if stream_id not in self._positions:
            found = self.db[POSITIONS].find_one({"_id": stream_id})
            self._positions[stream_id] = int(found["next_base"]) if found else 0
        return self._positions[stream_id]

    def relay_batch(self) -> int:
        """Publish the oldest unpublished commits; returns how many events went out."""
        entries = list(
            self.db[COMMITS]
            .find({UNPUBLISHED: True}, {"stream_id": 1, "base_version": 1})
            .sort("committed_at", 1)
            .limit(self.settings.batch_size)
        )
        if not entries:
            return 0
        by_stream: dict[str, list[dict[str, Any]]] = {}
        for entry in entries:
            by_stream.setdefault(entry["stream_id"], []).append(entry)
        plan = _Plan()
        walked: list[Commit] = []
        for stream_id, stream_entries in by_stream.items():
            walked += self._walk(stream_id, stream_entries, plan)
        self._number(walked, plan)
        if not plan.sends:
            self._mark_published(plan.covered)
            return 0
        if self._failpoint == AFTER_FETCH_BEFORE_PUBLISH:
            log.error("failpoint %s: exiting", self._failpoint)
            os._exit(137)
        if self._failpoint == FREEZE_BEFORE_PUBLISH:
            log.error("failpoint %s: freezing", self._failpoint)
            self._failpoint = ""
            # To this thread, so it stops here (a signal to the process may be taken by another
            # thread first, and this one would run on into the send).
            signal.pthread_kill(threading.get_ident(), signal.SIGSTOP)
        self._fence("publishing")
        self._send(plan)
        if self._failpoint == AFTER_PUBLISH_BEFORE_ADVANCE:
            log.error("failpoint %s: exiting", self._failpoint)
            os._exit(137)
        # Published and acknowledged by every in-sync replica: now it is safe to move on.
        positions: dict[str, int] = {}
        for commit, _ in plan.sends:
            positions[commit.stream_id] = max(positions.get(commit.stream_id, 0), commit.version)
        self._fence("moving positions")
        write_in_chunks(
            self.db[POSITIONS],
            [
                # $max: a position never moves back, whoever writes late.
                UpdateOne({"_id": stream_id}, {"$max": {"next_base": next_base}}, upsert=True)
                for stream_id, next_base in positions.items()
            ],
        )
        self._positions.update(positions)
        # The keys' `pending` lists still name the commits just sent; the next numbering of
        # each key drops them (their streams' positions have moved past), saving a write here.
        for entry in entries:
            if int(entry["base_version"]) < self._positions.get(entry["stream_id"], 0):
                plan.covered.append(entry["_id"])
        self._mark_published(plan.covered)
        return plan.event_count

    def _walk(self, stream_id: str, entries: list[dict[str, Any]], plan: _Plan) -> list[Commit]:
        """The stream's unpublished commits from its position up to the newest one found;
        those below the position were published before a crash and only need their flag
        cleared. A commit's predecessors are all stored before it (its writer loaded them),
        so the walk never meets a gap below a stored commit."""
        position = self._position(stream_id)
        newest_wanted = max(int(e["base_version"]) for e in entries)
        commits: list[Commit] = []
        while position <= newest_wanted:
            document = self.db[COMMITS].find_one({"_id": commit_id(stream_id, position)})
            if document is None:
                break
            commit = commit_from_document(document)
            commits.append(commit)
            position = commit.version
        plan.covered += [
            e["_id"] for e in entries if int(e["base_version"]) < self._position(stream_id)
        ]
        return commits

    def _number(self, walked: list[Commit], plan: _Plan) -> None:
        """Give each commit its key sequences (ce_keysequence) and decide the send order.

        Per key, numbers are dense and follow publication order. A number is recorded in the
        key's document (`pending`) before the first send and reused until the commit's stream
        position moves past it, so re-publishing repeats it. New numbers are handed out only
        once every pending commit of that key is sent in this batch, ahead of them.
        """
        by_key: dict[str, list[Commit]] = {}
        for commit in walked:
            by_key.setdefault(commit.events[0].key, []).append(commit)
        changed: list[dict[str, Any]] = []
        read_next: dict[str, int] = {}
        for key, commits in by_key.items():
            document = self._key_document(key)
            read_next[key] = int(document["next"])
            pending = [p for p in document["pending"] if not self._advanced_past(p)]
            by_id = {commit.commit_id: commit for commit in commits}
            ready = self._ready_prefix(pending, by_id)
            sends = [(by_id[p["commit_id"]], int(p["first"])) for p in ready]
            if len(ready) == len(pending):
                pending_ids = {p["commit_id"] for p in pending}
                for commit in commits:
                    if commit.commit_id in pending_ids:
                        continue
                    first = int(document["next"])
                    document["next"] = first + len(commit.events)
                    pending.append(
                        {
                            "commit_id": commit.commit_id,
                            "stream_id": commit.stream_id,
                            "base_version": commit.base_version,
                            "first": first,
                        }
                    )
                    sends.append((commit, first))
            if pending != document["pending"]:
                document["pending"] = pending
                changed.append(document)
            plan.sends += sends
        if changed:
            self._fence("numbering")
            # Durable before the send, so a crash after it re-publishes the same numbers. Only
            # over the `next` this relay read: if another holder numbered the key meanwhile,
            # the upsert collides on `_id` and the batch fails instead of undoing its numbers.
            write_in_chunks(
                self.db[KEY_SEQUENCES],
                [
                    ReplaceOne({"_id": d["_id"], "next": read_next[d["_id"]]}, d, upsert=True)
                    for d in changed
                ],
            )
            for document in changed:
                self._key_documents[document["_id"]] = document

    def _key_document(self, key: str) -> dict[str, Any]:
        if key not in self._key_documents:
            found = self.db[KEY_SEQUENCES].find_one({"_id": key})
            self._key_documents[key] = found or {"_id": key, "next": 1, "pending": []}
        # A working copy: the cache changes only once the new numbers are stored.
        document = self._key_documents[key]
        return {"_id": key, "next": document["next"], "pending": list(document["pending"])}

    def _ready_prefix(
        self, pending: list[dict[str, Any]], by_id: dict[str, Commit]
    ) -> list[dict[str, Any]]:
        """The pending commits that can be sent again now, in their numbered order.

        A pending commit is the head of its stream (its position has not moved past it), so
        if this batch did not walk its stream it is fetched by `_id` here; that way a key is
        never held up by which entries happened to fit in the batch.
        """
        cursors: dict[str, int] = {}
        ready = []
        for entry in pending:
            stream_id = entry["stream_id"]
            cursor = cursors.get(stream_id, self._position(stream_id))
            if entry["commit_id"] not in by_id:
                if int(entry["base_version"]) != cursor:
                    break
                document = self.db[COMMITS].find_one({"_id": entry["commit_id"]})
                if document is None:
                    break
                by_id[entry["commit_id"]] = commit_from_document(document)
            cursors[stream_id] = by_id[entry["commit_id"]].version
            ready.append(entry)
        return ready

    def _advanced_past(self, pending: Mapping[str, Any]) -> bool:
        return int(pending["base_version"]) < self._position(pending["stream_id"])

    def _send(self, plan: _Plan) -> None:
        producer = self._ensure_producer()
        futures = []
        for commit, first in plan.sends:
            for index, event in enumerate(commit.events):
                numbered = replace(event, key_sequence=first + index)
                key, value, headers = numbered.to_kafka_record()
                futures.append(
                    producer.send(self.settings.topic, key=key, value=value, headers=headers)
                )
        producer.flush(timeout=30)
        for future in futures:
            future.get(timeout=30)  # raises if any send failed: nothing advances then

    def _mark_published(self, commit_ids: list[str]) -> None:
        if commit_ids:
            # The flag's equality narrows the update to the few unpublished commits (FerretDB
            # does not push `$in` down to PostgreSQL; it filters those few itself).
            self.db[COMMITS].update_many(
                {UNPUBLISHED: True, "_id": {"$in": commit_ids}}, {"$unset": {UNPUBLISHED: ""}}
            )

    def _ensure_producer(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = self._producer_factory()
        return self._producer


def main() -> None:
    """Run a relay as its own process (used by the crash test; services run it as a thread).

    Reads MONGODB_URI, MONGODB_DATABASE, KAFKA_BOOTSTRAP_SERVERS and RELAY_TOPIC.
    """
    from community_common.config import (
        ConfigError,
        env_str,
        exit_on_config_error,
        replica_name_from_env,
    )
    from community_common.logging import configure_logging
    from community_common.mongo import blocking_client

    configure_logging("relay", env_str("LOG_LEVEL", "INFO"))
    try:
        topic = env_str("RELAY_TOPIC", "")
        if not topic:
            raise ConfigError("RELAY_TOPIC must name the topic to publish to")
        database = env_str("MONGODB_DATABASE", "")
        if not database:
            raise ConfigError("MONGODB_DATABASE must name the service database")
        settings = RelaySettings.from_env(topic)
    except ConfigError as error:
        exit_on_config_error(error)
    client = blocking_client(env_str("MONGODB_URI", "mongodb://127.0.0.1:27017"))
    relay = OutboxRelay(
        client[database],
        env_str("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
        settings,
        holder=replica_name_from_env("relay"),
    )
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    relay.start()
    stopped.wait()
    relay.stop()
    client.close()


if __name__ == "__main__":
    main()
