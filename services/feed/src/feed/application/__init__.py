"""The feed's use cases: each command checks arguments, waits for a consistency token,
checks existence, permission and rules (in that order), then appends its events; each query
reads the write model or `_id`-keyed read models, so the feed's own writes show at once."""
