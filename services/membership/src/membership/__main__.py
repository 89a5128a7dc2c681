"""`python -m membership`: run the membership service until SIGTERM/SIGINT.

`python -m membership rebuild-projections`: drop the read models and rebuild them from the
event store (safe while the service runs: the projector and commands converge on the same
documents).
"""

from __future__ import annotations

import asyncio
import sys

from community_common.config import ConfigError, Settings, exit_on_config_error
from community_common.event_store import COMMITS
from community_common.logging import configure_logging
from community_common.mongo import async_client
from community_common.server import serve_forever

from membership.bootstrap import SERVICE, build, limits_from_env, membership_service


async def rebuild_projections(settings: Settings) -> int:
    client = async_client(settings.mongodb_uri)
    try:
        service = membership_service(client, settings.mongodb_database, limits_from_env())
        # Every stream of the membership event store is a community's (a stored response of a
        # command that changed nothing has no stream).
        stream_ids = await client[settings.mongodb_database][COMMITS].distinct("stream_id")
        return await service.rebuild_projections(sorted(s for s in stream_ids if s))
    finally:
        await client.close()


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    try:
        if args == ["rebuild-projections"]:
            settings = Settings.from_env(SERVICE.short_name, SERVICE.default_port)
            configure_logging(SERVICE.short_name, settings.log_level)
            count = asyncio.run(rebuild_projections(settings))
            print(f"rebuilt the read models of {count} communities")
            return
        if args:
            sys.exit("usage: python -m membership [rebuild-projections]")
        host = build()
    except ConfigError as error:
        exit_on_config_error(error)
    serve_forever(host)


if __name__ == "__main__":
    main()
