"""Page tokens and the home-feed merge.

Every list is read from timelines: per space (a community's community-wide posts, a group's
posts, a community's announcements or live sessions) a dense sequence of slots 1, 2, 3, ...
in order of acceptance. A page token remembers, per timeline, the slot below which the next
page continues, so posts accepted while a client pages never shift what it has not seen yet
(no duplicates, no gaps).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from community_common.paging import bad_page_token, page_token, parse_page_token


@dataclass(frozen=True)
class Cursors:
    """Where each timeline's next page starts: timeline -> first slot not yet shown + 1
    (so the next page shows slots below it). A timeline not listed starts at its top."""

    list_name: str
    scope: str
    below: Mapping[str, int]

    def token(self) -> str:
        return page_token(f"{self.list_name}\0{self.scope}", {"b": dict(self.below)})

    @classmethod
    def parse(cls, token: str, list_name: str, scope: str) -> Cursors:
        """The cursors in `token`; an empty token is the first page. A token handed out by
        another list, or for another scope (community, group, user), is refused."""
        position = parse_page_token(token, f"{list_name}\0{scope}")
        if position is None:
            return cls(list_name, scope, {})
        below = position.get("b")
        if not isinstance(below, dict) or not all(
            isinstance(k, str) and type(v) is int and v >= 1 for k, v in below.items()
        ):
            raise bad_page_token()
        return cls(list_name, scope, below)


@dataclass(frozen=True)
class Entry:
    """One timeline entry as the home feed merges it."""

    timeline: str
    slot: int
    created_at: str  # RFC 3339 UTC, one format, so text order is time order
    data: Mapping[str, Any]

    @property
    def order(self) -> tuple[str, str, int]:
        return (self.created_at, self.timeline, self.slot)


def newest(heads: Mapping[str, Entry]) -> Entry | None:
    """The entry to show next among each timeline's next unseen entry: the newest."""
    return max(heads.values(), key=lambda e: e.order, default=None)
