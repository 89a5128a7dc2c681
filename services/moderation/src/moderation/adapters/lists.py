"""Ordered lists read by `_id` only: rules, automod rules, report queues, moderation logs.

A list is a dense chain of documents `_id = "<list>#<position:012d>"` (1, 2, 3, ...), each
inserted once and never updated. The position is claimed by the insert that does not collide,
the one step that is safe under concurrency on FerretDB as on MongoDB, so any number of
writers (handlers on several replicas, consumer threads) can append without a lock. The head
document holds a hint of the last position; readers and writers probe forward from it, so a
hint that lags (its update is not atomic on FerretDB) costs a get, never an entry.

Appends are idempotent per key (the event's ce_id): a marker `_id = "<list>@<key>"` records
where the entry went, and a writer that loses the race to its twin turns its own entry into a
tombstone, which readers skip. Until it has, both entries are there (the command and the
consumer that re-projects its events write at the same moment, which the database runs side
by side): a reader that meets one key twice keeps the entry its marker names. Pages are
fetched by position, so a read costs the same however many other documents the collection
holds.
"""

from __future__ import annotations

import asyncio
import base64
from collections import Counter
from collections.abc import Mapping
from typing import Any

from community_common.errors import InvalidArgument
from community_contracts import reasons
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

LISTS = "lists"
TOMBSTONE = "tombstone"


def _entry_id(name: str, position: int) -> str:
    return f"{name}#{position:012d}"


def _head_id(name: str) -> str:
    return f"{name}#head"


def _marker_id(name: str, key: str) -> str:
    return f"{name}@{key}"


class Lists:
    def __init__(self, database: AsyncDatabase[Any]) -> None:
        self.collection = database[LISTS]

    async def head(self, name: str) -> int:
        """The last position in use (0 for an empty list)."""
        hint = await self.collection.find_one({"_id": _head_id(name)})
        position = int(hint["position"]) if hint else 0
        while await self.collection.find_one(
            {"_id": _entry_id(name, position + 1)}, projection={"_id": 1}
        ):
            position += 1
        return position

    async def append_once(self, name: str, key: str, entry: Mapping[str, Any]) -> None:
        """Append `entry` unless an entry with `key` is already in the list."""
        marker = _marker_id(name, key)
        if await self.collection.find_one({"_id": marker}, projection={"_id": 1}):
            return
        position = await self.head(name) + 1
        while True:
            try:
                await self.collection.insert_one(
                    {"_id": _entry_id(name, position), "key": key, **entry}
                )
                break
            except DuplicateKeyError:
                position += 1
        try:
            await self.collection.insert_one({"_id": marker, "position": position})
        except DuplicateKeyError:
            # A twin appended the same key meanwhile: keep theirs, hide ours.
            await self.collection.replace_one({"_id": _entry_id(name, position)}, {TOMBSTONE: True})
            return
        try:
            await self.collection.update_one(
                {"_id": _head_id(name)}, {"$max": {"position": position}}, upsert=True
            )
        except DuplicateKeyError:
            pass  # two first appends raced to create the hint; either value is a fine hint

    async def entries(self, name: str, positions: list[int]) -> list[tuple[int, dict[str, Any]]]:
        """The live entries at `positions`, in the order given (tombstones and the losing twin
        of a key left out)."""
        found = await asyncio.gather(
            *(self.collection.find_one({"_id": _entry_id(name, p)}) for p in positions)
        )
        live = [
            (position, document)
            for position, document in zip(positions, found, strict=True)
            if document is not None and not document.get(TOMBSTONE)
        ]
        keys = Counter(document["key"] for _, document in live)
        twins = [key for key, count in keys.items() if count > 1]
        if not twins:
            return live
        markers = await asyncio.gather(
            *(self.collection.find_one({"_id": _marker_id(name, key)}) for key in twins)
        )
        # Neither twin has its marker yet: keep the first met until one does.
        chosen = {
            key: marker["position"] if marker else next(p for p, d in live if d["key"] == key)
            for key, marker in zip(twins, markers, strict=True)
        }
        return [(p, d) for p, d in live if chosen.get(d["key"], p) == p]


def page_token(position: int) -> str:
    """An opaque token for "continue at `position`"."""
    return base64.urlsafe_b64encode(f"p{position}".encode()).decode().rstrip("=")


def parse_page_token(token: str) -> int | None:
    """The position a token continues at; None for no token."""
    if not token:
        return None
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        if not text.startswith("p"):
            raise ValueError(text)
        position = int(text[1:])
        if position < 0:
            raise ValueError(text)
    except ValueError:
        raise InvalidArgument(
            {"page_token": "not a token this list handed out"}, reason=reasons.INVALID_PAGE_TOKEN
        ) from None
    return position


def page_size(requested: int, default: int, maximum: int) -> int:
    if requested < 0:
        raise InvalidArgument({"page_size": "must not be negative"})
    return min(requested or default, maximum)
