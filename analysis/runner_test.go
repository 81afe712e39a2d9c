package analysis_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/analysis"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/internal/teststores"
	"github.com/kume-geo/kume/nace"
)

// fill imports n firms around (lon, lat) into a new dataset of the given visibility.
func fill(t *testing.T, st kume.Store, name string, vis kume.Visibility, n int, lon, lat float64) {
	t.Helper()
	ctx := context.Background()
	d := &kume.Dataset{Name: name, Visibility: vis}
	if err := st.CreateDataset(ctx, d); err != nil {
		t.Fatal(err)
	}
	im, err := st.BeginImport(ctx, d.ID, kume.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rows := make([]kume.Establishment, n)
	for i := range rows {
		x, y := lon+float64(i%10)*0.001, lat+float64(i/10)*0.001
		cell, err := geo.CellOf(x, y, kume.BaseResolution)
		if err != nil {
			t.Fatal(err)
		}
		rows[i] = kume.Establishment{SourceID: fmt.Sprint(name, i), Name: "synthetic firm", Kind: kume.KindFirm,
			NACE: "13.20", Lon: x, Lat: y, Cell: cell, Precision: kume.PrecisionAddress}
	}
	if err := im.Add(ctx, rows); err != nil {
		t.Fatal(err)
	}
	if _, err := im.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

func newRunner(t *testing.T, st kume.Store, cfg analysis.Config) *analysis.Runner {
	t.Helper()
	tax, err := nace.New()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Params = geo.DefaultParams()
	r, err := analysis.New(st, tax, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRunSavesANewVersion(t *testing.T) { teststores.Run(t, testRunSavesANewVersion) }

func testRunSavesANewVersion(t *testing.T, kind teststores.Kind) {
	st := teststores.Open(t, kind)
	fill(t, st, "public", kume.Public, 40, 29.0, 41.0)
	fill(t, st, "private", kume.Private, 30, 32.8, 39.9)
	saved := 0
	r := newRunner(t, st, analysis.Config{OnSaved: func(context.Context, *kume.AnalysisResult) { saved++ }})
	res, err := r.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	dv, _ := st.DataVersion(context.Background())
	if res.Run.Version != dv || saved != 1 {
		t.Errorf("run version %d, data version %d, OnSaved calls %d", res.Run.Version, dv, saved)
	}
	var info struct {
		Firms int `json:"firms"`
	}
	if err := json.Unmarshal(res.Run.Params, &info); err != nil {
		t.Fatal(err)
	}
	if info.Firms != 40 {
		t.Errorf("analysed %d firms, want the 40 public ones (private datasets are left out)", info.Firms)
	}
	if st := r.Status(); st.Running || st.Version != res.Run.Version || st.LastErr != "" {
		t.Errorf("status after run: %+v", st)
	}

	withPrivate := newRunner(t, st, analysis.Config{IncludePrivate: true})
	res, err = withPrivate.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(res.Run.Params, &info); err != nil || info.Firms != 70 {
		t.Errorf("IncludePrivate analysed %d firms (%v), want 70", info.Firms, err)
	}
}

func TestBackgroundRequests(t *testing.T) { teststores.Run(t, testBackgroundRequests) }

func testBackgroundRequests(t *testing.T, kind teststores.Kind) {
	st := teststores.Open(t, kind)
	fill(t, st, "a", kume.Public, 25, 29.0, 41.0)
	r := newRunner(t, st, analysis.Config{})
	if err := r.Request(); kume.ErrorCode(err) != kume.EUNAVAILABLE {
		t.Fatalf("Request before Start: %v, want unavailable", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.Start(ctx)
	for range 3 {
		if err := r.Request(); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := r.Status()
		if s.Version > 0 && !s.Running && !s.Pending {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no completed run: %+v", s)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	r.Wait()
	run, err := st.LatestAnalysis(context.Background())
	if err != nil || run.Version != r.Status().Version {
		t.Errorf("latest %+v, %v; status %+v", run, err, r.Status())
	}
}

func TestEmptyStore(t *testing.T) { teststores.Run(t, testEmptyStore) }

func testEmptyStore(t *testing.T, kind teststores.Kind) {
	st := teststores.Open(t, kind)
	r := newRunner(t, st, analysis.Config{})
	res, err := r.Run(context.Background())
	if err != nil {
		t.Fatalf("empty store: %v", err)
	}
	if len(res.Clusters) != 0 {
		t.Errorf("empty store gave %d clusters", len(res.Clusters))
	}
}

// TestRunUsesTheChainsInForce: a run counts the value chains in force, the
// shipped ones while none is saved and only the saved ones afterwards (the
// rule of layer.Sectors, which sector parameters follow too).
func TestRunUsesTheChainsInForce(t *testing.T) { teststores.Run(t, testRunUsesTheChainsInForce) }

func testRunUsesTheChainsInForce(t *testing.T, kind teststores.Kind) {
	ctx := context.Background()
	st := teststores.Open(t, kind)
	fill(t, st, "public", kume.Public, 40, 29.0, 41.0)
	r := newRunner(t, st, analysis.Config{})
	cells := func(sector string) int {
		t.Helper()
		cs, err := st.CellStats(ctx, kume.CellFilter{Res: 9, Sector: sector})
		if err != nil {
			t.Fatal(err)
		}
		return len(cs)
	}
	if _, err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if cells("vc:textiles") == 0 {
		t.Error("no cell of the shipped textiles chain before any chain is saved")
	}
	if err := st.PutValueChain(ctx, kume.ValueChain{ID: "weaving", Name: map[string]string{"en": "Weaving"},
		Roles: map[kume.Role][]string{kume.RoleCore: {"13.20"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if cells("vc:weaving") == 0 || cells("vc:textiles") != 0 {
		t.Errorf("after saving a chain: %d cells of it, %d of the shipped textiles chain; want only the saved one's",
			cells("vc:weaving"), cells("vc:textiles"))
	}
}
