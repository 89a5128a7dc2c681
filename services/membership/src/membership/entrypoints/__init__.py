"""How the world reaches the service: the gRPC API, the event consumers, the admin command."""
