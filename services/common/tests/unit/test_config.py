"""Settings come from the environment, with working local defaults, and bad values fail fast."""

from __future__ import annotations

import pytest
from community_common.config import ConfigError, Settings, env_float, env_int

SECRET = "s" * 32


def test_defaults_reach_local_infrastructure() -> None:
    settings = Settings.from_env("membership", 50051, env={"COMMUNITY_AUTH_HS256_SECRET": SECRET})
    assert settings.kafka_bootstrap_servers == "127.0.0.1:9092"
    assert settings.mongodb_uri == "mongodb://127.0.0.1:27017"
    assert settings.mongodb_database == "membership"
    assert settings.grpc_port == 50051
    assert settings.kafka_topic_partitions == 6
    assert settings.log_level == "INFO"
    assert SECRET not in repr(settings)


def test_environment_overrides_defaults() -> None:
    env = {
        "COMMUNITY_AUTH_HS256_SECRET": SECRET,
        "KAFKA_BOOTSTRAP_SERVERS": "kafka:9092",
        "MONGODB_URI": "mongodb://db:27017",
        "MONGODB_DATABASE": "membership_test",
        "GRPC_PORT": "6000",
        "KAFKA_TOPIC_PARTITIONS": "12",
        "LOG_LEVEL": "debug",
    }
    settings = Settings.from_env("membership", 50051, env=env)
    assert (settings.kafka_bootstrap_servers, settings.mongodb_uri) == (
        "kafka:9092",
        "mongodb://db:27017",
    )
    assert (settings.mongodb_database, settings.grpc_port) == ("membership_test", 6000)
    assert (settings.kafka_topic_partitions, settings.log_level) == (12, "DEBUG")


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "COMMUNITY_AUTH_HS256_SECRET"),
        ({"COMMUNITY_AUTH_HS256_SECRET": "too-short"}, "COMMUNITY_AUTH_HS256_SECRET"),
        ({"COMMUNITY_AUTH_HS256_SECRET": SECRET, "GRPC_PORT": "http"}, "GRPC_PORT"),
        ({"COMMUNITY_AUTH_HS256_SECRET": SECRET, "GRPC_PORT": "70000"}, "GRPC_PORT"),
        (
            {"COMMUNITY_AUTH_HS256_SECRET": SECRET, "KAFKA_TOPIC_PARTITIONS": "0"},
            "KAFKA_TOPIC_PARTITIONS",
        ),
        ({"COMMUNITY_AUTH_HS256_SECRET": SECRET, "LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        Settings.from_env("membership", 50051, env=env)


def test_service_limits_read_with_bounds() -> None:
    assert env_int("MAX_COMMUNITIES_PER_USER", 3, minimum=1, env={}) == 3
    assert (
        env_int("MAX_COMMUNITIES_PER_USER", 3, minimum=1, env={"MAX_COMMUNITIES_PER_USER": "5"})
        == 5
    )
    assert env_float("INVITATION_TTL_S", 1209600.0, env={"INVITATION_TTL_S": "60"}) == 60.0
    with pytest.raises(ConfigError, match="MAX_COMMUNITIES_PER_USER"):
        env_int("MAX_COMMUNITIES_PER_USER", 3, minimum=1, env={"MAX_COMMUNITIES_PER_USER": "-1"})
