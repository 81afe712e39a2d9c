package ingest

import (
	"context"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
)

// The import tests run on the real stores (internal/teststores).

// onStores runs test on each store (see teststores.Run).
func onStores(t *testing.T, test func(t *testing.T, kind teststores.Kind)) {
	t.Helper()
	teststores.Run(t, test)
}

// testStore is a new real store of one kind that counts the Add calls of
// its imports, with readers of what an import left in it.
type testStore struct {
	kume.Store
	adds int
}

// newTestStore returns an empty store of the kind.
func newTestStore(t testing.TB, kind teststores.Kind) *testStore {
	t.Helper()
	return &testStore{Store: teststores.Open(t, kind)}
}

// BeginImport starts an import of the store whose Add calls are counted.
func (s *testStore) BeginImport(ctx context.Context, id int64, opts kume.ImportOptions) (kume.Importer, error) {
	im, err := s.Store.BeginImport(ctx, id, opts)
	if err != nil {
		return nil, err
	}
	return &countedImporter{Importer: im, adds: &s.adds}, nil
}

// countedImporter is an importer of the store whose Add calls are counted.
type countedImporter struct {
	kume.Importer
	adds *int
}

func (c *countedImporter) Add(ctx context.Context, rows []kume.Establishment) error {
	*c.adds++
	return c.Importer.Add(ctx, rows)
}

// dataset returns the dataset of that name, or nil.
func (s *testStore) dataset(t testing.TB, name string) *kume.Dataset {
	t.Helper()
	d, err := s.DatasetByName(context.Background(), name)
	if kume.ErrorCode(err) == kume.ENOTFOUND {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// datasets returns the names of the store's datasets.
func (s *testStore) datasets(t testing.TB) []string {
	t.Helper()
	ds, err := s.Datasets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range ds {
		out = append(out, d.Name)
	}
	return out
}

// rows returns the establishments of the dataset of that name by source id
// (none when there is no such dataset).
func (s *testStore) rows(t testing.TB, dataset string) map[string]kume.Establishment {
	t.Helper()
	out := map[string]kume.Establishment{}
	d := s.dataset(t, dataset)
	if d == nil {
		return out
	}
	es, err := s.Establishments(context.Background(), kume.EstablishmentFilter{DatasetIDs: []int64{d.ID}})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		out[e.SourceID] = e
	}
	return out
}

// count returns how many establishments the store holds.
func (s *testStore) count(t testing.TB) int {
	t.Helper()
	n, err := s.CountEstablishments(context.Background(), kume.EstablishmentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
