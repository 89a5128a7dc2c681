"""Write-behind for the serving view.

The agent hands each batch's changed values over and goes on counting; one task saves them
to MongoDB meanwhile. Values are absolute, so pending values are merged by target and only
the latest state of each is written: a hot day or roster is written once per save round
however many batches changed it. A save round costs a FerretDB round trip per 25 documents,
far more than counting a batch, which is why this is not done inline.

Offsets are committed only after `saved()` (see `insights.app`), so every acknowledged event
is in the view before its offset is committed. A MongoDB outage blocks the rounds (and so
the commits) and retries; any other error is raised to the agent, which stops the worker.
Once fenced (a rebuild started: insights.rebuild_fence) it saves nothing more, checking
between chunks of a round so that at most one chunk is in flight after the fence.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from community_common.mongo import storage_down

from insights.domain.ledger import Target, Value
from insights.ports import ServingView

log = logging.getLogger("insights.engagement")

RETRY_BACKOFF_S = (0.1, 0.5, 1.0, 2.0)
# Values per `ServingView.save` call: the fence is checked between two.
SAVE_CHUNK = 100


class ViewWriter:
    def __init__(self, view: ServingView) -> None:
        self._view = view
        self._pending: dict[Target, Value] = {}
        # Hand-overs so far, and how many of them are entirely in the view.
        self._added = 0
        self._saved = 0
        self._error: BaseException | None = None
        self._wake = asyncio.Event()
        self._progress = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self.fenced = False

    def fence(self) -> None:
        """Save nothing more: a rebuild owns the view now."""
        self.fenced = True
        self._pending = {}
        self._wake.set()

    def add(self, changed: Mapping[Target, Value]) -> None:
        """Queue values to save (they must not be modified afterwards)."""
        self._raise_failure()
        if not changed or self.fenced:
            return
        self._pending.update(changed)
        self._added += 1
        self._wake.set()
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())

    async def saved(self) -> None:
        """Return once everything added before this call is in the view."""
        wanted = self._added
        async with self._progress:
            await self._progress.wait_for(
                lambda: self._saved >= wanted or bool(self._error) or self.fenced
            )
        self._raise_failure()

    def _raise_failure(self) -> None:
        if self._error is not None:
            raise RuntimeError("saving the serving view failed") from self._error

    async def _run(self) -> None:
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                while self._pending and not self.fenced:
                    values, reached = self._pending, self._added
                    self._pending = {}
                    await self._save(values)
                    async with self._progress:
                        if not self.fenced:
                            self._saved = reached
                        self._progress.notify_all()
                if self.fenced:
                    async with self._progress:
                        self._progress.notify_all()
                    return
        except Exception as error:
            # Raised from the agent's next hand-over and from the commit waiting on it.
            async with self._progress:
                self._error = error
                self._progress.notify_all()

    async def _save(self, values: Mapping[Target, Value]) -> None:
        items = list(values.items())
        for i in range(0, len(items), SAVE_CHUNK):
            if self.fenced:
                return
            await self._save_chunk(dict(items[i : i + SAVE_CHUNK]))

    async def _save_chunk(self, values: Mapping[Target, Value]) -> None:
        attempt = 0
        while True:
            try:
                await self._view.save(values)
                return
            except Exception as error:
                if not storage_down(error):
                    raise
                log.warning("serving view unavailable, retrying: %r", error)
                await asyncio.sleep(RETRY_BACKOFF_S[min(attempt, len(RETRY_BACKOFF_S) - 1)])
                attempt += 1
