"""The clients we depend on work against the broker we ship (this picks the Kafka version):
kafka-python and aiokafka produce and consume with a consumer group, and a Faust worker's
table survives a SIGKILL and restart with exact counts."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from community_common.testing.events import create_topic
from kafka import KafkaConsumer, KafkaProducer

FAUST_APP = Path(__file__).with_name("faust_smoke_app.py")


def create_topics(bootstrap: str, *names: str, partitions: int = 3) -> None:
    # Waits for the metadata: a consumer that joins before it assigns itself nothing.
    for name in names:
        create_topic(bootstrap, name, partitions)


def consume(bootstrap: str, topic: str, group: str, want: int, timeout: float = 90):
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group,
                             auto_offset_reset="earliest", enable_auto_commit=False,
                             fetch_max_wait_ms=20)
    got = []
    deadline = time.monotonic() + timeout
    try:
        while len(got) < want and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=200).values():
                got.extend(records)
        consumer.commit()
    finally:
        consumer.close()
    return got


def test_kafka_python_produces_and_consumes_in_a_group(kafka_bootstrap, unique):
    topic = unique("kp")
    create_topics(kafka_bootstrap, topic)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    for i in range(30):
        producer.send(topic, key=f"k{i % 5}".encode(), value=str(i).encode(),
                      headers=[("ce_id", f"id-{i}".encode())])
    producer.flush()
    producer.close()

    records = consume(kafka_bootstrap, topic, unique("g"), want=30)
    assert sorted(int(r.value) for r in records) == list(range(30))
    assert all(r.headers[0][0] == "ce_id" for r in records)
    # Same key, same partition: per-key order survives.
    by_key: dict[bytes, list[int]] = {}
    for r in records:
        by_key.setdefault(r.key, []).append(int(r.value))
    assert all(v == sorted(v) for v in by_key.values())


async def test_aiokafka_produces_and_consumes_in_a_group(kafka_bootstrap, unique):
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

    topic = unique("aio")
    create_topics(kafka_bootstrap, topic)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all",
                                enable_idempotence=True)
    await producer.start()
    try:
        for i in range(20):
            await producer.send_and_wait(topic, str(i).encode(), key=b"k")
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka_bootstrap, group_id=unique("g"),
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    values: list[int] = []
    try:
        deadline = time.monotonic() + 30
        while len(values) < 20 and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                values.extend(int(r.value) for r in records)
        await consumer.commit()
    finally:
        await consumer.stop()
    assert values == list(range(20))


def _start_worker(kafka_bootstrap: str, smoke_id: str, datadir: Path, log: Path):
    env = {**os.environ, "SMOKE_ID": smoke_id, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
           "SMOKE_DATADIR": str(datadir)}
    # The Faust CLI's `worker` defaults to --with-web, which overrides web_enabled=False and
    # binds port 6066: parallel runs would collide on it.
    argv = [sys.executable, str(FAUST_APP), "worker", "--without-web", "-l", "warn"]
    return subprocess.Popen(argv, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def _latest_counts(kafka_bootstrap: str, topic: str, keys: list[str], want: int,
                   timeout: float = 60) -> dict[str, int]:
    """Reads the worker's output from the start until every key has reached `want`."""
    consumer = KafkaConsumer(topic, bootstrap_servers=kafka_bootstrap,
                             auto_offset_reset="earliest", enable_auto_commit=False,
                             fetch_max_wait_ms=20)
    latest: dict[str, int] = {}
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=200).values():
                for r in records:
                    key = r.key.decode()
                    latest[key] = max(latest.get(key, 0), int(r.value))
            if all(latest.get(k, 0) >= want for k in keys):
                break
    finally:
        consumer.close()
    return latest


def test_faust_table_survives_sigkill_with_exact_counts(kafka_bootstrap, unique, tmp_path):
    smoke_id = unique("f")
    inbox, outbox = f"smoke-in-{smoke_id}", f"smoke-out-{smoke_id}"
    create_topics(kafka_bootstrap, inbox, outbox)
    keys = ["a", "b", "c"]
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")

    def send(seqs):
        for seq in seqs:
            for k in keys:
                producer.send(inbox, key=k.encode(), value=str(seq).encode())
        producer.flush()

    log = tmp_path / "worker.log"
    worker = _start_worker(kafka_bootstrap, smoke_id, tmp_path / "w1", log)
    try:
        send(range(1, 21))
        assert _latest_counts(kafka_bootstrap, outbox, keys, 20) == dict.fromkeys(keys, 20), \
            log.read_text()[-3000:]
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)

        # Redeliver everything already counted, then add ten more per key.
        worker = _start_worker(kafka_bootstrap, smoke_id, tmp_path / "w2", log)
        send(range(1, 31))
        # The restarted worker waits out the killed member's session, then recovers the table
        # from its changelog before it counts again: slower than the first start.
        assert _latest_counts(kafka_bootstrap, outbox, keys, 30, timeout=150) == \
            dict.fromkeys(keys, 30), \
            log.read_text()[-3000:]
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        producer.close()
