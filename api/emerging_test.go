package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/emerging"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/internal/teststores"
	"github.com/kume-geo/kume/store/storetest"
	"github.com/kume-geo/kume/synth"
)

// emergingJSONFeature is a decoded feature of an /emerging response.
type emergingJSONFeature struct {
	ID         string `json:"id"`
	Properties struct {
		Cell         string     `json:"cell"`
		Category     string     `json:"category"`
		CategoryCode int        `json:"category_code"`
		TrendS       int        `json:"trend_s"`
		TrendZ       *float64   `json:"trend_z"`
		TrendP       *float64   `json:"trend_p"`
		Tau          *float64   `json:"tau"`
		Z            []*float64 `json:"z"`
		Bin          []int      `json:"bin"`
		Firms        []*float64 `json:"firms"`
		Employees    []*float64 `json:"employees"`
		Suppressed   []bool     `json:"suppressed"`
	} `json:"properties"`
}

// emergingFC is a decoded /emerging response.
type emergingFC struct {
	Type     string                `json:"type"`
	Features []emergingJSONFeature `json:"features"`
	Kume     struct {
		Layer       string `json:"layer"`
		DataVersion int64  `json:"data_version"`
	} `json:"kume"`
	Method string `json:"method"`
	From   string `json:"from"`
	To     string `json:"to"`
	Steps  []struct {
		Label, Start, End string
	} `json:"steps"`
	Step       string              `json:"step"`
	Measure    string              `json:"measure"`
	Alpha      float64             `json:"alpha"`
	FDR        bool                `json:"fdr"`
	NCells     int                 `json:"n_cells"`
	Firms      emerging.FirmCounts `json:"firms"`
	Categories map[string]int      `json:"categories"`
	Undated    struct {
		Rule string `json:"rule"`
	} `json:"undated"`
}

// TestEmergingOnStores runs GET /emerging on the embedded store and on
// PostGIS, loaded with generated firms (seeded; made up, with the planted
// space-time patterns) and a private dataset.
func TestEmergingOnStores(t *testing.T) {
	teststores.Run(t, func(t *testing.T, kind teststores.Kind) { testEmerging(t, teststores.Open(t, kind)) })
}

func testEmerging(t *testing.T, st kume.Store) {
	ctx := context.Background()
	public := loadEmergingData(t, st)
	s, keys := storeServer(t, st)
	get := func(target, key string) (emergingFC, *httptest.ResponseRecorder) {
		t.Helper()
		rec := do(t, s, http.MethodGet, target, key, nil)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != contentGeoJSON {
			t.Fatalf("%s: %d %.400s", target, rec.Code, rec.Body.String())
		}
		var fc emergingFC
		if err := json.Unmarshal(rec.Body.Bytes(), &fc); err != nil {
			t.Fatal(err)
		}
		return fc, rec
	}
	at := func(fc emergingFC, lon, lat float64) int {
		c, err := geo.CellOf(lon, lat, 7)
		if err != nil {
			t.Fatal(err)
		}
		return slices.IndexFunc(fc.Features, func(f emergingJSONFeature) bool {
			return f.Properties.Cell == strconv.FormatUint(c, 16)
		})
	}

	// The planted patterns, seen by an anonymous caller.
	for _, pat := range synth.PlantedPatterns() {
		fc, _ := get("/api/v1/emerging?sector="+pat.NACE+"&res=7&from=2015&to=2024", "")
		i := at(fc, pat.Lon, pat.Lat)
		if i < 0 || fc.Features[i].Properties.Category != string(pat.Category) ||
			fc.Features[i].Properties.CategoryCode != pat.Category.Code() {
			t.Errorf("%s: planted place %d in %d features: %+v", pat.Name, i, len(fc.Features), fc.Features[max(i, 0)].Properties)
		}
		if fc.Kume.Layer != "emerging" || fc.From != "2015" || fc.To != "2024" || len(fc.Steps) != 10 || fc.Step != "year" ||
			!strings.Contains(fc.Method, "Mann-Kendall") || fc.Alpha != 0.1 || !fc.FDR || fc.Undated.Rule != "present" {
			t.Errorf("%s: members %+v", pat.Name, fc)
		}
	}
	// A private dataset holds old firms at the new hot spot's place: for a
	// caller who may read it (an admin key) it is no longer new; for a key
	// without a grant on it, it is.
	newSpot := synth.PlantedPatterns()[0]
	fc, _ := get("/api/v1/emerging?sector=26.11&res=7&from=2015&to=2024", keys[kume.ScopeAdmin])
	if i := at(fc, newSpot.Lon, newSpot.Lat); i < 0 || fc.Features[i].Properties.Category == string(geo.NewHotSpot) {
		t.Errorf("with the private firms the place is still %+v", fc.Features[max(i, 0)].Properties)
	}
	fc, _ = get("/api/v1/emerging?sector=26.11&res=7&from=2015&to=2024", keys[kume.ScopeRead])
	if i := at(fc, newSpot.Lon, newSpot.Lat); i < 0 || fc.Features[i].Properties.Category != string(geo.NewHotSpot) {
		t.Errorf("a key without a grant sees the private firms: %+v", fc.Features[max(i, 0)].Properties)
	}

	// The answer is the analysis of the stored firms: geo.Emerging over the
	// public firms gives the same cells, categories and numbers; counts of
	// suppressed bins are null for anonymous callers.
	anon, rec := get("/api/v1/emerging?sector=26.30&res=7&from=2015&to=2024&window=2&alpha=0.05", "")
	var firms []geo.DatedFirm
	for i := range public {
		if e := &public[i]; e.NACE == "26.30" {
			cell, err := geo.CellOf(e.Lon, e.Lat, 9)
			if err != nil {
				t.Fatal(err)
			}
			emp, _ := e.Employees.Estimate()
			firms = append(firms, geo.DatedFirm{Cell: cell, MaxRes: 15, Founded: geo.DayOf(e.Founded),
				Closed: geo.DayOf(e.Closed), Employees: emp, ExactEmployees: e.Employees.Exact()})
		}
	}
	steps, _ := geo.ParseSpan(geo.StepYear, "2015", "2024")
	want, err := geo.Emerging(ctx, firms, 7, geo.EmergingParams{Steps: steps, K: 1, Window: 2, FDR: true, Level: 2,
		Undated: geo.UndatedPresent, DisclosureK: 3, DominanceShare: 0.85})
	if err != nil {
		t.Fatal(err)
	}
	nulls := 0
	j := 0
	for i, cell := range want.Cells {
		lo, hi := want.Series(i)
		occupied := slices.ContainsFunc(want.Firms[lo:hi], func(n int32) bool { return n > 0 })
		if !occupied && want.Category[i] == geo.NoPattern {
			continue
		}
		if j >= len(anon.Features) {
			t.Fatalf("%d features, want more", len(anon.Features))
		}
		f := anon.Features[j].Properties
		j++
		if f.Cell != strconv.FormatUint(cell, 16) || f.Category != string(want.Category[i]) || len(f.Z) != 10 {
			t.Fatalf("feature %d: %s %s, want %x %s", j, f.Cell, f.Category, cell, want.Category[i])
		}
		for b := lo; b < hi; b++ {
			z, n := f.Z[b-lo], f.Firms[b-lo]
			if z == nil || *z != want.Z[b] || f.Bin[b-lo] != int(want.Bins[b]) || f.Suppressed[b-lo] != want.Suppressed[b] {
				t.Fatalf("cell %s step %d: z %v bin %d, want %v %d", f.Cell, b-lo, z, f.Bin[b-lo], want.Z[b], want.Bins[b])
			}
			switch {
			case want.Suppressed[b] && n != nil:
				t.Fatalf("cell %s step %d: suppressed count %v shown", f.Cell, b-lo, *n)
			case want.Suppressed[b]:
				nulls++
			case n == nil || *n != float64(want.Firms[b]):
				t.Fatalf("cell %s step %d: firms %v, want %d", f.Cell, b-lo, n, want.Firms[b])
			}
		}
	}
	if j != len(anon.Features) || nulls == 0 || anon.NCells != len(want.Cells) {
		t.Errorf("%d of %d features compared, %d null counts, %d cells (want %d)", j, len(anon.Features), nulls, anon.NCells, len(want.Cells))
	}

	// GDAL reads the answer.
	path := filepath.Join(t.TempDir(), "emerging.geojson")
	if err := os.WriteFile(path, rec.Body.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if n := featureCount(t, ogrinfo(t, "-ro", "-al", "-so", path)); n != len(anon.Features) {
		t.Errorf("ogrinfo counts %d features, want %d", n, len(anon.Features))
	}

	// Cached until the data changes.
	const target = "/api/v1/emerging?sector=26.12&res=6"
	first := do(t, s, http.MethodGet, target, "", nil)
	again := do(t, s, http.MethodGet, target, "", nil)
	if first.Header().Get("Kume-Cache") != "miss" || again.Header().Get("Kume-Cache") != "hit" || !bytes.Equal(first.Body.Bytes(), again.Body.Bytes()) {
		t.Errorf("cache: %q then %q", first.Header().Get("Kume-Cache"), again.Header().Get("Kume-Cache"))
	}
	if keyed := do(t, s, http.MethodGet, target, keys[kume.ScopeRead], nil); keyed.Header().Get("Kume-Cache") != "miss" {
		t.Error("an anonymous answer served to a caller with a key")
	}
	var dflt emergingFC
	if err := json.Unmarshal(first.Body.Bytes(), &dflt); err != nil {
		t.Fatal(err)
	}
	// The defaults end at the year of the latest date of the sector's firms
	// (the intensifying pattern's last foundations, in 2024) and span ten
	// years.
	if dflt.From != "2015" || dflt.To != "2024" || dflt.Firms.Matched == 0 || dflt.Firms.Counted == 0 {
		t.Errorf("defaults: %s..%s, firms %+v", dflt.From, dflt.To, dflt.Firms)
	}
	addFirm(t, st, "late", "26.12", 34.16, 39.15)
	if after := do(t, s, http.MethodGet, target, "", nil); after.Header().Get("Kume-Cache") != "miss" {
		t.Error("a cached answer survived an import")
	}

	// Employment and other steps.
	emp, _ := get("/api/v1/emerging?sector=26.20&res=6&measure=employment&step=quarter&from=2020-Q1&to=2024-Q4&undated=omit&fdr=false", "")
	if emp.Measure != "employment" || len(emp.Steps) != 20 || emp.Steps[19].End != "2024-12-31" || emp.FDR || emp.Undated.Rule != "omit" {
		t.Errorf("employment by quarter: %+v", emp)
	}

	// Bad requests name the parameter.
	for _, c := range []struct{ query, want string }{
		{"step=week", "step"},
		{"alpha=0.2", "alpha"},
		{"from=2024&to=2015", "from"},
		{"from=2015-13", "from"},
		{"to=soon", "to"},
		{"window=25", "window"},
		{"k=0", "k"},
		{"res=10", "res"},
		{"undated=sometimes", "undated"},
		{"measure=turnover", "measure"},
		{"fdr=maybe", "fdr"},
		{"sector=vc:nope", "sector"},
		{"step=month&from=1950-01&to=2024-12", "more than"},
		{"res=9&k=10", "lower k"},
		{"kind=firm", "unknown"},
	} {
		rec := do(t, s, http.MethodGet, "/api/v1/emerging?"+c.query, "", nil)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), c.want) {
			t.Errorf("%s: %d %.300s", c.query, rec.Code, rec.Body.String())
		}
	}
}

// storeServer returns a Server over st with rate limits off and keys of
// every scope.
func storeServer(t testing.TB, st kume.Store) (*Server, testKeys) {
	t.Helper()
	keys := testKeys{}
	for _, sc := range []kume.Scope{kume.ScopeRead, kume.ScopeWrite, kume.ScopeAdmin} {
		secret, hash, err := NewKey()
		if err != nil {
			t.Fatal(err)
		}
		if err := st.CreateKey(context.Background(), &kume.APIKey{Name: string(sc), Scope: sc, Hash: hash}); err != nil {
			t.Fatal(err)
		}
		keys[sc] = secret
	}
	cfg := DefaultConfig()
	cfg.API.RatePerIP, cfg.API.RatePerKey = 0, 0
	return New(cfg, Deps{Store: st, Web: fstest.MapFS{"index.html": {Data: []byte("<html></html>")}},
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil))}), keys
}

// loadEmergingData imports generated firms (seed 1, planted patterns): every
// firm of the planted classes and one in ten of the others, into a public
// dataset, and 40 old firms at the new hot spot's place into a private one.
// It returns the public firms.
func loadEmergingData(t *testing.T, st kume.Store) []kume.Establishment {
	t.Helper()
	g, err := synth.New(synth.Config{Firms: 60_000, Seed: 1, Patterns: true})
	if err != nil {
		t.Fatal(err)
	}
	var rows []kume.Establishment
	var f synth.Firm
	for n := 0; g.Next(&f); n++ {
		if f.Defect == "" && (strings.HasPrefix(f.NACE, "26.") || n%10 == 0) {
			rows = append(rows, synthEstablishment(t, &f))
		}
	}
	importRows(t, st, &kume.Dataset{Name: "synthetic", Visibility: kume.Public, Source: synth.DatasetSource(1)}, rows)
	newSpot := synth.PlantedPatterns()[0]
	var private []kume.Establishment
	founded := time.Date(2010, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 40; i++ {
		private = append(private, kume.Establishment{SourceID: "p" + strconv.Itoa(i), Name: "Synthetic private firm",
			Kind: kume.KindFirm, NACE: "26.11", Lon: newSpot.Lon + float64(i%5)*0.004, Lat: newSpot.Lat + float64(i/5)*0.003,
			Precision: kume.PrecisionAddress, Founded: &founded, Employees: kume.ExactEmployees(5)})
	}
	importRows(t, st, &kume.Dataset{Name: "private", Visibility: kume.Private}, private)
	return rows
}

// addFirm imports one more firm into the public dataset.
func addFirm(t *testing.T, st kume.Store, id, nace string, lon, lat float64) {
	t.Helper()
	d, err := st.DatasetByName(context.Background(), "synthetic")
	if err != nil {
		t.Fatal(err)
	}
	founded := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	storetest.MustImport(t, st, d.ID, kume.ImportOptions{}, []kume.Establishment{{SourceID: id, Name: "Synthetic late firm", Kind: kume.KindFirm, NACE: nace,
		Lon: lon, Lat: lat, Precision: kume.PrecisionAddress, Founded: &founded}})
}

func importRows(t *testing.T, st kume.Store, d *kume.Dataset, rows []kume.Establishment) {
	t.Helper()
	if err := st.CreateDataset(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	storetest.MustImport(t, st, d.ID, kume.ImportOptions{}, rows)
}

// synthEstablishment converts a generated row as kume import reads it.
func synthEstablishment(t *testing.T, f *synth.Firm) kume.Establishment {
	t.Helper()
	e := kume.Establishment{SourceID: f.ID, Name: f.Name, Kind: kume.KindFirm, NACE: f.NACE, Lon: f.Lon, Lat: f.Lat,
		Precision: kume.PrecisionAddress, Address: kume.Address{Province: f.Province, Country: f.Country}}
	for _, d := range []struct {
		s   string
		dst **time.Time
	}{{f.Founded, &e.Founded}, {f.Closed, &e.Closed}} {
		if d.s != "" {
			v, err := time.Parse(time.DateOnly, d.s)
			if err != nil {
				t.Fatal(err)
			}
			*d.dst = &v
		}
	}
	lo, hi, band := strings.Cut(f.Employees, "-")
	a, _ := strconv.Atoi(strings.TrimSuffix(lo, "+"))
	switch {
	case f.Employees == "":
	case band:
		b, _ := strconv.Atoi(hi)
		e.Employees = kume.EmployeeBand(a, b)
	case strings.HasSuffix(f.Employees, "+"):
		e.Employees = kume.EmployeeBand(a, -1)
	default:
		e.Employees = kume.ExactEmployees(a)
	}
	return e
}
