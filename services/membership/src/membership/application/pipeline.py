"""What every membership use case shares: the command pipeline and the lookups commands make.

A command loads the community (`community_common.repository`: its kept copy, unread), lets
the aggregate decide, and stores what it recorded with the version it loaded, together with
its response (`community_common.commands.run_once`: a lost race re-runs the whole decision, a
retried request id gets the first response; commands on one community in this process queue
on `Repository.one_at_a_time` instead of racing). It then
updates the read models at once so the caller's next query sees the write. Queries about one
community read its aggregate; queries across communities read the read models.
"""

from __future__ import annotations

import copy
import hashlib
import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from community.membership.v1 import membership_service_pb2 as api
from community.moderation.v1 import types_pb2 as moderation_types
from community_common.clock import utc_now
from community_common.commands import run_once
from community_common.envelope import EventEnvelope, format_time
from community_common.errors import NotFound, PermissionDenied
from community_common.event_store import (
    Commit,
    EventStore,
    NewEvent,
    Provenance,
    RequestKey,
)
from community_common.repository import Repository
from community_contracts import reasons
from google.protobuf.message import Message

from membership.adapters.owner_ledger import OwnerLedger
from membership.adapters.read_models import ReadModels
from membership.adapters.sanctions import Sanctions
from membership.application import messages, projection
from membership.application.projection import UserFact
from membership.domain.community import Actor, Community
from membership.domain.limits import Limits
from membership.domain.owner_slots import Standing

R = TypeVar("R", bound=Message)

ACTION_INVITE = moderation_types.Action.Name(moderation_types.ACTION_INVITE)
ACTION_CREATE_COMMUNITY = moderation_types.Action.Name(moderation_types.ACTION_CREATE_COMMUNITY)


def consistency_token(community_id: str, version: int) -> str:
    return f"{community_id}:{version}"


def community_of(resource_id: str) -> str:
    """Group, invitation and join request ids start with their community's id."""
    return resource_id.split("-", 1)[0]


def _hex(caller: str, request_id: str, operation: str, length: int) -> str:
    """A fresh id, or, for a request id, the same id on every retry, so a retry finds what a
    half-finished first attempt created instead of creating a second one."""
    if not request_id:
        return uuid.uuid4().hex[:length]
    seed = f"{operation}\0{caller}\0{request_id}".encode()
    return hashlib.sha256(seed).hexdigest()[:length]


def new_community_id(caller: str, request_id: str) -> str:
    return "c" + _hex(caller, request_id, "CreateCommunity", 24)


def new_child_id(community_id: str, kind: str, caller: str, request_id: str) -> str:
    return f"{community_id}-{kind}{_hex(caller, request_id, community_id + kind, 12)}"


def not_found(reason: str, resource_id: str, what: str) -> NotFound:
    return NotFound(
        f"{what} not found", reason=reason, metadata={reasons.METADATA_RESOURCE_ID: resource_id}
    )


class UseCases:
    """The stores and the pipeline the use-case families (one module each) build on."""

    def __init__(
        self,
        store: EventStore,
        repository: Repository,
        ledger: OwnerLedger,
        sanctions: Sanctions,
        read_models: ReadModels,
        limits: Limits,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.repository = repository
        self.ledger = ledger
        self.sanctions = sanctions
        self.read_models = read_models
        self.limits = limits
        self.clock = clock

    async def _command(
        self,
        community_id: str,
        request: RequestKey | None,
        response_type: type[R],
        decide: Callable[[Community, datetime], Awaitable[Any]],
        respond: Callable[[Community, Any, str, datetime], R],
        missing: NotFound,
        provenance: Provenance | None = None,
    ) -> R:
        async def command(key: RequestKey | None) -> tuple[R, Commit | None]:
            async with self.repository.one_at_a_time(community_id):
                return await decide_and_append(key)

        async def decide_and_append(key: RequestKey | None) -> tuple[R, Commit | None]:
            community = await self.repository.load(Community, community_id, appending=True)
            if not community.exists:
                raise missing
            before = copy.deepcopy(community)
            now = self.clock()
            decided = await decide(community, now)
            if not community.recorded:  # nothing changed (e.g. a role set to what it was)
                token = consistency_token(community_id, community.version)
                return respond(community, decided, token, now), None

            async def respond_after(_: Commit) -> R:
                # `before` now holds the events applied at their stored times.
                token = consistency_token(community_id, before.version)
                return respond(before, decided, token, now)

            response, commit = await self.repository.save(
                community_id,
                before,
                [
                    NewEvent(event, time=at)
                    for event, at in zip(community.recorded, community.recorded_at, strict=True)
                ],
                key,
                respond_after,
                provenance=provenance,
            )
            await self._project(before, community.recorded, commit.events)
            return response, commit

        return await run_once(self.store, request, response_type, command)

    async def _project(
        self, community: Community, recorded: list[Message], stored: Iterable[EventEnvelope]
    ) -> None:
        """The read models, before anything else touches the community: the users' facts,
        then the summary. The projector redoes both for an event whose summary is behind, so
        a crash in between loses nothing; a later command's summary is never overtaken."""
        facts: list[UserFact] = [
            fact
            for event, envelope in zip(recorded, stored, strict=True)
            for fact in projection.user_facts(event, envelope.sequence, envelope.occurred_at)
        ]
        await self.read_models.add_user_facts(facts)
        await self.read_models.put_summary(projection.summary_of(community, community.version))

    async def _require_unrestricted(self, user_id: str, action: str, now: datetime) -> None:
        until = await self.sanctions.restriction(user_id, action, now)
        if until is False:
            return
        metadata = {reasons.METADATA_ACTION: action}
        if isinstance(until, datetime):
            metadata[reasons.METADATA_EXPIRES_AT] = format_time(until)
        raise PermissionDenied(
            reasons.USER_RESTRICTED, f"you are restricted from {action}", metadata=metadata
        )

    async def _remove_if_banned(self, community_id: str, user_id: str) -> None:
        """A ban can land between a join's check and its write; whichever of the two writes
        last sees the other, so the banned user never stays in."""
        if await self.sanctions.is_banned(community_id, user_id, self.clock()):
            await self.remove_banned(community_id, user_id, actor_id="", reason="banned")

    def _membership(self, c: Community, user_id: str, now: datetime) -> api.Membership:
        return messages.membership(c, c.members[user_id], now, self.limits)

    async def _standing(self, user_id: str, community_id: str) -> Standing:
        community = await self.repository.load(Community, community_id)
        if community.archived:
            return Standing.RELEASED
        if community.exists and community.owner_id == user_id:
            return Standing.OWNED
        return Standing.ELSEWHERE

    async def _existing(self, community_id: str) -> Community:
        community = await self.repository.load(Community, community_id)
        if not community.exists:
            raise not_found(reasons.COMMUNITY_NOT_FOUND, community_id, "community")
        return community

    async def _readable(self, actor: Actor, community_id: str) -> Community:
        community = await self._existing(community_id)
        community.require_readable(actor, self.clock())
        return community

    async def remove_banned(
        self,
        community_id: str,
        user_id: str,
        actor_id: str,
        reason: str,
        provenance: Provenance | None = None,
    ) -> None:
        """Moderation banned the user: remove them (nothing to do for a non-member)."""

        async def decide(c: Community, now: datetime) -> None:
            c.remove_banned(user_id, actor_id, reason, now)

        try:
            await self._command(
                community_id,
                None,
                api.RemoveMemberResponse,
                decide,
                lambda c, _, token, now: api.RemoveMemberResponse(consistency_token=token),
                not_found(reasons.COMMUNITY_NOT_FOUND, community_id, "community"),
                provenance=provenance,
            )
        except NotFound:
            pass  # a ban in a community membership never stored: nobody to remove
