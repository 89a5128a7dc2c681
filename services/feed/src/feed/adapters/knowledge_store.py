"""What feed knows from membership and moderation events, stored one fact per document.

Collections (the event consumer is the only writer of each document):

- `communities`   `_id = community_id`: exists, archived, visibility, groups, version
- `standing`      what decides a person's rights, three kinds of document, each with
                  `user_id` and `scope` (the community, or "*" platform-wide):
                  `member:<community_id>:<user_id>`  role (0 = not a member), groups, and a
                  copy of the community's facts (`community`: exists, archived, visibility,
                  groups), all from membership events; `sanctions:<community_id>:<user_id>`
                  mute and ban with their expiry, and `restrictions:<user_id>` platform
                  restrictions per action (moderation events). One query
                  `{user_id, scope in (community, "*")}` (indexed) reads all three, so a
                  member's decision costs that one query, while each document keeps a single
                  writer. The rare event that changes a community's facts (visibility,
                  archive, a group created or removed) rewrites them in every member document
                  of the community, before the community's own document (so a consistency
                  token waiting for that event sees every copy changed).
- `member_index`  `_id = "<user_id>:<n:06d>"`: the communities a user ever joined, so the home
                  feed finds a user's communities by `_id` gets; n is claimed by insert
- `removals`      `_id = post_id`: whether moderation removed the post, and which comments

Every command reads `standing` and `removals` (and `communities` for a non-member), so a
rebuild keeps them; it drops `member_index` only and replays membership's topic into it
(feed/rebuild.py).

`KnowledgeWriter` (blocking, the consumer's thread) applies events with the rules of
`feed.domain.knowledge`; `Knowledge` (asyncio, the handlers) reads them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, overload

from community.membership.v1 import events_pb2 as mem
from community_common.auth import Caller
from community_common.envelope import EventEnvelope
from google.protobuf.message import Message
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from feed.domain import knowledge
from feed.domain.access import CommunityFacts, Sanctions, Standing
from feed.domain.knowledge import Doc

COMMUNITIES = "communities"
STANDING = "standing"
MEMBER_INDEX = "member_index"
REMOVALS = "removals"

MEMBERSHIP_PACKAGE = mem.DESCRIPTOR.package
PLATFORM = "*"


def member_id(community_id: str, user_id: str) -> str:
    return f"member:{community_id}:{user_id}"


def sanctions_id(community_id: str, user_id: str) -> str:
    return f"sanctions:{community_id}:{user_id}"


def restrictions_id(user_id: str) -> str:
    return f"restrictions:{user_id}"


# The standing query's index, and the community's member documents for a facts change.
STANDING_INDEXES = ([("user_id", 1), ("scope", 1)], [("scope", 1)])


async def ensure_indexes(database: AsyncDatabase[Any]) -> None:
    for keys in STANDING_INDEXES:
        await database[STANDING].create_index(keys)


def index_id(user_id: str, n: int) -> str:
    return f"{user_id}:{n:06d}"


class Documents(Protocol):
    """Where `KnowledgeWriter` reads and writes the read-model documents."""

    def get(self, collection: str, key: str) -> Doc | None: ...

    def put(self, collection: str, key: str, doc: Doc) -> None: ...

    def add(self, collection: str, key: str, doc: Doc) -> bool:
        """Insert unless `key` is taken (then False): the index's "only one wins" step."""
        ...

    def keys_in_scope(self, collection: str, scope: str) -> list[str]:
        """The `_id`s of the documents whose `scope` is `scope`."""
        ...


class StoredDocuments:
    """Every read and write its own `_id` round trip: the live consumers, event by event."""

    def __init__(self, database: Database[Any]) -> None:
        self.db = database

    def get(self, collection: str, key: str) -> Doc | None:
        return self.db[collection].find_one({"_id": key})

    def put(self, collection: str, key: str, doc: Doc) -> None:
        self.db[collection].replace_one({"_id": key}, without_id(doc), upsert=True)

    def add(self, collection: str, key: str, doc: Doc) -> bool:
        try:
            self.db[collection].insert_one({**doc, "_id": key})
        except DuplicateKeyError:
            return False
        return True

    def keys_in_scope(self, collection: str, scope: str) -> list[str]:
        return [d["_id"] for d in self.db[collection].find({"scope": scope}, {"_id": 1})]


def without_id(doc: Doc) -> Doc:
    return {name: value for name, value in doc.items() if name != "_id"}


class KnowledgeWriter:
    def __init__(self, database: Database[Any], documents: Documents | None = None) -> None:
        """`documents` defaults to the database's, one round trip per read or write."""
        self.docs = documents or StoredDocuments(database)

    def apply(self, event: EventEnvelope, message: Message) -> None:
        if message.DESCRIPTOR.file.package == MEMBERSHIP_PACKAGE:
            self._membership(event, message)
        elif isinstance(message, knowledge.SANCTION_EVENTS):
            community_id, user_id = message.community_id, message.user_id  # type: ignore[attr-defined]
            self._replace(
                STANDING,
                sanctions_id(community_id, user_id),
                lambda doc: _scoped(
                    knowledge.sanctions_after(doc, message, event.sequence), user_id, community_id
                ),
            )
        elif isinstance(message, knowledge.RESTRICTION_EVENTS):
            user_id = message.user_id  # type: ignore[attr-defined]
            self._replace(
                STANDING,
                restrictions_id(user_id),
                lambda doc: _scoped(
                    knowledge.restrictions_after(doc, message, event.sequence), user_id, PLATFORM
                ),
            )
        elif isinstance(message, knowledge.REMOVAL_EVENTS):
            self._replace(
                REMOVALS,
                message.post_id,  # type: ignore[attr-defined]
                lambda doc: knowledge.removals_after(doc, message, event.sequence),
            )

    def _membership(self, event: EventEnvelope, message: Message) -> None:
        community_id = event.community_id or getattr(message, "community_id", "")
        if not community_id:
            return
        before = self.docs.get(COMMUNITIES, community_id)
        after = knowledge.community_after(before, community_id, message, event.sequence)
        facts = knowledge.community_facts(after if after is not None else before)
        for change in knowledge.member_changes(message):
            self._member(community_id, change, event.sequence, facts)
        if after is None:
            return  # applied before, community document included
        if knowledge.community_facts(before) != facts:
            self._copy_facts(community_id, facts)
        # Last: the community's version says every change of this event is in place.
        self.docs.put(COMMUNITIES, community_id, after)

    def _member(
        self, community_id: str, change: knowledge.MemberChange, sequence: int, facts: Doc
    ) -> None:
        key = member_id(community_id, change.user_id)
        new = knowledge.member_after(self.docs.get(STANDING, key), community_id, change, sequence)
        if new is None:
            return
        if new["role"] != knowledge.NOT_A_MEMBER and not new.get("indexed"):
            self._index(change.user_id, community_id)
            new["indexed"] = True
        new["community"] = facts
        self.docs.put(STANDING, key, _scoped(new, change.user_id, community_id))

    def _copy_facts(self, community_id: str, facts: Doc) -> None:
        """The community's new facts into each of its member documents that lacks them (a
        redelivered event after a crash half way redoes only the rest)."""
        for key in self.docs.keys_in_scope(STANDING, community_id):
            if not key.startswith("member:"):
                continue  # sanctions: the moderation consumer's documents
            doc = self.docs.get(STANDING, key)
            if doc is not None and doc.get("community") != facts:
                self.docs.put(STANDING, key, {**doc, "community": facts})

    def _index(self, user_id: str, community_id: str) -> None:
        n = 1
        while True:
            found = self.docs.get(MEMBER_INDEX, index_id(user_id, n))
            if found is None:
                if self.docs.add(
                    MEMBER_INDEX, index_id(user_id, n), {"community_id": community_id}
                ):
                    return
                # else another partition's consumer indexed this user just now
            elif found["community_id"] == community_id:
                return
            n += 1

    def _replace(self, collection: str, key: str, change: Any) -> None:
        new = change(self.docs.get(collection, key))
        if new is not None:
            self.docs.put(collection, key, new)


@overload
def _scoped(doc: Doc, user_id: str, scope: str) -> Doc: ...
@overload
def _scoped(doc: Doc | None, user_id: str, scope: str) -> Doc | None: ...
def _scoped(doc: Doc | None, user_id: str, scope: str) -> Doc | None:
    """The fields the standing query selects by."""
    return None if doc is None else {**doc, "user_id": user_id, "scope": scope}


@dataclass(frozen=True)
class Membership:
    community_id: str
    role: int
    groups: frozenset[str]


@dataclass(frozen=True)
class Removals:
    post_removed: bool = False
    removed_comments: frozenset[str] = frozenset()


class Knowledge:
    def __init__(self, database: AsyncDatabase[Any]) -> None:
        self.db = database

    async def _get(self, collection: str, key: str) -> dict[str, Any] | None:
        return await self.db[collection].find_one({"_id": key})

    async def community(self, community_id: str) -> CommunityFacts:
        doc = await self._get(COMMUNITIES, community_id)
        return _community(community_id, doc)

    async def standing(self, community_id: str, caller: Caller) -> Standing:
        found = (
            await self.db[STANDING]
            .find({"user_id": caller.user_id, "scope": {"$in": [community_id, PLATFORM]}})
            .to_list()
        )
        by_id = {doc["_id"]: doc for doc in found}
        member = by_id.get(member_id(community_id, caller.user_id))
        sanctions = by_id.get(sanctions_id(community_id, caller.user_id))
        restrictions = by_id.get(restrictions_id(caller.user_id))
        if member is not None and "community" in member:
            facts = _community(community_id, member["community"])
        else:  # not a member now or ever: the community's own document
            facts = await self.community(community_id)
        role = int(member["role"]) if member else knowledge.NOT_A_MEMBER
        return Standing(
            user_id=caller.user_id,
            community=facts,
            role=role,
            groups=frozenset(member["groups"]) if member else frozenset(),
            sanctions=Sanctions(
                muted_until=sanctions.get("muted_until"),
                banned=bool(sanctions.get("banned")),
                banned_until=sanctions.get("banned_until"),
            )
            if sanctions
            else Sanctions(),
            restrictions=_restrictions(restrictions),
            is_platform_admin=caller.is_platform_admin,
        )

    async def removals(self, post_id: str) -> Removals:
        doc = await self._get(REMOVALS, post_id)
        if doc is None:
            return Removals()
        return Removals(bool(doc["post_removed"]), frozenset(doc["removed_comments"]))

    async def memberships(self, user_id: str) -> list[Membership]:
        """The communities the user belongs to now, with their groups there."""
        community_ids: list[str] = []
        n = 1
        while (entry := await self._get(MEMBER_INDEX, index_id(user_id, n))) is not None:
            if entry["community_id"] not in community_ids:
                community_ids.append(entry["community_id"])
            n += 1
        members = await asyncio.gather(
            *(self._get(STANDING, member_id(c, user_id)) for c in community_ids)
        )

        async def facts(community_id: str, member: Doc | None) -> CommunityFacts:
            if member is not None and "community" in member:
                return _community(community_id, member["community"])
            return await self.community(community_id)

        communities = await asyncio.gather(
            *(facts(c, m) for c, m in zip(community_ids, members, strict=True))
        )
        found = []
        for community, member in zip(communities, members, strict=True):
            if member and member["role"] != knowledge.NOT_A_MEMBER and community.exists:
                groups = frozenset(member["groups"]) & community.groups
                found.append(Membership(community.community_id, int(member["role"]), groups))
        return found


def _community(community_id: str, doc: dict[str, Any] | None) -> CommunityFacts:
    if doc is None:
        return CommunityFacts(community_id)
    return CommunityFacts(
        community_id=community_id,
        exists=bool(doc["exists"]),
        archived=bool(doc["archived"]),
        visibility=int(doc["visibility"]),
        groups=frozenset(doc["groups"]),
    )


def _restrictions(doc: dict[str, Any] | None) -> dict[int, datetime]:
    if not doc:
        return {}
    # A restriction without an expiry lasts until it is lifted.
    forever = datetime.max.replace(tzinfo=UTC)
    return {int(action): until or forever for action, until in doc["actions"].items()}
