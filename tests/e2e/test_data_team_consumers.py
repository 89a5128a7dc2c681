"""The event contracts outside this repository, as data teams use them: `make contracts` builds
the Python wheel and the JVM jar; after a few RPCs, the Python example (installed from the wheel
into a fresh virtualenv outside the repository) and the JVM example (built by Maven against the
jar) read the event topics from the real broker and print the same JSON lines, event by event;
and every payload they print is valid against its JSON Schema in docs/schemas/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import jsonschema
import pytest
from community.feed.v1 import events_pb2 as feed_events
from community.feed.v1 import feed_service_pb2 as feed
from community.membership.v1 import membership_service_pb2 as ms
from community.membership.v1 import types_pb2 as mtypes
from community.moderation.v1 import moderation_service_pb2 as mod
from community_common.testing.events import (
    create_topic,
    event_envelope,
    produce_envelopes,
    produce_raw,
)
from community_contracts import topics
from google.protobuf.duration_pb2 import Duration
from kafka import KafkaConsumer, TopicPartition

from .conftest import eventually

ROOT = Path(__file__).resolve().parents[2]
JVM_EXAMPLE = ROOT / "docs" / "examples" / "jvm-consumer"
SCHEMAS = ROOT / "docs" / "schemas"
# A consumer stops once the topics gave it nothing for this long (the broker is local; the
# margin is for a JVM starting on a busy 2-core machine).
IDLE_TIMEOUT_MS = "8000"
EXPECTED = {
    "community.membership.v1.CommunityCreated",
    "community.membership.v1.MemberJoined",
    "community.feed.v1.PostCreated",
    "community.feed.v1.CommentAdded",
    "community.feed.v1.PostLiked",
    "community.moderation.v1.MemberMuted",
}


def _run(command: list[str], **kwargs) -> str:
    return subprocess.run(
        command, check=True, capture_output=True, text=True, timeout=600, **kwargs
    ).stdout


@pytest.fixture(scope="module")
def dist() -> Path:
    """What `make contracts` builds (its prerequisites are make test's)."""
    _run([str(ROOT / "scripts" / "build_contracts.sh")], cwd=ROOT)
    return ROOT / "dist"


@pytest.fixture(scope="module")
def python_example(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The Python example in a fresh virtualenv outside the repository, holding only the wheel
    and kafka-python, as its docstring says to install them."""
    home = tmp_path_factory.mktemp("data-team")
    uv = shutil.which("uv") or "uv"
    [wheel] = dist.glob("community_contracts-*.whl")
    _run([uv, "venv", "--quiet", "--python", "3.11", str(home / "venv")])
    python = str(home / "venv" / "bin" / "python")
    _run([uv, "pip", "install", "--quiet", "--python", python, str(wheel), "kafka-python"])
    script = shutil.copy(ROOT / "docs" / "examples" / "consume_events.py", home)
    return [python, str(script)]


@pytest.fixture(scope="module")
def jvm_example(dist: Path) -> list[str]:
    # As scripts/build_contracts.sh: the JIT's first tier alone halves a short build's CPU time.
    maven_opts = os.environ.get("MAVEN_OPTS", "-XX:TieredStopAtLevel=1")
    _run(["mvn", "-q", "-B", "-f", str(JVM_EXAMPLE / "pom.xml"), "package"],
         env={**os.environ, "MAVEN_OPTS": maven_opts})
    return ["java", "-jar", str(JVM_EXAMPLE / "target" / "consume-events.jar")]


@pytest.fixture(scope="module")
def community_events(platform, kafka_bootstrap) -> str:
    """A community whose events cover the three event topics, enums, a Duration and a
    Timestamp; returns its id once the relays have published every one of them."""
    owner = platform.user(f"data-owner-{uuid.uuid4().hex[:10]}")
    member = platform.user(f"data-member-{uuid.uuid4().hex[:10]}")
    community = owner.membership.CreateCommunity(ms.CreateCommunityRequest(
        name="Data team club", topics=["data"], join_policy=mtypes.JOIN_POLICY_OPEN)).community
    cid = community.community_id
    token = member.membership.JoinCommunity(
        ms.JoinCommunityRequest(community_id=cid)).consistency_token
    post = member.feed.CreatePost(feed.CreatePostRequest(
        community_id=cid, body="Schema évolution, ünïcode and \"quotes\"",
        consistency_token=token)).post
    owner.feed.AddComment(feed.AddCommentRequest(post_id=post.post_id, body="nice"))
    owner.feed.LikePost(feed.LikePostRequest(post_id=post.post_id))
    owner.moderation.MuteMember(mod.MuteMemberRequest(
        community_id=cid, user_id=member.user_id, duration=Duration(seconds=3600),
        reason="cool down", consistency_token=token))

    eventually(lambda: _published_types(kafka_bootstrap, cid) >= EXPECTED, timeout=60)
    return cid


def _published_types(bootstrap: str, community_id: str) -> set[str]:
    """The ce_types of a community's events on the event topics, read to their current ends."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for topic in topics.EVENT_TOPICS
                      for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        found: set[str] = set()
        deadline = time.monotonic() + 30
        while any(consumer.position(tp) < end for tp, end in ends.items()):
            assert time.monotonic() < deadline, "the event topics were not read to their ends"
            for records in consumer.poll(timeout_ms=200).values():
                found |= {dict(r.headers)["ce_type"].decode() for r in records
                          if dict(r.headers).get("ce_communityid") == community_id.encode()}
        return found
    finally:
        consumer.close()


@pytest.fixture(scope="module")
def printed(python_example, jvm_example, community_events, kafka_bootstrap):
    """Both examples' output over the whole event topics, read at the same time."""
    return _print_events({"python": python_example, "jvm": jvm_example}, kafka_bootstrap)


def _print_events(examples: dict[str, list[str]], bootstrap: str, *topic: str) -> dict:
    """Runs the examples at once, each in a fresh consumer group, until the topics go quiet;
    each one's JSON lines by ce_id."""
    runs = {
        name: subprocess.Popen(
            [*command, *topic],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(command[-1]).parent,  # the Python example's: outside the repository
            env={**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
                 "GROUP_ID": f"data-team-{name}-{uuid.uuid4().hex[:10]}",
                 "IDLE_TIMEOUT_MS": IDLE_TIMEOUT_MS},
        )
        for name, command in examples.items()
    }
    output = {}
    for name, run in runs.items():
        stdout, stderr = run.communicate(timeout=300)
        assert run.returncode == 0, f"{name} example failed: {stderr}"
        output[name] = {line["id"]: line for line in map(json.loads, stdout.splitlines())}
    return output


def test_python_and_jvm_consumers_print_the_same_events(printed, community_events):
    python, jvm = printed["python"], printed["jvm"]
    ours = {i for i, line in python.items() if line.get("communityid") == community_events}
    assert {python[i]["type"] for i in ours} >= EXPECTED
    assert ours == {i for i, line in jvm.items() if line.get("communityid") == community_events}

    # Every event both read (the whole topics, not only ours), attribute by attribute.
    both = sorted(python.keys() & jvm.keys())
    assert len(both) >= len(ours)
    assert [jvm[i] for i in both] == [python[i] for i in both]

    muted = next(python[i] for i in ours if python[i]["type"].endswith("MemberMuted"))
    assert muted["data"]["duration"] == "3600s" and muted["data"]["expires_at"].endswith("Z")
    assert muted["specversion"] == "1.0" and muted["content-type"] == "application/protobuf"


def test_every_printed_event_is_valid_against_its_json_schema(printed):
    assert printed["python"]
    for line in printed["python"].values():
        schema = json.loads((SCHEMAS / f"{line['type']}.json").read_text())
        jsonschema.validate(line["data"], schema, cls=jsonschema.Draft202012Validator)


def test_both_examples_skip_an_event_type_they_do_not_know(
    python_example, jvm_example, kafka_bootstrap, unique
):
    """A newer contract's event type, before a known one on the same key: skipped, not fatal."""
    topic = create_topic(kafka_bootstrap, unique("data-team"))
    produce_raw(kafka_bootstrap, topic, b"\x0a\x02p2", key=b"c1", headers=[
        ("ce_id", b"from-a-newer-contract"), ("ce_type", b"community.feed.v1.PostEdited")])
    known = event_envelope(feed_events.PostCreated(
        community_id="c1", post_id="p1", author_id="ann", body="hello"))
    produce_envelopes(kafka_bootstrap, topic, [known])

    printed = _print_events({"python": python_example, "jvm": jvm_example}, kafka_bootstrap, topic)

    for name, lines in printed.items():
        assert list(lines) == [known.id], name
