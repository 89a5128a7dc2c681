"""A tiny Faust worker for the broker smoke test: counts messages per key in a changelog-backed
table, skipping any message whose per-key sequence it has already counted (so a redelivery after
a crash cannot double count), and emits each new count to an output topic.

Run: python faust_smoke_app.py worker  (env SMOKE_ID, KAFKA_BOOTSTRAP_SERVERS, SMOKE_DATADIR)
"""

import os

from insights.recovery_handover import HandoverSafeApp

SMOKE_ID = os.environ["SMOKE_ID"]
# The insights worker's base app: without its handover fixes a restarted worker could drop
# the records it fetched while it went from table recovery to processing, and stall
# (insights/recovery_handover.py).
app = HandoverSafeApp(
    f"smoke-{SMOKE_ID}",
    broker=f"kafka://{os.environ['KAFKA_BOOTSTRAP_SERVERS']}",
    store="memory://",
    topic_partitions=3,
    web_enabled=False,
    datadir=os.environ["SMOKE_DATADIR"],
    processing_guarantee="at_least_once",
    broker_session_timeout=6,
    broker_heartbeat_interval=1,
    stream_wait_empty=False,
    consumer_auto_offset_reset="earliest",
)
inbox = app.topic(f"smoke-in-{SMOKE_ID}", key_type=str, value_type=int, partitions=3)
outbox = app.topic(f"smoke-out-{SMOKE_ID}", key_type=str, value_type=int, partitions=3)
# value: [count, last sequence counted] — the dedupe mark lives beside the counter it guards.
counts = app.Table("counts", default=lambda: [0, 0], partitions=3)


@app.agent(inbox, concurrency=1)
async def count(stream):
    async for key, seq in stream.items():
        total, last = counts[key]
        if seq <= last:
            continue
        counts[key] = [total + 1, seq]
        await outbox.send(key=key, value=total + 1)


if __name__ == "__main__":
    app.main()
