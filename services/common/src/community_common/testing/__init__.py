"""Helpers for tests that put realistic events on the real Kafka topics and read them back."""
