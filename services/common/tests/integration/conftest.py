"""Fixtures for the common library's integration tests (real Kafka and FerretDB servers)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from community_common.consumer import EventConsumer
from community_common.testing.polling import eventually


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


def wait_until(condition: Callable[[], Any], timeout_s: float = 30.0) -> bool:
    """Polls `condition` until it is truthy (True) or the deadline passes (False)."""
    try:
        return bool(eventually(condition, timeout_s))
    except AssertionError:
        return False
