"""`python -m moderation.rebuild` while the moderation process serves: a varied history through
the real API (three communities and the platform: rules added, updated and removed, reports
of posts, comments and users resolved every way, mutes (one repeated), bans, unbans, removals
and restorations, restrictions, automod rules of every action acting on posts), every list
answer captured page by page, then the rebuild killed right after its first checkpoint and
run again to completion: every answer is the same, in the same order, page tokens included.
Between the two runs a read waits for the rebuild and a command succeeds, and its rule is
listed after it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from community.feed.v1 import events_pb2 as feed
from community.membership.v1 import events_pb2 as membership
from community.membership.v1 import types_pb2 as roles
from community.moderation.v1 import moderation_service_pb2 as api
from community.moderation.v1 import moderation_service_pb2_grpc
from community.moderation.v1 import types_pb2 as types
from community_common.auth import mint_token
from community_common.mongo import blocking_client
from community_common.rebuild import DONE, REBUILDS, RUNNING
from community_common.testing.events import event_envelope, produce_envelopes
from community_common.testing.polling import eventually
from community_common.testing.service_process import ServiceProcess
from community_contracts import topics
from google.protobuf.duration_pb2 import Duration
from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message

from .conftest import CONSUMED, SECRET, start_group_at_end

HOUR = Duration(seconds=3600)
ADMIN = "platform-staff"


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def until(check: Callable[[], Any], what: str, deadline_s: float = 60) -> Any:
    return eventually(check, deadline_s, what=what)


class World:
    """The moderation process and the other services' events it hears of."""

    def __init__(self, process: ServiceProcess, kafka: str, database: Any) -> None:
        self.process = process
        self.stub = process.stub
        self.kafka = kafka
        self.database = database
        self.owners: dict[str, str] = {}

    def call(self, rpc: str, request: Message, user: str) -> Any:
        token = mint_token(SECRET, user, user == ADMIN)
        return getattr(self.stub, rpc)(
            request, metadata=[("authorization", f"Bearer {token}")], timeout=40
        )

    def community(self, members: dict[str, int]) -> str:
        community_id, owner = new_id("community"), new_id("owner")
        messages: list[Message] = [
            membership.CommunityCreated(
                community_id=community_id,
                name="Chess club",
                visibility=roles.VISIBILITY_PUBLIC,
                join_policy=roles.JOIN_POLICY_OPEN,
                owner_id=owner,
            )
        ]
        for user, role in members.items():
            messages.append(
                membership.MemberJoined(
                    community_id=community_id, user_id=user, role=roles.ROLE_MEMBER
                )
            )
            if role != roles.ROLE_MEMBER:
                messages.append(
                    membership.MemberRoleChanged(
                        community_id=community_id,
                        user_id=user,
                        old_role=roles.ROLE_MEMBER,
                        new_role=role,
                        actor_id=owner,
                    )
                )
        produce_envelopes(
            self.kafka,
            topics.MEMBERSHIP_EVENTS,
            [
                event_envelope(m, sequence=n, subject=community_id)
                for n, m in enumerate(messages, start=1)
            ],
        )
        self.owners[community_id] = owner
        until(
            lambda: self.database["communities"].find_one({"_id": community_id}),
            f"community {community_id}",
            90,
        )
        return community_id

    def post(self, community_id: str, author: str, body: str = "hello") -> str:
        post_id = new_id("post")
        created = feed.PostCreated(
            post_id=post_id, community_id=community_id, author_id=author, body=body
        )
        produce_envelopes(self.kafka, topics.FEED_EVENTS, [event_envelope(created)])
        until(
            lambda: self.database["content"].find_one({"_id": f"post:{post_id}"}),
            f"post {post_id}",
        )
        return post_id

    def comment(self, community_id: str, post_id: str, author: str) -> str:
        comment_id = new_id("comment")
        added = feed.CommentAdded(
            comment_id=comment_id,
            post_id=post_id,
            community_id=community_id,
            author_id=author,
            post_author_id="someone",
            body="hi",
        )
        produce_envelopes(self.kafka, topics.FEED_EVENTS, [event_envelope(added, sequence=2)])
        until(
            lambda: self.database["content"].find_one({"_id": f"comment:{comment_id}"}),
            f"comment {comment_id}",
        )
        return comment_id

    def log_size(self, community_id: str) -> int:
        request = api.ListModerationLogRequest(community_id=community_id, page_size=100)
        return len(self.call("ListModerationLog", request, self.owners[community_id]).entries)


def pages(call: Callable[[str], Any]) -> list[dict[str, Any]]:
    """Every page of a list, as dicts, following the page tokens."""
    found, token = [], ""
    while True:
        page = call(token)
        found.append(MessageToDict(page))
        token = page.next_page_token
        if not token:
            return found


def capture(world: World, communities: list[str]) -> dict[str, Any]:
    """Every list answer of the service, page by page (small pages, so tokens count too)."""
    answers: dict[str, Any] = {}

    def lists(scope: dict[str, Any], user: str, key: str) -> None:
        answers[f"reports {key}"] = pages(
            lambda t: world.call(
                "ListReports", api.ListReportsRequest(**scope, page_size=2, page_token=t), user
            )
        )
        for status in (types.REPORT_STATUS_OPEN, types.REPORT_STATUS_RESOLVED):
            answers[f"reports {key} {status}"] = pages(
                lambda t, s=status: world.call(
                    "ListReports",
                    api.ListReportsRequest(**scope, status=s, page_size=2, page_token=t),
                    user,
                )
            )
        answers[f"automod {key}"] = pages(
            lambda t: world.call(
                "ListAutomodRules",
                api.ListAutomodRulesRequest(**scope, page_size=2, page_token=t),
                user,
            )
        )
        answers[f"log {key}"] = pages(
            lambda t: world.call(
                "ListModerationLog",
                api.ListModerationLogRequest(**scope, page_size=3, page_token=t),
                user,
            )
        )

    for community_id in communities:
        owner = world.owners[community_id]
        answers[f"rules {community_id}"] = pages(
            lambda t, c=community_id, o=owner: world.call(
                "ListRules", api.ListRulesRequest(community_id=c, page_size=2, page_token=t), o
            )
        )
        lists({"community_id": community_id}, owner, community_id)
    lists({"platform": True}, ADMIN, "platform")
    return answers


def play_history(world: World) -> list[str]:
    mods = {c: new_id("mod") for c in "abc"}
    users = {c: [new_id("member") for _ in range(4)] for c in "abc"}
    communities = [
        world.community(
            {mods[c]: roles.ROLE_MODERATOR, **dict.fromkeys(users[c], roles.ROLE_MEMBER)}
        )
        for c in "abc"
    ]
    call = world.call
    rules: dict[str, list[str]] = {}
    for index, community_id in enumerate(communities):
        owner = world.owners[community_id]
        rules[community_id] = [
            call(
                "AddRule",
                api.AddRuleRequest(community_id=community_id, title=f"Rule {n}", description="!"),
                owner,
            ).rule.rule_id
            for n in range(3 + index)
        ]
        call(
            "UpdateRule",
            api.UpdateRuleRequest(
                rule_id=rules[community_id][1],
                title="Be kind, always",
                update_mask=FieldMask(paths=["title"]),
            ),
            owner,
        )
    call(
        "RemoveRule",
        api.RemoveRuleRequest(rule_id=rules[communities[0]][0]),
        world.owners[communities[0]],
    )

    a, b, _ = communities
    add_automod = api.AddAutomodRuleRequest
    flagging = call(
        "AddAutomodRule",
        add_automod(community_id=a, keywords=["spoiler"], action=types.AUTOMOD_FLAG),
        world.owners[a],
    ).automod_rule
    call(
        "AddAutomodRule",
        add_automod(community_id=a, keywords=["scam"], action=types.AUTOMOD_REMOVE),
        world.owners[a],
    )
    call(
        "AddAutomodRule",
        add_automod(platform=True, regex="(?i)buy followers", action=types.AUTOMOD_REMOVE_AND_MUTE),
        ADMIN,
    )
    dropped = call(
        "AddAutomodRule",
        add_automod(community_id=b, keywords=["meh"], action=types.AUTOMOD_FLAG),
        world.owners[b],
    ).automod_rule
    call(
        "RemoveAutomodRule",
        api.RemoveAutomodRuleRequest(automod_rule_id=dropped.automod_rule_id),
        world.owners[b],
    )

    # Automod at work: a flag, a removal, a removal and mute, each waited for.
    def reports(community_id: str) -> int:
        request = api.ListReportsRequest(community_id=community_id)
        return len(call("ListReports", request, world.owners[community_id]).reports)

    world.post(a, users["a"][0], "the ending: SPOILER")
    until(lambda: reports(a) == 1, "the automod flag")
    logged = world.log_size(a)
    world.post(a, users["a"][1], "a scam for you")
    until(lambda: world.log_size(a) == logged + 1, "the automod removal")
    logged = world.log_size(b)
    world.post(b, users["b"][0], "Buy followers now")
    until(lambda: world.log_size(b) == logged + 2, "the automod mute and removal")
    assert flagging.automod_rule_id

    # Reports of posts, comments and users, resolved every way (and some left open).
    report = api.ReportContentRequest
    for index, community_id in enumerate(communities):
        owner, mod, members = world.owners[community_id], mods["abc"[index]], users["abc"[index]]
        posts = [world.post(community_id, members[n % 4]) for n in range(4)]
        comment = world.comment(community_id, posts[0], members[1])
        rule_id = rules[community_id][-1]
        filed = [
            call(
                "ReportContent",
                report(
                    community_id=community_id,
                    post_id=posts[0],
                    reason=types.REASON_COMMUNITY_RULE,
                    rule_id=rule_id,
                ),
                members[3],
            ).report.report_id,
            call(
                "ReportContent",
                report(community_id=community_id, comment_id=comment, reason=types.REASON_SPAM),
                members[2],
            ).report.report_id,
            call(
                "ReportContent",
                report(
                    community_id=community_id,
                    user_id=members[2],
                    reason=types.REASON_COMMUNITY_RULE,
                    rule_id=rule_id,
                    details="rude",
                ),
                members[0],
            ).report.report_id,
            call(
                "ReportContent",
                report(community_id=community_id, post_id=posts[1], reason=types.REASON_HARASSMENT),
                members[0],
            ).report.report_id,
            call(
                "ReportContent",
                report(
                    community_id=community_id,
                    post_id=posts[2],
                    reason=types.REASON_COMMUNITY_RULE,
                    rule_id=rule_id,
                ),
                members[1],
            ).report.report_id,
        ]
        resolve = api.ResolveReportRequest
        call(
            "ResolveReport",
            resolve(report_id=filed[0], resolution=types.RESOLUTION_REMOVE_CONTENT, note="off"),
            mod,
        )
        call(
            "ResolveReport", resolve(report_id=filed[1], resolution=types.RESOLUTION_DISMISS), ADMIN
        )
        call(
            "ResolveReport",
            resolve(report_id=filed[2], resolution=types.RESOLUTION_MUTE_AUTHOR, duration=HOUR),
            owner,
        )
        call(
            "ResolveReport",
            resolve(report_id=filed[3], resolution=types.RESOLUTION_BAN_AUTHOR, note="spam"),
            ADMIN,
        )
        # Mutes (one repeated), a ban and an unban, a removal and its restoration.
        call(
            "MuteMember",
            api.MuteMemberRequest(
                community_id=community_id, user_id=members[1], duration=HOUR, reason="cool down"
            ),
            mod,
        )
        call(
            "MuteMember",
            api.MuteMemberRequest(
                community_id=community_id, user_id=members[1], duration=Duration(seconds=7200)
            ),
            mod,
        )
        call(
            "UnmuteMember",
            api.UnmuteMemberRequest(community_id=community_id, user_id=members[2]),
            owner,
        )
        call(
            "BanMember",
            api.BanMemberRequest(
                community_id=community_id, user_id=members[3], duration=HOUR, reason="trolling"
            ),
            owner,
        )
        call(
            "UnbanMember",
            api.UnbanMemberRequest(community_id=community_id, user_id=members[3]),
            owner,
        )
        call("RemoveContent", api.RemoveContentRequest(post_id=posts[3], reason="duplicate"), mod)
        call(
            "RestoreContent",
            api.RestoreContentRequest(post_id=posts[3], reason="not a duplicate"),
            mod,
        )
        call("RemoveContent", api.RemoveContentRequest(comment_id=comment, reason="rude"), mod)
    target = users["c"][0]
    call(
        "RestrictUser",
        api.RestrictUserRequest(
            user_id=target,
            actions=[types.ACTION_POST, types.ACTION_LIVE],
            duration=HOUR,
            reason="spam wave",
        ),
        ADMIN,
    )
    call(
        "LiftRestriction",
        api.LiftRestrictionRequest(user_id=target, actions=[types.ACTION_LIVE]),
        ADMIN,
    )
    return communities


def run_rebuild(env: dict[str, str], **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "moderation.rebuild"],
        env=env | extra,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def world(
    kafka_bootstrap: str, mongo_uri: str, tmp_path: Path
) -> Iterator[tuple[World, dict[str, str]]]:
    database = f"moderation_rebuild_{uuid.uuid4().hex[:10]}"
    prefix = f"test-rebuild-{uuid.uuid4().hex[:8]}"
    for name, topic in CONSUMED.items():
        start_group_at_end(kafka_bootstrap, f"{prefix}-{name}", topic)
    env = os.environ | {
        "COMMUNITY_AUTH_HS256_SECRET": SECRET,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "MONGODB_URI": mongo_uri,
        "MONGODB_DATABASE": database,
        "CONSUMER_GROUP_PREFIX": prefix,
        "LOG_LEVEL": "WARNING",
    }
    process = ServiceProcess(
        "moderation",
        moderation_service_pb2_grpc.ModerationServiceStub,
        env,
        tmp_path / "moderation.log",
    )
    client = blocking_client(mongo_uri)
    try:
        process.wait_serving()
        yield World(process, kafka_bootstrap, client[database]), env
    finally:
        process.stop()
        client.drop_database(database)
        client.close()


def test_a_rebuild_killed_mid_way_and_resumed_answers_every_list_as_before(
    world: tuple[World, dict[str, str]],
) -> None:
    service, env = world
    communities = play_history(service)
    before = capture(service, communities)
    a = communities[0]
    assert sum(len(page.get("entries", ())) for page in before[f"log {a}"]) >= 15
    assert sum(len(page.get("reports", ())) for page in before["reports platform"]) >= 6
    stored = service.database["commits"].count_documents({})

    killed = run_rebuild(
        env,
        COMMUNITY_FAILPOINTS="rebuild-checkpointed",
        REBUILD_CHECKPOINT_EVERY="20",
        REBUILD_BATCH_EVENTS="20",
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    state = service.database[REBUILDS].find_one({"_id": "moderation"})
    assert state["state"] == RUNNING
    (checkpoint,) = state["checkpoints"].values()
    assert 0 < checkpoint["done"] < stored, (checkpoint, stored)

    # While it is unfinished the service serves: a read waits for it, a command succeeds.
    waited: dict[str, Any] = {}
    reader = threading.Thread(
        target=lambda: waited.update(
            log=pages(
                lambda t: service.call(
                    "ListModerationLog",
                    api.ListModerationLogRequest(community_id=a, page_size=3, page_token=t),
                    service.owners[a],
                )
            )
        )
    )
    reader.start()
    late = service.community({})
    added = service.call(
        "AddRule",
        api.AddRuleRequest(community_id=late, title="Added mid-rebuild"),
        service.owners[late],
    )
    assert reader.is_alive(), "the read did not wait for the rebuild"

    resumed = run_rebuild(env, REBUILD_CHECKPOINT_EVERY="20", REBUILD_BATCH_EVENTS="20")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resumed and finished the moderation read models" in resumed.stdout
    assert service.database[REBUILDS].find_one({"_id": "moderation"})["state"] == DONE
    reader.join(timeout=40)
    assert waited["log"] == before[f"log {a}"]

    after = capture(service, communities)
    assert list(after) == list(before)
    for key, answer in before.items():
        assert after[key] == answer, key
    rules = service.call("ListRules", api.ListRulesRequest(community_id=late), service.owners[late])
    assert [r.rule_id for r in rules.rules] == [added.rule.rule_id]
