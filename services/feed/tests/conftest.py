"""Fixtures for the feed's tests."""
