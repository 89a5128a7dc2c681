"""The stack's FerretDB keeps its data in the instance's PostgreSQL cluster, and the lookups the
code makes (`_id` and the fields it creates indexes on) are index searches there, not table
scans: deploy/local/ferretdb/gin_indexes.sql gives every collection GIN indexes on the very
expressions FerretDB's equality pushdown filters with, and the server plans every execution
for its actual values (plan_cache_mode=force_custom_plan)."""

import os
import subprocess
from urllib.parse import urlsplit, urlunsplit

import pytest
from pymongo import MongoClient

# The statement FerretDB 1.24's PostgreSQL backend prepares for find({<field>: <scalar>}).
FERRETDB_EQUALITY_QUERY = "SELECT _jsonb FROM {table} WHERE _jsonb->$1 @> $2"


def psql(sql: str) -> list[str]:
    """Rows of `sql` on FerretDB's PostgreSQL database, one line each."""
    url = urlsplit(os.environ["FERRETDB_POSTGRESQL_URL"])
    plain = urlunsplit(url._replace(query=""))  # pool_* settings are FerretDB's, not libpq's
    done = subprocess.run(["psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", plain, "-c", sql],
                          capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


def table_of(database: str, collection: str) -> str:
    (table,) = psql(f"SELECT _jsonb->>'table' FROM \"{database}\"._ferretdb_database_metadata "
                    f"WHERE _jsonb->>'_id' = '{collection}'")
    return f'"{database}"."{table}"'


def plan_of_lookup(table: str, field: str, value_json: str) -> str:
    """The plan PostgreSQL uses for FerretDB's prepared lookup, after enough executions for a
    server that caches generic plans to have switched to one."""
    executions = "".join(f"EXECUTE lookup('{field}', '{value_json}');" for _ in range(6))
    lines = psql(f"PREPARE lookup AS {FERRETDB_EQUALITY_QUERY.format(table=table)};"
                 f"{executions}EXPLAIN EXECUTE lookup('{field}', '{value_json}')")
    return "\n".join(line for line in lines if "Scan" in line or "Cond" in line
                     or "Filter" in line)


@pytest.fixture
def shop(mongo_uri: str, unique):
    client: MongoClient = MongoClient(mongo_uri)
    name = unique("shop").replace("-", "_")
    yield client[name]
    client.drop_database(name)
    client.close()


def test_collections_are_tables_in_postgresql_with_indexed_equality_lookups(shop):
    shop.orders.insert_many([{"_id": f"o{i}", "status": f"s{i % 50}", "n": i}
                             for i in range(5000)])
    shop.orders.create_index("status")

    table = table_of(shop.name, "orders")
    assert psql(f"SELECT count(*) FROM {table}") == ["5000"]
    # The indexes exist as soon as FerretDB has answered: no lookup ever runs before them.
    id_plan = plan_of_lookup(table, "_id", '"o4321"')
    assert "Bitmap Index Scan" in id_plan and "_gin" in id_plan, id_plan
    field_plan = plan_of_lookup(table, "status", '"s7"')
    assert "Bitmap Index Scan" in field_plan and "_gin" in field_plan, field_plan
    # A field the code never indexed is read by scanning, which shows what the indexes buy.
    assert "Seq Scan" in plan_of_lookup(table, "n", "7")

    # FerretDB answers as before, and lists only the indexes the code created.
    assert shop.orders.find_one({"_id": "o4321"}) == {"_id": "o4321", "status": "s21", "n": 4321}
    assert shop.orders.find_one({"_id": "missing"}) is None
    assert shop.orders.count_documents({"status": "s7"}) == 100
    assert sorted(i["name"] for i in shop.orders.list_indexes()) == ["_id_", "status_1"]


def test_an_index_created_on_a_full_collection_serves_lookups_at_once(shop):
    shop.members.insert_many([{"_id": f"m{i}", "community": f"c{i % 100}"}
                              for i in range(3000)])
    table = table_of(shop.name, "members")
    assert "Seq Scan" in plan_of_lookup(table, "community", '"c5"')

    shop.members.create_index("community")

    plan = plan_of_lookup(table, "community", '"c5"')
    assert "Bitmap Index Scan" in plan and "_gin" in plan, plan
    assert shop.members.count_documents({"community": "c5"}) == 30
