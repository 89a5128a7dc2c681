"""Session fixtures shared by every test suite: where the real servers are, and fresh ids.

`make test` starts a real Kafka broker and FerretDB on PostgreSQL for the run
(deploy/local/stack.py, instance `test`) and exports their addresses; these fixtures only
read them.
"""

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
def unique():
    """Returns a function giving a fresh id, so tests never share state."""
    return lambda prefix="t": f"{prefix}-{uuid.uuid4().hex[:12]}"
