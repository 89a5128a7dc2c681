"""The serving view in MongoDB: one document per table value, `_id` = the table key.

The worker replaces whole documents with the values' current (absolute) state, so a batch
saved twice leaves the same documents; the API reads only by `_id`. Ids chosen by users
(user ids) and other services (post and group ids) may contain '.' or start with '$', which
MongoDB field names must not: maps keyed by them are stored as lists of {id, value}
documents (FerretDB refuses nested arrays).
Each document keeps its value's dedupe marks too (the API ignores them): a resumed rebuild
(`insights.rebuild`) reloads its state from the view.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure

from insights.domain.effects import Space
from insights.domain.ledger import (
    DAYS,
    ROLES,
    ROSTERS,
    Target,
    Value,
    day_target,
    role_target,
    roster_target,
)

COLLECTIONS = {DAYS: "space_days", ROSTERS: "rosters", ROLES: "roles"}
# Documents per write command: FerretDB 1.24 holds a PostgreSQL connection per matched
# document until an update command ends (see community_common.mongo.write_in_chunks); 25
# stays well clear of the connection limit, and well under 16 MB.
WRITE_CHUNK = 25
# Fields holding maps keyed by foreign ids, per table.
_PAIRED = {DAYS: ("members", "posts"), ROSTERS: ("headcounts",), ROLES: ()}


def to_document(target: Target, value: Value) -> dict[str, Any]:
    document: dict[str, Any] = {"_id": target.key}
    for name, field in value.items():
        document[name] = (
            [{"id": key, "value": item} for key, item in field.items()]
            if name in _PAIRED[target.table]
            else field
        )
    return document


def from_document(table: str, document: Mapping[str, Any]) -> Value:
    value: Value = {"marks": {}}
    for name, field in document.items():
        if name == "_id":
            continue
        value[name] = (
            {entry["id"]: entry["value"] for entry in field} if name in _PAIRED[table] else field
        )
    return value


class MongoServingView:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self.database = database

    def collection(self, table: str) -> Any:
        return self.database[COLLECTIONS[table]]

    async def save(self, changed: Mapping[Target, Value]) -> None:
        by_table: dict[str, list[dict[str, Any]]] = {}
        for target, value in changed.items():
            by_table.setdefault(target.table, []).append(to_document(target, value))
        for table, documents in by_table.items():
            for i in range(0, len(documents), WRITE_CHUNK):
                await self._replace_all(COLLECTIONS[table], documents[i:i + WRITE_CHUNK])

    async def _replace_all(self, collection: str, documents: list[dict[str, Any]]) -> None:
        """Upsert many whole documents in one `update` command: one round trip. (pymongo's
        bulk_write cannot be used: FerretDB's answer to it lacks the `nModified` count
        pymongo requires.)"""
        reply = await self.database.command({
            "update": collection,
            "updates": [{"q": {"_id": d["_id"]}, "u": d, "upsert": True} for d in documents],
            "ordered": True,
        })
        if reply.get("writeErrors"):
            raise OperationFailure(f"saving {collection}: {reply['writeErrors'][:3]}")

    async def _get(self, target: Target) -> Value | None:
        document = await self.collection(target.table).find_one({"_id": target.key})
        return from_document(target.table, document) if document else None

    async def roster(self, community_id: str) -> Value | None:
        return await self._get(roster_target(community_id))

    async def role(self, community_id: str, user_id: str) -> int:
        value = await self._get(role_target(community_id, user_id))
        return int(value["role"]) if value else 0

    async def days(self, space: Space, days: list[str]) -> dict[str, Value | None]:
        # One `_id` lookup per day: FerretDB serves `_id` equality from an index, but does not
        # push `$in` down to PostgreSQL, so an `$in` would read the whole collection.
        found = await asyncio.gather(*(self._get(day_target(space, day)) for day in days))
        return dict(zip(days, found, strict=True))
