package main

// FerretDB 1.24's SQLite backend pushes an `{_id: ...}` filter down as
// `WHERE _ferretdb_sjson->'$._id' = ?`, but the unique index it creates for every collection
// is on `_ferretdb_sjson->"_id"`. SQLite uses an expression index only for the same
// expression, so every `_id` lookup scans its whole table (a miss costs ~1 s at 100,000
// documents). This watcher gives every collection table an index on exactly the expression
// the queries use, which turns those scans into index searches. FerretDB never sees the extra
// index (it lists indexes from its own metadata) and drops it with the table. Real MongoDB,
// used in production, indexes _id itself.

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite"
)

const idIndexSuffix = "__id_pushdown"

type fileState struct {
	mainMod, walMod time.Time
	mainSize        int64
	walSize         int64
}

// indexIDLookups keeps every collection table in dir indexed for FerretDB's _id pushdown,
// checking the files that changed every interval until ctx ends.
func indexIDLookups(ctx context.Context, dir string, interval time.Duration) {
	seen := map[string]fileState{}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
		for _, file := range files {
			state := stat(file)
			if prev, ok := seen[file]; ok && prev == state {
				continue
			}
			if err := indexFile(ctx, file); err != nil {
				log.Printf("id index: %s: %v (will retry)", filepath.Base(file), err)
				continue
			}
			seen[file] = state
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

func stat(file string) fileState {
	var s fileState
	if fi, err := os.Stat(file); err == nil {
		s.mainMod, s.mainSize = fi.ModTime(), fi.Size()
	}
	if fi, err := os.Stat(file + "-wal"); err == nil {
		s.walMod, s.walSize = fi.ModTime(), fi.Size()
	}
	return s
}

func indexFile(ctx context.Context, file string) error {
	// mode=rw: a database FerretDB has just dropped must not be re-created (empty) by us.
	db, err := sql.Open("sqlite", "file:"+file+"?mode=rw&_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer db.Close()

	rows, err := db.QueryContext(ctx, `SELECT t.name FROM sqlite_master t
		WHERE t.type = 'table' AND t.name NOT LIKE '\_ferretdb\_%' ESCAPE '\'
		AND t.name NOT LIKE 'sqlite\_%' ESCAPE '\'
		AND NOT EXISTS (SELECT 1 FROM sqlite_master i WHERE i.type = 'index'
		                AND i.tbl_name = t.name AND i.name = t.name || ?)`, idIndexSuffix)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, table := range tables {
		quoted := `"` + strings.ReplaceAll(table, `"`, `""`) + `"`
		index := `"` + strings.ReplaceAll(table+idIndexSuffix, `"`, `""`) + `"`
		stmt := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s (_ferretdb_sjson->'$._id')`, index, quoted)
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
	}
	return nil
}
