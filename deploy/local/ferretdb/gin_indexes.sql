-- GIN indexes for FerretDB's equality pushdown (see ginindex.go), installed in the FerretDB
-- database at every start; every statement is idempotent. FerretDB keeps one schema per
-- MongoDB database, each with a `_ferretdb_database_metadata` table holding one row per
-- collection: {_id: name, table: <table>, indexes: [{key: {<field>: 1, ...}, ...}], ...}.
-- It only lists schemas that have that table, so `public` holds our functions unseen.

-- A GIN jsonb_path_ops index on the expression FerretDB filters `field` with:
-- `_jsonb->'field'`, or `_jsonb#>'{a,b}'` for a dotted path. Its name stays within
-- PostgreSQL's 63 bytes and is unique per table and field. fastupdate off: GIN's default
-- queues new entries in a pending list that every search reads through until a vacuum merges
-- it (a lookup took 3.8 ms instead of 0.08 ms after 100,000 inserts), so a collection just
-- filled in bulk would answer slowly for a while.
CREATE OR REPLACE FUNCTION public.ferretdb_gin_index(schema_name text, table_name text, field text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  index_name text := left(table_name, 40) || '_' || left(md5(table_name || '.' || field), 12) || '_gin';
  expression text := CASE WHEN position('.' IN field) > 0
                          THEN format('_jsonb #> %L', string_to_array(field, '.'))
                          ELSE format('_jsonb -> %L', field) END;
BEGIN
  EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I.%I USING gin ((%s) jsonb_path_ops) '
                 'WITH (fastupdate = off)', index_name, schema_name, table_name, expression);
END $$;

-- One collection's metadata row: `_id` and every field of every index FerretDB lists for it.
CREATE OR REPLACE FUNCTION public.ferretdb_gin_collection(schema_name text, metadata jsonb)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  field text;
BEGIN
  FOR field IN
    SELECT '_id'
    UNION
    SELECT key FROM jsonb_array_elements(coalesce(metadata->'indexes', '[]')) AS i,
                    jsonb_object_keys(i->'key') AS key
    WHERE key <> '$s'  -- FerretDB's type annotations, not a field
  LOOP
    PERFORM public.ferretdb_gin_index(schema_name, metadata->>'table', field);
  END LOOP;
END $$;

-- Row trigger on every metadata table: FerretDB inserts the row when it creates a collection
-- and updates it when it creates an index, both before it answers the client.
CREATE OR REPLACE FUNCTION public.ferretdb_gin_metadata_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM public.ferretdb_gin_collection(TG_TABLE_SCHEMA, NEW._jsonb);
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION public.ferretdb_gin_watch(schema_name text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE OR REPLACE TRIGGER ferretdb_gin AFTER INSERT OR UPDATE ON %I._ferretdb_database_metadata '
                 'FOR EACH ROW EXECUTE FUNCTION public.ferretdb_gin_metadata_changed()', schema_name);
END $$;

-- Event trigger: a metadata table FerretDB creates (a new MongoDB database) gets the row trigger.
CREATE OR REPLACE FUNCTION public.ferretdb_gin_table_created() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  created record;
BEGIN
  FOR created IN
    SELECT n.nspname FROM pg_event_trigger_ddl_commands() AS c
    JOIN pg_class AS t ON t.oid = c.objid JOIN pg_namespace AS n ON n.oid = t.relnamespace
    WHERE c.command_tag = 'CREATE TABLE' AND t.relname = '_ferretdb_database_metadata'
  LOOP
    PERFORM public.ferretdb_gin_watch(created.nspname);
  END LOOP;
END $$;

DROP EVENT TRIGGER IF EXISTS ferretdb_gin;
CREATE EVENT TRIGGER ferretdb_gin ON ddl_command_end WHEN TAG IN ('CREATE TABLE')
  EXECUTE FUNCTION public.ferretdb_gin_table_created();

-- Databases and collections from before this start (data kept across `make down` / `up`).
DO $$
DECLARE
  schema_name text;
  metadata jsonb;
BEGIN
  FOR schema_name IN
    SELECT table_schema FROM information_schema.tables WHERE table_name = '_ferretdb_database_metadata'
  LOOP
    PERFORM public.ferretdb_gin_watch(schema_name);
    FOR metadata IN EXECUTE format('SELECT _jsonb FROM %I._ferretdb_database_metadata', schema_name) LOOP
      PERFORM public.ferretdb_gin_collection(schema_name, metadata);
    END LOOP;
  END LOOP;
END $$;
