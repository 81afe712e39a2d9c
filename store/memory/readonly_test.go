package memory_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/store/memory"
	"github.com/kume-geo/kume/store/storetest"
)

// TestOpenReadOnlyBesideAWriter reads a data directory that another Store
// holds (as a running kume serve does): Open fails with ErrLocked,
// OpenReadOnly reads what is committed, writes nothing and refuses writes.
func TestOpenReadOnlyBesideAWriter(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	w := mustOpen(t, dir)
	defer mustClose(t, w)
	storetest.Fill(t, w)
	want := storetest.Dump(t, w)
	before := files(t, dir)

	if _, err := memory.Open(dir); !errors.Is(err, memory.ErrLocked) {
		t.Fatalf("Open of a held directory: %v, want ErrLocked", err)
	}
	r, err := memory.OpenReadOnly(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !r.ReadOnly() {
		t.Error("ReadOnly() = false")
	}
	storetest.AssertSameContents(t, storetest.Dump(t, r), want)

	writes := map[string]error{
		"CreateDataset": r.CreateDataset(ctx, &kume.Dataset{Name: "nope"}),
		"CreateKey":     r.CreateKey(ctx, &kume.APIKey{Name: "k", Scope: kume.ScopeRead, Hash: []byte("0123456789abcdef")}),
		"PutRegions": r.PutRegions(ctx, []kume.Region{{Level: "province", Code: "99", Name: "x",
			Geometry: orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}}}}),
	}
	_, writes["BeginImport"] = r.BeginImport(ctx, 0, kume.ImportOptions{Dataset: &kume.Dataset{Name: "nope"}})
	_, writes["BeginAnalysis"] = r.BeginAnalysis(ctx, 0)
	for name, err := range writes {
		if kume.ErrorCode(err) != kume.EUNAVAILABLE {
			t.Errorf("%s on a read-only store: %v, want EUNAVAILABLE", name, err)
		}
	}
	if after := files(t, dir); !slices.Equal(after, before) {
		t.Errorf("a read-only open changed the directory: %v, was %v", after, before)
	}
}

// TestOpenReadOnlyWhileCommitting opens the directory read-only again and
// again while the holder commits imports (each replacing the dataset's file
// and removing the old one): every open sees a whole committed state.
func TestOpenReadOnlyWhileCommitting(t *testing.T) {
	dir := t.TempDir()
	w := mustOpen(t, dir)
	defer mustClose(t, w)
	d := storetest.MustCreateDataset(t, w, "growing", kume.Public)
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Go(func() {
		defer close(done)
		for i := range 40 {
			storetest.MustImport(t, w, d.ID, kume.ImportOptions{}, storetest.Synthetic(fmt.Sprintf("b%d-", i), 25))
		}
	})
	opens := 0
	for stop := false; !stop; {
		select {
		case <-done:
			stop = true
		default:
		}
		r, err := memory.OpenReadOnly(dir)
		if err != nil {
			t.Fatalf("OpenReadOnly while the holder commits: %v", err)
		}
		ds, err := r.Dataset(t.Context(), d.ID)
		if err == nil {
			n, err := r.CountEstablishments(t.Context(), kume.EstablishmentFilter{DatasetIDs: []int64{d.ID}})
			if err != nil || n != ds.Count || n%25 != 0 {
				t.Fatalf("read-only snapshot: %d establishments, the dataset says %d (%v)", n, ds.Count, err)
			}
		}
		r.Close()
		opens++
	}
	wg.Wait()
	if opens == 0 {
		t.Fatal("no read-only open")
	}
}

func TestOpenReadOnlyMissing(t *testing.T) {
	r, err := memory.OpenReadOnly(filepath.Join(t.TempDir(), "absent"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	list, err := r.Datasets(t.Context())
	if err != nil || len(list) != 0 {
		t.Errorf("an absent directory reads as %v, %v; want no datasets", list, err)
	}
}
