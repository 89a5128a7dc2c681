"""The insights domain: what each event contributes, the compact state it is kept in, and
the SPEC §7 figures computed from that state. Pure: no I/O, no clock, no Faust."""
