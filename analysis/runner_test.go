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
	res, err := r.Run(context.Background(), kume.AnalysisPublic)
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

	want := "the public analysis read dataset \"public\"; left out dataset \"private\" (" + kume.OmitPrivate + ")"
	if d := analysis.Describe(&res.Run); d != want || res.Run.Scope != kume.AnalysisPublic {
		t.Errorf("the run says %q (scope %q), want %q", d, res.Run.Scope, want)
	}
	if st := r.Status(); len(st.Omitted) != 1 || st.Omitted[0].Reason != kume.OmitPrivate || len(st.Datasets) != 1 {
		t.Errorf("status after the run: %+v", st)
	}

	res, err = r.Run(context.Background(), kume.AnalysisAll)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(res.Run.Params, &info); err != nil || info.Firms != 70 {
		t.Errorf("the analysis of every dataset analysed %d firms (%v), want 70", info.Firms, err)
	}
	if len(res.Run.Datasets) != 2 || len(res.Run.Omitted) != 0 || res.Run.Scope != kume.AnalysisAll {
		t.Errorf("the analysis of every dataset records %+v", res.Run)
	}
	runs, err := st.Analyses(context.Background())
	if err != nil || len(runs) != 2 {
		t.Fatalf("analyses %+v, %v: want the public one and the one of every dataset", runs, err)
	}
	pub, err := st.LatestAnalysis(context.Background())
	if err != nil || pub.Scope != kume.AnalysisPublic || pub.Version >= res.Run.Version {
		t.Errorf("the public analysis after a private one: %+v, %v", pub, err)
	}
}

// TestScopesReadTheirDatasets plants firms in three datasets, each in its own
// place, and checks that every scope's analysis counts exactly the firms of
// the datasets it read.
func TestScopesReadTheirDatasets(t *testing.T) { teststores.Run(t, testScopesReadTheirDatasets) }

func testScopesReadTheirDatasets(t *testing.T, kind teststores.Kind) {
	ctx := context.Background()
	st := teststores.Open(t, kind)
	fill(t, st, "open", kume.Public, 40, 29.0, 41.0)
	fill(t, st, "agency-a", kume.Private, 30, 32.8, 39.9)
	fill(t, st, "agency-b", kume.Private, 20, 27.1, 38.4)
	ds, err := st.Datasets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := newRunner(t, st, analysis.Config{})
	for _, c := range []struct {
		names   []string
		all     bool
		firms   int
		read    int
		omitted int
	}{
		{nil, false, 40, 1, 2},
		{nil, true, 90, 3, 0},
		{[]string{"open", "agency-a"}, false, 70, 2, 1},
		{[]string{"agency-b"}, false, 20, 1, 2},
	} {
		scope, err := kume.ResolveScope(ds, c.names, c.all)
		if err != nil {
			t.Fatal(err)
		}
		res, err := r.Run(ctx, scope)
		if err != nil {
			t.Fatal(err)
		}
		cells, err := st.CellStats(ctx, kume.CellFilter{Version: res.Run.Version, Res: 4, Sector: kume.SectorAll})
		if err != nil {
			t.Fatal(err)
		}
		firms := 0
		for _, c := range cells {
			firms += c.Firms
		}
		if firms != c.firms || len(res.Run.Datasets) != c.read || len(res.Run.Omitted) != c.omitted {
			t.Errorf("scope %s: %d firms in the cells, %d datasets read, %d left out; want %d, %d, %d",
				scope, firms, len(res.Run.Datasets), len(res.Run.Omitted), c.firms, c.read, c.omitted)
		}
	}
	for _, bad := range []struct {
		names []string
		all   bool
	}{{[]string{"open"}, false}, {[]string{"nope"}, false}, {[]string{"agency-a"}, true}} {
		if _, err := kume.ResolveScope(ds, bad.names, bad.all); kume.ErrorCode(err) != kume.EINVALID {
			t.Errorf("ResolveScope(%v, %v) = %v, want invalid", bad.names, bad.all, err)
		}
	}
	if _, err := kume.ResolveScope(ds[:1], nil, true); kume.ErrorCode(err) != kume.EINVALID {
		t.Errorf("include-private without private datasets: %v", err)
	}
	// A scope of a dataset that is gone fails and saves nothing.
	if _, err := r.Run(ctx, kume.DatasetsScope([]int64{ds[1].ID, 99})); kume.ErrorCode(err) != kume.ENOTFOUND {
		t.Errorf("a scope naming a missing dataset: %v", err)
	}
}

// TestPublicAnalysisOfNoPublicDataset analyses a store holding private
// datasets only: the public analysis reads nothing and says why.
func TestPublicAnalysisOfNoPublicDataset(t *testing.T) {
	teststores.Run(t, testPublicAnalysisOfNoPublicDataset)
}

func testPublicAnalysisOfNoPublicDataset(t *testing.T, kind teststores.Kind) {
	st := teststores.Open(t, kind)
	fill(t, st, "agency", kume.Private, 30, 32.8, 39.9)
	r := newRunner(t, st, analysis.Config{})
	res, err := r.Run(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	cells, err := st.CellStats(context.Background(), kume.CellFilter{Res: 7})
	if err != nil || len(cells) != 0 {
		t.Errorf("the public analysis of private data holds %d cells (%v)", len(cells), err)
	}
	want := "the public analysis read no dataset; left out dataset \"agency\" (" + kume.OmitPrivate + ")"
	if d := analysis.Describe(&res.Run); d != want {
		t.Errorf("Describe = %q, want %q", d, want)
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
	if err := r.Request("datasets:2,1"); kume.ErrorCode(err) != kume.EINVALID {
		t.Errorf("Request of a malformed scope: %v", err)
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
	res, err := r.Run(context.Background(), kume.AnalysisPublic)
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
	if _, err := r.Run(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if cells("vc:textiles") == 0 {
		t.Error("no cell of the shipped textiles chain before any chain is saved")
	}
	if err := st.PutValueChain(ctx, kume.ValueChain{ID: "weaving", Name: map[string]string{"en": "Weaving"},
		Roles: map[kume.Role][]string{kume.RoleCore: {"13.20"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if cells("vc:weaving") == 0 || cells("vc:textiles") != 0 {
		t.Errorf("after saving a chain: %d cells of it, %d of the shipped textiles chain; want only the saved one's",
			cells("vc:weaving"), cells("vc:textiles"))
	}
}

// TestRequestAllRunsEveryScope keeps a private analysis and checks that a
// request for every scope runs it again beside the public one.
func TestRequestAllRunsEveryScope(t *testing.T) { teststores.Run(t, testRequestAllRunsEveryScope) }

func testRequestAllRunsEveryScope(t *testing.T, kind teststores.Kind) {
	ctx := context.Background()
	st := teststores.Open(t, kind)
	fill(t, st, "open", kume.Public, 25, 29.0, 41.0)
	fill(t, st, "agency", kume.Private, 25, 32.8, 39.9)
	r := newRunner(t, st, analysis.Config{})
	first, err := r.Run(ctx, kume.AnalysisAll)
	if err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	defer func() { cancel(); r.Wait() }()
	r.Start(rctx)
	if err := r.RequestAll(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		runs, err := st.Analyses(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) == 2 && runs[0].Scope == kume.AnalysisAll && runs[0].Version > first.Run.Version &&
			runs[1].Scope == kume.AnalysisPublic {
			break // the public analysis ran first, then the other scope
		}
		if time.Now().After(deadline) {
			t.Fatalf("analyses after RequestAll: %+v", runs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
