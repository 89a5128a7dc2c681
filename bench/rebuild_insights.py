"""How fast `python -m insights.rebuild` replays a history, beside the ceilings it sits on.

    eval "$(uv run python deploy/local/stack.py env --instance test)"
    uv run python bench/rebuild_insights.py [--events 100000] [--communities 50]

Fills a private topic with `bench/history.py`'s mixed history (communities opening with 60
members, then posts, likes and comments over 27 days), then in one run:

- `read`: the rebuild's own reader alone (community_common.rebuild.TopicSource: kafka-python
  plus the CloudEvents envelope), no counting: the Kafka side's ceiling;
- `count`: reader + `observe` + the worker's ledger (`apply_batch`), no writes;
- `insert`: the database's bulk-insert ceiling, insert_many of 1,000-document chunks of the
  rebuild's own documents;
- `rebuild`: the whole kernel run (community_common.rebuild.rebuild with the insights
  projector: Faust state reset, replay, view and changelogs written, checkpoints).

Everything is private to the run (topic, app id = group and changelog prefix, database) and
removed at the end. The last line is JSON: events, seconds, events_per_s and the ceilings.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import history  # noqa: E402  (bench/history.py)
from community_common.mongo import blocking_client  # noqa: E402
from community_common.rebuild import TopicSource, rebuild  # noqa: E402

import tools  # noqa: E402  (bench/tools.py)

BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
MONGO_URI = os.environ.get("MONGODB_URI", "mongodb://127.0.0.1:37017")
PARTITIONS = int(os.environ.get("KAFKA_TOPIC_PARTITIONS", "6"))


def timed(label: str, run) -> dict:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    count = run()
    seconds = time.perf_counter() - started
    result = {
        "events": count,
        "seconds": round(seconds, 2),
        "per_s": round(count / seconds) if seconds else 0,
    }
    print(f"{label:8} {count:>9,} in {seconds:6.1f} s = {result['per_s']:>8,}/s", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--events", type=int, default=int(os.environ.get("BENCH_REBUILD_EVENTS", "100000"))
    )
    parser.add_argument("--communities", type=int, default=50)
    args = parser.parse_args()
    run = f"insights-rb-{uuid.uuid4().hex[:8]}"
    topic = tools.create_topic(BOOTSTRAP, f"{run}.events", PARTITIONS)
    os.environ.update(
        {
            "KAFKA_BOOTSTRAP_SERVERS": BOOTSTRAP,
            "INSIGHTS_APP_ID": run,
            "INSIGHTS_SOURCE_TOPICS": topic,
            "KAFKA_TOPIC_PARTITIONS": str(PARTITIONS),
            "INSIGHTS_DATA_DIR": "/tmp",
        }
    )
    # After the environment: the settings are read when the projector is made.
    from insights.adapters.mongo_view import COLLECTIONS, to_document
    from insights.codecs import observe_envelope
    from insights.domain.ledger import Target, apply_batch
    from insights.rebuild import make_projector

    client = blocking_client(MONGO_URI)
    database = client[run]
    try:
        produced, produce_s = history.produce(
            BOOTSTRAP, topic, history.mixed_history(run, args.communities, args.events)
        )
        print(f"produced {produced:,} events in {produce_s:.1f} s", flush=True)

        def read() -> int:
            return sum(len(batch) for batch, _ in TopicSource(BOOTSTRAP, topic).read(None))

        state: dict[Target, dict] = {}

        def count() -> int:
            n = 0
            for batch, _ in TopicSource(BOOTSTRAP, topic).read(None):
                observed = [o for o in map(observe_envelope, batch) if o is not None]
                state.update(apply_batch(observed, state.get, copy_loaded=False))
                n += len(batch)
            return n

        def insert() -> int:
            documents = [to_document(t, v) for t, v in state.items()]
            scratch = database["insert_ceiling"]
            for i in range(0, len(documents), 1000):
                scratch.insert_many(documents[i : i + 1000], ordered=False)
            database.drop_collection("insert_ceiling")
            return len(documents)

        ceilings = {
            "read": timed("read", read),
            "count": timed("count", count),
            "insert_documents": timed("insert", insert),
        }
        outcome = rebuild(database, make_projector(database, BOOTSTRAP), out=io.StringIO())
        seconds = outcome.seconds
        rate = outcome.rate
        documents = sum(database[name].estimated_document_count() for name in COLLECTIONS.values())
        print(
            f"rebuild  {outcome.events:>9,} in {seconds:6.1f} s = {rate:>8,.0f}/s "
            f"({documents:,} documents)",
            flush=True,
        )
        print(
            json.dumps(
                {
                    "events": outcome.events,
                    "seconds": round(seconds, 2),
                    "events_per_s": round(rate),
                    "documents": documents,
                    "ceilings": ceilings,
                    "read_ceiling_per_s": ceilings["read"]["per_s"],
                    "ratio_to_read": round(rate / ceilings["read"]["per_s"], 2),
                    "ratio_to_count": round(rate / ceilings["count"]["per_s"], 2),
                }
            )
        )
    finally:
        client.drop_database(run)
        client.close()
        tools.delete_topics(BOOTSTRAP, run)
        tools.delete_groups(BOOTSTRAP, run)


if __name__ == "__main__":
    main()
