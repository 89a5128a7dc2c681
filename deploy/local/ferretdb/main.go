// Command ferretdb serves the MongoDB wire protocol with FerretDB v1 on its PostgreSQL backend.
// Building FerretDB's own cmd via `go install` panics on a missing version file, so this
// wrapper embeds the library instead. The embedded library never starts the telemetry
// reporter and marks telemetry disabled, so nothing leaves the machine.
//
// Before serving it creates the PostgreSQL database named in --postgresql-url if missing and
// installs the GIN indexing that lets FerretDB's equality pushdown use an index (ginindex.go).
// With --drop-database it drops that database instead and exits (a test's private server).
package main

import (
	"context"
	"flag"
	"log"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	pgURL := flag.String("postgresql-url", "postgres://postgres@127.0.0.1:5432/ferretdb",
		"PostgreSQL URL; its database is created when missing")
	drop := flag.Bool("drop-database", false, "drop the URL's database and exit")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if *drop {
		if err := dropDatabase(ctx, *pgURL); err != nil {
			log.Fatal(err)
		}
		return
	}
	if err := prepareDatabase(ctx, *pgURL); err != nil {
		log.Fatal(err)
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: *listen},
		Handler:       "postgresql",
		PostgreSQLURL: *pgURL,
	})
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("ferretdb listening on %s, data in PostgreSQL", *listen)
	if err := f.Run(ctx); err != nil && ctx.Err() == nil {
		log.Fatal(err)
	}
}
