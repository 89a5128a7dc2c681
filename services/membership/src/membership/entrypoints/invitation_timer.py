"""The invitation timer: records `InvitationExpired` within `interval_s` of each expiry, with
the expiry as its ce_time, for communities where nothing else happens (a command on a
community records its overdue expiries too, first).

It asks the community summaries which communities have an invitation due
(`ReadModels.invitations_due`) and runs the expiry command on each; while the summaries are
rebuilt (`paused`) it waits for the next pass. Replicas may all run
it: the command changes a community once (the commit insert decides), later runs find
nothing due.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

from membership.application.service import MembershipService

log = logging.getLogger("membership.invitation_timer")

DEFAULT_INTERVAL_S = 10.0


class InvitationTimer:
    name = "invitation-timer"

    def __init__(
        self,
        service: Callable[[], MembershipService],
        interval_s: float = DEFAULT_INTERVAL_S,
        paused: Callable[[], bool] = lambda: False,
    ) -> None:
        """`service` builds the use cases for the timer's own thread and event loop."""
        self.service = service
        self.interval_s = interval_s
        self.paused = paused
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def unready_reason(self) -> str | None:
        if self._thread is not None and not self._thread.is_alive():
            return "the invitation timer stopped"
        return None

    def _run(self) -> None:
        asyncio.run(self._tick_until_stopped())

    async def _tick_until_stopped(self) -> None:
        service = self.service()
        try:
            while not self._stopping.is_set():
                try:
                    if not self.paused():
                        await self.tick(service)
                except Exception:  # the next tick tries again; nothing is lost meanwhile
                    log.warning("invitation timer pass failed", exc_info=True)
                await asyncio.to_thread(self._stopping.wait, self.interval_s)
        finally:
            await service.store.db.client.close()

    @staticmethod
    async def tick(service: MembershipService) -> int:
        """One pass: expire what is due; how many communities had expiries recorded."""
        expired = 0
        for community_id in await service.read_models.invitations_due(service.clock()):
            expired += await service.expire_invitations(community_id)
        return expired
