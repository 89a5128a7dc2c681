"""Membership's argument checks on top of community_common.validation (after
authentication, before anything else; every problem reported at once)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from community.membership.v1 import types_pb2 as types
from community_common import validation

from membership.domain import limits, roles

COMMUNITY_ID = re.compile(r"c[0-9a-f]{24}")
CHILD_ID = {kind: re.compile(rf"c[0-9a-f]{{24}}-{kind}[0-9a-f]{{12}}") for kind in "gir"}
TOPIC = re.compile(limits.TOPIC_PATTERN)
QUERY_MAX = 200

VISIBILITIES = (types.VISIBILITY_PUBLIC, types.VISIBILITY_PRIVATE)
JOIN_POLICIES = (types.JOIN_POLICY_OPEN, types.JOIN_POLICY_INVITE_ONLY, types.JOIN_POLICY_REQUEST)
INVITATION_STATUSES = tuple(types.InvitationStatus.values())
JOIN_REQUEST_STATUSES = tuple(types.JoinRequestStatus.values())


class Violations(validation.Violations):
    """The common checks, and membership's id and topic shapes."""

    def community_id(self, value: str, field: str = "community_id") -> None:
        if not COMMUNITY_ID.fullmatch(value):
            self.add(field, "must be a community id")

    def child_id(self, value: str, kind: str, field: str) -> None:
        if not CHILD_ID[kind].fullmatch(value):
            self.add(field, f"must be a {field.removesuffix('_id').replace('_', ' ')} id")

    def user_id(self, value: str, field: str, *, optional: bool = False) -> None:
        if optional and not value:
            return
        if not 1 <= len(value) <= limits.USER_ID_MAX:
            self.add(field, f"must be a user id of 1-{limits.USER_ID_MAX} characters")

    def topics(self, values: Iterable[str], field: str = "topics") -> None:
        values = list(values)
        if len(values) > limits.TOPICS_MAX:
            self.add(field, f"at most {limits.TOPICS_MAX} topics")
        for index, topic in enumerate(values):
            if not TOPIC.fullmatch(topic):
                self.add(f"{field}[{index}]", f"must match {limits.TOPIC_PATTERN}")
        if len(set(values)) != len(values):
            self.add(field, "must not repeat a topic")


def role_filter(v: Violations, role: int) -> None:
    v.one_of("role", role, roles.ROLES, optional=True)
