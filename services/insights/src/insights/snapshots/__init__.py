"""Snapshots: each space's figures published to `community.insights.snapshots.v1`."""
