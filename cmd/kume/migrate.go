package main

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"github.com/kume-geo/kume/migrations"
)

func runMigrate(ctx context.Context, env *Env, args []string) error {
	var sc storeConfig
	fs := newFlagSet(env, "migrate", "up|down|status [--db URL]")
	addStoreFlags(fs, env, &sc)
	pos, err := parseInterleaved(fs, args) // "migrate status --db URL" as documented
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return errUsage
	}
	if sc.DB == "" {
		return fmt.Errorf("migrate needs a PostGIS database: give --db URL or set DATABASE_URL (the embedded store has no schema to migrate)")
	}
	db, err := sql.Open("pgx", sc.DB)
	if err != nil {
		return fmt.Errorf("open %s: %w", maskURL(sc.DB), err)
	}
	defer db.Close()
	switch pos[0] {
	case "up":
		return migrations.Up(ctx, db)
	case "down":
		return migrations.Down(ctx, db)
	case "status":
		lines, err := migrations.Status(ctx, db)
		if err != nil {
			return err
		}
		for _, l := range lines {
			state := "pending"
			if l.Applied {
				state = "applied " + l.AppliedAt.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(env.Stdout, "%-40s %s\n", l.Name, state)
		}
		return nil
	}
	fs.Usage()
	return errUsage
}
