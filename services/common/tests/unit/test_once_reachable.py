"""A process starting while the broker is down waits for it instead of exiting."""

from __future__ import annotations

import pytest
from community_common.config import ConfigError
from community_common.kafka_clients import once_reachable
from kafka.errors import KafkaConnectionError, KafkaTimeoutError


def test_a_step_is_tried_again_until_the_broker_answers() -> None:
    outages = [KafkaConnectionError("111 ECONNREFUSED"), KafkaTimeoutError("Unable to bootstrap")]

    def step() -> str:
        if outages:
            raise outages.pop(0)
        return "done"

    assert once_reachable(step, "check", pause_s=0) == "done"
    assert outages == []


def test_a_mistake_that_is_not_an_outage_is_not_waited_on() -> None:
    def step() -> None:
        raise ConfigError("KAFKA_TOPIC_PARTITIONS is 6 but a topic has 3")

    with pytest.raises(ConfigError):
        once_reachable(step, "check", pause_s=0)
