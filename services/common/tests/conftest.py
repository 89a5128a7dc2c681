"""Fallback fixtures for the real test servers, until the repository-wide conftest provides them.

`make test-servers` starts Kafka on 127.0.0.1:19092 and FerretDB on 127.0.0.1:37017.
"""

from __future__ import annotations

import os
import uuid

import pytest


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    return os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")


@pytest.fixture(scope="session")
def mongo_uri() -> str:
    return os.environ.get("MONGODB_URI", "mongodb://127.0.0.1:37017")


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:12]
