package ingest

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
)

func TestRunFormats(t *testing.T) { onStores(t, testRunFormats) }

func testRunFormats(t *testing.T, kind teststores.Kind) {
	// İstanbul Sultanahmet 28.9768, 41.0054; in EPSG:3857 and EPSG:5254 (TM30)
	// from the CRS code under test, whose accuracy TestCRSAgainstPROJ checks.
	c3857, _ := ParseCRS("EPSG:3857")
	x, y := c3857.FromWGS84(28.9768, 41.0054)
	tm30, _ := ParseCRS("EPSG:5254")
	e, n := tm30.FromWGS84(28.9768, 41.0054)
	cases := []struct {
		name, file, data string
		opts             Options
	}{
		{"csv semicolon decimal comma", "a.csv", "ID;Enlem;Boylam\na;41,0054;28,9768\n", Options{}},
		{"tsv", "a.tsv", "id\tlatitude\tlongitude\na\t41.0054\t28.9768\n", Options{}},
		{"pipe CR", "a.txt", "id|lat|lng\ra|41.0054|28.9768\r", Options{}},
		{"quoted BOM CRLF", "a.csv", "\ufeff\"id\",\"lat\",\"lon\"\r\n\"a\",\"41.0054\",\"28.9768\"\r\n", Options{}},
		{"wkt", "a.csv", "id,wkt\na,POINT(28.9768 41.0054)\n", Options{}},
		{"ewkt srid", "a.csv", fmt.Sprintf("id,geom\na,SRID=3857;POINT(%f %f)\n", x, y), Options{}},
		{"crs option x y", "a.csv", fmt.Sprintf("id,x,y\na,%f,%f\n", e, n), Options{CRS: "EPSG:5254"}},
		{"geojson", "a.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[28.9768,41.0054]},"properties":{"unvan":"X"}}]}`, Options{}},
		{"geojson crs member", "a.geojson", fmt.Sprintf(`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3857"}},"features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[%f,%f]},"properties":{"id":"a"}}]}`, x, y), Options{}},
		{"ndjson", "-", `{"type":"Feature","geometry":{"type":"Point","coordinates":[28.9768,41.0054]},"properties":{"id":"a"}}` + "\n\n", Options{}},
		{"mapping", "a.csv", "Kod;Y Koord;X Koord\na;41.0054;28.9768\n", Options{Mapping: Mapping{"id": "kod", "lat": "Y KOORD", "lon": "x koord"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := newTestStore(t, kind)
			sum, err := runString(t, st, c.file, c.data, c.opts)
			if err != nil {
				t.Fatalf("%v %+v", err, sum)
			}
			rows := st.rows(t, "test")
			got, ok := rows["a"]
			if !ok || sum.Inserted != 1 {
				t.Fatalf("rows %+v", rows)
			}
			if d := metresApart(got.Lon, got.Lat, 28.9768, 41.0054); d > 0.01 {
				t.Errorf("position %v %v is %.3f m off", got.Lon, got.Lat, d)
			}
		})
	}
}

func TestRunEncodingAndTurkishHeaders(t *testing.T) { onStores(t, testRunEncodingAndTurkishHeaders) }

func testRunEncodingAndTurkishHeaders(t *testing.T, kind teststores.Kind) {
	text := "SİCİL_NO;ÜNVAN;ENLEM;BOYLAM;NACE KODU;ÇALIŞAN;İLÇE;İL\n1;Öztürk Tekstil Ş.;41,0;29,0;13.20.01;10-49;Şişli;İstanbul\n"
	enc, err := charmap.Windows1254.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	st := newTestStore(t, kind)
	if _, err := runString(t, st, "tr.csv", enc, Options{}); err == nil {
		t.Fatal("windows-1254 read as UTF-8 was accepted")
	}
	sum, err := runString(t, st, "tr.csv", enc, Options{Encoding: "windows-1254"})
	if err != nil {
		t.Fatalf("%v %+v", err, sum)
	}
	e := st.rows(t, "test")["1"]
	if e.Name != "Öztürk Tekstil Ş." || e.NACE != "13.20" || e.Employees != kume.EmployeeBand(10, 49) ||
		e.Address.District != "Şişli" || e.Address.Province != "İstanbul" || len(e.Attrs) != 0 {
		t.Errorf("row = %+v", e)
	}
}

func TestSwappedCoordinates(t *testing.T) { onStores(t, testSwappedCoordinates) }

func testSwappedCoordinates(t *testing.T, kind teststores.Kind) {
	// Generated points around Ankara (seeded by their index), one row with
	// latitude and longitude swapped, one far away but plausible, one with
	// latitude out of range that is not a swap.
	var b strings.Builder
	b.WriteString("id,lat,lon\n")
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&b, "p%d,%.4f,%.4f\n", i, 39.5+0.05*float64(i), 32.5+0.07*float64(i))
	}
	b.WriteString("swapped,32.9,39.9\n")       // Ankara with lat/lon swapped
	b.WriteString("faraway,52.5,13.4\n")       // Berlin: outside, but swapped it is not inside either
	b.WriteString("badlat,95,200\n")           // neither way valid
	b.WriteString("swapinvalid,-170.0,39.6\n") // invalid as given, swapped outside the extent
	st := newTestStore(t, kind)
	sum, err := runString(t, st, "s.csv", b.String(), Options{OnError: Skip})
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[int]string{}
	for _, r := range sum.Rejects {
		reasons[r.Line] = r.Reason
	}
	if !strings.Contains(reasons[22], "appear swapped") || sum.Swapped != 1 {
		t.Errorf("swapped row: %q (swapped %d)", reasons[22], sum.Swapped)
	}
	if !strings.Contains(reasons[24], "latitude 95 outside") || !strings.Contains(reasons[25], "latitude -170 outside") {
		t.Errorf("reasons = %v", reasons)
	}
	rows := st.rows(t, "test")
	if _, ok := rows["faraway"]; !ok || sum.Inserted != 21 || sum.Rejected != 3 {
		t.Errorf("summary %+v", sum)
	}
	if math.IsNaN(rows["p0"].Lat) {
		t.Error("NaN")
	}
}
