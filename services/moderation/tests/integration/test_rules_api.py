"""Community rules through the real API: admins change them, readers list them in order."""

import grpc
from community.membership.v1 import events_pb2 as membership
from community.membership.v1 import types_pb2 as roles
from community.moderation.v1 import moderation_service_pb2 as api
from community_contracts import reasons
from google.protobuf.field_mask_pb2 import FieldMask

from .conftest import reason_of, violated_fields


async def test_admins_add_update_and_remove_rules_in_order(moderation):
    admin = moderation.new_id("admin")
    club = await moderation.community({admin: roles.ROLE_ADMIN})
    added = []
    for title in ("Be kind", "No spam", "Stay on topic"):
        response = await moderation.call(
            "AddRule",
            api.AddRuleRequest(community_id=club.community_id, title=title, description="."),
            admin,
        )
        added.append(response.rule)
    assert added[0].rule_id and added[0].created_at.seconds > 0

    updated = await moderation.call(
        "UpdateRule",
        api.UpdateRuleRequest(
            rule_id=added[1].rule_id,
            title="ignored",
            description="No ads",
            update_mask=FieldMask(paths=["description"]),
        ),
        admin,
    )
    assert (updated.rule.title, updated.rule.description) == ("No spam", "No ads")
    await moderation.call("RemoveRule", api.RemoveRuleRequest(rule_id=added[0].rule_id), admin)

    # Anyone signed in reads a public community's rules, in order of creation.
    listed = await moderation.call(
        "ListRules", api.ListRulesRequest(community_id=club.community_id), moderation.new_id("x")
    )
    assert [r.title for r in listed.rules] == ["No spam", "Stay on topic"]
    assert listed.rules[0].description == "No ads"

    log = await moderation.log(club.community_id, admin)
    assert [e.action for e in log] == [
        api.MODERATION_ACTION_RULE_REMOVED,
        api.MODERATION_ACTION_RULE_UPDATED,
        api.MODERATION_ACTION_RULE_ADDED,
        api.MODERATION_ACTION_RULE_ADDED,
        api.MODERATION_ACTION_RULE_ADDED,
    ]
    assert log[0].rule_id == added[0].rule_id and log[0].actor_id == admin


async def test_a_retried_add_with_the_same_request_id_returns_the_first_rule(moderation):
    club = await moderation.community()
    request = api.AddRuleRequest(community_id=club.community_id, title="Be kind", request_id="r-1")
    first = await moderation.call("AddRule", request, club.owner)
    again = await moderation.call("AddRule", request, club.owner)
    assert again.rule == first.rule
    listed = await moderation.call(
        "ListRules", api.ListRulesRequest(community_id=club.community_id), club.owner
    )
    assert len(listed.rules) == 1


async def test_a_refused_add_is_not_remembered(moderation):
    mod = moderation.new_id("mod")
    club = await moderation.community({mod: roles.ROLE_MODERATOR})
    request = api.AddRuleRequest(community_id=club.community_id, title="Be kind", request_id="r-2")
    refused = await moderation.refusal("AddRule", request, mod)
    assert refused.code() == grpc.StatusCode.PERMISSION_DENIED
    assert reason_of(refused) == reasons.ROLE_REQUIRED
    # Promoted, the same request id now works.
    moderation.membership_events(
        club,
        membership.MemberRoleChanged(
            community_id=club.community_id,
            user_id=mod,
            old_role=roles.ROLE_MODERATOR,
            new_role=roles.ROLE_ADMIN,
        ),
    )
    await moderation.caught_up(club)
    request.consistency_token = club.token
    assert (await moderation.call("AddRule", request, mod)).rule.title == "Be kind"


async def test_rule_arguments_are_checked_field_by_field(moderation):
    club = await moderation.community()
    refused = await moderation.refusal(
        "AddRule", api.AddRuleRequest(community_id=club.community_id, title=""), club.owner
    )
    assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violated_fields(refused) == ["title"]
    refused = await moderation.refusal(
        "UpdateRule", api.UpdateRuleRequest(rule_id="nope", title="x"), club.owner
    )
    assert refused.code() == grpc.StatusCode.NOT_FOUND
    assert reason_of(refused) == reasons.RULE_NOT_FOUND


async def test_rules_page_with_tokens(moderation):
    club = await moderation.community()
    for n in range(5):
        await moderation.call(
            "AddRule",
            api.AddRuleRequest(community_id=club.community_id, title=f"rule {n}"),
            club.owner,
        )
    titles, token = [], ""
    while True:
        page = await moderation.call(
            "ListRules",
            api.ListRulesRequest(community_id=club.community_id, page_size=2, page_token=token),
            club.owner,
        )
        titles += [r.title for r in page.rules]
        token = page.next_page_token
        if not token:
            break
    assert titles == [f"rule {n}" for n in range(5)]
    refused = await moderation.refusal(
        "ListRules",
        api.ListRulesRequest(community_id=club.community_id, page_token="garbage!"),
        club.owner,
    )
    assert reason_of(refused) == reasons.INVALID_PAGE_TOKEN
