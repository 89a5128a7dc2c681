"""Adapters: the MongoDB serving view."""
