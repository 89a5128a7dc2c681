"""MongoDB clients for a service's own database, and which failures mean "MongoDB is down".

Handlers use the asyncio client; background threads (relay, consumers) the blocking one.
Both keep server selection short so an outage surfaces in seconds, not pymongo's default 30 s.
"""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient, MongoClient
from pymongo.errors import AutoReconnect, ConnectionFailure, ServerSelectionTimeoutError

# The failures that mean "the server is unreachable right now" (AutoReconnect covers
# NotPrimary and network timeouts): retry the same work later, never give up on the message.
MONGO_OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    ConnectionFailure,
    ServerSelectionTimeoutError,
    AutoReconnect,
)

CLIENT_OPTIONS: dict[str, Any] = {
    "serverSelectionTimeoutMS": 5000,
    "connectTimeoutMS": 5000,
    "tz_aware": True,
}


def async_client(uri: str) -> AsyncMongoClient[dict[str, Any]]:
    return AsyncMongoClient(uri, **CLIENT_OPTIONS)


def blocking_client(uri: str) -> MongoClient[dict[str, Any]]:
    return MongoClient(uri, **CLIENT_OPTIONS)
