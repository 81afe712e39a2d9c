package ingest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
)

// square returns a made-up square region (test geometry, not real boundaries).
func square(level, code, name, parent string, x, y, size float64) kume.Region {
	ring := orb.Ring{{x, y}, {x + size, y}, {x + size, y + size}, {x, y + size}, {x, y}}
	return kume.Region{Level: level, Code: code, Name: name, Parent: parent, Geometry: orb.MultiPolygon{{ring}}}
}

func TestInteriorPoint(t *testing.T) {
	// A C shape whose centroid lies in the gap.
	c := orb.MultiPolygon{{{{0, 0}, {10, 0}, {10, 2}, {2, 2}, {2, 8}, {10, 8}, {10, 10}, {0, 10}, {0, 0}}}}
	centroid, _ := planar.CentroidArea(c)
	if planar.MultiPolygonContains(c, centroid) {
		t.Fatal("test shape's centroid should be outside")
	}
	p, ok := InteriorPoint(c)
	if !ok || !planar.MultiPolygonContains(c, p) {
		t.Errorf("InteriorPoint = %v, inside %v", p, planar.MultiPolygonContains(c, p))
	}
	sq := square("x", "1", "x", "", 0, 0, 2).Geometry
	if p, _ := InteriorPoint(sq); p != (orb.Point{1, 1}) {
		t.Errorf("square: %v", p)
	}
}

func TestGazetteer(t *testing.T) { onStores(t, testGazetteer) }

func testGazetteer(t *testing.T, kind teststores.Kind) {
	regions := []kume.Region{
		square("province", "33", "Mersin", "", 34, 36, 1),
		square("province", "03", "Afyon", "", 30, 38.5, 1),
		square("province", "46", "Kahramanmaraş", "", 36.5, 37.5, 1),
		square("province", "06", "Ankara", "", 32, 39.5, 1),
		square("province", "34", "İstanbul", "", 28.5, 40.8, 0.8),
		square("district", "0601", "Çankaya", "06", 32.8, 39.8, 0.1),
		square("district", "0602", "Merkez", "03", 30.5, 38.7, 0.1),
		square("district", "3401", "Kale", "34", 28.6, 40.9, 0.1),
		square("district", "0603", "Kale", "06", 32.1, 39.6, 0.1),
	}
	g := NewGazetteer(regions)
	cases := []struct {
		q    Query
		prec kume.Precision
		code string // expected place by its square's corner
		ok   bool
	}{
		{Query{Province: "Icel"}, kume.PrecisionProvince, "33", true},
		{Query{Province: "İÇEL"}, kume.PrecisionProvince, "33", true},
		{Query{Province: "Afyonkarahisar"}, kume.PrecisionProvince, "03", true},
		{Query{Province: "K.Maraş"}, kume.PrecisionProvince, "46", true},
		{Query{Province: "KAHRAMANMARAS"}, kume.PrecisionProvince, "46", true},
		{Query{Province: "ISTANBUL"}, kume.PrecisionProvince, "34", true},
		{Query{Province: "ankara", District: "CANKAYA"}, kume.PrecisionDistrict, "0601", true},
		{Query{District: "Çankaya İlçesi"}, kume.PrecisionDistrict, "0601", true},
		{Query{Province: "Afyon", District: "Merkez"}, kume.PrecisionDistrict, "0602", true},
		{Query{Province: "Ankara", District: "Merkez"}, kume.PrecisionProvince, "06", true},
		{Query{District: "Kale"}, "", "", false}, // ambiguous without the province
		{Query{Province: "İstanbul", District: "Kale"}, kume.PrecisionDistrict, "3401", true},
		{Query{Province: "Atlantis"}, "", "", false},
	}
	where := map[string]kume.Region{}
	for _, r := range regions {
		where[r.Code] = r
	}
	for _, c := range cases {
		res, ok, err := g.Geocode(context.Background(), c.q)
		if err != nil || ok != c.ok {
			t.Errorf("%+v: ok %v, %v", c.q, ok, err)
			continue
		}
		if !ok {
			continue
		}
		if res.Precision != c.prec || res.Source != "gazetteer" || !planar.MultiPolygonContains(where[c.code].Geometry, orb.Point{res.Lon, res.Lat}) {
			t.Errorf("%+v = %+v; want inside %s at %s", c.q, res, c.code, c.prec)
		}
	}

	// Rows without coordinates are placed by Run and counted by precision.
	st := newTestStore(t, kind)
	sum, err := runString(t, st, "g.csv", "id,il,ilce\na,Ankara,Çankaya\nb,Içel,\n", Options{Geocoder: g})
	if err != nil || sum.Geocoded.ByPrecision["district"] != 1 || sum.Geocoded.ByPrecision["province"] != 1 {
		t.Fatalf("%+v %v", sum, err)
	}
	if e := st.rows(t, "test")["a"]; e.GeocodeSource != "gazetteer" || e.Precision != kume.PrecisionDistrict || e.Cell == 0 {
		t.Errorf("row %+v", e)
	}
}

// nominatimServer answers /search like Nominatim (format jsonv2), failing the
// first request of every query with 503 to exercise the retries.
func nominatimServer(t *testing.T, calls *atomic.Int32) *httptest.Server {
	seen := map[string]bool{}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		q := r.URL.Query().Get("q")
		if r.URL.Path != "/search" || r.URL.Query().Get("format") != "jsonv2" || r.Header.Get("User-Agent") == "" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if !seen[q] {
			seen[q] = true
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.Contains(q, "Atatürk Bulvarı"):
			w.Write([]byte(`[{"place_id":1,"lat":"39.9208","lon":"32.8541","category":"building","type":"yes","place_rank":30,"addresstype":"building","importance":0.1}]`))
		case strings.Contains(q, "Keçiören"):
			w.Write([]byte(`[{"place_id":2,"lat":"39.98","lon":"32.86","category":"boundary","type":"administrative","place_rank":16,"addresstype":"town"}]`))
		default:
			w.Write([]byte(`[]`))
		}
	}))
}

func TestNominatim(t *testing.T) {
	var calls atomic.Int32
	srv := nominatimServer(t, &calls)
	defer srv.Close()
	n := NewNominatim(srv.URL, "kume-test", t.TempDir())
	n.Interval, n.Backoff = 20*time.Millisecond, time.Millisecond
	ctx := context.Background()

	start := time.Now()
	res, ok, err := n.Geocode(ctx, Query{Street: "Atatürk Bulvarı 1", Province: "Ankara"})
	if err != nil || !ok || res.Precision != kume.PrecisionAddress || res.Lat != 39.9208 || res.Source != "nominatim" {
		t.Fatalf("%+v %v %v", res, ok, err)
	}
	if calls.Load() != 2 || time.Since(start) < 20*time.Millisecond {
		t.Errorf("%d calls in %v; want a retry after the rate-limit interval", calls.Load(), time.Since(start))
	}
	// Cached: no further request.
	if _, ok, err := n.Geocode(ctx, Query{Street: "Atatürk Bulvarı 1", Province: "Ankara"}); !ok || err != nil || calls.Load() != 2 {
		t.Errorf("cache: ok %v err %v calls %d", ok, err, calls.Load())
	}
	res, ok, _ = n.Geocode(ctx, Query{District: "Keçiören", Province: "Ankara"})
	if !ok || res.Precision != kume.PrecisionDistrict {
		t.Errorf("district: %+v", res)
	}
	if _, ok, err := n.Geocode(ctx, Query{Province: "Atlantis"}); ok || err != nil {
		t.Errorf("no match: %v %v", ok, err)
	}

	// A service that keeps failing is an error, not a miss.
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer down.Close()
	d := NewNominatim(down.URL, "kume-test", "")
	d.Interval, d.Backoff, d.Retries = time.Millisecond, time.Millisecond, 2
	if _, _, err := d.Geocode(ctx, Query{Province: "Ankara"}); err == nil || !strings.Contains(err.Error(), "3 attempts") {
		t.Errorf("err = %v", err)
	}
}

func TestNominatimPrecision(t *testing.T) {
	cases := map[kume.Precision][]struct {
		typ  string
		rank int
	}{
		kume.PrecisionAddress:  {{"building", 30}, {"", 30}},
		kume.PrecisionStreet:   {{"road", 26}, {"", 27}},
		kume.PrecisionPostcode: {{"postcode", 21}},
		kume.PrecisionDistrict: {{"suburb", 20}, {"", 16}},
		kume.PrecisionProvince: {{"province", 8}, {"", 8}},
		kume.PrecisionCountry:  {{"country", 4}},
	}
	for want, list := range cases {
		for _, c := range list {
			if got := NominatimPrecision(c.typ, c.rank); got != want {
				t.Errorf("(%q, %d) = %s; want %s", c.typ, c.rank, got, want)
			}
		}
	}
}
