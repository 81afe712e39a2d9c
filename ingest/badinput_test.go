package ingest

import (
	"bytes"
	"compress/gzip"
	"math"
	"strings"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
)

// TestBadInput checks that each kind of bad input gives a clear message and
// writes nothing (abort) or only the valid rows (skip).
func TestBadInput(t *testing.T) { onStores(t, testBadInput) }

func testBadInput(t *testing.T, kind teststores.Kind) {
	huge := "id,lat,lon\n" + strings.Repeat("x", 3<<20) + "\na,41,29\n"
	cases := []struct {
		name, file, data string
		want             string // in the error or a reject reason
		skipInserted     int    // rows imported with on-error skip; -1 when skip fails too
	}{
		{"empty", "e.csv", "", "empty", -1},
		{"header only", "h.csv", "id,lat,lon\r\n", "header but no rows", -1},
		{"field count", "f.csv", "id,lat,lon\na,41,29\nb,41\n", "row has 2 fields; the header has 3", 1},
		{"unbalanced quote", "q.csv", "id,lat,lon\na,41,29\n\"b,41,29\n", "quoted field not closed", 1},
		{"long line", "l.csv", huge, "record longer than", 1},
		{"non-numeric", "n.csv", "id,lat,lon\na,41,29\nb,abc,29\n", `"abc" is not a number`, 1},
		{"NaN", "n.csv", "id,lat,lon\na,41,29\nb,NaN,29\n", "not a finite number", 1},
		{"out of range", "r.csv", "id,lat,lon\na,41,29\nb,95,200\n", "latitude 95 outside", 1},
		{"duplicate id", "d.csv", "id,lat,lon\na,41,29\na,41,29\n", `duplicate id "a"`, 1},
		{"unknown nace", "u.csv", "id,lat,lon,nace\na,41,29,13.20\nb,41,29,99.99\n", `unknown NACE code "99.99"`, 1},
		{"negative employees", "m.csv", "id,lat,lon,employees\na,41,29,5\nb,41,29,-3\n", "negative", 1},
		{"NUL byte", "z.csv", "id,lat,lon,name\na,41,29,x\nb,41,29,a\x00b\n", "NUL byte", 1},
		{"invalid UTF-8", "i.csv", "id,lat,lon,name\na,41,29,x\nb,41,29,\xfe\xff\n", "invalid UTF-8", 1},
		{"over-long field", "o.csv", "id,lat,lon,name\na,41,29,x\nb,41,29," + strings.Repeat("y", 9000) + "\n", "longer than 8192 bytes", 1},
		{"missing id", "mi.csv", "id,lat,lon\na,41,29\n,41,29\n", "missing id", 1},
		{"no location column", "nl.csv", "kimlik;unvan;nace_kodu\n1;A;13.20\n", `none of "kimlik", "unvan", "nace_kodu" is recognised`, -1},
		{"polygon WKT", "w.csv", "id,wkt\na,POINT(29 41)\nb,\"POLYGON((0 0,1 0,1 1,0 0))\"\n", "geometry must be a POINT, got POLYGON", 1},
		{"geojson crs", "c.geojson", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:31467"}},"features":[]}`, "not supported", -1},
		{"geojson string coords", "s.geojson", `{"type":"FeatureCollection","features":[
			{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[29,41]},"properties":{}},
			{"type":"Feature","id":"b","geometry":{"type":"Point","coordinates":["29","41"]},"properties":{}}]}`, "is not a number", 1},
		{"geojson null coords", "s.geojson", `{"type":"FeatureCollection","features":[
			{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[29,41]},"properties":{}},
			{"type":"Feature","id":"b","geometry":{"type":"Point","coordinates":[null,41]},"properties":{}}]}`, "is not a number", 1},
		{"geojson deep", "d.geojson", `{"type":"FeatureCollection","features":[
			{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[29,41]},"properties":{}},
			{"type":"Feature","id":"b","geometry":null,"properties":{"x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}}]}`, "nested 102 levels deep", 1},
		{"geojson truncated", "t.geojson", `{"type":"FeatureCollection","features":[
			{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[29,41]},"properties":{}},
			{"type":"Feature","id":"b","geom`, "ends unexpectedly", 1},
		{"geojson polygon", "p.geojson", `{"type":"FeatureCollection","features":[
			{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[29,41]},"properties":{}},
			{"type":"Feature","id":"b","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"properties":{}}]}`, "must be a Point", 1},
		{"not a collection", "f.geojson", `{"type":"Feature","geometry":null,"properties":{}}`, "want a FeatureCollection", -1},
		{"ndjson bad line", "x.ndjson", `{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[29,41]},"properties":{}}` + "\n{oops\n", "not a GeoJSON Feature", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := newTestStore(t, kind) // an abort leaves it empty for the skip
			for _, mode := range []OnError{Abort, Skip} {
				sum, err := runString(t, st, c.file, c.data, Options{OnError: mode})
				if err == nil && mode == Abort {
					t.Fatalf("abort: no error; summary %+v", sum)
				}
				msg := kume.ErrorMessage(err)
				for _, r := range sum.Rejects {
					msg += "\n" + r.String()
				}
				if !strings.Contains(msg, c.want) {
					t.Errorf("%s: message %q lacks %q", mode, msg, c.want)
				}
				got := st.count(t)
				want := 0
				if mode == Skip && c.skipInserted > 0 {
					want = c.skipInserted
				}
				if mode == Skip && c.skipInserted < 0 && err == nil {
					t.Errorf("skip: no error")
				}
				if got != want || (err == nil && sum.Inserted != want) {
					t.Errorf("%s: %d rows stored, summary %+v; want %d", mode, got, sum, want)
				}
			}
		})
	}
}

func TestGzipBomb(t *testing.T) { onStores(t, testGzipBomb) }

func testGzipBomb(t *testing.T, kind teststores.Kind) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("id,lat,lon\n"))
	zeros := make([]byte, 1<<20)
	for i := 0; i < 24; i++ { // 24 MiB of zeros compress to about 24 KiB
		zw.Write(zeros)
	}
	zw.Close()
	_, err := runString(t, newTestStore(t, kind), "bomb.csv.gz", buf.String(), Options{})
	if err == nil || !strings.Contains(kume.ErrorMessage(err)+err.Error(), "decompression bomb") {
		t.Fatalf("err = %v", err)
	}

	buf.Reset()
	zw = gzip.NewWriter(&buf)
	zw.Write([]byte("id,lat,lon\na,41,29\n"))
	zw.Close()
	sum, err := runString(t, newTestStore(t, kind), "ok.csv.gz", buf.String(), Options{})
	if err != nil || sum.Inserted != 1 {
		t.Fatalf("gzip: %+v, %v", sum, err)
	}
}

func TestZeroNACEIsUnknownSector(t *testing.T) {
	for _, v := range []string{"0", "0000", "00.00", " 0 "} {
		if !zeroCode(v) {
			t.Errorf("zeroCode(%q) = false", v)
		}
	}
	for _, v := range []string{"", "01", "10.00", "0001", "x"} {
		if v != "" && zeroCode(v) {
			t.Errorf("zeroCode(%q) = true", v)
		}
	}
}

func TestJoinSplitEWKT(t *testing.T) {
	tests := []struct{ in, want []string }{
		{[]string{"1", "A", "SRID=4326", "POINT(29 41)"}, []string{"1", "A", "SRID=4326;POINT(29 41)"}},
		{[]string{"1", "srid=2154", " point(700000 6600000)", "x"}, []string{"1", "srid=2154;point(700000 6600000)", "x"}},
		{[]string{"1", "SRID=abc", "POINT(29 41)"}, []string{"1", "SRID=abc", "POINT(29 41)"}},
		{[]string{"1", "SRID=4326", "hello"}, []string{"1", "SRID=4326", "hello"}},
	}
	for _, tt := range tests {
		got := joinSplitEWKT(append([]string(nil), tt.in...))
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("joinSplitEWKT(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestTurkishSemicolonEWKT imports a Windows-style semicolon register whose
// geometry column is called konum ("location"), with EWKT split by the
// delimiter in one row and quoted in another, and a row without a NACE code.
func TestTurkishSemicolonEWKT(t *testing.T) { onStores(t, testTurkishSemicolonEWKT) }

func testTurkishSemicolonEWKT(t *testing.T, kind teststores.Kind) {
	data := "kimlik;unvan;nace_kodu;konum;calisan;il\r\n" +
		"1;Özdemir Tekstil A.Ş.;13.20;SRID=4326;POINT(29.06 40.19);12;Bursa\r\n" +
		"2;Çağlar Makina;28.41;\"SRID=4326;POINT(32.85 39.93)\";1-9;Ankara\r\n" +
		"3;Eksik;;SRID=3857;POINT(3235000 4865000);3;İstanbul\r\n"
	st := newTestStore(t, kind)
	sum, err := runString(t, st, "kayit.csv", data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Inserted != 3 || sum.Rejected != 0 || sum.UnknownSector != 1 {
		t.Fatalf("summary %+v, want 3 inserted, 0 rejected, 1 without sector", sum)
	}
	got := st.rows(t, "test")
	if e := got["1"]; e.Lon != 29.06 || e.Lat != 40.19 || e.Name != "Özdemir Tekstil A.Ş." {
		t.Errorf("row 1 = %+v", e)
	}
	if e := got["3"]; math.Abs(e.Lon-29.0605) > 0.001 || math.Abs(e.Lat-39.9935) > 0.001 {
		t.Errorf("row 3 (EPSG:3857) at %v, %v", e.Lon, e.Lat)
	}
}
