"""The "Faust floor" of P2: the insights worker's own app (same settings, consumer, drain
loop, commit path and event loop) with one bare agent that takes the same batches and only
counts them, no tables, no view. `make bench` runs it on the P2 topic right after the
worker, so worker / floor / raw aiokafka come from one run.

    INSIGHTS_SOURCE_TOPICS=<topic> INSIGHTS_APP_ID=<group> python bench/faust_floor.py
"""

from __future__ import annotations

import faust
import uvloop


def main() -> None:
    uvloop.install()
    from insights.app import BATCH_MAX, BATCH_WITHIN_S, app, settings

    # The same app without the worker's agent and tables (found by autodiscovery).
    app.conf.autodiscover = False
    topic = app.topic(*settings.source_topics, key_type=bytes, value_type=bytes,
                      key_serializer="raw", value_serializer="raw")

    @app.agent(topic, concurrency=1)
    async def take_only(stream):  # type: ignore[no-untyped-def]
        async for batch in stream.take_events(BATCH_MAX, BATCH_WITHIN_S):
            yield len(batch)

    worker = faust.Worker(app, loglevel=settings.log_level, override_logging=False)
    worker.execute_from_commandline()


if __name__ == "__main__":
    main()
