"""What every moderation use case shares: its stores, loading and saving aggregates, and the
one command pipeline.

Each use case runs the checks in the contract's order: arguments, then (after waiting for the
request's consistency token) existence, permission, and the rules; then it loads the
aggregate, lets it decide, and stores its events together with its response
(`community_common.commands.run_once`: re-run on a lost write race, a retried request id gets
the first response, a refusal stores nothing), and projects them into the lists at once, so
the caller's next query sees its write.

A command may decide on the copy of the stream it appends to that this process keeps, without
reading it (`Repository.load(..., appending=True)`): the append at that version is the check.
A decision the append cannot check, a refusal or "nothing to change", taken on such a copy is
taken again on fresh loads before it is answered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from community.moderation.v1 import moderation_service_pb2 as api
from community_common.clock import utc_now
from community_common.context import Caller
from community_common.errors import InvalidArgument
from community_common.event_store import (
    Commit,
    EventStore,
    RequestKey,
    retry_on_conflict,
)
from google.protobuf.message import Message

from moderation.adapters.moderation_lists import (
    ModerationLists,
)
from moderation.adapters.repository import Repository
from moderation.application.lookups import Lookups
from moderation.domain import limits, standing, validation
from moderation.domain.aggregate import Aggregate
from moderation.domain.content import Content, PostModeration
from moderation.domain.moderation_log import PLATFORM
from moderation.domain.rules import Rule
from moderation.domain.sanctions import CommunitySanctions
from moderation.domain.times import timestamp

R = TypeVar("R", bound=Message)
A = TypeVar("A", bound=Aggregate)

# A filtered list (reports by status) looks at most this many pages' worth of entries per
# call; a page may come back short, with a token to continue.
SCAN_PAGES = 5


def duration_of(request: Message) -> timedelta | None:
    """The request's `duration`, or INVALID_ARGUMENT naming it when it is not a valid Duration
    (seconds and nanos of one sign, nanos within a second) or is longer than MAX_SANCTION.
    Nanoseconds round up to the microsecond, so 28 days and 1 ns is more than 28 days."""
    if not request.HasField("duration"):
        return None
    seconds, nanos = request.duration.seconds, request.duration.nanos  # type: ignore[attr-defined]
    valid = abs(nanos) < 1_000_000_000 and (seconds * nanos >= 0)
    if not valid or abs(seconds) > limits.MAX_SANCTION.total_seconds():
        raise InvalidArgument(
            [("duration", "must be a valid Duration of at most 36,525 days (100 years)")]
        )
    return timedelta(seconds=seconds, microseconds=-(-nanos // 1000))


def scope_violations(community_id: str, platform: bool) -> list[tuple[str, str]]:
    if bool(community_id) == platform:
        return [("community_id", "give a community_id, or platform = true, not both")]
    return validation.required_id("community_id", community_id) if community_id else []


def reason_violations(value: str) -> list[tuple[str, str]]:
    return validation.text("reason", value, limits.MAX_REASON)


def require_platform_admin(caller: Caller) -> None:
    standing.require_platform_admin(
        standing.Standing(caller.user_id, platform_admin=caller.is_platform_admin)
    )


def rule_view(rule: Rule) -> api.Rule:
    view = api.Rule(
        rule_id=rule.rule_id,
        community_id=rule.community_id,
        title=rule.title,
        description=rule.description,
    )
    if rule.created_at is not None:
        view.created_at.CopyFrom(timestamp(rule.created_at))
    if rule.updated_at is not None:
        view.updated_at.CopyFrom(timestamp(rule.updated_at))
    return view


@dataclass
class UseCases:
    repository: Repository
    store: EventStore
    lists: ModerationLists
    lookups: Lookups
    clock: Callable[[], datetime] = utc_now

    async def _existing(self, kind: type[A], aggregate_id: str) -> A:
        aggregate = await self.repository.load(kind, aggregate_id)
        aggregate.require_exists()  # type: ignore[attr-defined]
        return aggregate

    async def _load_all(self, kind: type[A], ids: Sequence[str]) -> list[A]:
        return list(await asyncio.gather(*(self.repository.load(kind, i) for i in ids)))

    async def _save(
        self,
        aggregate: Aggregate,
        aggregate_id: str,
        request: RequestKey | None = None,
        response: Message | None = None,
    ) -> Commit | None:
        commit = await self.repository.save(
            aggregate, aggregate_id, request=request, result=response
        )
        if commit is not None:
            await self.lists.project_all(commit.events)
        return commit

    async def _readable_queue(self, caller: Caller, community_id: str, platform: bool) -> str:
        """The queue's list name after checking the caller may read it (moderators and
        above for a community's queue, platform admins for the platform's)."""
        if platform:
            standing.require_platform_admin(
                standing.Standing(caller.user_id, platform_admin=caller.is_platform_admin)
            )
            return PLATFORM
        community = await self.lookups.community(community_id)
        standing.require_moderator(await self.lookups.caller_standing(community, caller))
        return community.community_id

    async def _change_content(
        self,
        content: Content,
        *,
        remove: bool,
        actor_id: str,
        reason: str = "",
        report_id: str = "",
        request: RequestKey | None = None,
        response: Message | None = None,
    ) -> Commit | None:
        async def change() -> Commit | None:
            post = await self.repository.load(PostModeration, content.post_id)
            now = self.clock()
            if remove:
                post.remove(content, now, actor_id=actor_id, report_id=report_id, reason=reason)
            else:
                post.restore(content, actor_id, reason, now)
            return await self._save(post, content.post_id, request, response)

        return await retry_on_conflict(change)

    async def _sanction(
        self,
        community_id: str,
        act: Callable[[CommunitySanctions, datetime], Any],
        request: RequestKey | None = None,
        respond: Callable[[Any], Message | None] = lambda _: None,
    ) -> tuple[Any, Commit | None]:
        """Load the community's sanctions, `act` on them, and save; `respond` turns what `act`
        returned into the response stored with the commit. Re-run when it loses a race."""

        async def change() -> tuple[Any, Commit | None]:
            async with self.repository.one_at_a_time(CommunitySanctions, community_id):
                sanctions = await self.repository.load(
                    CommunitySanctions, community_id, appending=True
                )
                acted = act(sanctions, self.clock())
                response = respond(acted)
                return response, await self._save(sanctions, community_id, request, response)

        return await retry_on_conflict(change)
