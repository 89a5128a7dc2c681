"""The membership domain: the community aggregate, its rules and limits. Pure: no I/O."""
