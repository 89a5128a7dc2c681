"""What moderation decided about users, as membership needs it: community bans and platform
restrictions on ACTION_INVITE / ACTION_CREATE_COMMUNITY.

Written only by the moderation consumer, read by the command handlers. Each document keeps
the moderation stream position (`ce_sequence`) of the event it reflects, so a re-delivered or
older event never overwrites a newer decision:

- `bans`          `_id = "<community_id>:<user_id>"`  {banned, expires_at, sequence}
- `restrictions`  `_id = "<user_id>"`  {actions: {"ACTION_INVITE": {expires_at}}, sequence}
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

BANS = "bans"
RESTRICTIONS = "restrictions"


def _ban_id(community_id: str, user_id: str) -> str:
    return f"{community_id}:{user_id}"


def _in_force(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is None or now < expires_at


class Sanctions:
    def __init__(self, database: AsyncDatabase[Any]) -> None:
        self.bans = database[BANS]
        self.restrictions = database[RESTRICTIONS]

    # --- reading (command handlers) --------------------------------------------------------

    async def is_banned(self, community_id: str, user_id: str, now: datetime) -> bool:
        ban = await self.bans.find_one({"_id": _ban_id(community_id, user_id)})
        return bool(ban and ban["banned"] and _in_force(ban.get("expires_at"), now))

    async def restriction(self, user_id: str, action: str, now: datetime) -> datetime | bool | None:
        """False when `action` is allowed; else when the restriction ends (None = never)."""
        found = await self.restrictions.find_one({"_id": user_id})
        entry = (found or {}).get("actions", {}).get(action)
        if entry is None or not _in_force(entry.get("expires_at"), now):
            return False
        expires_at: datetime | None = entry.get("expires_at")
        return expires_at

    # --- writing (moderation consumer) -----------------------------------------------------

    async def record_ban(
        self,
        community_id: str,
        user_id: str,
        banned: bool,
        expires_at: datetime | None,
        sequence: int,
    ) -> bool:
        """Store a ban or unban; False when a later (or this) event was stored already."""
        key = _ban_id(community_id, user_id)
        current = await self.bans.find_one({"_id": key})
        if current is not None and current["sequence"] >= sequence:
            return False
        await self._put(
            self.bans,
            {"_id": key, "banned": banned, "expires_at": expires_at, "sequence": sequence},
        )
        return True

    async def ban_sequence(self, community_id: str, user_id: str) -> int:
        current = await self.bans.find_one({"_id": _ban_id(community_id, user_id)})
        return int(current["sequence"]) if current else 0

    async def record_restriction(
        self,
        user_id: str,
        actions: list[str],
        restricted: bool,
        expires_at: datetime | None,
        sequence: int,
    ) -> bool:
        """Restrict (or lift) the listed actions; the others keep what they had."""
        current = await self.restrictions.find_one({"_id": user_id}) or {"actions": {}}
        if current.get("sequence", 0) >= sequence:
            return False
        kept = dict(current["actions"])
        for action in actions:
            if restricted:
                kept[action] = {"expires_at": expires_at}
            else:
                kept.pop(action, None)
        await self._put(self.restrictions, {"_id": user_id, "actions": kept, "sequence": sequence})
        return True

    @staticmethod
    async def _put(collection: Any, document: dict[str, Any]) -> None:
        # One writer per key (the partition's consumer), so a plain replace is enough; two
        # first-time upserts racing during a rebalance both carry the same decision.
        with contextlib.suppress(DuplicateKeyError):
            await collection.replace_one({"_id": document["_id"]}, document, upsert=True)
