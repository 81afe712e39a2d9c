package memory

import (
	"cmp"
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kume-geo/kume"
)

// table holds one dataset's establishments ordered by id. A published table
// is never modified; an import builds a new one.
type table struct {
	rows []kume.Establishment
	grid *grid
	// bySource maps source ids to positions in rows. It is built on the first
	// import that needs it and touched only under the store's writer lock.
	bySource map[string]int32
}

func newTable(rows []kume.Establishment) *table {
	return &table{rows: rows, grid: buildGrid(len(rows), func(i int) (float64, float64) {
		return rows[i].Lon, rows[i].Lat
	})}
}

// sourceIndex returns the map from source id to row position.
func (t *table) sourceIndex() map[string]int32 {
	if t.bySource == nil {
		t.bySource = make(map[string]int32, len(t.rows))
		for i := range t.rows {
			t.bySource[t.rows[i].SourceID] = int32(i)
		}
	}
	return t.bySource
}

// find returns the row with the given id, or nil.
func (t *table) find(id int64) *kume.Establishment {
	i := sort.Search(len(t.rows), func(i int) bool { return t.rows[i].ID >= id })
	if i < len(t.rows) && t.rows[i].ID == id {
		return &t.rows[i]
	}
	return nil
}

// Establishment returns one establishment by its store id (ENOTFOUND if none).
func (s *Store) Establishment(ctx context.Context, id int64) (*kume.Establishment, error) {
	st := s.snapshot()
	for _, t := range st.tables {
		if e := t.find(id); e != nil {
			c := cloneEstablishment(*e)
			return &c, nil
		}
	}
	return nil, kume.Errorf(kume.ENOTFOUND, "establishment %d not found", id)
}

// Establishments returns the establishments matching f ordered by ID.
func (s *Store) Establishments(ctx context.Context, f kume.EstablishmentFilter) ([]kume.Establishment, error) {
	rows, err := s.snapshot().match(ctx, f, f.Limit)
	if err != nil {
		return nil, err
	}
	out := make([]kume.Establishment, len(rows))
	for i, e := range rows {
		out[i] = cloneEstablishment(*e)
	}
	return out, nil
}

// EachEstablishment streams the establishments matching f ordered by ID,
// stopping at the first error fn returns. fn gets a copy of each row in one
// reused Establishment; the dates and attributes it points to are fresh.
func (s *Store) EachEstablishment(ctx context.Context, f kume.EstablishmentFilter, fn func(*kume.Establishment) error) error {
	rows, err := s.snapshot().match(ctx, f, f.Limit)
	if err != nil {
		return err
	}
	// One row serves every call (see kume.EstablishmentStore): a stream of a
	// million rows then makes little garbage of its own.
	var c kume.Establishment
	for i, e := range rows {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		c = cloneEstablishment(*e)
		if err := fn(&c); err != nil {
			return err
		}
	}
	return nil
}

// CountEstablishments counts the establishments matching f (Limit and AfterID ignored).
func (s *Store) CountEstablishments(ctx context.Context, f kume.EstablishmentFilter) (int, error) {
	f.AfterID, f.Limit = 0, 0
	n := 0
	st := s.snapshot()
	q := newQuery(f)
	for _, t := range st.tablesFor(f) {
		if err := q.scan(ctx, t, func(*kume.Establishment) bool { n++; return true }); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// DataVersion is a number that grows with every committed change.
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	return s.snapshot().version, nil
}

// tablesFor returns the tables the filter may draw from.
func (st *state) tablesFor(f kume.EstablishmentFilter) []*table {
	var out []*table
	for _, d := range st.datasets {
		if f.PublicOnly && d.Visibility != kume.Public && !slices.Contains(f.Granted, d.ID) {
			continue
		}
		if len(f.DatasetIDs) > 0 && !slices.Contains(f.DatasetIDs, d.ID) {
			continue
		}
		if t := st.tables[d.ID]; t != nil && len(t.rows) > 0 {
			out = append(out, t)
		}
	}
	return out
}

// match returns pointers to the matching rows of the snapshot in id order, at
// most limit of them (0: all). The rows must not be modified.
func (st *state) match(ctx context.Context, f kume.EstablishmentFilter, limit int) ([]*kume.Establishment, error) {
	q := newQuery(f)
	var parts [][]*kume.Establishment
	for _, t := range st.tablesFor(f) {
		var part []*kume.Establishment
		err := q.scan(ctx, t, func(e *kume.Establishment) bool {
			part = append(part, e)
			return limit <= 0 || len(part) < limit
		})
		if err != nil {
			return nil, err
		}
		if len(part) > 0 {
			parts = append(parts, part)
		}
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	var all []*kume.Establishment
	for _, p := range parts {
		all = append(all, p...)
	}
	slices.SortFunc(all, func(a, b *kume.Establishment) int { return cmp.Compare(a.ID, b.ID) })
	if limit > 0 && len(all) > limit {
		all = all[:limit]
	}
	return all, nil
}

// query is a compiled establishment filter.
type query struct {
	f        kume.EstablishmentFilter
	activeAt time.Time
}

func newQuery(f kume.EstablishmentFilter) *query {
	q := &query{f: f}
	if f.ActiveAt != nil {
		q.activeAt = *f.ActiveAt
	}
	return q
}

// keep reports whether e passes every filter but the dataset ones.
func (q *query) keep(e *kume.Establishment) bool {
	f := &q.f
	if e.ID <= f.AfterID {
		return false
	}
	if f.Kind != "" && e.Kind != f.Kind {
		return false
	}
	if f.Type != "" && e.Type != f.Type {
		return false
	}
	if len(f.NACEPrefixes) > 0 {
		ok := false
		for _, p := range f.NACEPrefixes {
			if e.NACE != "" && strings.HasPrefix(e.NACE, p) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if b := f.BBox; b != nil && !(e.Lon >= b.Min[0] && e.Lon <= b.Max[0] && e.Lat >= b.Min[1] && e.Lat <= b.Max[1]) {
		return false
	}
	if f.ActiveAt != nil && !e.ActiveAt(q.activeAt) {
		return false
	}
	return true
}

// scan calls fn with each row of t that passes q, in id order, until fn
// returns false.
func (q *query) scan(ctx context.Context, t *table, fn func(*kume.Establishment) bool) error {
	// The grid pays off when the box holds a small part of the table; for a
	// large part a plain scan in id order is cheaper than sorting candidates.
	if q.f.BBox != nil && t.grid.candidates(*q.f.BBox) < len(t.rows)/4 {
		for n, i := range t.grid.query(*q.f.BBox) {
			if n%8192 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			if e := &t.rows[i]; q.keep(e) && !fn(e) {
				return nil
			}
		}
		return nil
	}
	start := sort.Search(len(t.rows), func(i int) bool { return t.rows[i].ID > q.f.AfterID })
	for i := start; i < len(t.rows); i++ {
		if (i-start)%8192 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if e := &t.rows[i]; q.keep(e) && !fn(e) {
			return nil
		}
	}
	return nil
}
