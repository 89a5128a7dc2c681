"""MongoDB clients for a service's own database, and which failures mean "MongoDB is down".

Handlers use the asyncio client; background threads (relay, consumers) the blocking one.
Both keep server selection short so an outage surfaces in seconds, not pymongo's default 30 s.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pymongo import AsyncMongoClient, MongoClient
from pymongo.collection import Collection
from pymongo.errors import (
    AutoReconnect,
    ConnectionFailure,
    OperationFailure,
    ServerSelectionTimeoutError,
)
from pymongo.operations import ReplaceOne, UpdateOne

# The failures that mean "the server is unreachable right now" (AutoReconnect covers
# NotPrimary and network timeouts): retry the same work later, never give up on the message.
MONGO_OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    ConnectionFailure,
    ServerSelectionTimeoutError,
    AutoReconnect,
)



# PostgreSQL behind FerretDB unreachable, shutting down or starting up: FerretDB answers an
# OperationFailure carrying PostgreSQL's words (connection exceptions are SQLSTATE class 08;
# 57P01-57P03 are an administrator's or a crash's shutdown and "the database system is
# starting up").
_POSTGRESQL_DOWN = re.compile(r"failed to connect to|SQLSTATE (08[0-9A-Z]{3}|57P0[123])")


def storage_down(error: BaseException) -> bool:
    """Whether `error` means the storage is down right now: MongoDB unreachable, or FerretDB
    up while its PostgreSQL is not (yet). FerretDB answers the latter with an
    OperationFailure, not a network error: "failed to connect to `user=… database=…`: … the
    database system is starting up", or, for a write in flight when PostgreSQL died, "FATAL:
    terminating connection due to unexpected postmaster exit (SQLSTATE 57P01)". `make chaos`
    saw a consumer give up on a real event as if the event were at fault, and the insights
    worker crash on its serving view's save, while PostgreSQL restarted."""
    if isinstance(error, MONGO_OUTAGE_ERRORS):
        return True
    return isinstance(error, OperationFailure) and bool(_POSTGRESQL_DOWN.search(str(error)))


CLIENT_OPTIONS: dict[str, Any] = {
    "serverSelectionTimeoutMS": 5000,
    "connectTimeoutMS": 5000,
    "tz_aware": True,
}


def async_client(uri: str) -> AsyncMongoClient[dict[str, Any]]:
    return AsyncMongoClient(uri, **CLIENT_OPTIONS)


def blocking_client(uri: str) -> MongoClient[dict[str, Any]]:
    return MongoClient(uri, **CLIENT_OPTIONS)


# FerretDB 1.24 keeps every matched document's query open until an `update` command ends
# (`defer` inside its per-update loop), one PostgreSQL connection each: an update command of
# ~max_connections statements is refused ("too many clients", deploy/local/stack.py), and many
# such commands at once starve every other client of connections. So many updates go in
# small commands; 25 leaves room for everything else.
UPDATE_CHUNK = 25


def write_in_chunks(
    collection: Collection[Any], operations: Sequence[UpdateOne | ReplaceOne]
) -> None:
    """`bulk_write` in commands of at most UPDATE_CHUNK updates (see above)."""
    for start in range(0, len(operations), UPDATE_CHUNK):
        collection.bulk_write(list(operations[start : start + UPDATE_CHUNK]), ordered=False)
