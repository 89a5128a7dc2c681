"""`python -m insights.rebuild`: forget every insights figure and count again from offset 0.

Resets the state: the Faust consumer group (so every event topic is read from the start),
the tables' changelog topics, and the MongoDB serving view; then runs the worker, which
replays the three event topics. Stop the running insights workers first (the command refuses
while the group has members); start them again once this one has caught up, or keep it.
`--reset-only` stops after the reset.
"""

from __future__ import annotations

import argparse
import time

from community_common.kafka_clients import KAFKA_OUTAGE_ERRORS
from community_common.logging import configure_logging
from community_common.mongo import blocking_client
from kafka.admin import KafkaAdminClient

from insights.adapters.mongo_view import COLLECTIONS
from insights.settings import WorkerSettings

# Faust's own topics for an app: its tables' changelogs and the assignor's leader topic.
INTERNAL_SUFFIXES = ("-changelog", "-__assignor-__leader")
DELETE_TIMEOUT_S = 60


def internal_topics(app_id: str, existing: list[str]) -> list[str]:
    prefix = f"{app_id}-"
    return [t for t in existing if t.startswith(prefix) and t.endswith(INTERNAL_SUFFIXES)]


def reset(settings: WorkerSettings) -> list[str]:
    """Returns the topics deleted."""
    admin = KafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers, client_id="insights-rebuild"
    )
    try:
        group = admin.describe_groups([settings.app_id])[settings.app_id]
        if group["members"]:
            raise SystemExit(
                f"insights workers are running in group {settings.app_id} "
                f"({len(group['members'])} members): stop them first"
            )
        # A group that never committed is simply not found: nothing to forget.
        admin.delete_groups([settings.app_id])
        doomed = internal_topics(settings.app_id, admin.list_topics())
        if doomed:
            admin.delete_topics(doomed)
        deadline = time.monotonic() + DELETE_TIMEOUT_S
        while set(doomed) & set(admin.list_topics()):
            if time.monotonic() > deadline:
                raise SystemExit(f"topics still being deleted: {doomed}")
            time.sleep(0.2)
    finally:
        admin.close()
    with blocking_client(settings.mongodb_uri) as mongo:
        for name in COLLECTIONS.values():
            mongo[settings.mongodb_database].drop_collection(name)
    return doomed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m insights.rebuild", description=__doc__)
    parser.add_argument("--reset-only", action="store_true", help="reset, do not replay")
    args = parser.parse_args(argv)
    settings = WorkerSettings.from_env()
    configure_logging("insights-rebuild", settings.log_level)
    try:
        deleted = reset(settings)
    except KAFKA_OUTAGE_ERRORS as error:
        raise SystemExit(f"kafka unavailable: {error!r}") from None
    print(f"insights state reset (deleted {', '.join(deleted) or 'no topics'})", flush=True)
    if not args.reset_only:
        from insights.worker import main as run_worker

        run_worker()


if __name__ == "__main__":
    main()
