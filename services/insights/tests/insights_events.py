"""Builds event records exactly as the relay publishes them: CloudEvents binary mode on the
contract's topic and key, `ce_sequence` = the membership stream version for membership
events, and `ce_keysequence` numbered densely per (topic, key)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from community_common.envelope import envelope_for, format_time
from community_contracts import headers, registry, services
from google.protobuf.message import Message


@dataclass(frozen=True)
class Record:
    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]
    message: Message
    at: datetime
    key_sequence: int


class EventLog:
    """Every event of a made-up history, in publication order per topic."""

    def __init__(self) -> None:
        self.records: list[Record] = []
        self._key_sequences: Counter[tuple[str, str]] = Counter()
        self._versions: Counter[str] = Counter()

    def add(self, message: Message, at: datetime) -> Record:
        kind = registry.event_type_of(message)
        key = registry.key(message)
        self._key_sequences[(kind.topic, key)] += 1
        sequence = 1
        if kind.service is services.MEMBERSHIP:
            self._versions[key] += 1
            sequence = self._versions[key]
        envelope = envelope_for(message, source=kind.source, sequence=sequence,
                                time=format_time(at))
        record_key, value, record_headers = envelope.to_kafka_record()
        key_sequence = self._key_sequences[(kind.topic, key)]
        record = Record(
            kind.topic, record_key, value,
            [*record_headers, (headers.KEY_SEQUENCE, str(key_sequence).encode())],
            message, at, key_sequence,
        )
        self.records.append(record)
        return record

    def version(self, community_id: str) -> int:
        return self._versions[community_id]
