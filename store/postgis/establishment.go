package postgis

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kume-geo/kume"
)

//go:embed queries/establishment_get.sql
var establishmentGetSQL string

//go:embed queries/establishment_select.sql
var establishmentSelectSQL string

// Establishment returns one establishment by id (ENOTFOUND if none).
func (s *Store) Establishment(ctx context.Context, id int64) (*kume.Establishment, error) {
	rows, _ := s.pool.Query(ctx, establishmentSelectSQL+establishmentGetSQL, id)
	e, err := pgx.CollectExactlyOneRow(rows, func(row pgx.CollectableRow) (*kume.Establishment, error) {
		e := new(kume.Establishment)
		return e, scanEstablishment(row, e)
	})
	if err != nil {
		return nil, wrap(ctx, err, "establishment")
	}
	return e, nil
}

// Establishments returns the establishments matching f ordered by ID.
func (s *Store) Establishments(ctx context.Context, f kume.EstablishmentFilter) ([]kume.Establishment, error) {
	var out []kume.Establishment
	err := s.EachEstablishment(ctx, f, func(e *kume.Establishment) error {
		out = append(out, *e)
		return nil
	})
	return out, err
}

//go:embed queries/establishment_page.sql
var establishmentPageSQL string

//go:embed queries/establishment_select_lean.sql
var establishmentSelectLeanSQL string

//go:embed queries/establishment_where.sql
var establishmentWhereSQL string

// EachEstablishment streams the establishments matching f ordered by ID and
// returns the first error fn returns, unchanged.
func (s *Store) EachEstablishment(ctx context.Context, f kume.EstablishmentFilter, fn func(*kume.Establishment) error) error {
	args := filterArgs(f)
	var limit *int64
	if f.Limit > 0 {
		l := int64(f.Limit)
		limit = &l
	}
	args = append(args, f.AfterID, limit)
	sel, scan := establishmentSelectSQL, scanEstablishment
	if f.Lean {
		sel, scan = establishmentSelectLeanSQL, scanLeanEstablishment
	}
	sql := sel + establishmentWhereSQL + establishmentPageSQL
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return wrap(ctx, err, "establishments")
	}
	defer rows.Close()
	// One row for all: fn may not keep it (see kume.EstablishmentStore).
	e := new(kume.Establishment)
	for n := 0; rows.Next(); n++ {
		// Rows already received keep coming after a cancel; stop at once.
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("postgis: establishments: %w", err)
			}
		}
		*e = kume.Establishment{}
		if err := scan(rows, e); err != nil {
			return wrap(ctx, err, "establishments")
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return wrap(ctx, rows.Err(), "establishments")
}

//go:embed queries/establishment_count.sql
var establishmentCountSQL string

// CountEstablishments counts the establishments matching f, ignoring its
// AfterID and Limit.
func (s *Store) CountEstablishments(ctx context.Context, f kume.EstablishmentFilter) (int, error) {
	var n int64
	err := s.pool.QueryRow(ctx, establishmentCountSQL+establishmentWhereSQL, filterArgs(f)...).Scan(&n)
	return int(n), wrap(ctx, err, "count establishments")
}

// filterArgs returns $1..$13 of establishment_where.sql.
func filterArgs(f kume.EstablishmentFilter) []any {
	var datasets []int64
	if len(f.DatasetIDs) > 0 {
		datasets = f.DatasetIDs
	}
	var patterns []string
	for _, p := range f.NACEPrefixes {
		patterns = append(patterns, likePrefix(p))
	}
	var readable []int64 // NULL: every dataset
	if f.PublicOnly {
		readable = append([]int64{}, f.Granted...)
	}
	box := boxArgs(f.BBox)
	return []any{datasets, patterns, string(f.Kind), string(f.Type),
		box.west, box.south, box.east, box.north, f.ActiveAt, readable,
		box.inner, box.southBand, box.northBand}
}

// likePrefix returns a LIKE pattern matching strings that start with p.
func likePrefix(p string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(p) + "%"
}

func scanEstablishment(row pgx.Row, e *kume.Establishment) error {
	var kind, typ, precision string
	var low, high int32
	var h3 *int64
	err := row.Scan(&e.ID, &e.DatasetID, &e.SourceID, &e.Name, &kind, &typ, &e.NACE,
		&e.Employees.Known, &low, &high, &e.Founded, &e.Closed,
		&e.Address.Street, &e.Address.Postcode, &e.Address.District, &e.Address.Province, &e.Address.Country,
		&e.Lon, &e.Lat, &precision, &e.GeocodeSource, &h3, &e.Attrs)
	if err != nil {
		return err
	}
	scanned(e, kind, typ, precision, low, high, h3)
	return nil
}

// scanned sets the fields of e that a scan reads into other types.
func scanned(e *kume.Establishment, kind, typ, precision string, low, high int32, h3 *int64) {
	e.Kind, e.Type, e.Precision = kume.Kind(kind), kume.InstitutionType(typ), kume.Precision(precision)
	e.Employees.Low, e.Employees.High = int(low), int(high)
	e.Founded, e.Closed = utc(e.Founded), utc(e.Closed)
	if h3 != nil {
		e.Cell = uint64(*h3)
	}
}

// scanLeanEstablishment scans a row of establishment_select_lean.sql.
func scanLeanEstablishment(row pgx.Row, e *kume.Establishment) error {
	var kind, typ, precision string
	var low, high int32
	var h3 *int64
	err := row.Scan(&e.ID, &kind, &typ, &e.NACE, &e.Employees.Known, &low, &high, &e.Founded, &e.Closed,
		&e.Lon, &e.Lat, &precision, &h3, &e.Attrs)
	if err != nil {
		return err
	}
	scanned(e, kind, typ, precision, low, high, h3)
	return nil
}

// utc returns t in UTC (nil stays nil).
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
