"""Consistency tokens: let a query wait until this service has caught up with a membership write.

Membership answers each mutation with `consistency_token` = "<community_id>:<version>", the
version of that community's membership stream after the write (= the last event's
ce_sequence). A consuming service's membership projector records, per community, the highest
version it has applied (`consistency_checkpoints`, `_id = "<projection>:<community_id>"`); a
query given a token polls that one document by `_id` for up to 2 s, then answers UNAVAILABLE
with reason CONSISTENCY_TIMEOUT (safe to retry).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from community_contracts.reasons import CONSISTENCY_TIMEOUT, INVALID_CONSISTENCY_TOKEN
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.database import Database

from community_common.envelope import EventEnvelope
from community_common.errors import InvalidArgument, Unavailable
from community_common.validation import ID_MAX

CHECKPOINTS = "consistency_checkpoints"
DEFAULT_PROJECTION = "membership"
WAIT_LIMIT_S = 2.0
POLL_INTERVAL_S = 0.02
REMEMBERED_CHECKPOINTS = 16_384
# A stream version is an event's ce_sequence, an int64 counted from 1.
MAX_VERSION = 2**63 - 1
# A community id as membership hands them out (no ":", blanks or control characters, at most
# ID_MAX characters), then the version in ASCII decimal without a sign or leading zero.
_TOKEN = re.compile(
    rf"(?P<community_id>[^:\s\x00-\x1f\x7f]{{1,{ID_MAX}}}):(?P<version>[1-9][0-9]{{0,18}})",
    re.ASCII,
)


@dataclass(frozen=True)
class ConsistencyToken:
    community_id: str
    version: int

    def __str__(self) -> str:
        return f"{self.community_id}:{self.version}"

    @classmethod
    def parse(
        cls, text: str, field: str = "consistency_token", *, community_id: str = ""
    ) -> ConsistencyToken:
        """The token `text` names; `community_id`, when the request names one, must be the
        token's. Refused at once (never waited on): what membership cannot have handed out."""
        match = _TOKEN.fullmatch(text)
        if match is None or int(match["version"]) > MAX_VERSION:
            raise InvalidArgument(
                {field: 'must be "<community_id>:<version>" as returned by membership'},
                reason=INVALID_CONSISTENCY_TOKEN,
            )
        token = cls(match["community_id"], int(match["version"]))
        if community_id and token.community_id != community_id:
            raise InvalidArgument(
                {field: "is a token of another community than the request's community_id"},
                reason=INVALID_CONSISTENCY_TOKEN,
            )
        return token


def consistency_token(community_id: str, version: int) -> str:
    """What membership puts in a mutating response."""
    return str(ConsistencyToken(community_id, version))


def _checkpoint_id(projection: str, community_id: str) -> str:
    return f"{projection}:{community_id}"


class ConsistencyCheckpoints:
    """The projector's side (a consumer thread): how far each community's stream is applied."""

    def __init__(self, database: Database[Any], projection: str = DEFAULT_PROJECTION) -> None:
        self.collection = database[CHECKPOINTS]
        self.projection = projection

    def record(self, event: EventEnvelope) -> None:
        """Call after applying (or deliberately ignoring) every membership event."""
        if not event.community_id or event.subject != event.community_id:
            return  # not an event of a community's membership stream
        self.collection.update_one(
            {"_id": _checkpoint_id(self.projection, event.community_id)},
            {"$max": {"version": event.sequence}},
            upsert=True,
        )


class ConsistencyGate:
    """The query's side (asyncio handlers): wait for a token before deciding."""

    def __init__(
        self,
        database: AsyncDatabase[Any],
        projection: str = DEFAULT_PROJECTION,
        limit_s: float = WAIT_LIMIT_S,
        poll_s: float = POLL_INTERVAL_S,
    ) -> None:
        self.collection = database[CHECKPOINTS]
        self.projection = projection
        self.limit_s = limit_s
        self.poll_s = poll_s
        # The highest version seen applied per community (bounded). Checkpoints only grow,
        # so a token at or below it needs no read: a client that keeps passing the token of
        # its last membership write costs one read, not one per call.
        self._seen: OrderedDict[str, int] = OrderedDict()

    async def applied_version(self, community_id: str) -> int:
        found = await self.collection.find_one(
            {"_id": _checkpoint_id(self.projection, community_id)}
        )
        version = int(found["version"]) if found else 0
        self._seen[community_id] = max(version, self._seen.get(community_id, 0))
        self._seen.move_to_end(community_id)
        if len(self._seen) > REMEMBERED_CHECKPOINTS:
            self._seen.popitem(last=False)
        return version

    async def wait_for(self, token: str | None, *, community_id: str = "") -> None:
        """Return once the token's version is applied; no token means no wait. A request
        about one community passes its `community_id`: a token of another is refused."""
        if not token:
            return
        wanted = ConsistencyToken.parse(token, community_id=community_id)
        if self._seen.get(wanted.community_id, 0) >= wanted.version:
            return
        deadline = time.monotonic() + self.limit_s
        while await self.applied_version(wanted.community_id) < wanted.version:
            if time.monotonic() >= deadline:
                raise Unavailable(
                    CONSISTENCY_TIMEOUT,
                    f"not yet caught up with {wanted}; retry shortly",
                )
            await asyncio.sleep(self.poll_s)
