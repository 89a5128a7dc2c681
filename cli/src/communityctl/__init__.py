"""communityctl: call the services, mint dev tokens, and tail the event topics."""
