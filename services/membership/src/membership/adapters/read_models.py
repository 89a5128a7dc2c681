"""The read models for queries that span communities, written by the projector.

- `community_summaries` `_id = community_id`: a community's settings and member count, for
  discovery (ListCommunities, by `topics` equality: indexed) and for naming a user's
  communities (ListMyCommunities).
  `projected` is the community version up to which the projector has done everything each
  event asks (summary and user index), so re-delivered events are skipped.
- `user_index` facts about a user (a membership began, changed role or ended; an invitation
  to them changed), `_id = "<user>:<community_id>:<version:012d>"`: the community version
  the fact comes from, so writing a fact is one insert, a fact written twice collides (and
  counts once), and writers for different communities never overwrite each other. Readers
  fetch a user's facts in one indexed equality on `user_id` and fold them by version.

Questions about one community are answered from its aggregate, never from here. Both are
dropped and projected again from the event store by `python -m membership.rebuild`
(membership.rebuild); reads wait while that runs (`settled`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

SUMMARIES = "community_summaries"
USER_INDEX = "user_index"
COLLECTIONS = (SUMMARIES, USER_INDEX)
# (collection, field): the equalities the reads filter by, and the invitation timer's range.
INDEXES = ((SUMMARIES, "topics"), (USER_INDEX, "user_id"), (SUMMARIES, "invitations_due_at"))
DUPLICATE_KEY = 11000


def _escaped(user_id: str) -> str:
    return user_id.replace("%", "%25").replace(":", "%3A")


def _fact_id(user_id: str, fact: dict[str, Any]) -> str:
    return f"{_escaped(user_id)}:{fact['community_id']}:{fact['version']:012d}"


def fact_document(user_id: str, fact: dict[str, Any]) -> dict[str, Any]:
    """A user's fact as stored: its `_id` is the user, community and version, so the same
    event projected twice (a command and the projector, a redelivery, a rebuild resumed)
    collides and changes nothing."""
    return {"_id": _fact_id(user_id, fact), "user_id": user_id, **fact}


def only_duplicates(error: BulkWriteError) -> bool:
    return all(e["code"] == DUPLICATE_KEY for e in error.details["writeErrors"])


def newer_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """The filter a summary replaces: the same community at an earlier projection (with
    upsert; a summary at this projection or later makes the upsert collide: kept)."""
    return {"_id": summary["_id"], "projected": {"$lt": summary["projected"]}}


class ReadModels:
    def __init__(
        self,
        database: AsyncDatabase[Any],
        settled: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """`settled` (RebuildWatch.settled) returns once no rebuild of these collections
        runs; every query read awaits it first, so no answer comes from a half-built model."""
        self.db = database
        self.summaries = database[SUMMARIES]
        self.user_index = database[USER_INDEX]
        self._settled = settled

    async def settled(self) -> None:
        if self._settled is not None:
            await self._settled()

    # --- community summaries ---------------------------------------------------------------

    async def projected_version(self, community_id: str) -> int:
        found = await self.summaries.find_one({"_id": community_id}, {"projected": 1})
        return int(found["projected"]) if found else 0

    async def put_summary(self, summary: dict[str, Any]) -> None:
        """Store a summary unless one of a later projection is there already.

        FerretDB's update is a read, then a write: two writers racing here (a command and the
        projector) can leave an older summary for a moment; the projector's next event of
        that community finds it behind and writes the newer one."""
        # One command: FerretDB selects by `_id` and filters the version itself.
        with contextlib.suppress(DuplicateKeyError):
            await self.summaries.replace_one(newer_summary(summary), summary, upsert=True)

    async def summaries_by_id(self, community_ids: list[str]) -> dict[str, dict[str, Any]]:
        await self.settled()
        found = await asyncio.gather(
            *(self.summaries.find_one({"_id": cid}) for cid in community_ids)
        )
        return {doc["_id"]: doc for doc in found if doc is not None}

    async def ensure_indexes(self) -> None:
        """The equalities the reads filter by: a topic (matching an element of `topics`) and
        a user's facts. On MongoDB these are ordinary (multikey) indexes; the local FerretDB
        adds a GIN index on the expression its pushdown filters with
        (deploy/local/ferretdb/gin_indexes.sql)."""
        for collection, key in INDEXES:
            await self.db[collection].create_index(key)

    async def invitations_due(self, now: datetime) -> list[str]:
        """The communities with a pending invitation past its expiry (the invitation timer's
        work). A range: an index scan on MongoDB, a scan of the (one document per community)
        summaries on the local FerretDB."""
        query = {"invitations_due_at": {"$lte": now}}
        return [doc["_id"] async for doc in self.summaries.find(query, {"_id": 1})]

    async def public_summaries(self, topic: str) -> list[dict[str, Any]]:
        """Every public, active community, of `topic` when one is given. Without a topic,
        discovery needs the whole catalogue; it reads this collection alone, which holds one
        small document per community."""
        await self.settled()
        query: dict[str, Any] = {"listed": True}
        if topic:
            query["topics"] = topic
        return [doc async for doc in self.summaries.find(query)]

    # --- user index ------------------------------------------------------------------------

    async def add_user_facts(self, facts: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """Store (user id, fact) pairs in one unordered insert. A fact's `_id` is its user,
        community and version, so the same event projected again (the projector after a
        command, a redelivery, a crash in between) collides and changes nothing."""
        documents = [fact_document(user_id, fact) for user_id, fact in facts]
        if not documents:
            return
        try:
            await self.user_index.insert_many(documents, ordered=False)
        except BulkWriteError as error:
            if not only_duplicates(error):
                raise

    async def user_facts(self, user_id: str) -> list[dict[str, Any]]:
        """Every fact about the user (fold them by `version`): one indexed equality."""
        await self.settled()
        return [doc async for doc in self.user_index.find({"user_id": user_id})]
