"""Page tokens and the home-feed merge.

Every list is read from timelines: per space (a community's community-wide posts, a group's
posts, a community's announcements or live sessions) a dense sequence of slots 1, 2, 3, ...
in order of acceptance. A page token remembers, per timeline, the slot below which the next
page continues, so posts accepted while a client pages never shift what it has not seen yet
(no duplicates, no gaps).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from community_common.errors import InvalidArgument
from community_contracts import reasons


def _bad_token() -> InvalidArgument:
    return InvalidArgument(
        {"page_token": "not a token this list handed out"}, reason=reasons.INVALID_PAGE_TOKEN
    )


def encode(payload: Mapping[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError):
        raise _bad_token() from None
    if not isinstance(payload, dict):
        raise _bad_token()
    return payload


@dataclass(frozen=True)
class Cursors:
    """Where each timeline's next page starts: timeline -> first slot not yet shown + 1
    (so the next page shows slots below it). A timeline not listed starts at its top."""

    list_name: str
    scope: str
    below: Mapping[str, int]

    def token(self) -> str:
        return encode({"l": self.list_name, "s": self.scope, "b": dict(self.below)})

    @classmethod
    def parse(cls, token: str, list_name: str, scope: str) -> Cursors:
        """The cursors in `token`; an empty token is the first page. A token handed out by
        another list, or for another scope (community, group, user), is refused."""
        if not token:
            return cls(list_name, scope, {})
        payload = decode(token)
        below = payload.get("b")
        if (
            payload.get("l") != list_name
            or payload.get("s") != scope
            or not isinstance(below, dict)
        ):
            raise _bad_token()
        if not all(isinstance(k, str) and type(v) is int and v >= 1 for k, v in below.items()):
            raise _bad_token()
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
