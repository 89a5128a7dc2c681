"""Which storage failures are outages (wait and retry) rather than a fault of the work."""

from __future__ import annotations

from community_common.mongo import storage_down
from pymongo.errors import AutoReconnect, DuplicateKeyError, OperationFailure

# What FerretDB answered a consumer's insert while its PostgreSQL restarted (make chaos).
FERRETDB_WITHOUT_POSTGRESQL = OperationFailure(
    "[msg_insert.go:168 handler.(*Handler).MsgInsert] failed to connect to `user=postgres "
    "database=ferretdb`: 127.0.0.1:39432 (127.0.0.1): server error: FATAL: the database "
    "system is starting up (SQLSTATE 57P03)",
    1,
)


# What FerretDB answered the insights worker's save when PostgreSQL was killed mid-write.
POSTGRESQL_KILLED_MID_WRITE = OperationFailure(
    "[msg_update.go:133 handler.(*Handler).updateDocument] [collection.go:227 "
    "postgresql.(*collection).UpdateAll] FATAL: terminating connection due to unexpected "
    "postmaster exit (SQLSTATE 57P01)",
    1,
)


def test_ferretdb_without_its_postgresql_is_an_outage() -> None:
    assert storage_down(FERRETDB_WITHOUT_POSTGRESQL)
    assert storage_down(POSTGRESQL_KILLED_MID_WRITE)
    assert storage_down(AutoReconnect("127.0.0.1:27017: connection closed"))


def test_a_refused_operation_is_not_an_outage() -> None:
    assert not storage_down(DuplicateKeyError("E11000 duplicate key error"))
    assert not storage_down(OperationFailure("unknown operator: $foo", 2))
    # A value PostgreSQL refuses is the work's fault, not an outage (SQLSTATE class 22).
    assert not storage_down(OperationFailure(
        "ERROR: unsupported Unicode escape sequence (SQLSTATE 22P05)", 1))
    assert not storage_down(KeyError("nModified"))
