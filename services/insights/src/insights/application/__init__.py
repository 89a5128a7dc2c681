"""Use cases of the insights API: reading a space's figures with the checks SPEC §7 asks."""
