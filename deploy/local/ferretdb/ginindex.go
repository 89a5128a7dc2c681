package main

// FerretDB 1.24 on PostgreSQL pushes a top-level equality (`{field: scalar}`, `$eq`) down as
// `_jsonb->$1 @> $2`, but the indexes it creates itself are btree indexes on `(_jsonb->'f')`,
// which cannot answer `@>`: without help every lookup, `_id` included, reads the whole table.
// gin_indexes.sql gives every collection table a GIN `jsonb_path_ops` index on exactly that
// expression for `_id` and for every field of every index the code creates (the same
// `create_index` calls MongoDB 7 needs in production), in the same statement that records the
// collection or index in FerretDB's metadata, so no lookup ever runs before its index exists.
// The planner matches `_jsonb->$1` to the index only in a custom plan (PostgreSQL runs with
// plan_cache_mode=force_custom_plan; see deploy/local/stack.py). FerretDB never lists the
// extra indexes (it lists its own metadata) and drops them with the table.

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed gin_indexes.sql
var ginIndexesSQL string

// prepareDatabase creates the URL's database when missing and installs the GIN indexing in it.
func prepareDatabase(ctx context.Context, pgURL string) error {
	name, maintenance, err := splitDatabase(pgURL)
	if err != nil {
		return err
	}
	if err := createDatabase(ctx, maintenance, name); err != nil {
		return err
	}
	conn, err := connect(ctx, pgURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, ginIndexesSQL); err != nil {
		return fmt.Errorf("installing GIN indexing: %w", err)
	}
	return nil
}

// createDatabase creates the database unless it exists (PostgreSQL has no CREATE DATABASE IF
// NOT EXISTS; a start racing this one may still win, which is as good).
func createDatabase(ctx context.Context, maintenance, name string) error {
	conn, err := connect(ctx, maintenance)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)",
		name).Scan(&exists); err != nil || exists {
		return err
	}
	statement := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize()
	_, err = conn.Exec(ctx, statement)
	var pgErr *pgconn.PgError
	if err != nil && !(errors.As(err, &pgErr) && pgErr.Code == "42P04") { // duplicate_database
		return fmt.Errorf("%s: %w", statement, err)
	}
	return nil
}

// dropDatabase drops the URL's database, disconnecting whoever still uses it.
func dropDatabase(ctx context.Context, pgURL string) error {
	name, maintenance, err := splitDatabase(pgURL)
	if err != nil {
		return err
	}
	conn, err := connect(ctx, maintenance)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}

// splitDatabase returns the URL's database name and the same URL on the `postgres` database,
// without the pool settings meant for FerretDB.
func splitDatabase(pgURL string) (string, string, error) {
	u, err := url.Parse(pgURL)
	if err != nil {
		return "", "", err
	}
	name := u.Path[1:]
	if name == "" {
		return "", "", errors.New("the PostgreSQL URL names no database")
	}
	u.Path, u.RawQuery = "/postgres", ""
	return name, u.String(), nil
}

// connect opens one connection (pgx.Connect refuses the pool_* settings FerretDB's URL carries).
func connect(ctx context.Context, pgURL string) (*pgx.Conn, error) {
	config, err := pgxpool.ParseConfig(pgURL)
	if err != nil {
		return nil, err
	}
	return pgx.ConnectConfig(ctx, config.ConnConfig)
}
