"""The limits the moderation contract sets on what clients send (SPEC §6)."""

from __future__ import annotations

from datetime import timedelta

MIN_MUTE = timedelta(seconds=60)
MAX_MUTE = timedelta(days=28)
# The longest ban or restriction: an end date further out would overflow the calendar (a
# Duration may say ~10,000 years), and "permanent" is the absence of a duration.
MAX_SANCTION = timedelta(days=36_525)
# A report resolved with RESOLUTION_MUTE_AUTHOR and no duration mutes for a day.
DEFAULT_REPORT_MUTE = timedelta(hours=24)

MAX_RULE_TITLE = 100
MAX_RULE_DESCRIPTION = 2000
MAX_REPORT_DETAILS = 2000
MAX_REASON = 1000
MAX_NOTE = 2000

MAX_KEYWORDS = 100
MAX_KEYWORD_LENGTH = 100
MAX_REGEX_LENGTH = 1000
# RE2 compiles a pattern into an automaton within this much memory; a costlier pattern is
# refused at AddAutomodRule instead of slowing every post down.
REGEX_MAX_MEM = 8 << 20

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
