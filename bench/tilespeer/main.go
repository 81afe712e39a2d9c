// Command tilespeer builds, from kume's latest analysis, the precomputed
// hexagon tables a generic PostGIS tile server serves in the vector-tile
// benchmark (bench/tiles.sh): one table public.hex_r<res> per H3 resolution,
// holding the cell outlines of one sector key in Web Mercator with the
// properties of kume's hexagons layer (counts of suppressed cells left NULL,
// as kume leaves them out) and a GiST index on the geometry.
//
//	go run ./bench/tilespeer --db URL --sector '' --res 4,5,6,7,8
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/uber/h3-go/v4"
)

func main() {
	db := flag.String("db", "", "PostgreSQL URL of kume's database")
	sector := flag.String("sector", "", "sector key of the hexagons (\"\" = all firms)")
	resList := flag.String("res", "4,5,6,7,8", "H3 resolutions to build, comma-separated")
	flag.Parse()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, *db)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, s := range strings.Split(*resList, ",") {
		res, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			log.Fatalf("resolution %q: %v", s, err)
		}
		n, err := build(ctx, conn, *sector, res)
		if err != nil {
			log.Fatalf("res %d: %v", res, err)
		}
		fmt.Printf("public.hex_r%d: %d cells\n", res, n)
	}
}

// build replaces public.hex_r<res> with the cells of sector at res.
func build(ctx context.Context, conn *pgx.Conn, sector string, res int) (int64, error) {
	table := fmt.Sprintf("hex_r%d", res)
	stage := table + "_stage"
	stmts := []string{
		"DROP TABLE IF EXISTS " + stage,
		"CREATE UNLOGGED TABLE " + stage + ` (cell bigint, res integer, firms integer, employees double precision,
			lq double precision, gi_z double precision, gi_p double precision, gi_bin integer,
			share_imprecise double precision, suppressed boolean, wkt text)`,
	}
	for _, q := range stmts {
		if _, err := conn.Exec(ctx, q); err != nil {
			return 0, err
		}
	}
	rows, err := conn.Query(ctx, `SELECT cell, firms, employees, imprecise, lq, gi_z, gi_p, gi_bin, suppressed
		FROM cell_stats WHERE version = (SELECT version FROM analysis_current) AND res = $1 AND sector = $2`, res, sector)
	if err != nil {
		return 0, err
	}
	var data [][]any
	for rows.Next() {
		var cell int64
		var firms, imprecise int32
		var giBin int16
		var employees float64
		var lq, giZ, giP *float64
		var suppressed bool
		if err := rows.Scan(&cell, &firms, &employees, &imprecise, &lq, &giZ, &giP, &giBin, &suppressed); err != nil {
			return 0, err
		}
		c := h3.Cell(cell)
		if !c.IsValid() {
			continue
		}
		var sb strings.Builder
		sb.WriteString("POLYGON((")
		b := h3.CellToBoundary(c)
		for i := 0; i <= len(b); i++ {
			ll := b[i%len(b)]
			if i > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, "%.9f %.9f", ll.Lng, ll.Lat)
		}
		sb.WriteString("))")
		row := []any{cell, int32(res), nil, nil, nil, nil, nil, int32(giBin), nil, suppressed, sb.String()}
		if !suppressed {
			row[2], row[3] = firms, math.Round(employees*10)/10
			row[4], row[5], row[6] = lq, giZ, giP
			if firms > 0 {
				row[8] = float64(imprecise) / float64(firms)
			}
		}
		data = append(data, row)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	cols := []string{"cell", "res", "firms", "employees", "lq", "gi_z", "gi_p", "gi_bin", "share_imprecise", "suppressed", "wkt"}
	n, err := conn.CopyFrom(ctx, pgx.Identifier{stage}, cols, pgx.CopyFromRows(data))
	if err != nil {
		return 0, err
	}
	stmts = []string{
		"DROP TABLE IF EXISTS " + table,
		"CREATE TABLE " + table + ` AS SELECT to_hex(cell) AS cell, res, gi_bin, suppressed, firms, employees,
			lq, gi_z, gi_p, share_imprecise,
			ST_Transform(ST_GeomFromText(wkt, 4326), 3857)::geometry(Polygon, 3857) AS geom
			FROM ` + stage + " ORDER BY cell",
		"CREATE INDEX " + table + "_geom_idx ON " + table + " USING gist (geom)",
		"DROP TABLE " + stage,
		"ANALYZE " + table,
	}
	for _, q := range stmts {
		if _, err := conn.Exec(ctx, q); err != nil {
			return 0, err
		}
	}
	return n, nil
}
