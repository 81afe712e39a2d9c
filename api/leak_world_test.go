package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"

	"log/slog"
	"math"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"testing/fstest"
	"time"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/analysis"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/ingest"
	"github.com/kume-geo/kume/layer"
	"github.com/kume-geo/kume/nace"
	"github.com/kume-geo/kume/tiles"
)

// The world of the leak test (all of it made up here): a public dataset of
// firms and institutions around Bursa and two private ones, A around Ankara
// and B around Van, each with its own NACE class, head count per firm and
// founding month, so that anything derived from a private dataset carries a
// mark of it: its names, ids, coordinates, the H3 cells only its firms
// occupy, the clusters in them, multiples of its head count, its founding
// month. Three analyses: the public one, one of the public dataset and A,
// one of every dataset (the newest).

// leakPlace is where a dataset's firms are and what marks them.
type leakPlace struct {
	name      string // dataset name
	tag       string // in every string field
	vis       kume.Visibility
	lon, lat  float64
	nace      string
	employees int    // per firm
	month     string // founding month, yyyy-mm
	region    string // region code of its place
}

var leakPlaces = []leakPlace{
	{name: "open-register", tag: "OpenReg", vis: kume.Public, lon: 29.06, lat: 40.19, nace: "13.20", employees: 12, month: "2011-06", region: "zonep"},
	{name: "agency-a", tag: "QxAgencyA", vis: kume.Private, lon: 32.85, lat: 39.92, nace: "62.01", employees: 80001, month: "1902-01", region: "zonea"},
	{name: "agency-b", tag: "QxAgencyB", vis: kume.Private, lon: 43.38, lat: 38.50, nace: "10.71", employees: 90001, month: "1901-01", region: "zoneb"},
}

// leakFirms is how many firms each dataset holds (and 6 institutions).
const leakFirms = 40

// leakCallers are the kinds of caller the test asks as; the admin last,
// since some of its requests change grants.
var leakCallers = []string{"anonymous", "read", "read-a", "write-a", "admin"}

// leakWorld is the store, the server and what marks each dataset.
type leakWorld struct {
	st       kume.Store
	srv      *Server
	ds       []*kume.Dataset                // in leakPlaces order
	rows     map[int64][]kume.Establishment // by dataset
	keys     map[string]string              // caller → secret ("" anonymous)
	keyIDs   map[string]int64
	jobs     map[int64]string // dataset → an import job of it
	anaJob   string           // an analysis job naming every dataset
	clusters map[int64][]string
	marks    map[int64][]*regexp.Regexp
}

// place returns the rows of a dataset: firms in a grid of 0.0013° steps
// (coordinates of four decimals, unlike any other number of an answer) and
// six institutions.
func (p leakPlace) rows() []kume.Establishment {
	founded, _ := time.Parse("2006-01-02", p.month+"-15")
	var out []kume.Establishment
	for i := range leakFirms + 6 {
		lon, lat := math.Round((p.lon+float64(i%8)*0.0013)*1e4)/1e4, math.Round((p.lat+float64(i/8)*0.0013)*1e4)/1e4
		e := kume.Establishment{SourceID: fmt.Sprintf("src-%s-%d", p.tag, i), Name: fmt.Sprintf("Firm %s %d", p.tag, i),
			Kind: kume.KindFirm, NACE: p.nace, Lon: lon, Lat: lat,
			Precision: kume.PrecisionAddress, Employees: kume.ExactEmployees(p.employees), Founded: &founded,
			Address: kume.Address{Street: "Street " + p.tag, Province: p.region}}
		if i >= leakFirms {
			e.Kind, e.Type, e.NACE, e.Name = kume.KindInstitution, kume.University, "", fmt.Sprintf("Institution %s %d", p.tag, i)
			e.Employees = kume.Employees{}
		}
		out = append(out, e)
	}
	return out
}

// newLeakWorld loads the world into st (an empty store) and serves it.
func newLeakWorld(t *testing.T, st kume.Store) *leakWorld {
	t.Helper()
	ctx := context.Background()
	w := &leakWorld{st: st, rows: map[int64][]kume.Establishment{}, keys: map[string]string{"anonymous": ""},
		keyIDs: map[string]int64{}, jobs: map[int64]string{}, clusters: map[int64][]string{}, marks: map[int64][]*regexp.Regexp{}}
	var regions []kume.Region
	for _, p := range leakPlaces {
		d := &kume.Dataset{Name: p.name, Visibility: p.vis, Source: "source " + p.tag, Licence: "licence " + p.tag,
			Attribution: "attribution " + p.tag}
		importRows(t, st, d, p.rows())
		w.ds = append(w.ds, d)
		rows, err := st.Establishments(ctx, kume.EstablishmentFilter{DatasetIDs: []int64{d.ID}})
		if err != nil {
			t.Fatal(err)
		}
		w.rows[d.ID] = rows
		// The zones are public boundaries: off-centre, so that a zone's
		// label point is not the place of a private dataset's firms.
		regions = append(regions, kume.Region{Level: "province", Code: p.region, Name: "Zone " + p.region,
			Geometry: orb.MultiPolygon{{{{p.lon - 0.2, p.lat - 0.2}, {p.lon + 0.3, p.lat - 0.2}, {p.lon + 0.3, p.lat + 0.3},
				{p.lon - 0.2, p.lat + 0.3}, {p.lon - 0.2, p.lat - 0.2}}}}})
	}
	if err := st.PutRegions(ctx, regions); err != nil {
		t.Fatal(err)
	}
	w.analyse(t)
	w.makeKeys(t)
	w.makeJobs(t)
	w.makeMarks(t)
	w.srv = w.server(t)
	return w
}

// analyse runs the three analyses, the one of every dataset last.
func (w *leakWorld) analyse(t *testing.T) {
	t.Helper()
	tax, err := nace.New()
	if err != nil {
		t.Fatal(err)
	}
	p := geo.DefaultParams()
	p.Resolutions = []int{5, 6, 7, 8}
	r, err := analysis.New(w.st, tax, analysis.Config{Params: p})
	if err != nil {
		t.Fatal(err)
	}
	pub, a := w.ds[0], w.ds[1]
	for _, scope := range []kume.AnalysisScope{kume.AnalysisPublic, kume.DatasetsScope([]int64{pub.ID, a.ID}), kume.AnalysisAll} {
		if _, err := r.Run(context.Background(), scope); err != nil {
			t.Fatal(err)
		}
	}
}

// makeKeys stores a key of each kind of caller, and a spare one whose grants
// the admin changes.
func (w *leakWorld) makeKeys(t *testing.T) {
	t.Helper()
	a := w.ds[1].ID
	for _, k := range []kume.APIKey{
		{Name: "read", Scope: kume.ScopeRead},
		{Name: "read-a", Scope: kume.ScopeRead, Grants: []kume.Grant{{DatasetID: a, Right: kume.RightRead}}},
		{Name: "write-a", Scope: kume.ScopeWrite, Grants: []kume.Grant{{DatasetID: a, Right: kume.RightWrite}}},
		{Name: "admin", Scope: kume.ScopeAdmin},
		{Name: "spare", Scope: kume.ScopeRead},
	} {
		secret, hash, err := NewKey()
		if err != nil {
			t.Fatal(err)
		}
		k.Hash = hash
		if err := w.st.CreateKey(context.Background(), &k); err != nil {
			t.Fatal(err)
		}
		w.keys[k.Name], w.keyIDs[k.Name] = secret, k.ID
	}
}

// makeJobs stores an import job of each private dataset, owned by the
// write key (A) and the admin (B), with rejects naming the dataset's firms,
// and an analysis job whose result names every dataset.
func (w *leakWorld) makeJobs(t *testing.T) {
	t.Helper()
	now := time.Now().UTC()
	for i, owner := range map[int]string{1: "write-a", 2: "admin"} {
		d := w.ds[i]
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		fmt.Fprintf(zw, "name,reject_reason\nFirm %s rejected,bad row\n", leakPlaces[i].tag)
		zw.Close()
		j := &kume.Job{ID: newJobID(), Kind: kume.JobImport, Status: kume.JobSucceeded, Owner: w.keyIDs[owner], DatasetID: d.ID,
			Result: []byte(fmt.Sprintf(`{"summary":{"dataset":%q}}`, d.Name)), Rejects: gz.Bytes(), CreatedAt: now, UpdatedAt: now, FinishedAt: &now}
		if err := w.st.PutJob(context.Background(), j); err != nil {
			t.Fatal(err)
		}
		w.jobs[d.ID] = j.ID
	}
	j := &kume.Job{ID: newJobID(), Kind: kume.JobAnalysis, Status: kume.JobSucceeded, CreatedAt: now, UpdatedAt: now, FinishedAt: &now,
		Result: []byte(fmt.Sprintf(`{"datasets":[{"name":%q},{"name":%q},{"name":%q}]}`, w.ds[0].Name, w.ds[1].Name, w.ds[2].Name))}
	if err := w.st.PutJob(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	w.anaJob = j.ID
}

// server serves the world with real tiles (the store's own encoder when it
// has one), ranking, sector search and import option parsing; rate limits
// off.
func (w *leakWorld) server(t *testing.T) *Server {
	t.Helper()
	tax, err := nace.New()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := layer.NewSectors(tax, w.st)
	if err != nil {
		t.Fatal(err)
	}
	tcfg := tiles.Config{Sectors: keys}
	if enc, ok := w.st.(tiles.LayerEncoder); ok {
		tcfg.Encoder = enc // PostGIS encodes the point, cluster and region layers itself
	}
	ts, err := tiles.New(w.st, tcfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.API.RatePerIP, cfg.API.RatePerKey = 0, 0
	return New(cfg, Deps{Store: w.st, Web: fstest.MapFS{"index.html": {Data: []byte("<html></html>")}},
		Log: slog.New(slog.DiscardHandler), SectorKeys: keys, Tiles: ts, Ranker: StoreRanker{Store: w.st},
		Importer: leakImporter{}, Sectors: SectorSearchFunc(func(q, _ string, limit int) []Sector {
			var out []Sector
			for _, s := range tax.Search(q, 0, limit) {
				out = append(out, Sector{Code: s.Code, NameEN: s.NameEN, NameTR: s.NameTR})
			}
			return out
		})})
}

// leakImporter offers the import options of kume import; the leak test's
// uploads never get as far as importing.
type leakImporter struct{}

// Options lists ingest's import options.
func (leakImporter) Options() []ImportOption {
	var out []ImportOption
	for _, o := range ingest.OptionSpecs() {
		out = append(out, ImportOption{Name: o.Name, Repeat: o.Repeat})
	}
	return out
}

// Check parses the options as kume import does.
func (leakImporter) Check(opts map[string][]string) error {
	var o ingest.Options
	return ingest.Settings(opts).Apply(&o)
}

// Import refuses: no upload of the test is meant to be imported.
func (leakImporter) Import(context.Context, ImportRequest, func(ImportProgress)) (ImportResult, error) {
	return ImportResult{}, kume.Errorf(kume.EINVALID, "the leak test imports nothing")
}

// makeMarks collects, for each private dataset, the patterns whose match in
// an answer shows it: its strings, ids, coordinates, cells, clusters, head
// counts and founding month.
func (w *leakWorld) makeMarks(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	owner := map[[2]uint64]map[int64]bool{} // (res, cell) → datasets with a row in it
	for id, rows := range w.rows {
		for _, e := range rows {
			for res := 0; res <= 9; res++ {
				c, err := geo.CellOf(e.Lon, e.Lat, res)
				if err != nil {
					t.Fatal(err)
				}
				k := [2]uint64{uint64(res), c}
				if owner[k] == nil {
					owner[k] = map[int64]bool{}
				}
				owner[k][id] = true
			}
		}
	}
	runs, err := w.st.Analyses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range leakPlaces {
		if p.vis == kume.Public {
			continue
		}
		d := w.ds[i]
		q := regexp.QuoteMeta
		add := func(expr string) { w.marks[d.ID] = append(w.marks[d.ID], regexp.MustCompile(expr)) }
		add(q(p.tag))
		add(q(p.name))
		add(`"dataset_id":\s*` + strconv.FormatInt(d.ID, 10) + `\b`)
		add(q(p.month + "-15"))
		for _, e := range w.rows[d.ID] {
			id := strconv.FormatInt(e.ID, 10)
			add(`"id":\s*"?` + id + `\b|(?m)^` + id + `,|fid=` + id + `;|/items/` + id + `\b|/establishments/` + id + `\b`)
			add(`[^0-9.]` + q(strconv.FormatFloat(e.Lon, 'f', -1, 64)) + `[^0-9]`)
		}
		for k := 1; k <= leakFirms; k++ {
			add(`[^0-9.]` + strconv.Itoa(k*p.employees) + `(\.0+)?[^0-9.]`)
		}
		for k, ds := range owner {
			if len(ds) == 1 && ds[d.ID] {
				add(q(layer.CellID(k[1])))
			}
		}
		for _, run := range runs {
			if !slices.ContainsFunc(run.Datasets, func(u kume.AnalysisDataset) bool { return u.ID == d.ID }) {
				continue
			}
			cls, err := w.st.Clusters(ctx, kume.ClusterFilter{Version: run.Version})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cls {
				if slices.ContainsFunc(c.Cells, func(cell uint64) bool {
					ds := owner[[2]uint64{uint64(c.Res), cell}]
					return len(ds) == 1 && ds[d.ID]
				}) {
					w.clusters[d.ID] = append(w.clusters[d.ID], c.ID)
					add(q(c.ID))
				}
			}
		}
	}
}

// readable reports whether caller may read dataset i of leakPlaces.
func (w *leakWorld) readable(caller string, i int) bool {
	switch {
	case leakPlaces[i].vis == kume.Public, caller == "admin":
		return true
	case i == 1:
		return caller == "read-a" || caller == "write-a"
	}
	return false
}
