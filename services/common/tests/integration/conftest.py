"""Fixtures for the common library's integration tests (real Kafka and FerretDB servers)."""

from __future__ import annotations

from collections.abc import Callable

import pytest


@pytest.fixture
def uid(unique: Callable[..., str]) -> str:
    """One fresh id for the whole test (names its streams, databases and topics)."""
    return unique("c").replace("-", "")
