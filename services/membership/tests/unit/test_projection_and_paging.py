"""The read models' folding (idempotent, order-independent) and page tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from community.membership.v1 import events_pb2 as ev
from community.membership.v1 import types_pb2 as types
from community_common.errors import InvalidArgument
from community_contracts import reasons
from membership.application.paging import page
from membership.application.projection import invitations_of, memberships_of, user_facts
from membership.domain import roles

T0 = datetime(2026, 1, 5, tzinfo=UTC)


def facts_for(user: str, events: list[tuple[object, int]]) -> list[dict[str, object]]:
    found = []
    for event, version in events:
        at = T0 + timedelta(minutes=version)
        found += [fact for who, fact in user_facts(event, version, at) if who == user]  # type: ignore[arg-type]
    return found


def test_memberships_fold_joins_role_changes_and_departures_in_version_order() -> None:
    history = [
        (ev.CommunityCreated(community_id="c1", owner_id="own"), 1),
        (ev.MemberJoined(community_id="c1", user_id="amy", role=roles.MEMBER), 2),
        (ev.MemberRoleChanged(community_id="c1", user_id="amy", new_role=roles.MODERATOR), 3),
        (ev.MemberJoined(community_id="c2", user_id="amy", role=roles.MEMBER), 1),
        (ev.MemberLeft(community_id="c2", user_id="amy"), 2),
        (ev.MemberJoined(community_id="c3", user_id="amy", role=roles.MEMBER), 5),
    ]
    facts = facts_for("amy", history)
    expected = [("c3", roles.MEMBER), ("c1", roles.MODERATOR)]  # most recently joined first
    assert [(m.community_id, m.role) for m in memberships_of(facts)] == expected
    # Written twice, or out of order: the same answer.
    shuffled = list(reversed(facts + facts))
    assert [(m.community_id, m.role) for m in memberships_of(shuffled)] == expected


def test_ownership_transfer_changes_both_roles() -> None:
    history = [
        (ev.CommunityCreated(community_id="c1", owner_id="own"), 1),
        (ev.MemberJoined(community_id="c1", user_id="amy", role=roles.MEMBER), 2),
        (
            ev.OwnershipTransferred(community_id="c1", previous_owner_id="own", new_owner_id="amy"),
            3,
        ),
    ]
    assert [m.role for m in memberships_of(facts_for("amy", history))] == [roles.OWNER]
    assert [m.role for m in memberships_of(facts_for("own", history))] == [roles.ADMIN]


def test_received_invitations_keep_their_latest_status_newest_first() -> None:
    sent = ev.InvitationSent(
        community_id="c1", invitation_id="c1-i1", inviter_id="a", invitee_id="b"
    )
    sent.expires_at.FromDatetime(T0 + timedelta(days=14))
    later = ev.InvitationSent(
        community_id="c2", invitation_id="c2-i1", inviter_id="a", invitee_id="b"
    )
    later.expires_at.FromDatetime(T0 + timedelta(days=14))
    declined = ev.InvitationDeclined(community_id="c1", invitation_id="c1-i1", invitee_id="b")
    facts = facts_for("b", [(sent, 1), (declined, 2), (later, 3)])
    found = invitations_of(facts + facts)
    assert [(i["invitation_id"], i["status"]) for i in found] == [
        ("c2-i1", types.INVITATION_STATUS_PENDING),
        ("c1-i1", types.INVITATION_STATUS_DECLINED),
    ]


def test_pages_cover_the_list_once_and_tokens_belong_to_their_query() -> None:
    items = list(range(7))
    first, token = page(items, 3, "", "q")
    second, token2 = page(items, 3, token, "q")
    third, token3 = page(items, 3, token2, "q")
    assert (first + second + third, token3) == (items, "")
    with pytest.raises(InvalidArgument) as other_query:
        page(items, 3, token, "another")
    assert other_query.value.reason == reasons.INVALID_PAGE_TOKEN
    with pytest.raises(InvalidArgument):
        page(items, 3, "garbage!", "q")
    assert len(page(list(range(500)), 0, "", "q")[0]) == 50  # default size
