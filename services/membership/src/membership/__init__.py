"""The membership service."""
