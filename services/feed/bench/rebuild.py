"""Replay rate of `feed.rebuild.rebuild` (benchmark P4-feed), on a private topic and database.

    eval "$(uv run python deploy/local/stack.py env --instance test)"
    uv run python services/feed/bench/rebuild.py --events 5000 --communities 50

Publishes a membership history like `make bench`'s (each community created, then members
joining round-robin, ce_sequence = the community stream's version) to a scratch topic
`feedbench.<run>.membership`, rebuilds feed's read models from it into `feedbench_<run>`,
prints events/s and checks a sample of the result, then deletes the topic and database.
"""

from __future__ import annotations

import argparse
import os
import time
import uuid

from community.membership.v1 import events_pb2 as mem
from community.membership.v1.types_pb2 import JoinPolicy, Role, Visibility
from community_common.envelope import envelope_for
from community_common.mongo import blocking_client
from feed.entrypoints.consumers import MEMBERSHIP_TYPES
from feed.rebuild import rebuild
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic

SOURCE = "/services/membership"


def history(prefix: str, communities: int, total: int):  # type: ignore[no-untyped-def]
    versions = [0] * communities
    names = [f"{prefix}-c{i}" for i in range(communities)]
    for i in range(total):
        n = i % communities
        versions[n] += 1
        if versions[n] == 1:
            message = mem.CommunityCreated(
                community_id=names[n],
                name=names[n],
                owner_id=f"{names[n]}-owner",
                visibility=Visibility.VISIBILITY_PUBLIC,
                join_policy=JoinPolicy.JOIN_POLICY_OPEN,
            )
        else:
            message = mem.MemberJoined(
                community_id=names[n], user_id=f"u{i}", role=Role.ROLE_MEMBER
            )
        yield envelope_for(
            message, source=SOURCE, sequence=versions[n], key_sequence=versions[n], actor_id="bench"
        ).to_kafka_record()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--communities", type=int, default=50)
    args = parser.parse_args()
    bootstrap = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    run = uuid.uuid4().hex[:8]
    topic, database_name = f"feedbench.{run}.membership", f"feedbench_{run}"
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    client = blocking_client(os.environ["MONGODB_URI"])
    try:
        admin.create_topics([NewTopic(topic, 6, 1)])
        producer = KafkaProducer(
            bootstrap_servers=bootstrap, acks="all", linger_ms=20, batch_size=512 * 1024
        )
        for key, value, headers in history(run, args.communities, args.events):
            producer.send(topic, key=key, value=value, headers=headers)
        producer.flush(timeout=300)
        producer.close()
        started = time.perf_counter()
        applied = rebuild(client[database_name], bootstrap, [(topic, MEMBERSHIP_TYPES, True)])
        elapsed = time.perf_counter() - started
        print(f"rebuild: {applied} events in {elapsed:.2f} s = {applied / elapsed:,.0f} events/s")
        db = client[database_name]
        last = args.events - 1
        community = f"{run}-c{last % args.communities}"
        member = db["standing"].find_one({"_id": f"member:{community}:u{last}"})
        checkpoint = db["consistency_checkpoints"].find_one({"_id": f"membership:{community}"})
        stored = db["communities"].find_one({"_id": community})
        expected = -(-args.events // args.communities) if last % args.communities == 0 else None
        print(
            f"check: last member role {member and member['role']}, community version "
            f"{stored and stored['version']}, checkpoint {checkpoint and checkpoint['version']}"
            + (f" (expected {expected})" if expected else "")
        )
        print(
            f"documents: members {db['members'].estimated_document_count()}, member_index "
            f"{db['member_index'].estimated_document_count()}, communities "
            f"{db['communities'].estimated_document_count()}"
        )
    finally:
        admin.delete_topics([topic])
        admin.close()
        client.drop_database(database_name)
        client.close()


if __name__ == "__main__":
    main()
