"""communityctl: requests built from `field=value`, readable tables, refusals shown as their
reason, and `events tail` decoding real events from the real broker."""

import io
import json
import threading
import time

import grpc
import pytest
from community.feed.v1 import events_pb2 as feed_events
from community.feed.v1 import feed_service_pb2
from community.membership.v1 import events_pb2 as membership_events
from community.membership.v1 import membership_service_pb2 as membership
from community_common.testing.events import create_topic, event_envelope, produce_envelopes
from communityctl import events, rpc, tables
from communityctl.commands import COMMANDS
from communityctl.main import main
from google.protobuf import json_format
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status


def test_every_friendly_command_names_a_real_rpc():
    for verbs in COMMANDS.values():
        for service, method in verbs.values():
            assert method in rpc.SERVICES[service].descriptor.methods_by_name


def test_request_built_from_field_value_pairs():
    request = rpc.build_request(
        "membership", "CreateCommunity",
        ["name=Chess club", "topics=chess,go", "visibility=VISIBILITY_PUBLIC"],
    )
    assert request == membership.CreateCommunityRequest(
        name="Chess club", topics=["chess", "go"], visibility=1
    )


def test_unknown_field_is_a_usage_error_naming_the_fields():
    with pytest.raises(rpc.UsageError, match="name, description"):
        rpc.build_request("membership", "CreateCommunity", ["nme=x"])


def test_list_responses_render_as_tables():
    response = feed_service_pb2.ListPostsResponse(
        posts=[feed_service_pb2.Post(post_id="p1", body="hello"),
               feed_service_pb2.Post(post_id="p2", body="world")],
        next_page_token="abc",
    )
    text = tables.render(response)
    assert "next_page_token: abc" in text
    header, first, second = text.splitlines()[-3:]
    assert header.split()[:2] == ["post_id", "body"]
    assert first.split()[:2] == ["p1", "hello"] and second.split()[:2] == ["p2", "world"]


def test_refusal_prints_the_reason_not_a_traceback(capsys, monkeypatch):
    async def refuse(request, context):
        status = status_pb2.Status(code=code_pb2.RESOURCE_EXHAUSTED, message="no invitations left")
        info = error_details_pb2.ErrorInfo(reason="INVITE_QUOTA_EXHAUSTED")
        status.details.add().Pack(info)
        await context.abort_with_status(rpc_status.to_status(status))

    import asyncio

    async def scenario():
        server = grpc.aio.server()
        handler = grpc.method_handlers_generic_handler(
            "community.membership.v1.MembershipService",
            {"InviteMember": grpc.unary_unary_rpc_method_handler(
                refuse,
                request_deserializer=membership.InviteMemberRequest.FromString,
                response_serializer=lambda m: m.SerializeToString())},
        )
        server.add_generic_rpc_handlers((handler,))
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        monkeypatch.setenv("COMMUNITY_MEMBERSHIP_ADDR", f"127.0.0.1:{port}")
        monkeypatch.setenv("COMMUNITY_TOKEN", "not-checked-here")
        try:
            with pytest.raises(SystemExit) as exit_:
                await asyncio.to_thread(
                    main, ["invitations", "send", "community_id=c", "invitee_id=bob"])
        finally:
            await server.stop(None)
        return exit_.value.code

    assert asyncio.run(scenario()) == 1
    assert "INVITE_QUOTA_EXHAUSTED: no invitations left" in capsys.readouterr().err


def test_events_tail_decodes_real_events_to_json_lines(kafka_bootstrap, unique):
    topic = create_topic(kafka_bootstrap, unique("tail"))
    community = unique("c")
    sent = [
        event_envelope(membership_events.MemberJoined(community_id=community, user_id="bob"),
                       sequence=2),
        event_envelope(feed_events.PostCreated(community_id=community, post_id="p1",
                                               author_id="bob", body="hi")),
        event_envelope(feed_events.PostLiked(community_id=community, post_id="p1",
                                             user_id="ann", post_author_id="bob")),
    ]
    produce_envelopes(kafka_bootstrap, topic, sent)

    out = io.StringIO()
    printed = events.tail(kafka_bootstrap, [topic], from_beginning=True,
                          types={"PostCreated", "community.feed.v1.PostLiked"}, limit=2,
                          idle_timeout_s=20, out=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert printed == 2
    assert [line["type"] for line in lines] == ["community.feed.v1.PostCreated",
                                                "community.feed.v1.PostLiked"]
    assert lines[0]["data"] == json_format.MessageToDict(
        sent[1].message(), preserving_proto_field_name=True)
    assert lines[0]["id"] == sent[1].id and lines[0]["key"] == community


def test_events_tail_from_now_prints_what_is_published_after_it_says_so(kafka_bootstrap, unique):
    topic = create_topic(kafka_bootstrap, unique("tail"))
    community = unique("c")
    produce_envelopes(kafka_bootstrap, topic, [event_envelope(feed_events.PostCreated(
        community_id=community, post_id="old", author_id="bob", body="before the tail"))])
    out, err = io.StringIO(), io.StringIO()
    tailing = threading.Thread(target=events.tail, kwargs=dict(
        bootstrap=kafka_bootstrap, topics=[topic], from_beginning=False, types=set(), limit=1,
        idle_timeout_s=20, out=out, err=err))
    tailing.start()
    deadline = time.monotonic() + 20
    while "reading" not in err.getvalue():
        assert time.monotonic() < deadline and tailing.is_alive(), "the tail never started"
        time.sleep(0.01)
    new = event_envelope(feed_events.PostCreated(
        community_id=community, post_id="new", author_id="bob", body="after it"))
    produce_envelopes(kafka_bootstrap, topic, [new])
    tailing.join(30)
    assert [json.loads(line)["id"] for line in out.getvalue().splitlines()] == [new.id]


def test_the_demo_ends_with_the_dashboard_address_and_a_token_for_the_admin(capsys,
                                                                           monkeypatch):
    from community_common.auth import verify_token
    from communityctl.client import Platform
    from communityctl.demo import print_dashboard

    monkeypatch.setenv("COMMUNITY_DASHBOARD_URL", "http://127.0.0.1:54080/")
    platform = Platform("s" * 48, dict.fromkeys(rpc.SERVICES, "127.0.0.1:1"))
    admin = platform.user("principal-1a2b3c")
    print_dashboard(platform, admin, "school-42")
    platform.close()
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "== Dashboard: http://127.0.0.1:54080/communities/school-42"
    assert lines[1].startswith("   sign in as principal-1a2b3c (valid 8 h): ")
    token = lines[1].rsplit(" ", 1)[1]
    assert verify_token("s" * 48, token).user_id == "principal-1a2b3c"
