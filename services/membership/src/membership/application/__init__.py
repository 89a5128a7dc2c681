"""Use cases: the commands and queries of the membership API, over the domain and adapters."""
