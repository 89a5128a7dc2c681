"""Community roles and their ranks.

The Role enum numbers roles highest first (ROLE_OWNER = 1 ... ROLE_MEMBER = 4), so a smaller
number outranks a larger one; `outranks` is the one place that reads that order.
"""

from __future__ import annotations

from community.membership.v1.types_pb2 import (
    ROLE_ADMIN,
    ROLE_MEMBER,
    ROLE_MODERATOR,
    ROLE_OWNER,
    ROLE_UNSPECIFIED,
)

OWNER = ROLE_OWNER
ADMIN = ROLE_ADMIN
MODERATOR = ROLE_MODERATOR
MEMBER = ROLE_MEMBER
NONE = ROLE_UNSPECIFIED

ROLES = (OWNER, ADMIN, MODERATOR, MEMBER)
# Roles SetMemberRole may give: ownership only moves by TransferOwnership.
ASSIGNABLE = (ADMIN, MODERATOR, MEMBER)


def outranks(role: int, other: int) -> bool:
    """True when `role` is strictly higher than `other` (NONE is below everything)."""
    if role == NONE:
        return False
    return other == NONE or role < other


def at_least(role: int, lowest: int) -> bool:
    """True when `role` is `lowest` or higher."""
    return role != NONE and role <= lowest
