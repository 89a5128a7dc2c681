"""Consistency tokens on the real FerretDB: a query waits (boundedly) for its projection."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from community_common.consistency import (
    ConsistencyCheckpoints,
    ConsistencyGate,
    consistency_token,
)
from community_common.errors import InvalidArgument, Unavailable
from community_common.mongo import async_client, blocking_client
from community_common.testing.events import event_envelope
from google.protobuf import struct_pb2
from pymongo.database import Database


def membership_event(community: str, version: int) -> Any:
    return event_envelope(
        struct_pb2.Struct(), subject=community, community_id=community, sequence=version
    )


class ReadCounting(ConsistencyGate):
    """A gate that says when it has read the checkpoint once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.read = asyncio.Event()

    async def applied_version(self, community_id: str) -> int:
        version = await super().applied_version(community_id)
        self.read.set()
        return version


@pytest.fixture
def databases(mongo_uri: str, uid: str) -> Any:
    blocking = blocking_client(mongo_uri)
    yield blocking[f"consistency_{uid}"]
    blocking.drop_database(f"consistency_{uid}")
    blocking.close()


@pytest.fixture
async def gate(
    mongo_uri: str, uid: str, databases: Database[Any]
) -> AsyncIterator[ConsistencyGate]:
    client: Any = async_client(mongo_uri)
    yield ConsistencyGate(client[f"consistency_{uid}"], limit_s=0.5)
    await client.close()


async def test_no_token_or_reached_token_does_not_wait(
    databases: Database[Any], gate: ConsistencyGate
) -> None:
    # A gate with no time to wait: any wait would end in CONSISTENCY_TIMEOUT.
    impatient = ConsistencyGate(gate.collection.database, limit_s=0)
    await impatient.wait_for("")
    ConsistencyCheckpoints(databases).record(membership_event("c1", 4))
    await impatient.wait_for(consistency_token("c1", 3))
    await impatient.wait_for(consistency_token("c1", 4))


async def test_waits_until_the_projection_catches_up(
    databases: Database[Any], gate: ConsistencyGate
) -> None:
    checkpoints = ConsistencyCheckpoints(databases)
    checkpoints.record(membership_event("c1", 1))
    patient = ReadCounting(gate.collection.database, limit_s=60)
    waiting = asyncio.create_task(patient.wait_for("c1:2"))
    # The projection catches up only once the gate has found it behind.
    await asyncio.wait_for(patient.read.wait(), 30)
    assert not waiting.done()
    await asyncio.to_thread(checkpoints.record, membership_event("c1", 2))
    await waiting


async def test_times_out_with_consistency_timeout(
    databases: Database[Any], gate: ConsistencyGate
) -> None:
    ConsistencyCheckpoints(databases).record(membership_event("c1", 1))
    started = time.monotonic()
    with pytest.raises(Unavailable) as refused:
        await gate.wait_for("c1:5")
    assert refused.value.reason == "CONSISTENCY_TIMEOUT"
    # Not before its limit (a lower bound, which no load can break; that the wait ends at
    # all is what the raise shows).
    assert time.monotonic() - started >= gate.limit_s


async def test_checkpoints_never_go_backwards_and_ignore_other_streams(
    databases: Database[Any], gate: ConsistencyGate
) -> None:
    checkpoints = ConsistencyCheckpoints(databases)
    checkpoints.record(membership_event("c1", 5))
    checkpoints.record(membership_event("c1", 3))  # a redelivered older event
    other_stream = event_envelope(
        struct_pb2.Struct(), subject="user-9", community_id="c1", sequence=50
    )
    checkpoints.record(other_stream)
    assert await gate.applied_version("c1") == 5


@pytest.mark.parametrize("token", [
    "c1", "c1:", ":3", "c1:three", "c1:-1", "c1:+1", "c1:0", "c1:07", "c1:\u00b2", "c1: 1",
    "C:1:2", "c 1:2", "c\x001:2", "c1:" + "9" * 40, f"c1:{2**63}", "x" * 129 + ":1",
])
async def test_malformed_tokens_are_refused_at_once(
    databases: Database[Any], gate: ConsistencyGate, token: str
) -> None:
    """Tokens membership cannot have handed out are refused, not waited on: an unreached
    token would answer CONSISTENCY_TIMEOUT after the gate's limit instead."""
    with pytest.raises(InvalidArgument) as refused:
        await gate.wait_for(token)
    assert refused.value.reason == "INVALID_CONSISTENCY_TOKEN"
    assert [field for field, _ in refused.value.violations] == ["consistency_token"]


async def test_the_largest_version_is_a_token_still_waited_on(gate: ConsistencyGate) -> None:
    with pytest.raises(Unavailable):
        await gate.wait_for(f"c1:{2**63 - 1}")


async def test_a_token_of_another_community_is_refused_at_once(
    databases: Database[Any], gate: ConsistencyGate
) -> None:
    ConsistencyCheckpoints(databases).record(membership_event("c1", 1))
    await gate.wait_for("c1:1", community_id="c1")
    with pytest.raises(InvalidArgument) as refused:
        await gate.wait_for("c2:1", community_id="c1")
    assert refused.value.reason == "INVALID_CONSISTENCY_TOKEN"
