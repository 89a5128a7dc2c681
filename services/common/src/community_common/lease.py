"""A lease: at most one live holder of a named role per database (the outbox relay, a rebuild).

Time is cut into slots of `lease_s`; the holder of a slot is whoever inserted its document
(`leases`, `_id = "<name>:<floor(now / lease_s)>"`): the insert that does not collide wins,
which is the one "only one wins" step both MongoDB and FerretDB make atomic. A live holder
pre-claims the next slot near the end of its own, so it keeps the role; a holder that died
loses it at the end of its slot.

A holder named after its replica (`Settings.replica_name`) that restarts finds its own name on
the slot and holds it again at once. `still_held()` is the holder's fence: a monotonic-clock
deadline set by the last `held()`, looked at just before each step with an effect outside the
process, so a holder that was frozen (SIGSTOP, a paused VM) past its slot does nothing after
waking; it learns it lost the lease from the next `held()`.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

LEASES = "leases"


class Lease:
    def __init__(
        self,
        database: Database[Any],
        name: str,
        lease_s: float,
        holder: str | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.leases = database[LEASES]
        self.name = name
        self.lease_s = lease_s
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.clock = clock
        self.monotonic = monotonic
        # The monotonic moment this holder stops trusting its lease (see `still_held`).
        self._valid_until = 0.0
        self._won: set[int] = set()
        self._lost: set[int] = set()

    def _slot_id(self, slot: int) -> str:
        return f"{self.name}:{slot}"

    def _claim(self, slot: int) -> bool:
        if slot in self._won:
            return True
        if slot in self._lost:
            return False
        document = {"_id": self._slot_id(slot), "holder": self.holder, "at": datetime.now(UTC)}
        try:
            self.leases.insert_one(document)
        except DuplicateKeyError:
            if self.current_holder(slot) != self.holder:
                self._lost.add(slot)
                return False
        self._won.add(slot)
        # Old slots are history; drop one now and then so the collection stays tiny.
        self.leases.delete_one({"_id": self._slot_id(slot - 3)})
        return True

    def current_holder(self, slot: int | None = None) -> str | None:
        """Who holds `slot` (default: the current one), if anyone."""
        if slot is None:
            slot = int(self.clock() // self.lease_s)
        found = self.leases.find_one({"_id": self._slot_id(slot)})
        return None if found is None else str(found.get("holder"))

    def held(self) -> bool:
        """True if this holder has the role now (and for at least a few more seconds)."""
        now = self.clock()
        slot = int(now // self.lease_s)
        remaining = (slot + 1) * self.lease_s - now
        self._won = {s for s in self._won if s >= slot}
        self._lost = {s for s in self._lost if s >= slot}
        started = self.monotonic()
        self._valid_until = 0.0
        if not self._claim(slot):
            return False
        if remaining < self.lease_s / 2:
            # Pre-claim the next slot while we still hold this one: the role stays with a
            # live holder instead of being raced for every slot.
            self._claim(slot + 1)
        margin = min(2.0, self.lease_s / 5)
        if (slot + 1) in self._won:
            remaining += self.lease_s
        if remaining <= margin:
            return False
        # Counted from before the claims: time spent in them is already spent of the slot.
        self._valid_until = started + remaining - margin
        return True

    def renew(self) -> bool:
        """`held()` for a holder in the middle of its work: True only if it has held the lease
        without a break (this slot or the one before was already its own), so nobody else
        can have acted since it last looked."""
        slot = int(self.clock() // self.lease_s)
        unbroken = slot in self._won or slot - 1 in self._won
        return self.held() and unbroken

    def still_held(self) -> bool:
        """True until the slots the last `held()` found are nearly over, by the monotonic
        clock (which keeps counting while the process is frozen); no database call."""
        return self.monotonic() < self._valid_until
