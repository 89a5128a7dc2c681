"""The moderation service."""
