"""The per-owner limit on active communities (MAX_COMMUNITIES_PER_USER), as pure rules.

Each user has a ledger of the communities they claimed a creation slot for (by creating one,
or by receiving ownership). Writes to the ledger are serialised by optimistic concurrency,
so two concurrent claims can never both see the same free slot. A claim counts while its
community is active and owned by that user, or while it is younger than CLAIM_GRACE: its
community write may still be under way (a create that has claimed but not yet stored its
community, a transfer in flight). A claim whose write never happened stops counting after
the grace, so a crashed create cannot hold a slot forever.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from community_common.errors import FailedPrecondition
from community_contracts import reasons

CLAIM_GRACE = timedelta(seconds=60)


class Standing(Enum):
    """Where a claimed community stands for the claiming user."""

    OWNED = "owned"  # active and owned by them: takes a slot
    ELSEWHERE = "elsewhere"  # not stored yet, or owned by someone else: in flight while young
    RELEASED = "released"  # archived: frees the slot


@dataclass(frozen=True)
class Claim:
    community_id: str
    claimed_at: datetime


class OwnerSlotsFull(FailedPrecondition):
    def __init__(self, limit: int) -> None:
        super().__init__(
            reasons.COMMUNITY_LIMIT_REACHED,
            f"a user owns at most {limit} active communities",
            metadata={reasons.METADATA_LIMIT: str(limit)},
        )


def claims_in_force(
    claims: Sequence[Claim], now: datetime, standing: Callable[[str], Standing]
) -> list[Claim]:
    """The claims that still take a slot."""
    return [
        claim
        for claim in claims
        if (found := standing(claim.community_id)) is Standing.OWNED
        or (found is Standing.ELSEWHERE and now - claim.claimed_at < CLAIM_GRACE)
    ]


def claim_slot(
    claims_kept: Sequence[Claim], community_id: str, now: datetime, limit: int
) -> list[Claim] | None:
    """The ledger after claiming a slot for `community_id`; None when it already holds one
    (a retried create); raises OwnerSlotsFull when every slot is taken."""
    if any(claim.community_id == community_id for claim in claims_kept):
        return None
    if len(claims_kept) >= limit:
        raise OwnerSlotsFull(limit)
    return [*claims_kept, Claim(community_id, now)]
