"""The fuzzer's harness: the four real service processes of one stack instance (the test one
in `make test`, `fuzz` for `make fuzz`), a small world of real ids to aim at, and what is
watched across the run (health, memory, logs)."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import grpc
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from community_common.testing import polling
from communityctl.client import Platform, User
from harness import EXAMPLES, INSTANCE, REPORT, TALLY, Watch, World, log_path, rss_kb, stack

T = TypeVar("T")


def eventually(attempt: Callable[[], T]) -> T:
    """`attempt()`, retried while it is refused, boundedly (never past a CONSISTENCY_TIMEOUT:
    `community_common.testing.polling`)."""
    return polling.eventually(attempt, timeout_s=120.0, interval_s=0.1,
                              retrying=(grpc.RpcError,), what="the fuzzing world's setup")


@pytest.fixture(scope="session")
def fuzz_platform() -> Iterator[Platform]:
    already = [n for n in stack.SERVICE_PROCESSES if stack.running_pid(INSTANCE, n)]
    platform = Platform(
        stack.auth_secret(INSTANCE),
        {name: f"127.0.0.1:{port}" for name, port in INSTANCE.grpc_ports.items()},
        timeout=30.0,
    )
    try:
        try:
            stack.start_services(INSTANCE)
        except SystemExit as error:  # an Exception is kept for the session, not retried
            raise RuntimeError(str(error)) from None
        yield platform
    finally:
        platform.close()
        if not already:
            stack.stop_services(INSTANCE)


@pytest.fixture(scope="session")
def world(fuzz_platform: Platform) -> World:
    from community.feed.v1 import feed_service_pb2 as feed
    from community.membership.v1 import membership_service_pb2 as ms
    from community.moderation.v1 import moderation_service_pb2 as mod
    from community.moderation.v1 import types_pb2 as moderation_types

    def user(name: str) -> User:
        return fuzz_platform.user(f"fuzz-{name}-{uuid.uuid4().hex[:10]}")

    owner, member, outsider = user("owner"), user("member"), user("outsider")
    # Every step is retried until it succeeds (a fresh stack on a busy machine may answer
    # UNAVAILABLE at first, and feed and moderation learn the community from events); the
    # request ids (one per write: a caller's id names one request) make a retry count once.
    created = eventually(lambda: owner.membership.CreateCommunity(ms.CreateCommunityRequest(
        name="fuzzing", request_id="world-community")))
    community_id = created.community.community_id
    joined = eventually(lambda: member.membership.JoinCommunity(ms.JoinCommunityRequest(
        community_id=community_id, request_id="world-join")))
    group = eventually(lambda: owner.membership.CreateGroup(ms.CreateGroupRequest(
        community_id=community_id, name="fuzz group", request_id="world-group")))
    token = group.consistency_token
    post = eventually(lambda: owner.feed.CreatePost(feed.CreatePostRequest(
        community_id=community_id, body="fuzz target", consistency_token=token,
        request_id="world-post"))).post
    comment = eventually(lambda: member.feed.AddComment(feed.AddCommentRequest(
        post_id=post.post_id, body="a comment", consistency_token=token,
        request_id="world-comment"))).comment
    rule = eventually(lambda: owner.moderation.AddRule(mod.AddRuleRequest(
        community_id=community_id, title="be kind", consistency_token=token,
        request_id="world-rule"))).rule
    report = eventually(lambda: member.moderation.ReportContent(mod.ReportContentRequest(
        community_id=community_id, post_id=post.post_id, reason=moderation_types.REASON_SPAM,
        consistency_token=token, request_id="world-report"))).report
    return World(
        owner=owner, member=member, outsider=outsider,
        ids={
            "community_id": [community_id],
            "group_id": [group.group.group_id],
            "post_id": [post.post_id],
            "comment_id": [comment.comment_id],
            "rule_id": [rule.rule_id],
            "report_id": [report.report_id],
            "user_id": [owner.user_id, member.user_id, outsider.user_id],
        },
        tokens=[created.consistency_token, joined.consistency_token, token],
    )


@pytest.fixture(scope="session")
def watch(world: World) -> Watch:
    pids = {name: stack.running_pid(INSTANCE, name) for name in INSTANCE.grpc_ports}
    missing = [name for name, pid in pids.items() if pid is None]
    assert not missing, f"not running: {missing}"
    live = {name: pid for name, pid in pids.items() if pid is not None}
    return Watch(
        pids=live,
        rss_before={name: rss_kb(pid) for name, pid in live.items()},
        log_offsets={name: log_path(name).stat().st_size for name in live},
    )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not TALLY.requests:
        return
    summary = {
        "requests": TALLY.requests,
        "rpcs_covered": len(TALLY.rpcs),
        "examples_per_rpc": EXAMPLES,
        "codes": dict(TALLY.codes.most_common()),
    }
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(summary, indent=2) + "\n")
    terminalreporter.write_line(
        f"fuzz: {summary['requests']} requests over {summary['rpcs_covered']} RPCs; "
        f"codes {summary['codes']} ({REPORT})"
    )
