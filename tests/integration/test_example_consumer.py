"""The example consumers in docs/events.md are shown as they are in docs/examples/, and the
Python one decodes any event type from the real broker (the JVM one is compared with it in
tests/e2e/test_data_team_consumers.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from community.feed.v1 import events_pb2 as feed_events
from community.membership.v1 import events_pb2 as membership_events
from community.moderation.v1 import events_pb2 as moderation_events
from community_common.testing.events import create_topic, event_envelope, produce_envelopes

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs/examples/consume_events.py"
JVM_EXAMPLE = ROOT / "docs/examples/jvm-consumer/src/main/java/example/ConsumeEvents.java"


def test_the_catalogue_shows_the_examples_exactly():
    catalogue = (ROOT / "docs/events.md").read_text()
    assert EXAMPLE.read_text() in catalogue
    assert JVM_EXAMPLE.read_text() in catalogue


def test_example_consumer_decodes_every_kind_of_event(kafka_bootstrap, unique):
    topic = create_topic(kafka_bootstrap, unique("example"))
    community = unique("c")
    sent = [
        event_envelope(membership_events.MemberJoined(community_id=community, user_id="ann")),
        event_envelope(feed_events.PostCreated(community_id=community, post_id="p1",
                                               author_id="ann", body="hello")),
        event_envelope(moderation_events.MemberMuted(community_id=community, user_id="ann")),
    ]
    produce_envelopes(kafka_bootstrap, topic, sent)

    out = subprocess.run(
        [sys.executable, str(EXAMPLE), topic],
        env={**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
             "GROUP_ID": unique("g"), "IDLE_TIMEOUT_MS": "5000"},
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(line["type"], line["id"]) for line in lines] == [(e.type, e.id) for e in sent]
    assert lines[1]["data"] == {"community_id": community, "post_id": "p1",
                                "author_id": "ann", "body": "hello"}
    assert lines[0]["communityid"] == community and lines[0]["specversion"] == "1.0"
