"""Ordered lists read by `_id` only: rules, automod rules, report queues, moderation logs.

A list is a dense chain of documents `_id = "<list>#<position:012d>"` (1, 2, 3, ...), each
inserted once and never updated. An entry is appended with ONE insert: its `_id` claims the
next position and its `marker` (`"<list>@<key>"`, the key being the event's ce_id; a unique
index) says which event it lists. Two colliding inserts are the only "only one wins" steps,
the same on FerretDB as on MongoDB:

- the position is taken (another entry got there first): try the next one;
- the marker is taken (this event is listed already, e.g. the command listed it and the
  consumer re-projecting the topic arrives second): nothing to do.

So any number of writers (handlers on several replicas, consumer threads) append without a
lock, an event is listed once, and no position is ever left empty.

Each process remembers the last position it has seen taken per list (bounded): a writer
claims the position above it directly, so an append costs one insert, and a reader probes
upwards from it. The head document (`"<list>#head"`) is a hint of the last position for
other processes, written when an append takes a multiple of HEAD_EVERY (it may lag: readers
probe upwards from it, doubling the step, so a lag costs a few gets, never an entry). Pages
are fetched by position, so a read costs the same however many other documents the
collection holds.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from community_common import paging
from community_common.validation import Violations
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

LISTS = "lists"
MARKER = "marker"
# Written by an earlier version of this module in place of an entry that lost to its twin.
TOMBSTONE = "tombstone"
# The head hint moves in steps of this many positions: one append in HEAD_EVERY writes it.
HEAD_EVERY = 8
REMEMBERED_LISTS = 4096
# A writer whose remembered position is this far behind finds the top from the head instead of
# colliding its way up entry by entry.
COLLISIONS_BEFORE_PROBING = 3


def entry_id(name: str, position: int) -> str:
    return f"{name}#{position:012d}"


def head_id(name: str) -> str:
    return f"{name}#head"


def marker_of(name: str, key: str) -> str:
    return f"{name}@{key}"


class Lists:
    """`generation` counts the rebuilds of the lists this process has seen start: positions
    remembered before one may not hold after it (moderation.adapters.moderation_lists)."""

    def __init__(
        self, database: AsyncDatabase[Any], generation: Callable[[], int] = lambda: 0
    ) -> None:
        self.collection = database[LISTS]
        self._tops: OrderedDict[str, int] = OrderedDict()
        self._generation = generation
        self._seen_generation = generation()

    def _remembered(self, name: str) -> int | None:
        if self._generation() != self._seen_generation:
            self._seen_generation = self._generation()
            self._tops.clear()
        return self._tops.get(name)

    async def ensure_indexes(self) -> None:
        # Unique: an event's second entry in one list collides. Documents without a marker
        # (heads, entries written before markers moved into them) are not indexed: FerretDB
        # indexes the field's expression, NULL for them; MongoDB skips them as sparse.
        await self.collection.create_index(MARKER, unique=True, sparse=True)

    def _seen(self, name: str, position: int) -> None:
        self._tops[name] = max(position, self._tops.get(name, 0))
        self._tops.move_to_end(name)
        if len(self._tops) > REMEMBERED_LISTS:
            self._tops.popitem(last=False)

    async def _taken(self, name: str, position: int) -> bool:
        found = await self.collection.find_one(
            {"_id": entry_id(name, position)}, projection={"_id": 1}
        )
        return found is not None

    async def head(self, name: str) -> int:
        """The last position in use (0 for an empty list)."""
        hint = await self.collection.find_one({"_id": head_id(name)})
        low = max(int(hint["position"]) if hint else 0, self._remembered(name) or 0)
        step = 1
        while await self._taken(name, low + step):
            low += step
            step *= 2
        high = low + step  # free, and every position up to `low` is taken
        while high - low > 1:
            middle = (low + high) // 2
            if await self._taken(name, middle):
                low = middle
            else:
                high = middle
        self._seen(name, low)
        return low

    async def append_once(self, name: str, key: str, entry: Mapping[str, Any]) -> None:
        """Append `entry` unless an entry with `key` is already in the list."""
        marker = marker_of(name, key)
        known = self._remembered(name)
        position = (known if known is not None else await self.head(name)) + 1
        collisions = 0
        while True:
            if collisions == COLLISIONS_BEFORE_PROBING:
                # Far behind (other processes appended): find the top instead of walking.
                position = max(position, await self.head(name) + 1)
            try:
                await self.collection.insert_one(
                    {**entry, "_id": entry_id(name, position), MARKER: marker}
                )
                break
            except DuplicateKeyError:
                taken = await self.collection.find_one({"_id": entry_id(name, position)})
                if taken is None or taken.get(MARKER) == marker:
                    # The position is free, so the marker collided: the event is listed
                    # already (or it is ours, from an attempt whose answer was lost).
                    return
                self._seen(name, position)
                position += 1
                collisions += 1
        self._seen(name, position)
        if position % HEAD_EVERY == 0:
            # Two first appends may both upsert the missing hint; either value is a fine hint.
            with contextlib.suppress(DuplicateKeyError):
                await self.collection.update_one(
                    {"_id": head_id(name)}, {"$max": {"position": position}}, upsert=True
                )

    async def entries(self, name: str, positions: list[int]) -> list[tuple[int, dict[str, Any]]]:
        """The entries at `positions`, in the order given."""
        found = await asyncio.gather(
            *(self.collection.find_one({"_id": entry_id(name, p)}) for p in positions)
        )
        return [
            (position, document)
            for position, document in zip(positions, found, strict=True)
            if document is not None and not document.get(TOMBSTONE)
        ]


def page_token(query: str, position: int) -> str:
    """An opaque token for "continue `query` (the list and its filters) at `position`"."""
    return paging.page_token(query, {"p": position})


def parse_page_token(token: str, query: str) -> int | None:
    """The position a token of `query` continues at; None for no token."""
    found = paging.parse_page_token(token, query)
    if found is None:
        return None
    position = found.get("p")
    if type(position) is not int or position < 0:
        raise paging.bad_page_token()
    return position


def page_size(requested: int, default: int, maximum: int) -> int:
    check = Violations()
    check.page_size(requested)
    check.check()
    return paging.page_size(requested, default, maximum)
