"""The gRPC APIs offer every RPC SPEC §4 to §7 names, with the conventions of §5 and §9:
consistency tokens, request ids, paging, and the shared enums."""

from __future__ import annotations

import pytest
from google.protobuf.descriptor import Descriptor, FieldDescriptor

from community.insights.v1 import insights_service_pb2
from community.membership.v1 import types_pb2 as membership_types
from community.moderation.v1 import types_pb2 as moderation_types
from community_contracts import services

SPEC_RPCS = {
    services.MEMBERSHIP: """CreateCommunity GetCommunity UpdateCommunity ArchiveCommunity
        ListCommunities ListMyCommunities JoinCommunity ListJoinRequests ApproveJoinRequest
        RejectJoinRequest InviteMember AcceptInvitation DeclineInvitation RevokeInvitation
        ListInvitations LeaveCommunity RemoveMember SetMemberRole TransferOwnership
        GetMembership ListMembers CreateGroup RemoveGroup ListGroups JoinGroup LeaveGroup
        AddGroupMember ListGroupMembers""",
    services.FEED: """CreatePost GetPost ListPosts DeletePost AddComment ListComments LikePost
        UnlikePost SharePost PublishAnnouncement GetHomeFeed StartLiveSession JoinLiveSession
        LeaveLiveSession EndLiveSession ListLiveSessions""",
    services.MODERATION: """AddRule UpdateRule RemoveRule ListRules ReportContent ListReports
        ResolveReport RemoveContent RestoreContent MuteMember UnmuteMember BanMember
        UnbanMember RestrictUser LiftRestriction AddAutomodRule ListAutomodRules
        RemoveAutomodRule ListModerationLog""",
    services.INSIGHTS: "GetInsights",
}
MEMBERSHIP_READS = {
    "GetCommunity",
    "ListCommunities",
    "ListMyCommunities",
    "ListJoinRequests",
    "ListInvitations",
    "GetMembership",
    "ListMembers",
    "ListGroups",
    "ListGroupMembers",
}


def _methods(service: services.Service) -> dict[str, tuple[Descriptor, Descriptor]]:
    return {
        m.name: (m.input_type, m.output_type) for m in service.descriptor.methods_by_name.values()
    }


def _field(message: Descriptor, name: str) -> FieldDescriptor:
    assert name in message.fields_by_name, f"{message.full_name} has no {name}"
    return message.fields_by_name[name]


@pytest.mark.parametrize("service", list(SPEC_RPCS), ids=lambda s: s.short_name)
def test_every_rpc_the_spec_names_exists_with_its_own_messages(service: services.Service) -> None:
    methods = _methods(service)
    assert set(SPEC_RPCS[service].split()) == set(methods)
    for name, (request, response) in methods.items():
        assert request.name == f"{name}Request"
        assert response.name == f"{name}Response"


def test_membership_mutations_answer_with_a_consistency_token() -> None:
    for name, (_, response) in _methods(services.MEMBERSHIP).items():
        if name not in MEMBERSHIP_READS:
            assert _field(response, "consistency_token").type == FieldDescriptor.TYPE_STRING


@pytest.mark.parametrize(
    "service", [services.FEED, services.MODERATION, services.INSIGHTS], ids=lambda s: s.short_name
)
def test_every_downstream_request_takes_a_consistency_token(service: services.Service) -> None:
    for request, _ in _methods(service).values():
        assert _field(request, "consistency_token").type == FieldDescriptor.TYPE_STRING


@pytest.mark.parametrize("service", list(SPEC_RPCS), ids=lambda s: s.short_name)
def test_lists_page_the_same_way(service: services.Service) -> None:
    for name, (request, response) in _methods(service).items():
        if name.startswith("List") or name == "GetHomeFeed":
            assert _field(request, "page_size").type == FieldDescriptor.TYPE_INT32
            assert _field(request, "page_token").type == FieldDescriptor.TYPE_STRING
            assert _field(response, "next_page_token").type == FieldDescriptor.TYPE_STRING


def test_creating_mutations_take_a_request_id() -> None:
    creating = {
        services.MEMBERSHIP: ["CreateCommunity", "JoinCommunity", "InviteMember", "CreateGroup"],
        services.FEED: [
            "CreatePost",
            "AddComment",
            "SharePost",
            "PublishAnnouncement",
            "StartLiveSession",
        ],
        services.MODERATION: ["AddRule", "ReportContent", "AddAutomodRule"],
    }
    for service, names in creating.items():
        methods = _methods(service)
        for name in names:
            assert _field(methods[name][0], "request_id").type == FieldDescriptor.TYPE_STRING


def test_fields_the_spec_spells() -> None:
    m = _methods(services.MEMBERSHIP)
    _field(m["GetCommunity"][1].fields_by_name["community"].message_type, "member_count")
    join = m["JoinCommunity"][1]
    assert {f.name for f in join.oneofs_by_name["result"].fields} == {"membership", "join_request"}
    membership = m["GetMembership"][1].fields_by_name["membership"].message_type
    for name in ["role", "joined_at", "invites_remaining", "unlimited_invites"]:
        _field(membership, name)
    _field(m["ListMembers"][0], "role")
    _field(m["ListCommunities"][0], "topic")
    _field(m["ListCommunities"][0], "query")
    _field(m["TransferOwnership"][0], "new_owner_id")
    _field(m["InviteMember"][0], "invitee_id")

    f = _methods(services.FEED)
    post = f["GetPost"][1].fields_by_name["post"].message_type
    for name in ["like_count", "comment_count", "share_count"]:
        _field(post, name)
    _field(f["SharePost"][0], "target_community_id")
    assert _field(f["PublishAnnouncement"][0], "group_ids").is_repeated
    item = f["GetHomeFeed"][1].fields_by_name["items"].message_type
    assert {x.name for x in item.oneofs[0].fields} == {"post", "announcement"}
    live = f["ListLiveSessions"][1].fields_by_name["live_sessions"].message_type
    _field(live, "viewer_count")

    mod = _methods(services.MODERATION)
    report = mod["ReportContent"][0]
    assert {x.name for x in report.oneofs_by_name["target"].fields} == {
        "post_id",
        "comment_id",
        "user_id",
    }
    for name in ["reason", "rule_id", "details", "community_id"]:
        _field(report, name)
    for name in ["report_id", "resolution", "note"]:
        _field(mod["ResolveReport"][0], name)
    for rpc in ["MuteMember", "BanMember", "RestrictUser"]:
        assert _field(mod[rpc][0], "duration").message_type.full_name == (
            "google.protobuf.Duration"
        )
    for rpc in ["RemoveContent", "MuteMember", "UnmuteMember", "BanMember", "UnbanMember"]:
        assert _field(mod[rpc][0], "reason").type == FieldDescriptor.TYPE_STRING
    automod = mod["AddAutomodRule"][0]
    assert _field(automod, "keywords").is_repeated
    assert _field(automod, "regex").type == FieldDescriptor.TYPE_STRING
    for rpc in ["ListReports", "AddAutomodRule", "ListAutomodRules"]:
        assert _field(mod[rpc][0], "platform").type == FieldDescriptor.TYPE_BOOL


def test_insights_response_is_flat() -> None:
    response = insights_service_pb2.GetInsightsResponse.DESCRIPTOR
    counts = """member_count joins leaves net_growth posts comments likes shares announcements
        live_sessions live_joins active_members_1d active_members_7d active_members_28d
        reports content_removed members_muted members_banned""".split()
    for name in counts:
        assert _field(response, name).type == FieldDescriptor.TYPE_INT64
    assert _field(response, "engagement_rate").type == FieldDescriptor.TYPE_DOUBLE
    for name in ["popular_hours", "popular_days"]:
        field = _field(response, name)
        assert field.is_repeated and field.type == FieldDescriptor.TYPE_INT64
    contributor = _field(response, "top_contributors").message_type
    assert set(contributor.fields_by_name) == {"user_id", "score"}
    top_post = _field(response, "top_posts").message_type
    assert set(top_post.fields_by_name) == {"post_id", "engagement"}
    daily = _field(response, "daily").message_type
    assert set(daily.fields_by_name) >= {"date", "joins", "leaves", "posts", "live_joins"}
    assert _field(response, "as_of").message_type.full_name == "google.protobuf.Timestamp"
    request = insights_service_pb2.GetInsightsRequest.DESCRIPTOR
    for name in ["community_id", "group_id", "range_days", "time_zone"]:
        _field(request, name)


def test_shared_enums_spell_the_specs_values() -> None:
    expectations = {
        membership_types.Role: "ROLE_OWNER ROLE_ADMIN ROLE_MODERATOR ROLE_MEMBER",
        membership_types.Visibility: "VISIBILITY_PUBLIC VISIBILITY_PRIVATE",
        membership_types.JoinPolicy: "JOIN_POLICY_OPEN JOIN_POLICY_INVITE_ONLY JOIN_POLICY_REQUEST",
        moderation_types.Action: """ACTION_POST ACTION_COMMENT ACTION_LIKE ACTION_SHARE
            ACTION_LIVE ACTION_INVITE ACTION_CREATE_COMMUNITY""",
        moderation_types.Reason: """REASON_COMMUNITY_RULE REASON_SPAM REASON_HARASSMENT
            REASON_PLATFORM_GUIDELINES""",
        moderation_types.Resolution: """RESOLUTION_DISMISS RESOLUTION_REMOVE_CONTENT
            RESOLUTION_MUTE_AUTHOR RESOLUTION_BAN_AUTHOR""",
        moderation_types.Automod: "AUTOMOD_FLAG AUTOMOD_REMOVE AUTOMOD_REMOVE_AND_MUTE",
    }
    for enum, values in expectations.items():
        names = list(enum.keys())
        assert names[0].endswith("_UNSPECIFIED") and enum.Value(names[0]) == 0
        assert names[1:] == values.split()
