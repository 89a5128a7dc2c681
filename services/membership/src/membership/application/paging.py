"""Page tokens: an opaque offset into a list, bound to the query that produced it."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from typing import TypeVar

from community_common.errors import InvalidArgument
from community_contracts.reasons import INVALID_PAGE_TOKEN

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def _fingerprint(scope: str) -> str:
    return hashlib.sha256(scope.encode()).hexdigest()[:12]


def page(items: Sequence[T], page_size: int, page_token: str, scope: str) -> tuple[list[T], str]:
    """One page of `items` and the token for the next ('' on the last page). `scope` names
    the query (list and filters): a token is only valid for the query that handed it out."""
    size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    offset = _offset(page_token, _fingerprint(scope)) if page_token else 0
    chosen = list(items[offset : offset + size])
    more = offset + size < len(items)
    token = ""
    if more:
        raw = json.dumps({"o": offset + size, "q": _fingerprint(scope)}).encode()
        token = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return chosen, token


def _offset(token: str, fingerprint: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset = data["o"]
        valid = isinstance(offset, int) and offset >= 0 and data["q"] == fingerprint
    except (ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        raise InvalidArgument(
            {"page_token": "not a token from this list with these filters"},
            reason=INVALID_PAGE_TOKEN,
        )
    return int(offset)
