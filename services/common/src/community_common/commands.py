"""The one way a mutation runs: at most once per request id, re-run when it loses a write race.

A command is `command(key) -> (response, commit or None)`. When it appends, it inserts its
commit with `key` and the response it is about to give (`EventStore.insert(prepared,
request=key, result=response)`), so the effect and its answer are stored in one insert:

- concurrent twins (one process or several) collide on the commit's unique request key: one
  commit is stored, the others get its response (`DuplicateRequest`);
- a retry after the first success (sequential, or after a crash at any point) decides again
  and then either collides the same way, or is refused or changes nothing because the first
  already took effect: then it looks the request key up and gets the first response. No
  lookup precedes the decision, so a first call costs no extra round trip;
- a refusal stores nothing, so a corrected retry with the same request id can still succeed;
- a command that changed nothing (`commit is None`) stores its response on its own;
- a command refused, or changing nothing, on a copy the repository kept unread
  (`Repository.load(..., appending=True)`) is decided again on fresh loads before that
  answer stands.

Whatever a command writes before its commit must therefore be harmless to repeat (ids derived
from the request, or entries every reader skips without their commit).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from google.protobuf.message import Message

from community_common.context import Caller
from community_common.errors import DomainError
from community_common.event_store import (
    Commit,
    DuplicateRequest,
    EventStore,
    RequestKey,
    retry_on_conflict,
)
from community_common.failpoints import failpoint
from community_common.repository import TRUST, KeptTrust

R = TypeVar("R", bound=Message)

Command = Callable[[RequestKey | None], Awaitable[tuple[R, Commit | None]]]


async def run_once(
    store: EventStore, key: RequestKey | None, response_type: type[R], command: Command[R]
) -> R:
    """`key`: `RequestKey.of(caller, request_id, operation)`, None when no request id."""
    trust = KeptTrust()
    reset = TRUST.set(trust)
    try:
        return await _run(store, key, response_type, command, trust)
    finally:
        TRUST.reset(reset)


async def run_request(
    store: EventStore,
    caller: Caller,
    request_id: str,
    operation: str,
    response_type: type[R],
    command: Command[R],
) -> R:
    """`run_once` for the caller's request id (request ids are scoped to the caller)."""
    key = RequestKey.of(caller.user_id, request_id, operation)
    return await run_once(store, key, response_type, command)


async def _run(
    store: EventStore,
    key: RequestKey | None,
    response_type: type[R],
    command: Command[R],
    trust: KeptTrust,
) -> R:
    try:
        response, commit = await retry_on_conflict(lambda: command(key))
    except DuplicateRequest as twin:
        return response_type.FromString(twin.result)
    except DomainError:
        if trust.used and not trust.verify:
            # Refused on a copy the repository kept unread: decide again on what is stored.
            trust.verify = True
            return await _run(store, key, response_type, command, trust)
        # Refused now, perhaps because the first attempt already did it.
        first = await store.recall(key)
        if first is not None:
            return response_type.FromString(first)
        raise
    if commit is None and trust.used and not trust.verify:
        # Nothing to change, on a copy kept unread: perhaps only because it is stale.
        trust.verify = True
        return await _run(store, key, response_type, command, trust)
    failpoint("after-commit")
    if commit is None:
        return response_type.FromString(await store.remember(key, response))
    return response
