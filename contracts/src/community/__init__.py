"""Generated protobuf and gRPC stubs for the community platform (see protos/)."""
