"""How a worker is a member of its consumer group (the app id): how long the group waits for
a member, named members, and leaving at once.

- **Named members** (static membership, KIP-345): a worker started with `REPLICA_ID=k` joins
  as group instance `insights-worker-k`. A replica killed and started again takes its own
  place back as soon as it joins, with its old partitions, instead of waiting out the dead
  member's session and rebalancing the whole group twice. Without `REPLICA_ID` (one worker,
  `make up`) members are unnamed as before.
- **Leaving**: aiokafka does not send LeaveGroup for a named member (Kafka's clients leave it
  to the session timeout, so that a rolling restart moves no partition). A worker that stops
  on purpose (SIGTERM, a rebuild's fence, a crash its supervisor stopped it for) removes its
  instance from the group itself as soon as its consumer has stopped, after its last commit
  (`insights.app`), so its partitions move to the others at once. Only a killed worker
  leaves its partitions for the session timeout to free.
- **Timeouts**: a dead member is noticed after `SESSION_TIMEOUT_S` (the broker's minimum,
  `group.min.session.timeout.ms`); a member has `REBALANCE_TIMEOUT_S` to rejoin a rebalance,
  which bounds how long a worker may take to hand its partitions over
  (`HANDOVER_TIMEOUT_S`: saving the view, `insights.app`).
"""

from __future__ import annotations

import logging

from kafka.admin import KafkaAdminClient, MemberToRemove
from kafka.errors import KafkaError

log = logging.getLogger("insights.worker_group")

SESSION_TIMEOUT_S = 6.0
HEARTBEAT_INTERVAL_S = 1.0
REBALANCE_TIMEOUT_S = 30.0
# What a worker whose partitions are revoked may spend saving what it counted before it
# rejoins; past it, the group would go on without it while its saves were still landing.
HANDOVER_TIMEOUT_S = REBALANCE_TIMEOUT_S * 2 / 3


def instance_id(replica_id: str) -> str | None:
    """The group instance of replica `replica_id` ("" = an unnamed member)."""
    return f"insights-worker-{replica_id}" if replica_id else None


def leave(bootstrap_servers: str, group_id: str, instance: str) -> None:
    """Remove a named member from its group now (blocking: in a thread)."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id=instance)
    try:
        results = admin.remove_group_members(group_id, [MemberToRemove(group_instance_id=instance)])
        log.info("left group %s as %s: %s", group_id, instance, results)
    except KafkaError:
        # The session timeout frees the partitions instead.
        log.warning("leaving group %s as %s failed", group_id, instance, exc_info=True)
    finally:
        admin.close()
