"""Page tokens, the one scheme every list uses (SPEC §9: `page_size`, `page_token`,
`next_page_token`).

A token is opaque to clients: base64url JSON holding where the next page continues (an
offset, a position, per-timeline slots: whatever the list needs) and a fingerprint of the
query that handed it out (the list and its filters), so a token is refused with
INVALID_PAGE_TOKEN by any other list or filter, as it is when it is not a token at all.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from community_contracts.reasons import INVALID_PAGE_TOKEN

from community_common.errors import InvalidArgument


def _fingerprint(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()[:12]


def bad_page_token() -> InvalidArgument:
    """The refusal of a token this list did not hand out (also for a list whose position,
    once parsed, makes no sense, e.g. a negative offset)."""
    return InvalidArgument(
        {"page_token": "not a token this list handed out with these filters"},
        reason=INVALID_PAGE_TOKEN,
    )


def page_token(query: str, position: Mapping[str, Any]) -> str:
    """The token continuing `query` (the list's name and filters) at `position`."""
    raw = json.dumps(
        {"q": _fingerprint(query), "p": dict(position)}, separators=(",", ":"), sort_keys=True
    ).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse_page_token(token: str, query: str) -> dict[str, Any] | None:
    """The position in `token`; None for no token (the first page)."""
    if not token:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError):
        raise bad_page_token() from None
    if (
        not isinstance(payload, dict)
        or payload.get("q") != _fingerprint(query)
        or not isinstance(payload.get("p"), dict)
    ):
        raise bad_page_token()
    return dict(payload["p"])


def page_size(requested: int, default: int, maximum: int) -> int:
    """0 means the default; larger than the maximum is capped rather than refused."""
    return min(requested or default, maximum)
