"""The serving view in memory, for the agents' unit tests (the MongoDB one is tested against
FerretDB in the integration tests)."""

from __future__ import annotations

import copy
from collections.abc import Mapping

from insights.domain.effects import Space
from insights.domain.ledger import Target, Value, day_target, role_target, roster_target


class MemoryServingView:
    def __init__(self) -> None:
        self.values: dict[Target, Value] = {}

    async def save(self, changed: Mapping[Target, Value]) -> None:
        for target, value in changed.items():
            self.values[target] = copy.deepcopy(value)

    async def roster(self, community_id: str) -> Value | None:
        return self.values.get(roster_target(community_id))

    async def role(self, community_id: str, user_id: str) -> int:
        value = self.values.get(role_target(community_id, user_id))
        return int(value["role"]) if value else 0

    async def days(self, space: Space, days: list[str]) -> dict[str, Value | None]:
        return {day: self.values.get(day_target(space, day)) for day in days}
