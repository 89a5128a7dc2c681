"""Waiting in tests: poll a condition until it holds, bounded by a deadline (never a bare sleep).

    post = eventually(lambda: feed.GetPost(request), timeout_s=10, retrying=(grpc.RpcError,))
    await eventually_async(projection_reached, timeout_s=60, what="the consumer caught up")

`check` is polled every `interval_s` until it returns something truthy, which is returned. An
exception of a type in `retrying` (AssertionError by default) counts as "not yet"; any other
fails the test at once. A refusal with reason CONSISTENCY_TIMEOUT always fails at once: a call
with a consistency token must be answered within the contract's 2 s, and a test that retried
it would hide a broken contract. A deadline the contract sets is asserted by passing it as
`timeout_s`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import grpc
from community_contracts import reasons
from grpc_status import rpc_status
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.database import Database

from community_common.consistency import (
    CHECKPOINTS,
    DEFAULT_PROJECTION,
    ConsistencyGate,
    ConsistencyToken,
)
from community_common.consistency import _checkpoint_id as checkpoint_id
from community_common.errors import error_info

T = TypeVar("T")


def refusal_reason(error: BaseException) -> str:
    """The ErrorInfo reason of a refused gRPC call ("" for anything else)."""
    if not isinstance(error, grpc.RpcError):
        return ""
    status = rpc_status.from_call(error)
    info = error_info(status) if status is not None else None
    return info.reason if info is not None else ""


def is_consistency_timeout(error: BaseException) -> bool:
    return refusal_reason(error) == reasons.CONSISTENCY_TIMEOUT


class _Poll:
    def __init__(
        self, timeout_s: float, retrying: tuple[type[BaseException], ...], what: str
    ) -> None:
        self.timeout_s = timeout_s
        self.deadline = time.monotonic() + timeout_s
        self.retrying = retrying
        self.what = what
        self.last: BaseException | None = None

    def not_yet(self, error: BaseException) -> None:
        """Remember a "not yet" failure; re-raise anything else."""
        if not isinstance(error, self.retrying) or is_consistency_timeout(error):
            raise error
        self.last = error

    def give_up_if_late(self) -> None:
        if time.monotonic() >= self.deadline:
            raise AssertionError(
                f"{self.what} not reached within {self.timeout_s} s (last: {self.last!r})"
            )


def eventually(
    check: Callable[[], T],
    timeout_s: float = 20.0,
    *,
    interval_s: float = 0.05,
    retrying: tuple[type[BaseException], ...] = (AssertionError,),
    what: str = "the condition",
) -> T:
    poll = _Poll(timeout_s, retrying, what)
    while True:
        try:
            result = check()
            if result:
                return result
        except Exception as error:
            poll.not_yet(error)
        poll.give_up_if_late()
        time.sleep(interval_s)


async def eventually_async(
    check: Callable[[], Awaitable[T]],
    timeout_s: float = 20.0,
    *,
    interval_s: float = 0.05,
    retrying: tuple[type[BaseException], ...] = (AssertionError,),
    what: str = "the condition",
) -> T:
    poll = _Poll(timeout_s, retrying, what)
    while True:
        try:
            result = await check()
            if result:
                return result
        except Exception as error:
            poll.not_yet(error)
        poll.give_up_if_late()
        await asyncio.sleep(interval_s)


async def projection_reached(
    database: AsyncDatabase[Any], token: str, timeout_s: float = 60.0
) -> None:
    """Wait until the service whose database this is has applied membership's events up to
    `token`, read from its consistency checkpoint: how a test synchronises with a consumer
    without going through the token wait (whose 2 s a call with the token then must meet)."""
    wanted = ConsistencyToken.parse(token)
    gate = ConsistencyGate(database)

    async def reached() -> bool:
        return await gate.applied_version(wanted.community_id) >= wanted.version

    await eventually_async(reached, timeout_s, what=f"the projection of {wanted}")


def projection_reached_blocking(
    database: Database[Any], token: str, timeout_s: float = 60.0
) -> None:
    """`projection_reached` for a test without an event loop."""
    wanted = ConsistencyToken.parse(token)
    checkpoints = database[CHECKPOINTS]

    def reached() -> bool:
        key = checkpoint_id(DEFAULT_PROJECTION, wanted.community_id)
        found = checkpoints.find_one({"_id": key})
        return found is not None and int(found["version"]) >= wanted.version

    eventually(reached, timeout_s, what=f"{database.name}'s projection of {wanted}")


async def consistency_timeout_failure(
    database: AsyncDatabase[Any], token: str, error: BaseException
) -> AssertionError:
    """The failure of a call refused with CONSISTENCY_TIMEOUT that the test expected to be
    answered, saying how late the service's projection reached the token (or that it did not
    within a minute): the size of the broken promise, not a retry."""
    wanted = ConsistencyToken.parse(token)
    gate = ConsistencyGate(database)
    refused = time.monotonic()
    deadline = refused + 60
    while await gate.applied_version(wanted.community_id) < wanted.version:
        if time.monotonic() > deadline:
            return AssertionError(f"CONSISTENCY_TIMEOUT, and {wanted} not applied within 60 s")
        await asyncio.sleep(0.05)
    late = time.monotonic() - refused
    return AssertionError(
        f"CONSISTENCY_TIMEOUT: {wanted} was applied {late:.2f} s after the 2 s wait ran out"
        f" ({error})"
    )
