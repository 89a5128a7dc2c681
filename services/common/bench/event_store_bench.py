"""Does the event store stay fast as history grows? Append, load and relay timings on FerretDB.

    uv run python services/common/bench/event_store_bench.py          # 1k vs 100k events

For each history size it fills a fresh database quickly (commit documents inserted directly:
streams of 100 one-event commits, each with a snapshot 5 commits behind its head and a relay
position at its head), then measures on top of that history:

- append: a command on an existing stream (load + append, snapshot written), and on a new one;
- load: loading an existing stream (snapshot + walking the 5 newer commits by `_id`);
- relay idle poll: one relay pass finding nothing unpublished (what the relay does every
  ~30 ms idle);
- relay publish: one relay pass publishing 100 fresh commits to a real Kafka topic.

Every one of these reads documents by `_id` (or the few unpublished commits), so none should
grow with history. It runs on a FerretDB of its own (so it neither disturbs nor is disturbed
by other suites on the shared test server), or on MONGODB_URI when BENCH_MONGODB_URI=env is
set; Kafka is KAFKA_BOOTSTRAP_SERVERS (default: the `make test` broker).
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import random
import signal
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bson.binary import Binary
from community_common.envelope import new_event_id, now_time
from community_common.event_store import BlockingEventStore, NewEvent, Provenance, commit_id
from community_common.mongo import blocking_client
from community_common.relay import OutboxRelay, RelaySettings
from community_common.testing.events import create_topic
from community_common.testing.ferretdb import OwnFerretDB
from google.protobuf import struct_pb2

STREAM_LENGTH = 100
SNAPSHOT_LAG = 5
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "200"))
RELAY_COMMITS = int(os.environ.get("BENCH_RELAY_COMMITS", "100"))
WHO = Provenance(actor_id="bench")


def payload(n: int) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update({"n": n, "text": "x" * 200})
    return message


def fill(store: BlockingEventStore, events: int) -> list[str]:
    """Insert `events` one-event commits directly, in streams of STREAM_LENGTH."""
    db = store.db
    streams = [f"stream-{i}" for i in range(events // STREAM_LENGTH)]
    body = Binary(payload(0).SerializeToString())
    batch: list[dict[str, Any]] = []
    for stream in streams:
        for base in range(STREAM_LENGTH):
            batch.append(
                {
                    "_id": commit_id(stream, base),
                    "source": "/services/bench",
                    "stream_id": stream,
                    "base_version": base,
                    "attempt_id": str(uuid.uuid4()),
                    "committed_at": datetime.now(UTC),
                    "events": [
                        {
                            "ce_id": new_event_id(),
                            "ce_time": now_time(),
                            "ce_type": "google.protobuf.Struct",
                            "ce_subject": stream,
                            "community_id": stream,
                            "key": stream,
                            "actor_id": "bench",
                            "correlation_id": "",
                            "causation_id": "",
                            "sequence": base + 1,
                            "payload": body,
                        }
                    ],
                }
            )
            if len(batch) == 1000:
                db["commits"].insert_many(batch, ordered=False)
                batch = []
    if batch:
        db["commits"].insert_many(batch, ordered=False)
    db["snapshots"].insert_many(
        [{"_id": s, "version": STREAM_LENGTH - SNAPSHOT_LAG, "state": {"n": 0}} for s in streams]
    )
    db["relay_positions"].insert_many([{"_id": s, "next_base": STREAM_LENGTH} for s in streams])
    return streams


def timed(action: Callable[[], Any], samples: int = SAMPLES) -> tuple[float, float]:
    durations = []
    for _ in range(samples):
        started = time.perf_counter()
        action()
        durations.append((time.perf_counter() - started) * 1000)
    durations.sort()
    return statistics.median(durations), durations[int(len(durations) * 0.95) - 1]


def measure(mongo_uri: str, kafka: str, events: int) -> dict[str, tuple[float, float]]:
    client = blocking_client(mongo_uri)
    name = f"bench_{events}_{uuid.uuid4().hex[:6]}"
    store = BlockingEventStore(client[name], "/services/bench")
    store.ensure_indexes()
    results: dict[str, tuple[float, float]] = {}
    try:
        relay = OutboxRelay(
            store.db, kafka, RelaySettings(topic=create_topic(kafka, f"bench-{name}", 6))
        )
        started = time.perf_counter()
        streams = fill(store, events)
        fill_s = time.perf_counter() - started
        print(f"  filled {events:,} events in {fill_s:.1f} s", file=sys.stderr)

        def command_on_existing_stream() -> None:
            stream = store.load(random.choice(streams))
            store.append(
                stream.stream_id,
                stream.version,
                [NewEvent(payload(1))],
                provenance=WHO,
                snapshot={"n": 1},
            )

        def command_on_new_stream() -> None:
            store.append(f"new-{uuid.uuid4().hex}", 0, [NewEvent(payload(1))], provenance=WHO)

        print("  measuring appends ...", file=sys.stderr)
        results["append (load + append, existing stream)"] = timed(command_on_existing_stream)
        results["append (new stream)"] = timed(command_on_new_stream)
        relay.relay_batch()  # publish what the appends above announced
        while relay.relay_batch():
            pass
        results["load stream (snapshot + walk)"] = timed(lambda: store.load(random.choice(streams)))
        results["relay idle poll (nothing unpublished)"] = timed(relay.relay_batch)

        def publish_100_commits() -> None:
            for _ in range(100):
                command_on_new_stream()
            started = time.perf_counter()
            assert relay.relay_batch() == 100
            publish_ms.append((time.perf_counter() - started) * 1000)

        publish_ms: list[float] = []
        for _ in range(max(3, SAMPLES // 20)):
            publish_100_commits()
        publish_ms.sort()
        results["relay pass publishing 100 commits"] = (
            statistics.median(publish_ms),
            publish_ms[-1],
        )
        relay.stop()
    finally:
        client.drop_database(name)
        client.close()
    return results


def main() -> None:
    # Stopping the benchmark must still stop its private FerretDB (the `with` below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    faulthandler.register(signal.SIGUSR1)  # `kill -USR1 <pid>` shows where it is waiting
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
    sizes = [int(arg) for arg in sys.argv[1:]] or [1_000, 100_000]
    by_size = {}
    with contextlib.ExitStack() as stack:
        # FERRETDB_BIN picks the FerretDB build to measure (default: the repository's).
        if os.environ.get("BENCH_MONGODB_URI") == "env":
            mongo_uri = os.environ.get("MONGODB_URI", "mongodb://127.0.0.1:37017")
        else:
            mongo_uri = stack.enter_context(OwnFerretDB()).uri
        print(f"MongoDB protocol server: {mongo_uri}", file=sys.stderr)
        for size in sizes:
            print(f"history of {size:,} events:", file=sys.stderr)
            by_size[size] = measure(mongo_uri, kafka, size)
            for operation, (p50, p95) in by_size[size].items():
                print(f"  {operation}: p50 {p50:.2f} ms, p95 {p95:.2f} ms", file=sys.stderr)
    header = "| operation (ms, p50 / p95) | " + " | ".join(f"{s:,} stored" for s in sizes) + " |"
    print(header)
    print("|" + "---|" * (len(sizes) + 1))
    for operation in by_size[sizes[0]]:
        cells = [f"{by_size[s][operation][0]:.2f} / {by_size[s][operation][1]:.2f}" for s in sizes]
        print(f"| {operation} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
