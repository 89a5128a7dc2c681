"""Feed's argument limits (checked with community_common.validation.Violations)."""

from __future__ import annotations

from community_common import paging

MAX_BODY = 10_000
MAX_TITLE = 200
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_TARGET_GROUPS = 100


def page_size(requested: int) -> int:
    return paging.page_size(requested, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
