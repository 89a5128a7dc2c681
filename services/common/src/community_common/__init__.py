"""Shared plumbing for the community services."""
