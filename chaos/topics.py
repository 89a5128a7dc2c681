"""Every record of the event topics and their DLQs, read from the first offset to the end with
kafka-python on a thread of its own (its calls block)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from community_contracts import topics

EVENT_TOPICS = (topics.MEMBERSHIP_EVENTS, topics.FEED_EVENTS, topics.MODERATION_EVENTS)


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    headers: dict[str, str]
    value: bytes

    @property
    def ce_id(self) -> str:
        return self.headers.get("ce_id", "")


def read_all(bootstrap: str, names: tuple[str, ...]) -> dict[str, list[Record]]:
    """Records per topic, in (partition, offset) order."""
    result: dict[str, list[Record]] = {}
    failure: list[BaseException] = []

    def run() -> None:
        from kafka import KafkaConsumer, TopicPartition

        consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                 group_id=None)
        try:
            partitions = [TopicPartition(t, p) for t in names
                          for p in sorted(consumer.partitions_for_topic(t) or ())]
            consumer.assign(partitions)
            consumer.seek_to_beginning(*partitions)
            ends = consumer.end_offsets(partitions)
            remaining = {tp for tp in partitions if ends[tp] > 0}
            records: dict[str, list[Record]] = {t: [] for t in names}
            while remaining:
                for tp, batch in consumer.poll(timeout_ms=1000).items():
                    for r in batch:
                        headers = {k: (v or b"").decode("utf-8", "replace")
                                   for k, v in (r.headers or [])}
                        records[tp.topic].append(Record(tp.topic, tp.partition, r.offset, r.key,
                                                        headers, r.value or b""))
                    if consumer.position(tp) >= ends[tp]:
                        remaining.discard(tp)
            for t in names:
                records[t].sort(key=lambda r: (r.partition, r.offset))
            result.update(records)
        except BaseException as error:
            failure.append(error)
        finally:
            consumer.close()

    thread = threading.Thread(target=run, name="chaos-topic-reader", daemon=True)
    thread.start()
    thread.join(300)
    if failure:
        raise failure[0]
    if thread.is_alive():
        raise TimeoutError("reading the topics took more than 300 s")
    return result
