"""Page tokens for membership's lists: an offset into the list, bound to its query
(community_common.paging)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from community_common.paging import bad_page_token, page_size, page_token, parse_page_token

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def page(items: Sequence[T], size: int, token: str, scope: str) -> tuple[list[T], str]:
    """One page of `items` and the token for the next ('' on the last page). `scope` names
    the query (list and filters): a token is only valid for the query that handed it out."""
    size = page_size(size, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    position = parse_page_token(token, scope) or {"o": 0}
    offset = position.get("o")
    if type(offset) is not int or offset < 0:
        raise bad_page_token()
    chosen = list(items[offset : offset + size])
    more = offset + size < len(items)
    return chosen, page_token(scope, {"o": offset + size}) if more else ""
