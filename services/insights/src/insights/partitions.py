"""Where a community's records go: its events (put there by the producers) and its tables'
changelog records (so the worker that owns the community's partition restores them)."""

from __future__ import annotations

from kafka.partitioner.default import murmur2


def partition_of(community_id: str, partitions: int) -> int:
    """The partition the producers put a community's events on (Kafka's murmur2)."""
    return (murmur2(community_id.encode()) & 0x7FFFFFFF) % partitions
