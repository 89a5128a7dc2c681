"""Service settings read from environment variables, each with a working local default.

A bad value fails fast with a `ConfigError` whose message names the variable; the service
entrypoint prints that one line and exits instead of starting half-configured.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NoReturn

# The HS256 secret must be long enough that brute-forcing it is out of reach (RFC 7518 §3.2).
MIN_SECRET_BYTES = 32
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Partitions of every event topic. The insights Faust app uses the same setting for its
# changelog topics: Faust refuses a table whose partitions differ from its source topic.
DEFAULT_TOPIC_PARTITIONS = 6


class ConfigError(Exception):
    """A configuration variable is missing or malformed."""


def env_str(name: str, default: str, env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    value = env.get(name, "").strip()
    return value or default


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    env: Mapping[str, str] | None = None,
) -> int:
    """An integer variable; services read their limits with it (MAX_COMMUNITIES_PER_USER)."""
    raw = env_str(name, "", env)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    _check_range(name, value, minimum, maximum)
    return value


def env_float(
    name: str,
    default: float,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    env: Mapping[str, str] | None = None,
) -> float:
    """A number variable, e.g. a duration in seconds (INVITATION_TTL_S)."""
    raw = env_str(name, "", env)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    _check_range(name, value, minimum, maximum)
    return value


def _check_range(name: str, value: float, minimum: float | None, maximum: float | None) -> None:
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name} must be at most {maximum}, got {value}")


def auth_secret_from_env(env: Mapping[str, str] | None = None) -> bytes:
    env = os.environ if env is None else env
    secret = env.get("COMMUNITY_AUTH_HS256_SECRET", "").encode()
    if not secret:
        raise ConfigError(
            "COMMUNITY_AUTH_HS256_SECRET is not set: set it to a random string of at least "
            f"{MIN_SECRET_BYTES} bytes (e.g. `openssl rand -hex 32`)"
        )
    if len(secret) < MIN_SECRET_BYTES:
        raise ConfigError(
            f"COMMUNITY_AUTH_HS256_SECRET is {len(secret)} bytes; it must be at least "
            f"{MIN_SECRET_BYTES} bytes"
        )
    return secret


@dataclass(frozen=True)
class Settings:
    """What every service needs to reach its infrastructure and serve gRPC."""

    service_name: str
    kafka_bootstrap_servers: str
    mongodb_uri: str
    mongodb_database: str
    grpc_port: int
    kafka_topic_partitions: int
    log_level: str
    # Not shown in repr so that logging the settings never leaks the secret.
    auth_secret: bytes = field(repr=False)
    # "<service>-<REPLICA_ID>" when REPLICA_ID is set: this replica's name as the relay's lease
    # holder, so a restarted replica takes its own lease back at once.
    replica_name: str | None = None

    @classmethod
    def from_env(
        cls, service_name: str, default_port: int, env: Mapping[str, str] | None = None
    ) -> Settings:
        env = os.environ if env is None else env
        log_level = env_str("LOG_LEVEL", "INFO", env).upper()
        if log_level not in LOG_LEVELS:
            allowed = ", ".join(LOG_LEVELS)
            raise ConfigError(f"LOG_LEVEL must be one of {allowed}, got {log_level!r}")
        return cls(
            service_name=service_name,
            kafka_bootstrap_servers=env_str("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092", env),
            mongodb_uri=env_str("MONGODB_URI", "mongodb://127.0.0.1:27017", env),
            mongodb_database=env_str("MONGODB_DATABASE", service_name, env),
            grpc_port=env_int("GRPC_PORT", default_port, minimum=0, maximum=65535, env=env),
            kafka_topic_partitions=topic_partitions(env),
            log_level=log_level,
            auth_secret=auth_secret_from_env(env),
            replica_name=replica_name_from_env(service_name, env),
        )


def replica_name_from_env(service_name: str, env: Mapping[str, str] | None = None) -> str | None:
    """`<service>-<REPLICA_ID>` for replica REPLICA_ID of a deployment; None when unset (one
    unnamed instance)."""
    env = os.environ if env is None else env
    replica = env_str("REPLICA_ID", "", env).strip()
    return f"{service_name}-{replica}" if replica else None


def topic_partitions(env: Mapping[str, str] | None = None) -> int:
    """KAFKA_TOPIC_PARTITIONS: partitions of every topic (and of the insights tables)."""
    env = os.environ if env is None else env
    return env_int("KAFKA_TOPIC_PARTITIONS", DEFAULT_TOPIC_PARTITIONS, minimum=1, env=env)


def exit_on_config_error(error: ConfigError) -> NoReturn:
    """Print the one-line reason the service cannot start, and stop (exit status 2)."""
    print(f"configuration error: {error}", file=sys.stderr)
    raise SystemExit(2)
