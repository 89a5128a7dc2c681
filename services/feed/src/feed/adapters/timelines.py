"""Timelines: per space, a dense sequence of slots 1, 2, 3, ... in order of acceptance.

Collection `timeline_slots`, `_id = "<timeline>:<slot:012d>"`, one small immutable document
per post / announcement / live session. A writer claims the next slot by inserting it; a
colliding insert (someone else took that slot) moves on to the next one, so slots stay dense
and ordered without any update (FerretDB's updates are not atomic). `timeline_heads` keeps a
hint of the top slot, written when a writer takes a multiple of HEAD_EVERY (last writer wins,
so it may lag); readers find the real top by probing `_id`s upwards from it, doubling the
step, so every read is a handful of `_id` gets however large the collection grows, and most
appends are a single insert.

Each process also remembers the highest slot it has seen taken per timeline (bounded): a
writer claims the slot above it directly, and a reader probes upwards from it, so a process's
own appends cost no read. A remembered slot is always taken and every slot below it too
(slots are dense and never removed), so it is as safe a starting point as the head. A
process's writers to one timeline claim together: 50 concurrent posts to one community would
otherwise all try the same slot, and each round of collisions let only one through
(quadratic inserts). So one writer at a time (a lock per stripe of timelines) inserts every
entry waiting at that moment into consecutive slots with one ordered insert; other
processes still collide, rarely.

Timelines ("c:", "g:", "a:", "l:") and their entries are feed.domain.timeline's: an entry is
made from the event its command is about to store, and the position claimed here goes into
that event (`timeline_position`), so `python -m feed.rebuild` re-inserts every entry from the
events. The collection is the "only one wins" claim that decides order, so it is never
dropped: a rebuild re-projects it in place (see feed/rebuild.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import zlib
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from community_common.errors import Aborted
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from feed.domain.timeline import announcements, community_posts, group_posts, live_sessions

SLOTS = "timeline_slots"
HEADS = "timeline_heads"
REMEMBERED_TIMELINES = 4096
CLAIM_LOCKS = 64
# A writer whose remembered top is this far behind (other processes appended) finds the real
# top from the head instead of colliding its way up slot by slot.
COLLISIONS_BEFORE_PROBING = 3
HEAD_WRITE_ROUNDS = 3
# The head hint moves in steps of this many slots: a reader in another process probes about
# log2(HEAD_EVERY) slots more, and only one append in HEAD_EVERY writes it.
HEAD_EVERY = 8
DUPLICATE_KEY = 11000

__all__ = [
    "Timelines",
    "announcements",
    "community_posts",
    "group_posts",
    "live_sessions",
    "slot_document",
    "slot_id",
]


def slot_id(timeline: str, slot: int) -> str:
    return f"{timeline}:{slot:012d}"


def slot_document(timeline: str, slot: int, entry: Mapping[str, Any]) -> dict[str, Any]:
    """The stored form of `entry` at `slot`: what a claim inserts and a rebuild re-inserts."""
    return {**entry, "_id": slot_id(timeline, slot), "timeline": timeline, "slot": slot}


class Timelines:
    def __init__(self, database: AsyncDatabase[Any]) -> None:
        self.slots = database[SLOTS]
        self.heads = database[HEADS]
        self._tops: OrderedDict[str, int] = OrderedDict()
        self._claiming = [asyncio.Lock() for _ in range(CLAIM_LOCKS)]
        self._raising: set[str] = set()
        # Entries queued per timeline while another writer of this process inserts: the next
        # writer to get the lock inserts them all in one command (a group commit).
        self._waiting: dict[str, list[tuple[Mapping[str, Any], asyncio.Future[int]]]] = {}

    async def _taken(self, timeline: str, slot: int) -> bool:
        return await self.slots.find_one({"_id": slot_id(timeline, slot)}, {"_id": 1}) is not None

    def _seen(self, timeline: str, slot: int) -> None:
        self._tops[timeline] = max(slot, self._tops.get(timeline, 0))
        self._tops.move_to_end(timeline)
        if len(self._tops) > REMEMBERED_TIMELINES:
            self._tops.popitem(last=False)

    async def top(self, timeline: str) -> int:
        """The highest slot taken (0 for an empty timeline)."""
        head = await self.heads.find_one({"_id": timeline})
        low = max(int(head["top"]) if head else 0, self._tops.get(timeline, 0))
        step = 1
        while await self._taken(timeline, low + step):
            low += step
            step *= 2
        high = low + step  # free; every slot up to `low` is taken
        while high - low > 1:
            middle = (low + high) // 2
            if await self._taken(timeline, middle):
                low = middle
            else:
                high = middle
        self._seen(timeline, low)
        return low

    async def append(self, timeline: str, entry: Mapping[str, Any]) -> int:
        """Claim the next slot for `entry`; returns its slot number."""
        claim: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(timeline, []).append((entry, claim))
        async with self._claiming[zlib.crc32(timeline.encode()) % CLAIM_LOCKS]:
            if not claim.done():  # else the writer before us took ours along
                await self._claim(timeline, self._waiting.pop(timeline))
        slot = claim.result()
        if slot % HEAD_EVERY == 0:
            await self._raise_head(timeline)
        return slot

    async def _claim(
        self, timeline: str, waiting: list[tuple[Mapping[str, Any], asyncio.Future[int]]]
    ) -> None:
        """Insert the waiting entries into consecutive slots above the top in one ordered
        insert. It stops at the first slot another process took: the entries before it have
        theirs (so no slot is ever skipped), the rest go again from above it."""
        try:
            collisions = 0
            while waiting:
                known = self._tops.get(timeline)
                if known is None or collisions >= COLLISIONS_BEFORE_PROBING:
                    known = await self.top(timeline)
                documents = [
                    slot_document(timeline, slot, entry)
                    for slot, (entry, _) in enumerate(waiting, start=known + 1)
                ]
                try:
                    await self.slots.insert_many(documents, ordered=True)
                    inserted = len(documents)
                except BulkWriteError as error:
                    if any(e["code"] != DUPLICATE_KEY for e in error.details["writeErrors"]):
                        raise
                    inserted = error.details["nInserted"]
                    collisions += 1
                for slot, (_, claim) in enumerate(waiting[:inserted], start=known + 1):
                    claim.set_result(slot)
                # Taken: ours, and on a collision the next slot too.
                self._seen(timeline, known + inserted + (1 if inserted < len(waiting) else 0))
                waiting = waiting[inserted:]
        except BaseException as error:
            # Whether the rest landed is unknown: those callers fail (retryable), and a slot
            # that did land without its post is skipped by every list.
            failure = error if isinstance(error, Exception) else Aborted("interrupted, retry")
            for _, claim in waiting:
                if not claim.done():
                    claim.set_exception(failure)
            raise

    async def _raise_head(self, timeline: str) -> None:
        """Write the head hint, one writer per timeline at a time: concurrent callers would
        each spend a round trip rewriting the same document, and FerretDB's update (a read,
        then a write) lets an older top land last. The writer in
        flight writes again (a few rounds at most, so no caller waits on a stream of others)
        while this process takes higher slots, so the others skip theirs; a hint left behind
        only costs readers in other processes a few more probes."""
        if timeline in self._raising:
            return
        self._raising.add(timeline)
        try:
            written = 0
            for _ in range(HEAD_WRITE_ROUNDS):
                top = self._tops.get(timeline, 0)
                if top <= written:
                    break
                # Two first writers may both upsert the missing hint; either is a fine hint.
                with contextlib.suppress(DuplicateKeyError):
                    await self.heads.replace_one({"_id": timeline}, {"top": top}, upsert=True)
                written = top
        finally:
            self._raising.discard(timeline)

    async def read_below(self, timeline: str, below: int, count: int) -> list[dict[str, Any]]:
        """Up to `count` entries with slots below `below`, newest first."""
        wanted = range(below - 1, max(below - 1 - count, 0), -1)
        found = await asyncio.gather(
            *(self.slots.find_one({"_id": slot_id(timeline, slot)}) for slot in wanted)
        )
        return [entry for entry in found if entry is not None]
