"""Owner ledgers: per user, the communities they claimed a creation slot for.

A chain of documents `_id = "<user>:<version:010d>"`, each holding the whole list of claims
after that change; a new version is written by inserting the next `_id`, so of two writers
that read the same version exactly one succeeds (the only "only one wins" step that holds on
FerretDB as on MongoDB). `<user>:head` remembers a recent version so loads start near the
end; it is only a hint, and may lag.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from community_common.errors import Aborted
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from membership.domain.owner_slots import Claim, Standing, claim_slot, claims_in_force

LEDGERS = "owner_ledgers"
ATTEMPTS = 60


def _escaped(user_id: str) -> str:
    # User ids are opaque: keep "a:b" + version apart from "a" + "b:..." (and from ":head").
    return user_id.replace("%", "%25").replace(":", "%3A")


class OwnerLedger:
    def __init__(self, database: AsyncDatabase[Any]) -> None:
        self.collection = database[LEDGERS]

    async def _latest(self, user_id: str) -> tuple[int, list[Claim]]:
        prefix = _escaped(user_id)
        head = await self.collection.find_one({"_id": f"{prefix}:head"})
        version = head["version"] if head else 0
        document = None
        if version:
            document = await self.collection.find_one({"_id": f"{prefix}:{version:010d}"})
        while (
            later := await self.collection.find_one({"_id": f"{prefix}:{version + 1:010d}"})
        ) is not None:
            version, document = version + 1, later
        claims = [
            Claim(c["community_id"], c["claimed_at"]) for c in (document or {}).get("claims", [])
        ]
        return version, claims

    async def claim(
        self,
        user_id: str,
        community_id: str,
        now: datetime,
        limit: int,
        standing: Callable[[str], Awaitable[Standing]],
    ) -> None:
        """Take a slot for `community_id`, or raise OwnerSlotsFull. Losing a write race means
        re-reading the ledger and deciding again, so the limit holds under any concurrency."""
        prefix = _escaped(user_id)
        for attempt in range(ATTEMPTS):
            version, claims = await self._latest(user_id)
            standings = {c.community_id: await standing(c.community_id) for c in claims}
            kept = claims_in_force(claims, now, standings.__getitem__)
            after = claim_slot(kept, community_id, now, limit)
            if after is None:
                return
            try:
                await self.collection.insert_one(
                    {
                        "_id": f"{prefix}:{version + 1:010d}",
                        "claims": [
                            {"community_id": c.community_id, "claimed_at": c.claimed_at}
                            for c in after
                        ],
                    }
                )
            except DuplicateKeyError:
                await asyncio.sleep(random.uniform(0, min(0.1, 0.004 * 2**attempt)))
                continue
            with contextlib.suppress(DuplicateKeyError):  # two first-time upserts of the hint
                await self.collection.replace_one(
                    {"_id": f"{prefix}:head"}, {"version": version + 1}, upsert=True
                )
            return
        raise Aborted("too many concurrent creates, retry")
