"""When a space's snapshot is due: after its figures changed, at most once per interval."""

from __future__ import annotations

from collections.abc import Iterable

from insights.domain.effects import CommunityOpened, RoleChange, Space
from insights.domain.ledger import Observed


def spaces_changed(events: Iterable[Observed]) -> set[Space]:
    """Every space an event touched: its community, and each space of its effects."""
    spaces: set[Space] = set()
    for event in events:
        spaces.add(Space(event.community_id))
        spaces.update(
            effect.space for effect in event.effects
            if not isinstance(effect, (CommunityOpened, RoleChange))
        )
    return spaces


class SnapshotSchedule:
    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self._changed: set[Space] = set()
        self._last_published: dict[Space, float] = {}

    def changed(self, spaces: Iterable[Space]) -> None:
        self._changed.update(spaces)

    def due(self, now: float) -> list[Space]:
        return sorted(
            space for space in self._changed
            if now - self._last_published.get(space, float("-inf")) >= self.interval_s
        )

    def published(self, space: Space, now: float) -> None:
        self._changed.discard(space)
        self._last_published[space] = now
