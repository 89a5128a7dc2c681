"""Argument checks, the one way every service refuses bad requests (SPEC §9: after
authentication, before anything else).

`Violations` collects every bad field of a request, so the client hears about all of them in
one INVALID_ARGUMENT with field violations; a service adds its own checks (id shapes,
durations) as functions or subclass methods over `add`.
"""

from __future__ import annotations

from collections.abc import Iterable

from community_common.errors import InvalidArgument
from community_common.event_store import CONTROL_CHARACTERS, request_id_problem

# Ids the server hands out, and user ids from tokens, stay well within this.
ID_MAX = 128


class Violations:
    def __init__(self) -> None:
        self.found: list[tuple[str, str]] = []

    def add(self, field: str, problem: str) -> None:
        self.found.append((field, problem))

    def check(self) -> None:
        """Raise one INVALID_ARGUMENT naming every bad field, if any."""
        if self.found:
            raise InvalidArgument(self.found)

    def identifier(self, field: str, value: str, *, required: bool = True) -> None:
        if not value:
            if required:
                self.add(field, "is required")
        elif len(value) > ID_MAX:
            self.add(field, f"must be at most {ID_MAX} characters")
        elif CONTROL_CHARACTERS.search(value):
            # No id has one, and FerretDB on PostgreSQL cannot even look up a NUL.
            self.add(field, "must not contain control characters")

    def identifiers(self, field: str, values: Iterable[str], maximum: int) -> None:
        values = list(values)
        if len(values) > maximum:
            self.add(field, f"must list at most {maximum}")
        for index, value in enumerate(values):
            self.identifier(f"{field}[{index}]", value)

    def text(self, field: str, value: str, maximum: int, *, required: bool = False) -> None:
        if required and not value.strip():
            self.add(field, "must not be empty")
        elif len(value) > maximum:
            self.add(field, f"must be at most {maximum:,} characters")
        elif "\x00" in value:
            # Never meant by a person, and FerretDB on PostgreSQL cannot store one (jsonb):
            # `make fuzz` found a community named with a NUL stored as an event that no read
            # model could then hold.
            self.add(field, "must not contain NUL characters")

    def one_of(self, field: str, value: int, allowed: Iterable[int], *, optional: bool) -> None:
        if optional and value == 0:
            return
        if value not in tuple(allowed):
            self.add(field, "unknown or unspecified value")

    def page_size(self, value: int) -> None:
        if value < 0:
            self.add("page_size", "must not be negative")

    def request_id(self, value: str) -> None:
        if problem := request_id_problem(value):
            self.add("request_id", problem)
