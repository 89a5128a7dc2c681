"""Moderation's argument checks: community_common.validation's rules, as functions that
return their field violations so a command can gather every problem before `check`."""

from __future__ import annotations

from datetime import timedelta

from community_common.validation import Violations

from moderation.domain import limits

Found = list[tuple[str, str]]


def _found(add: str, *args: object, **kwargs: object) -> Found:
    violations = Violations()
    getattr(violations, add)(*args, **kwargs)
    return violations.found


def required_id(field: str, value: str) -> Found:
    return _found("identifier", field, value)


def text(field: str, value: str, maximum: int, *, required: bool = False) -> Found:
    return _found("text", field, value, maximum, required=required)


def mute_duration(field: str, duration: timedelta | None) -> Found:
    if duration is None:
        return [(field, "is required")]
    if not limits.MIN_MUTE <= duration <= limits.MAX_MUTE:
        return [(field, "must be from 60 seconds to 28 days")]
    return []


def positive_duration(field: str, duration: timedelta | None) -> Found:
    if duration is not None and duration <= timedelta(0):
        return [(field, "must be positive")]
    return []


def check(*violations: Found) -> None:
    """Raise one INVALID_ARGUMENT naming every bad field, if any."""
    gathered = Violations()
    gathered.found = [v for group in violations for v in group]
    gathered.check()
