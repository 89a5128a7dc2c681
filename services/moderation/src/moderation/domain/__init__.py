"""The moderation domain: pure rules over community standing, reports, sanctions and automod.

Nothing here does I/O. Aggregates are rebuilt from their events (the protobuf messages of
`community.moderation.v1`) and record new ones; every refusal is a `community_common.errors`
exception carrying its contract reason.
"""
