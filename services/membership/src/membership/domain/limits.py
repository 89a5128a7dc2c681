"""The membership limits of SPEC §4, each defined once; the service reads overrides from env."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

MAX_COMMUNITIES_PER_USER = 3
MAX_GROUPS_PER_COMMUNITY = 100
INVITATIONS_PER_MEMBER = 5
INVITATION_TTL = timedelta(days=14)

NAME_MAX = 100
DESCRIPTION_MAX = 2000
TOPICS_MAX = 10
TOPIC_PATTERN = r"[a-z0-9-]{1,32}"
GROUP_NAME_MAX = 100
USER_ID_MAX = 128
REASON_MAX = 2000


@dataclass(frozen=True)
class Limits:
    max_communities_per_user: int = MAX_COMMUNITIES_PER_USER
    max_groups_per_community: int = MAX_GROUPS_PER_COMMUNITY
    invitations_per_member: int = INVITATIONS_PER_MEMBER
    invitation_ttl: timedelta = INVITATION_TTL
