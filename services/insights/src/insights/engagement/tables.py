"""The insights state: three changelog-backed tables of compact values (see
`insights.domain.ledger`), keyed by JSON arrays that start with the community id."""

from __future__ import annotations

import faust

from insights.app import app, settings
from insights.domain.ledger import DAYS, ROLES, ROSTERS


def _table(name: str, help: str) -> faust.Table:
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

TABLES: dict[str, faust.Table] = {DAYS: days, ROSTERS: rosters, ROLES: roles}
