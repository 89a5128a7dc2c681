"""The read models for queries that span communities, written by the projector.

- `community_summaries` `_id = community_id`: a community's settings and member count, for
  discovery (ListCommunities, by `topics` equality: indexed) and for naming a user's
  communities (ListMyCommunities).
  `projected` is the community version up to which the projector has done everything each
  event asks (summary and user index), so re-delivered events are skipped.
- `user_index` per user, an append-only chain `_id = "<user>:<n:010d>"` of facts about them
  (a membership began, changed role or ended; an invitation to them changed), each stamped
  with the community version it comes from and the `user_id`. A new fact goes to the first
  free `_id` (the insert that does not collide), so writers for different communities never
  overwrite each other; `<user>:head` is a hint of where the chain ends, for writers. Readers
  fetch a user's facts in one indexed equality on `user_id` and fold them by version, so a
  fact written twice counts once.

Questions about one community are answered from its aggregate, never from here.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

SUMMARIES = "community_summaries"
USER_INDEX = "user_index"
COLLECTIONS = (SUMMARIES, USER_INDEX)


def _escaped(user_id: str) -> str:
    return user_id.replace("%", "%25").replace(":", "%3A")


def _entry_id(prefix: str, n: int) -> str:
    return f"{prefix}:{n:010d}"


class ReadModels:
    def __init__(self, database: AsyncDatabase[Any]) -> None:
        self.db = database
        self.summaries = database[SUMMARIES]
        self.user_index = database[USER_INDEX]

    # --- community summaries ---------------------------------------------------------------

    async def projected_version(self, community_id: str) -> int:
        found = await self.summaries.find_one({"_id": community_id}, {"projected": 1})
        return int(found["projected"]) if found else 0

    async def put_summary(self, summary: dict[str, Any]) -> None:
        """Store a summary unless one of a later projection is there already.

        Read, compare, then replace by `_id` alone: FerretDB does not push a range such as
        `projected: {$lt: n}` down to PostgreSQL, and its update is a read, then a write,
        either way. Two writers racing here (a command and the projector) can leave an older
        summary for a moment; the projector's next event of that community finds it behind
        and writes the newer one."""
        if await self.projected_version(summary["_id"]) >= summary["projected"]:
            return
        with contextlib.suppress(DuplicateKeyError):  # two first-time upserts raced
            await self.summaries.replace_one({"_id": summary["_id"]}, summary, upsert=True)

    async def summaries_by_id(self, community_ids: list[str]) -> dict[str, dict[str, Any]]:
        found = await asyncio.gather(
            *(self.summaries.find_one({"_id": cid}) for cid in community_ids)
        )
        return {doc["_id"]: doc for doc in found if doc is not None}

    async def ensure_indexes(self) -> None:
        """The equalities the reads filter by: a topic (matching an element of `topics`) and
        a user's facts. On MongoDB these are ordinary (multikey) indexes; the local FerretDB
        adds a GIN index on the expression its pushdown filters with
        (deploy/local/ferretdb/gin_indexes.sql)."""
        await self.summaries.create_index("topics")
        await self.user_index.create_index("user_id")
        await self.summaries.create_index("invitations_due_at")

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
        query: dict[str, Any] = {"listed": True}
        if topic:
            query["topics"] = topic
        return [doc async for doc in self.summaries.find(query)]

    # --- user index ------------------------------------------------------------------------

    async def add_user_facts(self, facts: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """Append (user id, fact) pairs to their users' chains, in order: one head read and
        one head write per user, however many facts they get."""
        by_user: dict[str, list[dict[str, Any]]] = {}
        for user_id, fact in facts:
            by_user.setdefault(user_id, []).append(fact)
        for user_id, chain in by_user.items():
            await self._append_to_chain(user_id, chain)

    async def _append_to_chain(self, user_id: str, chain: list[dict[str, Any]]) -> None:
        prefix = _escaped(user_id)
        head = await self.user_index.find_one({"_id": f"{prefix}:head"})
        n = head["next"] if head else 1
        for fact in chain:
            while True:
                try:
                    await self.user_index.insert_one(
                        {"_id": _entry_id(prefix, n), "user_id": user_id, **fact}
                    )
                    break
                except DuplicateKeyError:
                    n += 1
            n += 1
        with contextlib.suppress(DuplicateKeyError):  # two first-time upserts of the hint
            await self.user_index.replace_one({"_id": f"{prefix}:head"}, {"next": n}, upsert=True)

    async def user_facts(self, user_id: str) -> list[dict[str, Any]]:
        """Every fact about the user, in chain order (fold them by `version`): one indexed
        equality, sorted here (the zero-padded `_id`s sort in chain order), because FerretDB
        would sort in its own process anyway."""
        facts = [doc async for doc in self.user_index.find({"user_id": user_id})]
        return sorted(facts, key=lambda doc: doc["_id"])

    async def drop(self) -> None:
        """Empty the read models (a rebuild); their indexes stay declared."""
        for name in COLLECTIONS:
            await self.db.drop_collection(name)
        await self.ensure_indexes()
