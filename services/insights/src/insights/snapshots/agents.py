"""Publishes each changed space's figures (the default 28 days in UTC, as the snapshot
contract says) to the snapshot topic, at most once per space per
INSIGHTS_SNAPSHOT_INTERVAL_S. Each worker publishes the spaces of its own partitions, from
its own tables (no database read)."""

from __future__ import annotations

import asyncio
import time
from zoneinfo import ZoneInfo

from insights.app import app, runtime, settings
from insights.application.get_insights import InsightsQueries
from insights.codecs import snapshot_record
from insights.domain.figures import DEFAULT_RANGE
from insights.engagement.tables import TableReads

TICK_S = 0.5
# Figures are CPU work on the agent's own loop: a few spaces per tick keeps counting going
# when many spaces change at once (a replay); the rest are due again next tick.
SPACES_PER_TICK = 2
UTC = ZoneInfo("UTC")

snapshot_topic = app.topic(
    settings.snapshot_topic,
    key_type=bytes,
    value_type=bytes,
    key_serializer="raw",
    value_serializer="raw",
)


@app.timer(interval=TICK_S)
async def publish_snapshots() -> None:
    state = TableReads()
    queries = InsightsQueries(state)
    now = time.monotonic()
    for space in runtime.snapshots.due(now)[:SPACES_PER_TICK]:
        roster = await state.roster(space.community_id)
        if roster is None:
            continue
        figures = await queries.figures(space, roster, DEFAULT_RANGE, UTC)
        record = snapshot_record(space, figures)
        await snapshot_topic.send(key=record.key, value=record.value, headers=record.headers)
        runtime.snapshots.published(space, now)
        await asyncio.sleep(0)  # let the agent run between two spaces
