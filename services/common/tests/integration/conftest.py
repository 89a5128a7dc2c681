"""Fixtures for the common library's integration tests (real Kafka and FerretDB servers)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from community_common.consumer import EventConsumer


@pytest.fixture
def uid(unique: Callable[..., str]) -> str:
    """One fresh id for the whole test (names its streams, databases and topics)."""
    return unique("c").replace("-", "")


@pytest.fixture
def running() -> Iterator[list[EventConsumer]]:
    """Consumers a test starts; each is stopped when the test ends."""
    consumers: list[EventConsumer] = []
    yield consumers
    for consumer in consumers:
        consumer.stop()
