"""Our FerretDB build keeps `_id` lookups indexed: FerretDB 1.24 filters `{_id: ...}` with an
expression its own index does not cover, so the wrapper (deploy/local/ferretdb/idindex.go)
adds an index on exactly that expression to every collection table. Without it every `_id`
lookup scans the collection."""

import sqlite3
import time
from pathlib import Path

from community_common.testing.ferretdb import OwnFerretDB
from pymongo import MongoClient

# The statement FerretDB 1.24's SQLite backend runs for find({_id: <string>}).
FERRETDB_ID_QUERY = "SELECT _ferretdb_sjson FROM \"{table}\" WHERE _ferretdb_sjson->'$._id' = ?"


def plan_of_id_lookup(data_dir: str) -> list[str]:
    (file,) = Path(data_dir).glob("shop.sqlite")
    db = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    try:
        (table,) = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 'orders%'")]
        rows = db.execute("EXPLAIN QUERY PLAN " + FERRETDB_ID_QUERY.format(table=table), ('"x"',))
        return [row[3] for row in rows]
    finally:
        db.close()


def test_every_collection_gets_an_index_for_id_lookups():
    with OwnFerretDB() as server:
        client: MongoClient = MongoClient(server.uri)
        try:
            client.shop.orders.insert_many([{"_id": f"o{i}", "n": i} for i in range(500)])
            deadline = time.monotonic() + 10
            plan = plan_of_id_lookup(server.data)
            while not any("USING INDEX" in step for step in plan) and time.monotonic() < deadline:
                time.sleep(0.05)
                plan = plan_of_id_lookup(server.data)
            assert any("__id_pushdown" in step for step in plan), plan
            # FerretDB itself still answers as before, with the extra index in place.
            assert client.shop.orders.find_one({"_id": "o499"}) == {"_id": "o499", "n": 499}
            assert client.shop.orders.find_one({"_id": "missing"}) is None
            assert [i["name"] for i in client.shop.orders.list_indexes()] == ["_id_"]
        finally:
            client.close()
