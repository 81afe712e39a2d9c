package cql2

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// geoFeature adapts an orb GeoJSON feature to Feature.
type geoFeature struct{ f *geojson.Feature }

func (g geoFeature) Property(name string) any { return g.f.Properties[name] }
func (g geoFeature) Geometry() orb.Geometry   { return g.f.Geometry }

// atsQueryables are the queryables of the test data sets, as the standard's
// test server publishes them (the geometry is "geom").
func atsQueryables() map[string]Queryables {
	return map[string]Queryables{
		"ne_110m_admin_0_countries": {"NAME": TypeString, "POP_EST": TypeNumber, "geom": TypeGeometry},
		"ne_110m_populated_places_simple": {"name": TypeString, "nameascii": TypeString,
			"pop_min": TypeInteger, "pop_max": TypeInteger, "pop_other": TypeInteger, "date": TypeDate,
			"start": TypeTimestamp, "end": TypeTimestamp, "boolean": TypeBoolean, "geom": TypeGeometry},
		"ne_110m_rivers_lake_centerlines": {"name": TypeString, "geom": TypeGeometry},
	}
}

func loadATSData(t *testing.T, name string) []Feature {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata/ats", name+".geojson.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var fc geojson.FeatureCollection
	if err := json.NewDecoder(zr).Decode(&fc); err != nil {
		t.Fatal(err)
	}
	out := make([]Feature, len(fc.Features))
	for i, ft := range fc.Features {
		out[i] = geoFeature{ft}
	}
	return out
}

// atsRow is one predicate of the abstract test suite.
type atsRow struct {
	class, source, pred string
	want                int
}

func readATS(t *testing.T) []atsRow {
	t.Helper()
	f, err := os.Open("testdata/ats/ats.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []atsRow
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		n, err := strconv.Atoi(cols[2])
		if len(cols) != 4 || err != nil {
			t.Fatalf("bad line %q", line)
		}
		rows = append(rows, atsRow{class: cols[0], source: cols[1], want: n, pred: cols[3]})
	}
	return rows
}

// unsupportedClass names the construct a conformance class this package
// does not implement uses, or "" for the classes it implements.
func unsupportedClass(class, pred string) string {
	switch {
	case strings.HasSuffix(class, "+temporal-functions"):
		name, _, _ := strings.Cut(pred, "(")
		return strings.ToUpper(name)
	case strings.HasSuffix(class, "+spatial-functions") && !strings.HasPrefix(pred, "S_INTERSECTS"):
		name, _, _ := strings.Cut(pred, "(")
		return name
	}
	return ""
}

// TestATS evaluates the predicates of the standard's abstract test suite on
// its test data and compares the number of items selected with the number
// the standard gives. Predicates of the classes the package does not
// implement (temporal functions, spatial functions other than S_INTERSECTS)
// must be rejected with an error that names the function.
func TestATS(t *testing.T) {
	data := map[string][]Feature{}
	qs := atsQueryables()
	for name := range qs {
		data[name] = loadATSData(t, name)
	}
	if len(data["ne_110m_admin_0_countries"]) != 177 || len(data["ne_110m_populated_places_simple"]) != 243 {
		t.Fatalf("test data: %d countries, %d places", len(data["ne_110m_admin_0_countries"]), len(data["ne_110m_populated_places_simple"]))
	}
	rows := readATS(t)
	evaluated, rejected := 0, 0
	for _, r := range rows {
		e, err := ParseText(r.pred)
		if err != nil {
			t.Errorf("%s: %s: parse: %v", r.class, r.pred, err)
			continue
		}
		flt, err := Compile(e, qs[r.source])
		if name := unsupportedClass(r.class, r.pred); name != "" {
			if err == nil || !strings.Contains(err.Error(), name+" is not supported") {
				t.Errorf("%s: %s: error %v, want one naming %s", r.class, r.pred, err, name)
			}
			rejected++
			continue
		}
		if err != nil {
			t.Errorf("%s: %s: %v", r.class, r.pred, err)
			continue
		}
		got := 0
		for _, f := range data[r.source] {
			if flt.Match(f) {
				got++
			}
		}
		if got != r.want {
			t.Errorf("%s: %s on %s: %d items, want %d", r.class, r.pred, r.source, got, r.want)
		}
		evaluated++
	}
	t.Logf("%d predicates evaluated with the standard's counts, %d rejected as unsupported", evaluated, rejected)
	if evaluated < 200 {
		t.Errorf("only %d predicates evaluated", evaluated)
	}
}
