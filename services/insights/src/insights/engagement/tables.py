"""The insights state: three changelog-backed tables of compact values (see
`insights.domain.ledger`), keyed by JSON arrays that start with the community id."""

from __future__ import annotations

import faust
from faust.types import TableT

from insights.app import app, settings
from insights.domain.effects import Space
from insights.domain.ledger import (
    DAYS,
    ROLES,
    ROSTERS,
    Value,
    day_target,
    role_target,
    roster_target,
)


def _table(name: str, help: str) -> TableT:
    return app.Table(
        name,
        # Values are plain JSON objects (no value_type: Faust's changelog recovery would try
        # to build a model from them).
        schema=faust.Schema(key_type=str, key_serializer="raw", value_serializer="json"),
        partitions=settings.topic_partitions,
        help=help,
    )


days = _table(DAYS, "A space's counters, member scores and post engagement of one UTC day.")
rosters = _table(ROSTERS, "A community's headcounts, groups, stream version and as_of.")
roles = _table(ROLES, "A member's role in a community.")

TABLES: dict[str, TableT] = {DAYS: days, ROSTERS: rosters, ROLES: roles}


class TableReads:
    """The figures' inputs read from this worker's own tables, which hold exactly what it
    saves to the serving view. Snapshots read here: reading them back from MongoDB cost a
    round trip per day (29 per snapshot) on the database the agent writes to."""

    async def roster(self, community_id: str) -> Value | None:
        return rosters.get(roster_target(community_id).key)

    async def role(self, community_id: str, user_id: str) -> int:
        value = roles.get(role_target(community_id, user_id).key)
        return int(value["role"]) if value else 0

    async def days(self, space: Space, days_: list[str]) -> dict[str, Value | None]:
        return {day: days.get(day_target(space, day).key) for day in days_}
