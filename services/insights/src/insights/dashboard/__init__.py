"""The web dashboard of insights (SPEC §7 "Dashboard"), served over HTTP by the insights API
process on the same asyncio loop as its gRPC server: pages and their assets without a token,
and the JSON endpoint that answers through the same code as `GetInsights`."""
