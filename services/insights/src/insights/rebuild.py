"""`python -m insights.rebuild` (`make rebuild SERVICE=insights`): forget every insights figure
and count the three event topics again from their first record, on the kernel's rebuild
(community_common.rebuild: lease, announce, drop, replay, checkpoint, resume, done).

The replay runs in this process, through the same code the worker counts with (`observe`,
`insights.domain.ledger.apply_batch`), over all communities at once, holding the tables'
state in memory as the worker does. What it hands over:

- the serving view (`space_days`, `rosters`, `roles`), written in bulk at each checkpoint,
  with each value's dedupe marks, so a resumed run reloads its state from the view;
- the Faust tables' state: their changelog topics are deleted and made again at the start,
  and every value the replay changes is written to them as Faust would (same key, same JSON,
  the community's partition), so a worker restarting afterwards recovers the rebuilt tables;
- the worker group's offsets: set, at the start, to the end offsets of the event topics. The
  replay reads at least that far, so the workers go on from there; events the replay also
  read are found in the values' marks and change nothing.

Running workers are fenced: they watch the rebuild state (`insights.rebuild_fence`), stop
saving and committing when it says `running`, leave the group and wait for `done`, then
start again from the rebuilt state. This run waits for the group to be empty before it
touches the Faust state. The API keeps serving; its reads wait for `done`.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from community_common.envelope import EventEnvelope, MalformedEvent
from community_common.rebuild import BulkInserts, Source, TopicSource
from community_common.rebuild import main as rebuild_main
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient
from kafka.errors import NoError, TopicAlreadyExistsError
from kafka.structs import OffsetAndMetadata
from pymongo.database import Database
from pymongo.errors import OperationFailure

from insights.adapters.mongo_view import COLLECTIONS, WRITE_CHUNK, from_document, to_document
from insights.codecs import observe_envelope
from insights.domain.ledger import Observed, Target, Value, apply_batch, community_of
from insights.partitions import partition_of
from insights.settings import WorkerSettings

log = logging.getLogger("insights.rebuild")

# How long the workers get to leave the group once the rebuild is announced (a SIGKILLed
# one is dropped by the broker after its session timeout, 6 s).
FENCE_TIMEOUT_S = 60.0
TOPIC_DELETE_TIMEOUT_S = 60.0
# New documents per insert command, and commands in flight at once (FerretDB turns each
# into PostgreSQL work on its own connection, which runs beside this process's counting).
INSERT_CHUNK = 500
WRITERS = 3


def changelog_topic(app_id: str, table: str) -> str:
    """The changelog of a Faust table (faust.Table's own naming: `<app id>-<table>-changelog`)."""
    return f"{app_id}-{table}-changelog"


def changelog_record(key: str, value: Value) -> tuple[bytes, bytes]:
    """A table value as the worker's table writes it to its changelog: Faust writes a
    table's changelog key as JSON (the str key as a JSON string, whatever the table's
    key_serializer) and the value with the table's JSON serializer, compact."""
    return (
        json.dumps(key).encode(),
        json.dumps(value, separators=(",", ":")).encode(),
    )


class FaustState:
    """The workers' Kafka side: their group, its offsets and the tables' changelogs."""

    def __init__(self, settings: WorkerSettings) -> None:
        self.settings = settings
        self.changelogs = [changelog_topic(settings.app_id, t) for t in COLLECTIONS]

    def _admin(self) -> KafkaAdminClient:
        return KafkaAdminClient(
            bootstrap_servers=self.settings.kafka_bootstrap_servers, client_id="insights-rebuild"
        )

    def wait_for_empty_group(self, admin: KafkaAdminClient) -> None:
        """The fence: no worker may count, save or commit while the state is reset."""
        deadline = time.monotonic() + FENCE_TIMEOUT_S
        while True:
            group = admin.describe_groups([self.settings.app_id])[self.settings.app_id]
            if not group["members"]:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"insights workers still in group {self.settings.app_id} after "
                    f"{FENCE_TIMEOUT_S:.0f} s ({len(group['members'])} members)"
                )
            time.sleep(0.2)

    def fence(self) -> None:
        """A resumed run: the workers out again, and the changelogs there (an earlier run may
        have died between deleting and making them)."""
        admin = self._admin()
        try:
            self.wait_for_empty_group(admin)
            self._create_changelogs(admin, time.monotonic() + TOPIC_DELETE_TIMEOUT_S)
        finally:
            admin.close()

    def _create_changelogs(self, admin: KafkaAdminClient, deadline: float) -> None:
        existing = set(admin.list_topics())
        for name in self.changelogs:
            if name in existing:
                continue
            # As Faust declares a table's changelog: compacted, the tables' partitions.
            spec = {
                "num_partitions": self.settings.topic_partitions,
                "configs": {"cleanup.policy": "compact"},
            }
            while True:
                try:
                    admin.create_topics({name: spec}, wait_for_metadata=True)
                    break
                except TopicAlreadyExistsError:
                    # A deletion is listed as done before the broker forgets the name.
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)

    def reset(self) -> dict[TopicPartition, int]:
        """Empty changelogs, and the group's offsets at the event topics' current ends;
        returns those offsets."""
        admin = self._admin()
        try:
            self.wait_for_empty_group(admin)
            doomed = [t for t in self.changelogs if t in set(admin.list_topics())]
            if doomed:
                admin.delete_topics(doomed)
            deadline = time.monotonic() + TOPIC_DELETE_TIMEOUT_S
            while set(doomed) & set(admin.list_topics()):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"topics still being deleted: {doomed}")
                time.sleep(0.2)
            self._create_changelogs(admin, deadline)
            ends = self._end_offsets()
            errors = admin.alter_group_offsets(
                self.settings.app_id,
                {tp: OffsetAndMetadata(offset, "", -1) for tp, offset in ends.items()},
            )
            failed = {tp: e for tp, e in errors.items() if e is not NoError}
            if failed:
                # A worker joined after all. Stop; the next run resumes without this step,
                # and the workers read on from their old offsets, which the marks make
                # harmless (only slower).
                raise RuntimeError(f"setting the offsets of {self.settings.app_id}: {failed}")
            return ends
        finally:
            admin.close()

    def _end_offsets(self) -> dict[TopicPartition, int]:
        consumer = KafkaConsumer(bootstrap_servers=self.settings.kafka_bootstrap_servers)
        try:
            partitions = [
                TopicPartition(topic, p)
                for topic in self.settings.source_topics
                for p in sorted(consumer.partitions_for_topic(topic) or ())
            ]
            ends: dict[TopicPartition, int] = consumer.end_offsets(partitions)
            return ends
        finally:
            consumer.close()


class InsightsProjector:
    """The insights tables and their serving view as a projection of the three event topics."""

    service = "insights"
    read_models = tuple(COLLECTIONS.values())

    def __init__(self, database: Database[Any], settings: WorkerSettings) -> None:
        self.database = database
        self.settings = settings
        self.faust = FaustState(settings)
        self.state: dict[Target, Value] = {}
        # Values changed since the last flush, and which of them the view already holds.
        self.dirty: set[Target] = set()
        self.in_view: set[Target] = set()
        self._loaded = False
        self._producer: KafkaProducer | None = None
        self.inserts = BulkInserts(WRITERS, chunk_size=INSERT_CHUNK)

    def sources(self) -> Sequence[Source]:
        return [
            TopicSource(self.settings.kafka_bootstrap_servers, topic)
            for topic in self.settings.source_topics
        ]

    def prepare(self) -> None:
        """A fresh start (the view was just dropped): reset the workers' Faust state."""
        self._loaded = True
        ends = self.faust.reset()
        log.info(
            "faust state reset",
            extra={
                "fields": {"changelogs": self.faust.changelogs, "group_offsets": sum(ends.values())}
            },
        )

    def _resume(self) -> None:
        """A resumed run: the workers are still fenced; the state so far is in the view."""
        self.faust.fence()
        for table, name in COLLECTIONS.items():
            for document in self.database[name].find({}, batch_size=5000):
                target = Target(table, document["_id"])
                self.state[target] = from_document(table, document)
                self.in_view.add(target)
        self._loaded = True

    def apply(self, events: Sequence[EventEnvelope]) -> None:
        if not self._loaded:
            self._resume()
        observed: list[Observed] = []
        for envelope in events:
            try:
                seen = observe_envelope(envelope)
            except MalformedEvent:
                continue  # the worker dead-lettered it
            if seen is not None:
                observed.append(seen)
        changed = apply_batch(observed, self.state.get, copy_loaded=False)
        self.state.update(changed)
        self.dirty.update(changed)

    def flush(self) -> None:
        if not self.dirty:
            return
        targets = sorted(self.dirty)
        # The changelog records go out while the view is written; both are durable before
        # the kernel saves the checkpoint.
        self._send_changelogs(targets)
        self._save_view(targets)
        assert self._producer is not None
        self._producer.flush()
        self.in_view.update(targets)
        self.dirty.clear()

    # --- writing ---------------------------------------------------------------------------

    def _save_view(self, targets: Iterable[Target]) -> None:
        known: list[tuple[str, dict[str, Any]]] = []
        by_table: dict[str, list[dict[str, Any]]] = {}
        for target in targets:
            document = to_document(target, self.state[target])
            if target in self.in_view:
                known.append((target.table, document))
            else:
                by_table.setdefault(target.table, []).append(document)
        for table, documents in by_table.items():
            # Taken already: a resumed run's values, or a worker's last save before it saw the
            # fence; replaced with the replay's below.
            self.inserts.insert(self.database[COLLECTIONS[table]], documents)
            known.extend((table, document) for document in self.inserts.wait())
        replaced: dict[str, list[dict[str, Any]]] = {}
        for table, document in known:
            replaced.setdefault(table, []).append(document)
        with ThreadPoolExecutor(WRITERS, thread_name_prefix="rebuild-replace") as writers:
            list(
                writers.map(
                    lambda chunk: self._replace_all(COLLECTIONS[chunk[0]], chunk[1]),
                    [
                        (table, documents[i : i + WRITE_CHUNK])
                        for table, documents in replaced.items()
                        for i in range(0, len(documents), WRITE_CHUNK)
                    ],
                )
            )

    def _replace_all(self, collection: str, documents: list[dict[str, Any]]) -> None:
        # One `update` command of upserts, as MongoServingView does (FerretDB: no bulk_write).
        reply = self.database.command(
            {
                "update": collection,
                "updates": [{"q": {"_id": d["_id"]}, "u": d, "upsert": True} for d in documents],
                "ordered": True,
            }
        )
        if reply.get("writeErrors"):
            raise OperationFailure(f"saving {collection}: {reply['writeErrors'][:3]}")

    def _send_changelogs(self, targets: Iterable[Target]) -> None:
        if self._producer is None:
            self._producer = KafkaProducer(
                bootstrap_servers=self.settings.kafka_bootstrap_servers,
                client_id="insights-rebuild",
                acks="all",
                linger_ms=20,
                batch_size=1024 * 1024,
                max_request_size=16 * 1024 * 1024,
            )
        partitions = self.settings.topic_partitions
        for target in targets:
            key, value = changelog_record(target.key, self.state[target])
            self._producer.send(
                changelog_topic(self.settings.app_id, target.table),
                key=key,
                value=value,
                partition=partition_of(community_of(target.key), partitions),
            )


def make_projector(database: Database[Any], bootstrap: str) -> InsightsProjector:
    # The worker's settings: its topics, app id (group, changelogs) and partitions.
    settings = WorkerSettings.from_env({**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap})
    return InsightsProjector(database, settings)


def main() -> None:
    rebuild_main("insights", make_projector)


if __name__ == "__main__":
    main()
