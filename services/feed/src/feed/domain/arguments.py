"""Argument rules of the feed API (checked before anything else but authentication)."""

from __future__ import annotations

from collections.abc import Iterable

from community_common.errors import InvalidArgument

MAX_BODY = 10_000
MAX_TITLE = 200
MAX_ID = 128
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_TARGET_GROUPS = 100


class Violations:
    """Collects every bad field of a request, so the client hears about all of them at once."""

    def __init__(self) -> None:
        self.found: list[tuple[str, str]] = []

    def text(self, name: str, value: str, maximum: int, *, required: bool = True) -> None:
        if required and not value.strip():
            self.found.append((name, "must not be empty"))
        elif len(value) > maximum:
            self.found.append((name, f"must be at most {maximum:,} characters"))

    def identifier(self, name: str, value: str, *, required: bool = True) -> None:
        if not value:
            if required:
                self.found.append((name, "is required"))
        elif len(value) > MAX_ID:
            self.found.append((name, f"must be at most {MAX_ID} characters"))

    def identifiers(self, name: str, values: Iterable[str], maximum: int) -> None:
        values = list(values)
        if len(values) > maximum:
            self.found.append((name, f"must list at most {maximum}"))
        for index, value in enumerate(values):
            self.identifier(f"{name}[{index}]", value)

    def page_size(self, value: int) -> None:
        if value < 0:
            self.found.append(("page_size", "must not be negative"))

    def check(self) -> None:
        if self.found:
            raise InvalidArgument(self.found)


def page_size(requested: int) -> int:
    """0 means the default; larger than the maximum is capped rather than refused."""
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
