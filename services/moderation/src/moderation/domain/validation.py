"""Argument checks shared by the commands: each names the request field it refuses."""

from __future__ import annotations

from datetime import timedelta

from community_common.errors import InvalidArgument

from moderation.domain import limits


def required_id(field: str, value: str) -> list[tuple[str, str]]:
    if not value:
        return [(field, "is required")]
    if len(value) > limits.MAX_ID:
        return [(field, f"must be at most {limits.MAX_ID} characters")]
    return []


def text(field: str, value: str, maximum: int, *, required: bool = False) -> list[tuple[str, str]]:
    if required and not value.strip():
        return [(field, "is required")]
    if len(value) > maximum:
        return [(field, f"must be at most {maximum} characters")]
    return []


def mute_duration(field: str, duration: timedelta | None) -> list[tuple[str, str]]:
    if duration is None:
        return [(field, "is required")]
    if not limits.MIN_MUTE <= duration <= limits.MAX_MUTE:
        return [(field, "must be from 60 seconds to 28 days")]
    return []


def positive_duration(field: str, duration: timedelta | None) -> list[tuple[str, str]]:
    if duration is not None and duration <= timedelta(0):
        return [(field, "must be positive")]
    return []


def check(*violations: list[tuple[str, str]]) -> None:
    """Raise one INVALID_ARGUMENT naming every bad field, if any."""
    found = [v for group in violations for v in group]
    if found:
        raise InvalidArgument(found)
