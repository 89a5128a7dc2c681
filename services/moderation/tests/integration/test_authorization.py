"""Authorization of every RPC, enumerated from the service descriptor: a new RPC without an
entry here fails the first test. Each RPC is refused without a token, with a forged one, and
for a caller who is signed in but not allowed (with the reason the contract names)."""

from collections.abc import Callable
from dataclasses import dataclass

import grpc
import jwt
import pytest
from community.membership.v1 import types_pb2 as roles
from community.moderation.v1 import moderation_service_pb2 as api
from community.moderation.v1 import types_pb2 as types
from community_contracts import reasons, services
from google.protobuf.duration_pb2 import Duration
from google.protobuf.message import Message

from .conftest import reason_of

RPCS = [method.name for method in services.MODERATION.descriptor.methods]
HOUR = Duration(seconds=3600)


@dataclass
class Scene:
    """A community with an admin, a moderator, a member, and things to act on."""

    community_id: str
    private_community_id: str
    admin: str
    moderator: str
    member: str
    outsider: str
    post_id: str
    rule_id: str
    platform_report_id: str
    automod_rule_id: str


# RPC -> (request for the scene, who is refused, the reason they get).
CASES: dict[str, Callable[[Scene], tuple[Message, str, str]]] = {
    "AddRule": lambda s: (
        api.AddRuleRequest(community_id=s.community_id, title="t"),
        s.moderator,
        reasons.ROLE_REQUIRED,
    ),
    "UpdateRule": lambda s: (
        api.UpdateRuleRequest(rule_id=s.rule_id, title="t"),
        s.moderator,
        reasons.ROLE_REQUIRED,
    ),
    "RemoveRule": lambda s: (
        api.RemoveRuleRequest(rule_id=s.rule_id),
        s.member,
        reasons.ROLE_REQUIRED,
    ),
    "ListRules": lambda s: (
        api.ListRulesRequest(community_id=s.private_community_id),
        s.outsider,
        reasons.NOT_A_MEMBER,
    ),
    "ReportContent": lambda s: (
        api.ReportContentRequest(
            community_id=s.private_community_id, user_id=s.member, reason=types.REASON_SPAM
        ),
        s.outsider,
        reasons.NOT_A_MEMBER,
    ),
    "ListReports": lambda s: (
        api.ListReportsRequest(community_id=s.community_id),
        s.member,
        reasons.ROLE_REQUIRED,
    ),
    "ResolveReport": lambda s: (
        api.ResolveReportRequest(
            report_id=s.platform_report_id, resolution=types.RESOLUTION_DISMISS
        ),
        s.admin,
        reasons.PLATFORM_ADMIN_REQUIRED,
    ),
    "RemoveContent": lambda s: (
        api.RemoveContentRequest(post_id=s.post_id),
        s.member,
        reasons.ROLE_REQUIRED,
    ),
    "RestoreContent": lambda s: (
        api.RestoreContentRequest(post_id=s.post_id),
        s.outsider,
        reasons.NOT_A_MEMBER,
    ),
    "MuteMember": lambda s: (
        api.MuteMemberRequest(community_id=s.community_id, user_id=s.admin, duration=HOUR),
        s.moderator,
        reasons.ROLE_REQUIRED,
    ),
    "UnmuteMember": lambda s: (
        api.UnmuteMemberRequest(community_id=s.community_id, user_id=s.moderator),
        s.member,
        reasons.ROLE_REQUIRED,
    ),
    "BanMember": lambda s: (
        api.BanMemberRequest(community_id=s.community_id, user_id=s.member),
        s.outsider,
        reasons.NOT_A_MEMBER,
    ),
    "UnbanMember": lambda s: (
        api.UnbanMemberRequest(community_id=s.community_id, user_id=s.admin),
        s.moderator,
        reasons.ROLE_REQUIRED,
    ),
    "RestrictUser": lambda s: (
        api.RestrictUserRequest(user_id=s.member, actions=[types.ACTION_POST], duration=HOUR),
        s.admin,
        reasons.PLATFORM_ADMIN_REQUIRED,
    ),
    "LiftRestriction": lambda s: (
        api.LiftRestrictionRequest(user_id=s.member),
        s.admin,
        reasons.PLATFORM_ADMIN_REQUIRED,
    ),
    "AddAutomodRule": lambda s: (
        api.AddAutomodRuleRequest(platform=True, keywords=["x"], action=types.AUTOMOD_FLAG),
        s.admin,
        reasons.PLATFORM_ADMIN_REQUIRED,
    ),
    "ListAutomodRules": lambda s: (
        api.ListAutomodRulesRequest(community_id=s.community_id),
        s.member,
        reasons.ROLE_REQUIRED,
    ),
    "RemoveAutomodRule": lambda s: (
        api.RemoveAutomodRuleRequest(automod_rule_id=s.automod_rule_id),
        s.moderator,
        reasons.ROLE_REQUIRED,
    ),
    "ListModerationLog": lambda s: (
        api.ListModerationLogRequest(platform=True),
        s.admin,
        reasons.PLATFORM_ADMIN_REQUIRED,
    ),
}


def test_every_rpc_has_an_authorization_case():
    assert sorted(CASES) == sorted(RPCS)


@pytest.fixture(scope="module")
async def scene(moderation) -> Scene:
    admin, mod, member = (moderation.new_id(p) for p in ("admin", "mod", "member"))
    people = {admin: roles.ROLE_ADMIN, mod: roles.ROLE_MODERATOR, member: roles.ROLE_MEMBER}
    club = await moderation.community(people)
    private = await moderation.community(people, private=True)
    post_id = moderation.post(club, member, "hello")
    rule = await moderation.call(
        "AddRule", api.AddRuleRequest(community_id=club.community_id, title="Be kind"), admin
    )
    await moderation.call(
        "ReportContent",
        api.ReportContentRequest(
            community_id=club.community_id,
            post_id=post_id,
            reason=types.REASON_COMMUNITY_RULE,
            rule_id=rule.rule.rule_id,
        ),
        member,
    )
    platform_report = await moderation.call(
        "ReportContent",
        api.ReportContentRequest(
            community_id=club.community_id, user_id=member, reason=types.REASON_HARASSMENT
        ),
        mod,
    )
    automod = await moderation.call(
        "AddAutomodRule",
        api.AddAutomodRuleRequest(
            community_id=club.community_id, keywords=["zzz"], action=types.AUTOMOD_FLAG
        ),
        admin,
    )
    await moderation.call(
        "AddAutomodRule",
        api.AddAutomodRuleRequest(platform=True, keywords=["zzzz"], action=types.AUTOMOD_FLAG),
        "staff",
        platform_admin=True,
    )
    return Scene(
        community_id=club.community_id,
        private_community_id=private.community_id,
        admin=admin,
        moderator=mod,
        member=member,
        outsider=moderation.new_id("outsider"),
        post_id=post_id,
        rule_id=rule.rule.rule_id,
        platform_report_id=platform_report.report.report_id,
        automod_rule_id=automod.automod_rule.automod_rule_id,
    )


@pytest.mark.parametrize("rpc", RPCS)
async def test_no_token_or_a_forged_one_is_unauthenticated(moderation, scene, rpc):
    request, _, _ = CASES[rpc](scene)
    method = getattr(moderation.stub, rpc)
    forged = jwt.encode({"sub": scene.admin, "exp": 2**40}, "not-the-secret" * 4, "HS256")
    for metadata, reason in (
        ((), reasons.TOKEN_MISSING),
        ((("authorization", f"Bearer {forged}"),), reasons.TOKEN_INVALID),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await method(request, metadata=metadata, timeout=10)
        assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert reason_of(refused.value) == reason


@pytest.mark.parametrize("rpc", RPCS)
async def test_a_caller_without_the_right_is_permission_denied(moderation, scene, rpc):
    request, caller, reason = CASES[rpc](scene)
    refused = await moderation.refusal(rpc, request, caller)
    assert refused.code() == grpc.StatusCode.PERMISSION_DENIED, refused.details()
    assert reason_of(refused) == reason
