"""How the feed is driven: the gRPC API, the event consumers and the rebuild command."""
