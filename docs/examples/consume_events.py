"""Print the platform's events as JSON lines: a data team's first consumer.

    make contracts    # in a checkout: dist/community_contracts-<version>-py3-none-any.whl
    pip install dist/community_contracts-*.whl kafka-python
    KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 python consume_events.py [TOPIC ...]
"""

import json
import os
import sys

from community_contracts import registry, topics
from google.protobuf.json_format import MessageToDict
from kafka import KafkaConsumer

consumer = KafkaConsumer(
    *(sys.argv[1:] or topics.EVENT_TOPICS),
    bootstrap_servers=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
    group_id=os.environ.get("GROUP_ID", "example-consumer"),  # your team's group
    auto_offset_reset="earliest",  # event topics keep everything: start from the beginning
    consumer_timeout_ms=int(os.environ.get("IDLE_TIMEOUT_MS", 0)) or float("inf"),
)
for record in consumer:
    ce = {name.removeprefix("ce_"): value.decode() for name, value in record.headers}
    if ce["type"] not in registry.EVENT_TYPES:
        continue  # a newer contract's type: skip it, or upgrade community-contracts
    event = registry.decode(ce["type"], record.value)  # any event type, by its ce_type
    print(json.dumps({**ce, "data": MessageToDict(event, preserving_proto_field_name=True)}))
