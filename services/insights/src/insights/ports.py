"""What the Faust agents and the gRPC API need from the serving store (MongoDB in
production, memory in the agents' unit tests), and what figures are computed from (the
serving view for the API, the worker's own tables for snapshots)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from insights.domain.effects import Space
from insights.domain.ledger import Target, Value


class StateReads(Protocol):
    async def roster(self, community_id: str) -> Value | None: ...

    async def role(self, community_id: str, user_id: str) -> int:
        """The member's role (ROLE_UNSPECIFIED = 0 for a non-member)."""

    async def days(self, space: Space, days: list[str]) -> dict[str, Value | None]:
        """The space's stored days (UTC "YYYY-MM-DD"), None for a day without activity; or
        its months ("YYYY-MM", `ledger.month_target`)."""


class ServingView(StateReads, Protocol):
    async def save(self, changed: Mapping[Target, Value]) -> None:
        """Store each value as it now is (absolute, so saving twice is harmless)."""
