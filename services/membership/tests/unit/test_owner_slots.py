"""The per-owner limit of active communities, as pure rules (the ledger's decisions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from community_contracts import reasons
from membership.domain.owner_slots import (
    CLAIM_GRACE,
    Claim,
    OwnerSlotsFull,
    Standing,
    claim_slot,
    claims_in_force,
)

NOW = datetime(2026, 1, 5, tzinfo=UTC)
OLD = NOW - CLAIM_GRACE - timedelta(seconds=1)


def test_three_owned_communities_fill_the_slots() -> None:
    claims = [Claim(f"c{i}", OLD) for i in range(3)]
    kept = claims_in_force(claims, NOW, lambda cid: Standing.OWNED)
    with pytest.raises(OwnerSlotsFull) as refused:
        claim_slot(kept, "c9", NOW, limit=3)
    assert refused.value.reason == reasons.COMMUNITY_LIMIT_REACHED
    assert refused.value.metadata == {"limit": "3"}


def test_archiving_frees_a_slot() -> None:
    claims = [Claim(f"c{i}", OLD) for i in range(3)]
    standing = {"c0": Standing.RELEASED, "c1": Standing.OWNED, "c2": Standing.OWNED}
    kept = claims_in_force(claims, NOW, standing.__getitem__)
    after = claim_slot(kept, "c9", NOW, limit=3)
    assert after is not None
    assert [c.community_id for c in after] == ["c1", "c2", "c9"]


def test_a_claim_in_flight_holds_its_slot_until_the_grace_passes() -> None:
    young = [Claim("c0", NOW - timedelta(seconds=5)), Claim("c1", OLD), Claim("c2", OLD)]
    unstored = {"c0": Standing.ELSEWHERE, "c1": Standing.OWNED, "c2": Standing.OWNED}
    with pytest.raises(OwnerSlotsFull):
        claim_slot(claims_in_force(young, NOW, unstored.__getitem__), "c9", NOW, limit=3)
    # A create that died before storing its community stops holding the slot.
    later = NOW + CLAIM_GRACE
    assert claim_slot(claims_in_force(young, later, unstored.__getitem__), "c9", later, 3)


def test_a_community_transferred_away_no_longer_counts() -> None:
    claims = [Claim("c0", OLD), Claim("c1", OLD), Claim("c2", OLD)]
    standing = {"c0": Standing.ELSEWHERE, "c1": Standing.OWNED, "c2": Standing.OWNED}
    assert claim_slot(claims_in_force(claims, NOW, standing.__getitem__), "c9", NOW, 3)


def test_a_retried_create_reuses_its_own_claim() -> None:
    claims = [Claim("c0", OLD), Claim("c1", OLD), Claim("c2", NOW)]
    kept = claims_in_force(claims, NOW, lambda cid: Standing.OWNED)
    assert claim_slot(kept, "c2", NOW, limit=3) is None
