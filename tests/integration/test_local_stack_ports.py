"""The local stack keeps the kernel from lending its servers' ports to outgoing connections:
the contract's gRPC ports lie inside Linux's ephemeral range, and a client socket holding one
made a service fail to bind during `make up` about once in ten starts."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "deploy" / "local"))
import stack


def reserved_ports() -> set[int]:
    ports: set[int] = set()
    for part in filter(None, stack.RESERVED_PORTS.read_text().strip().split(",")):
        low, _, high = part.partition("-")
        ports.update(range(int(low), int(high or low) + 1))
    return ports


@pytest.mark.skipif(os.geteuid() != 0, reason="reserving ports needs root; make up says so")
def test_the_running_instances_ports_are_reserved_from_ephemeral_use() -> None:
    instance = stack.INSTANCES[os.environ.get("COMMUNITY_STACK_INSTANCE", "test")]
    # infra-up reserved them before it started the servers this suite runs against.
    assert set(instance.listening_ports) <= reserved_ports()
