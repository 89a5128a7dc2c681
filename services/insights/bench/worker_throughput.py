"""How fast one insights worker consumes a pre-filled topic, beside raw aiokafka on the same
topic in the same run; optionally the publish -> visible delay at a steady rate.

    eval "$(uv run python deploy/local/stack.py env --instance test)"
    uv run python services/insights/bench/worker_throughput.py --events 50000 [--profile 20]
    uv run python services/insights/bench/worker_throughput.py --events 0 --fresh 1000 --seconds 10

Everything is private to the run (topic `insights-wt.<run>.*`, group/app id, data dir,
database) and removed at the end. The history comes from `bench/history.py` (the one
`make bench` uses). The worker's rate is taken from its committed offsets, which it commits
only after a batch is in its tables and the serving view. `--trace` runs the worker under
`trace_worker.py` (MongoDB round trips and batch sizes, printed by the worker).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "bench"))

import history  # noqa: E402  (bench/history.py: the same generator make bench uses)
from community.feed.v1 import events_pb2 as feed_events  # noqa: E402
from kafka import KafkaProducer  # noqa: E402
from pymongo import MongoClient  # noqa: E402

import tools  # noqa: E402  (bench/tools.py: topic, group and py-spy helpers)

BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
MONGO_URI = os.environ.get("MONGODB_URI", "mongodb://127.0.0.1:37017")
PARTITIONS = int(os.environ.get("KAFKA_TOPIC_PARTITIONS", "6"))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far: on a shared machine, events per CPU
    second compare runs that wall-clock rates cannot."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def raw_aiokafka(topic: str, count: int) -> float:
    """The ceiling: aiokafka reading the topic from the start, records only."""
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(topic, bootstrap_servers=BOOTSTRAP, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    try:
        seen, started, cpu = 0, time.perf_counter(), time.process_time()
        while seen < count:
            batches = await consumer.getmany(timeout_ms=1000, max_records=10000)
            seen += sum(len(records) for records in batches.values())
        print(f"raw aiokafka: {seen / (time.process_time() - cpu):,.0f} events per CPU second")
        return seen / (time.perf_counter() - started)
    finally:
        await consumer.stop()


class Run:
    def __init__(self, trace: bool) -> None:
        self.id = uuid.uuid4().hex[:8]
        self.prefix = f"insights-wt.{self.id}"
        self.app_id = f"insights-wt-{self.id}"
        self.database = f"insights_wt_{self.id}"
        self.data_dir = tempfile.mkdtemp(prefix="insights-wt-")
        self.trace = trace
        self.worker: subprocess.Popen[bytes] | None = None

    def topic(self, what: str) -> str:
        return tools.create_topic(BOOTSTRAP, f"{self.prefix}.{what}", PARTITIONS)

    def start_worker(self, source: str) -> subprocess.Popen[bytes]:
        env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": BOOTSTRAP, "MONGODB_URI": MONGO_URI,
               "MONGODB_DATABASE": self.database, "INSIGHTS_APP_ID": self.app_id,
               "INSIGHTS_SOURCE_TOPICS": source, "INSIGHTS_DATA_DIR": self.data_dir,
               "INSIGHTS_SNAPSHOT_TOPIC": self.topic("snapshots"),
               "KAFKA_TOPIC_PARTITIONS": str(PARTITIONS),
               "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING")}
        module = (["services/insights/bench/trace_worker.py"] if self.trace
                  else ["-m", "insights.worker"])
        self.worker = subprocess.Popen([sys.executable, *module], env=env, cwd=ROOT)
        return self.worker

    def stop_worker(self) -> None:
        if self.worker is None or self.worker.poll() is not None:
            return
        self.worker.send_signal(signal.SIGTERM)
        try:
            self.worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.worker.kill()
            self.worker.wait()

    def cleanup(self) -> None:
        self.stop_worker()
        tools.delete_topics(BOOTSTRAP, self.prefix)
        tools.delete_topics(BOOTSTRAP, self.app_id)
        tools.delete_groups(BOOTSTRAP, self.app_id)
        with MongoClient(MONGO_URI) as mongo:
            mongo.drop_database(self.database)
        shutil.rmtree(self.data_dir, ignore_errors=True)


def throughput(run: Run, events: int, communities: int, profile_s: int, limit_s: int) -> None:
    source = run.topic("events")
    count, produce_s = history.produce(
        BOOTSTRAP, source, history.mixed_history(run.id, communities, events))
    print(f"pre-filled {count} events ({communities} communities) in {produce_s:.1f} s")
    raw = asyncio.run(raw_aiokafka(source, count))
    print(f"raw aiokafka: {raw:,.0f} events/s")

    started = time.monotonic()
    worker = run.start_worker(source)
    first: tuple[float, int, float] | None = None
    done, spy, cpu = 0, None, 0.0
    out = Path(tempfile.gettempdir()) / f"insights-wt-{run.id}-profile.txt"
    while time.monotonic() < started + limit_s and worker.poll() is None:
        done = tools.committed_total(BOOTSTRAP, run.app_id)
        cpu = cpu_seconds(worker.pid)
        if done and first is None:
            first = (time.monotonic(), done, cpu)
            if profile_s:
                spy = tools.py_spy(worker.pid, profile_s, out)
        if done >= count:
            break
        time.sleep(0.5)
    finished = time.monotonic()
    if spy:
        spy.wait(timeout=profile_s + 60)
        summarise_profile(out)
    if first is None or done <= first[1]:
        print(f"worker committed {done} of {count}: no rate")
        return
    rate = (done - first[1]) / (finished - first[0])
    print(f"worker: {done} of {count} committed; {rate:,.0f} events/s from its first commit "
          f"({finished - started:.1f} s with startup); {rate / raw:.3f}x of raw aiokafka; "
          f"{(done - first[1]) / max(cpu - first[2], 1e-3):,.0f} events per CPU second")
    with MongoClient(MONGO_URI) as mongo:
        docs = sum(mongo[run.database][c].estimated_document_count()
                   for c in ("space_days", "rosters", "roles"))
    print(f"serving view: {docs} documents")


def summarise_profile(collapsed: Path) -> None:
    """Leaf frames and the worker's threads: where the samples were spent."""
    if not collapsed.exists():
        print("no profile (py-spy missing?)")
        return
    leaves: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        frames = stack.split(";")
        total += int(n)
        leaves[frames[-1]] += int(n)
        threads[frames[0]] += int(n)
    print(f"profile: {total} samples in {collapsed}")
    for name, counter in (("thread", threads), ("leaf", leaves)):
        for frame, n in counter.most_common(12):
            print(f"  {name} {n / total:6.1%}  {frame[:150]}")
    top = tools.top_frames(collapsed, 15)
    for frame, share in top.get("project_inclusive", []):
        print(f"  project {share:6.1%}  {frame[:150]}")


def freshness(run: Run, rate: int, seconds: int) -> None:
    """PostCreated at `rate`/s to one community; each timed from its send until the serving
    view's figures (what GetInsights answers from) count it."""
    from insights.adapters.mongo_view import from_document
    from insights.domain.effects import Space
    from insights.domain.ledger import day_target

    source = run.topic("fresh")
    community = f"{run.id}-fresh"
    c = history.Community(community)
    history.produce(BOOTSTRAP, source, history.opening(c, datetime.now(UTC)))
    run.start_worker(source)
    mongo: MongoClient = MongoClient(MONGO_URI)
    days = mongo[run.database]["space_days"]

    def posts_today() -> int:
        key = day_target(Space(community), datetime.now(UTC).date().isoformat()).key
        document = days.find_one({"_id": key})
        if not document:
            return 0
        value = from_document("days", document)
        return sum(value["counts"].get("posts", {}).values())

    deadline = time.monotonic() + 120
    while mongo[run.database]["rosters"].find_one({}) is None:
        if time.monotonic() > deadline:
            raise SystemExit("the worker did not save the opening within 120 s")
        time.sleep(0.2)
    producer = KafkaProducer(bootstrap_servers=BOOTSTRAP, acks="all", linger_ms=2)
    total = rate * seconds
    records = [c.record(feed_events.PostCreated(post_id=f"{community}-p{i}",
                                                community_id=community,
                                                author_id=f"{community}-m1", body="fresh"),
                        "/services/feed", datetime.now(UTC), False) for i in range(total)]
    published, visible = tools.publish_at_rate(producer, source, records, rate, seconds + 30,
                                               posts_today)
    producer.close()
    mongo.close()
    delays = [(v - p) * 1000 for p, v in zip(published, visible, strict=False)]
    if not delays:
        print("freshness: nothing became visible")
        return
    print(f"freshness at {rate}/s for {seconds} s: {len(visible)} of {total} visible; "
          f"p50 {tools.percentile(delays, .5):.0f} ms, p99 {tools.percentile(delays, .99):.0f} ms, "
          f"max {max(delays):.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--communities", type=int, default=50)
    parser.add_argument("--profile", type=int, default=0, help="py-spy seconds (0: none)")
    parser.add_argument("--limit", type=int, default=150,
                        help="seconds the worker is given (the rate is over what it consumed)")
    parser.add_argument("--trace", action="store_true", help="round trips and batch sizes")
    parser.add_argument("--fresh", type=int, default=0, help="freshness: events per second")
    parser.add_argument("--seconds", type=int, default=10, help="freshness: duration")
    args = parser.parse_args()
    run = Run(args.trace)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    print(f"run {run.id}: broker {BOOTSTRAP}, MongoDB {MONGO_URI}, load {os.getloadavg()}")
    try:
        if args.events:
            throughput(run, args.events, args.communities, args.profile, args.limit)
    finally:
        run.cleanup()
    if args.fresh:
        run = Run(args.trace)
        try:
            freshness(run, args.fresh, args.seconds)
        finally:
            run.cleanup()


if __name__ == "__main__":
    main()
