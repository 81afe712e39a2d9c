package ingest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
)

// rejectsByLine returns the reasons of a summary's rejects by line.
func rejectsByLine(sum Summary) map[int]string {
	out := map[int]string{}
	for _, r := range sum.Rejects {
		out[r.Line] = r.Reason
	}
	return out
}

// TestZeroCoordinates: 0,0 is rejected with its reason, is not counted where
// the points lie (so it neither switches the swap check off nor widens
// anything), and a swapped row after it is still found.
func TestZeroCoordinates(t *testing.T) { onStores(t, testZeroCoordinates) }

func testZeroCoordinates(t *testing.T, kind teststores.Kind) {
	var b strings.Builder
	b.WriteString("id,lat,lon\n")
	rng := rand.New(rand.NewPCG(1, 2)) // generated points around Ankara
	for i := range 30 {
		fmt.Fprintf(&b, "p%d,%.5f,%.5f\n", i, 39.9+0.1*rng.NormFloat64(), 32.8+0.1*rng.NormFloat64())
	}
	b.WriteString("zero,0,0\n")        // line 32
	b.WriteString("zeroes,0.0,0.00\n") // line 33
	b.WriteString("swapped,32.85,39.95\n")
	sum, err := runString(t, newTestStore(t, kind), "z.csv", b.String(), Options{OnError: Skip})
	if err != nil {
		t.Fatal(err)
	}
	reasons := rejectsByLine(sum)
	for _, line := range []int{32, 33} {
		if !strings.Contains(reasons[line], "coordinates 0, 0 are a placeholder") {
			t.Errorf("line %d: %q", line, reasons[line])
		}
	}
	if !strings.Contains(reasons[34], "appear swapped") || sum.Swapped != 1 || sum.Rejected != 3 || sum.Inserted != 30 {
		t.Errorf("summary %+v, reasons %v", sum, reasons)
	}
}

func TestFutureFounding(t *testing.T) { onStores(t, testFutureFounding) }

func testFutureFounding(t *testing.T, kind teststores.Kind) {
	// fixedNow is 2023-08-01.
	data := "id,lat,lon,founded,closed\na,41,29,2023-08-01,\nb,41,29.1,2023-08-02,\nc,41,29.2,2031,\nd,41,29.3,1999-01-01,2030-01-01\n"
	sum, err := runString(t, newTestStore(t, kind), "f.csv", data, Options{OnError: Skip})
	if err != nil {
		t.Fatal(err)
	}
	reasons := rejectsByLine(sum)
	if !strings.Contains(reasons[3], "founded 2023-08-02, after the import's date 2023-08-01") || !strings.Contains(reasons[4], "founded 2031-01-01") {
		t.Errorf("reasons %v", reasons)
	}
	// Founded today is fine; a closing date in the future is a scheduled
	// closure, kept (the firm is active until then).
	if sum.Inserted != 2 || sum.Rejected != 2 {
		t.Errorf("summary %+v", sum)
	}
}

// TestProjectedOutsideAreaOfUse: a Lambert zone II file (EPSG:27572) with
// rows of other grids: Lambert zone I coordinates land in the Mediterranean
// when read as zone II, Lambert Sud France (zone III without its 3,000 km)
// in Algeria, Lambert-93 and UTM coordinates in and beyond Kazakhstan. They
// are rejected naming the CRS; the zone II rows stay.
func TestProjectedOutsideAreaOfUse(t *testing.T) { onStores(t, testProjectedOutsideAreaOfUse) }

func testProjectedOutsideAreaOfUse(t *testing.T, kind teststores.Kind) {
	l2, err := ParseCRS("EPSG:27572")
	if err != nil {
		t.Fatal(err)
	}
	// Places in France (generated list, not a register).
	places := [][2]float64{{2.2945, 48.8582}, {5.3698, 43.2965}, {3.0573, 50.6292}, {-1.5536, 47.2184}, {7.2620, 43.7102}}
	var b strings.Builder
	b.WriteString("id;x;y\n")
	for i, p := range places {
		x, y := l2.FromWGS84(p[0], p[1])
		fmt.Fprintf(&b, "ok%d;%.2f;%.2f\n", i, x, y)
	}
	l3, err := ParseCRS("EPSG:27573")
	if err != nil {
		t.Fatal(err)
	}
	sudX, sudY := l3.FromWGS84(5.3698, 43.2965)
	sudY -= 3000000                                // Marseille in Lambert Sud France
	b.WriteString("zone1;651005.49;1325846.38\n")  // Lille in Lambert zone I (line 7)
	b.WriteString("l93;648237.10;6862249.44\n")    // Paris in Lambert-93 (line 8)
	b.WriteString("utm;391779.26;5820072.16\n")    // Berlin in UTM 33N (line 9)
	fmt.Fprintf(&b, "sud;%.2f;%.2f\n", sudX, sudY) // line 10
	sum, err := runString(t, newTestStore(t, kind), "l2.csv", b.String(), Options{OnError: Skip, CRS: "EPSG:27572",
		Mapping: Mapping{"lon": "x", "lat": "y"}})
	if err != nil {
		t.Fatal(err)
	}
	reasons := rejectsByLine(sum)
	for line, where := range map[int]string{7: "°N", 8: "°N", 9: "°N", 10: "°N"} {
		r := reasons[line]
		if !strings.Contains(r, "outside the area of use of EPSG:27572") && !strings.Contains(r, "is outside the area of EPSG:27572") {
			t.Errorf("line %d: %q, want a reject naming EPSG:27572", line, r)
		}
		if strings.Contains(r, "area of use") && (!strings.Contains(r, where) || !strings.Contains(r, "Lambert zone II")) {
			t.Errorf("line %d: %q, want the position and the CRS's name", line, r)
		}
	}
	if sum.Inserted != len(places) || sum.Rejected != 4 {
		t.Errorf("summary %+v, reasons %v", sum, reasons)
	}
	// Lambert Sud France read as zone II falls in Algeria: check where.
	if lon, lat := l2.ToWGS84(sudX, sudY); lat > 37 || lat < 19 || lon < -8 || lon > 12 {
		t.Errorf("Lambert Sud read as zone II lands at %.2f, %.2f; the test expects Algeria", lat, lon)
	}
}

func TestAreaOfUse(t *testing.T) {
	for _, tt := range []struct {
		code     int
		lon, lat float64
		in       bool
	}{
		{27572, 2.29, 48.86, true},  // Paris
		{27572, 3.06, 36.75, false}, // Algiers
		{27572, 71.4, 51.2, false},  // Astana
		{2154, 9.45, 42.15, true},   // Corsica
		{5256, 37.38, 37.07, true},  // Gaziantep in TUREF / TM36
		{5256, 44.0, 37.5, false},   // Hakkari is beyond TM36 and its margin
		{25832, 13.40, 52.52, true}, // Berlin in UTM 32N (Germany in one zone)
		{25832, 20.0, 52.0, false},
		{32735, 28.05, -26.20, true}, // Johannesburg, UTM 35S
		{32735, 28.05, 26.20, false},
		{3857, 0, 86, false},
	} {
		c, err := ParseCRS(fmt.Sprint(tt.code))
		if err != nil {
			t.Fatal(err)
		}
		a, ok := c.AreaOfUse()
		if !ok || a.Contains(tt.lon, tt.lat) != tt.in || a.Name == "" {
			t.Errorf("EPSG:%d area %v (%v): contains %v, %v = %v, want %v", tt.code, a, ok, tt.lon, tt.lat, a.Contains(tt.lon, tt.lat), tt.in)
		}
	}
	if _, ok := WGS84().AreaOfUse(); ok {
		t.Error("WGS84 has an area of use")
	}
	// Every projected CRS kume reads has one.
	for code := 1; code < 33000; code++ {
		c, ok := epsg(code)
		if !ok || c.Geographic() {
			continue
		}
		if _, ok := c.AreaOfUse(); !ok {
			t.Errorf("EPSG:%d has no area of use", code)
		}
	}
}

// TestGaziantepIsNotSwapped: generated points around Gaziantep, where
// latitude (37.07° N) and longitude (37.38° E) are close, are all kept; the
// earlier check took the points on the edge of their own box for swapped.
func TestGaziantepIsNotSwapped(t *testing.T) { onStores(t, testGaziantepIsNotSwapped) }

func testGaziantepIsNotSwapped(t *testing.T, kind teststores.Kind) {
	var b strings.Builder
	b.WriteString("id,lat,lon\n")
	rng := rand.New(rand.NewPCG(27, 27))
	for i := range 500 {
		fmt.Fprintf(&b, "g%d,%.5f,%.5f\n", i, 37.07+0.15*rng.NormFloat64(), 37.38+0.15*rng.NormFloat64())
	}
	sum, err := runString(t, newTestStore(t, kind), "gaziantep.csv", b.String(), Options{})
	if err != nil || sum.Rejected != 0 || sum.Inserted != 500 {
		t.Fatalf("%v: %+v", err, sum)
	}
}

// turkeyRegion is a generated box over Türkiye, a stand-in for loaded
// province boundaries.
func turkeyRegion() kume.Region {
	return kume.Region{Level: "country", Code: "TR", Name: "Türkiye (box)",
		Geometry: orb.MultiPolygon{{{{26, 36}, {45, 36}, {45, 42}, {26, 42}, {26, 36}}}}}
}

// TestWholeFileSwapped: a file whose lat and lon columns are exchanged is
// consistent with itself, so no row looks swapped; against the loaded
// regions the whole file does, and the import fails naming the columns.
func TestWholeFileSwapped(t *testing.T) { onStores(t, testWholeFileSwapped) }

func testWholeFileSwapped(t *testing.T, kind teststores.Kind) {
	var good, swapped strings.Builder
	good.WriteString("id,enlem,boylam\n")
	swapped.WriteString("id,enlem,boylam\n")
	rng := rand.New(rand.NewPCG(34, 6))
	for i := range 200 { // generated points around Istanbul, Ankara and İzmir
		c := [][2]float64{{41.01, 28.98}, {39.93, 32.86}, {38.42, 27.14}}[i%3]
		lat, lon := c[0]+0.1*rng.NormFloat64(), c[1]+0.1*rng.NormFloat64()
		fmt.Fprintf(&good, "r%d,%.5f,%.5f\n", i, lat, lon)
		fmt.Fprintf(&swapped, "r%d,%.5f,%.5f\n", i, lon, lat)
	}
	areas := NewAreas([]kume.Region{turkeyRegion()})
	if _, err := runString(t, newTestStore(t, kind), "good.csv", good.String(), Options{Areas: areas}); err != nil {
		t.Fatalf("the file as it should be: %v", err)
	}
	st := newTestStore(t, kind)
	sum, err := runString(t, st, "swapped.csv", swapped.String(), Options{Dataset: "swapped", Areas: areas, OnError: Skip})
	if kume.ErrorCode(err) != kume.EINVALID || !strings.Contains(err.Error(), "appear swapped in the whole file") ||
		!strings.Contains(err.Error(), "--map lat=boylam --map lon=enlem") {
		t.Fatalf("swapped file: %v", err)
	}
	if sum.Swapped != 0 || len(st.datasets(t)) != 0 {
		t.Errorf("summary %+v; datasets %v: want no row flagged alone and no dataset", sum, st.datasets(t))
	}
	// Without loaded regions nothing tells.
	if _, err := runString(t, newTestStore(t, kind), "swapped.csv", swapped.String(), Options{}); err != nil {
		t.Errorf("without regions: %v", err)
	}
}

// TestNationalCodesCounted: national variants are read as their class and
// counted in the summary, with an example.
func TestNationalCodesCounted(t *testing.T) { onStores(t, testNationalCodesCounted) }

func testNationalCodesCounted(t *testing.T, kind teststores.Kind) {
	data := "id,lat,lon,nace\n" +
		"a,48.85,2.35,0111Z\n" +
		"b,48.86,2.36,62.01Z\n" +
		"c,50.85,4.35,94910\n" +
		"d,50.86,4.36,94.910\n" +
		"e,41.0,29.0,13.20.01\n" +
		"f,41.1,29.1,13.20\n" +
		"g,41.2,29.2,99.99Z\n"
	st := newTestStore(t, kind)
	sum, err := runString(t, st, "n.csv", data, Options{OnError: Skip})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]NationalCodes{}
	for _, n := range sum.National {
		got[n.Variant] = n
	}
	if n := got["naf"]; n.Rows != 2 || n.Example != "0111Z" || n.ExampleClass != "01.11" {
		t.Errorf("NAF: %+v", n)
	}
	if n := got["5-digit"]; n.Rows != 2 || n.ExampleClass != "94.91" {
		t.Errorf("5-digit: %+v", n)
	}
	if n := got["tr-6-digit"]; n.Rows != 1 || n.ExampleClass != "13.20" {
		t.Errorf("6-digit: %+v", n)
	}
	if r := rejectsByLine(sum)[8]; !strings.Contains(r, `unknown NACE code "99.99Z"`) || !strings.Contains(r, "NAF") {
		t.Errorf("bad NAF code: %q", r)
	}
	if rows := st.rows(t, "test"); rows["a"].NACE != "01.11" || rows["d"].NACE != "94.91" {
		t.Errorf("rows %+v", rows)
	}
	var text strings.Builder
	if err := sum.WriteText(&text); err != nil || !strings.Contains(text.String(), "2 rows have a French NAF rév. 2 subclass") {
		t.Errorf("text %q", text.String())
	}
}

// TestNewDatasetOnlyOnCommit: an aborted import into a new dataset leaves no
// dataset; the summary and the error say so.
func TestNewDatasetOnlyOnCommit(t *testing.T) { onStores(t, testNewDatasetOnlyOnCommit) }

func testNewDatasetOnlyOnCommit(t *testing.T, kind teststores.Kind) {
	st := newTestStore(t, kind)
	sum, err := runString(t, st, "x.csv", "id,lat,lon\na,41,29\nb,95,29\n", Options{Dataset: "new"})
	if kume.ErrorCode(err) != kume.EINVALID || !strings.Contains(err.Error(), `dataset "new" not created`) {
		t.Fatalf("err %v", err)
	}
	if !sum.NewDataset || sum.Visibility != "private" || len(st.datasets(t)) != 0 {
		t.Errorf("summary %+v, datasets %v", sum, st.datasets(t))
	}
	// An empty file: no dataset either.
	if _, err := runString(t, st, "x.csv", "id,lat,lon\n", Options{Dataset: "new"}); err == nil || len(st.datasets(t)) != 0 {
		t.Errorf("empty file: %v, datasets %v", err, st.datasets(t))
	}
	sum, err = runString(t, st, "x.csv", "id,lat,lon\na,41,29\n", Options{Dataset: "new", Visibility: kume.Public})
	if d := st.dataset(t, "new"); err != nil || d == nil || d.Visibility != kume.Public || !sum.NewDataset {
		t.Errorf("%v, %+v, %+v", err, sum, d)
	}
}

// TestVisibilityOfAnExistingDataset: asking for another visibility than an
// existing dataset has fails before anything is read, saying how to change
// it; asking for the one it has, or nothing, imports.
func TestVisibilityOfAnExistingDataset(t *testing.T) { onStores(t, testVisibilityOfAnExistingDataset) }

func testVisibilityOfAnExistingDataset(t *testing.T, kind teststores.Kind) {
	st := newTestStore(t, kind)
	if _, err := runString(t, st, "x.csv", "id,lat,lon\na,41,29\n", Options{Dataset: "reg"}); err != nil {
		t.Fatal(err)
	}
	for _, dry := range []bool{false, true} {
		sum, err := runString(t, st, "x.csv", "id,lat,lon\na,41,29\n", Options{Dataset: "reg", Visibility: kume.Public, DryRun: dry})
		if kume.ErrorCode(err) != kume.EINVALID || !strings.Contains(err.Error(), "exists and is private") ||
			!strings.Contains(err.Error(), "kume datasets set-visibility reg public") || sum.Read != 0 {
			t.Errorf("dry run %v: %v, %+v", dry, err, sum)
		}
	}
	if d := st.dataset(t, "reg"); d == nil || d.Visibility != kume.Private {
		t.Error("visibility changed")
	}
	for _, v := range []kume.Visibility{"", kume.Private} {
		if sum, err := runString(t, st, "x.csv", "id,lat,lon\na,41,29\n", Options{Dataset: "reg", Visibility: v}); err != nil || sum.Unchanged != 1 || sum.NewDataset {
			t.Errorf("visibility %q: %v, %+v", v, err, sum)
		}
	}
}

// TestSummaryColumnsAndRejects: the summary names the column behind each
// field and why, and says how many rejects it left out of its list.
func TestSummaryColumnsAndRejects(t *testing.T) { onStores(t, testSummaryColumnsAndRejects) }

func testSummaryColumnsAndRejects(t *testing.T, kind teststores.Kind) {
	var b strings.Builder
	b.WriteString("Kimlik;Firma Adı;enlem;boylam;Faaliyet;Not\n")
	for i := range 150 {
		fmt.Fprintf(&b, "k%d;Firma %d;41,%03d;29,1;1320;x\n", i, i, i)
	}
	b.WriteString("bad;Firma;95;29;1320;x\n")
	for i := range 149 {
		fmt.Fprintf(&b, "z%d;Firma;0;0;1320;x\n", i)
	}
	sum, err := runString(t, newTestStore(t, kind), "tr.csv", b.String(), Options{OnError: Skip, Mapping: Mapping{"nace": "Faaliyet", "name": "Firma Adı"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Columns) != 1 {
		t.Fatalf("columns %+v", sum.Columns)
	}
	want := map[string]FieldColumn{
		"id":   {"id", "Kimlik", "header"},
		"name": {"name", "Firma Adı", "mapping"},
		"nace": {"nace", "Faaliyet", "mapping"},
		"lat":  {"lat", "enlem", "header"},
		"lon":  {"lon", "boylam", "header"},
	}
	for _, f := range sum.Columns[0].Fields {
		if w, ok := want[f.Field]; !ok || w != f {
			t.Errorf("field %+v, want %+v", f, w)
		}
		delete(want, f.Field)
	}
	if len(want) != 0 || len(sum.Columns[0].Attributes) != 1 || sum.Columns[0].Attributes[0] != "Not" {
		t.Errorf("missing %v; attributes %v", want, sum.Columns[0].Attributes)
	}
	if sum.Rejected != 150 || len(sum.Rejects) != MaxReportedRejects || sum.RejectsOmitted != 50 {
		t.Errorf("rejected %d, listed %d, omitted %d", sum.Rejected, len(sum.Rejects), sum.RejectsOmitted)
	}
	var text strings.Builder
	sum.RejectsFile = "rejects.csv"
	if err := sum.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"columns of tr.csv: id=Kimlik (header), name=Firma Adı (mapping)", "kept as attributes: Not",
		"... and 50 more rejects, not listed here; all 150 are in rejects.csv"} {
		if !strings.Contains(text.String(), s) {
			t.Errorf("text lacks %q:\n%s", s, text.String())
		}
	}
}

// TestExtentDecisions pins the swap rule on a small planted case.
func TestExtentDecisions(t *testing.T) {
	var x Extent
	for i := range 200 { // a dense cluster at Ankara, generated
		x.Add(32.8+float64(i%10)*0.01, 39.9+float64(i/10)*0.01)
	}
	x.Add(13.4, 52.5) // a lone point in Berlin
	for _, tt := range []struct {
		lon, lat float64
		want     bool
	}{
		{39.9, 32.8, true},   // Ankara swapped: lone as given, in the crowd swapped
		{32.8, 39.9, false},  // Ankara as given
		{13.4, 52.5, false},  // Berlin: lone, and lone swapped too
		{39.9, 132.8, false}, // swapped is no position
		{39.9, 39.9, false},  // latitude = longitude
	} {
		if got := x.LooksSwapped(tt.lon, tt.lat); got != tt.want {
			t.Errorf("LooksSwapped(%v, %v) = %v, want %v (near %d, swapped near %d)", tt.lon, tt.lat, got, tt.want,
				x.Near(tt.lon, tt.lat), x.Near(tt.lat, tt.lon))
		}
	}
	if x.Len() != 201 || x.Near(0, 0) != 0 {
		t.Errorf("Len %d, Near(0, 0) %d", x.Len(), x.Near(0, 0))
	}
}
