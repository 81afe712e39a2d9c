package tiles

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/internal/teststores"
)

// TestParseAt checks the strict syntax of the at parameter and that only the
// point layers accept it.
func TestParseAt(t *testing.T) {
	tests := []struct {
		layers, query string
		want          string // the parsed At; "!" for a 400
	}{
		{"establishments", "at=2023-05-31", "2023-05-31"},
		{"institutions", "at=2023-05-31", "2023-05-31"},
		{"hexagons,establishments", "at=2024-02-29", "2024-02-29"},
		{"establishments", "at=2023-02-29", "!"},
		{"establishments", "at=2023-5-31", "!"},
		{"establishments", "at=2023-05", "!"},
		{"establishments", "at=2023-05-31T00:00:00Z", "!"},
		{"establishments", "at=0999-12-31", "!"},
		{"establishments", "at=", "!"},
		{"establishments", "at=2023-05-31&at=2023-06-30", "!"},
		{"hexagons", "at=2023-05-31", "!"},
		{"clusters", "at=2023-05-31", "!"},
		{"regions", "at=2023-05-31", "!"},
	}
	svc := newService(t, emptyStore(t), Config{})
	for _, tt := range tests {
		q, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		p, err := svc.ParseParams(strings.Split(tt.layers, ","), q)
		switch {
		case tt.want == "!" && kume.ErrorCode(err) != kume.EINVALID:
			t.Errorf("%s?%s: %v, want EINVALID", tt.layers, tt.query, err)
		case tt.want == "!" && !strings.Contains(kume.ErrorMessage(err), "at"):
			t.Errorf("%s?%s: message %q does not name the parameter", tt.layers, tt.query, kume.ErrorMessage(err))
		case tt.want != "!" && (err != nil || p.At != tt.want):
			t.Errorf("%s?%s = %+v, %v; want At %s", tt.layers, tt.query, p, err, tt.want)
		}
	}
}

// TestPointsAt checks that at selects the establishments active at the end
// of that day, and that tiles at different days are cached apart.
func TestPointsAt(t *testing.T) { onStores(t, testPointsAt) }

func testPointsAt(t *testing.T, kind teststores.Kind) {
	st := fixture(t, kind, center)
	day := func(s string) *time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return &d
	}
	// Firm 1 closes on 2023-05-31; firm 2 is founded on 2023-06-01.
	st.reimport(t, func(firms []kume.Establishment) {
		firms[0].Closed = day("2023-05-31")
		firms[1].Founded = day("2023-06-01")
	})
	one, two, three := st.firms[0].ID, st.firms[1].ID, st.firms[2].ID
	log := &readLog{}
	svc := newService(t, watch(st, log.before), Config{})
	id := tileAt(center[0], center[1], 12)
	ids := func(at string) map[int64]bool {
		t.Helper()
		out := map[int64]bool{}
		for _, f := range decode(t, mustTile(t, svc, "establishments", id, Params{At: at}).Data)["establishments"].Features {
			switch v := f.Props["id"].(type) {
			case int64:
				out[v] = true
			case uint64:
				out[int64(v)] = true
			default:
				t.Fatalf("id %T", v)
			}
		}
		return out
	}
	tests := []struct {
		at         string
		one, two   bool
		wantActive time.Time
	}{
		{"2023-05-30", true, false, time.Date(2023, 5, 30, 23, 59, 59, 999999000, time.UTC)},
		{"2023-05-31", false, false, time.Date(2023, 5, 31, 23, 59, 59, 999999000, time.UTC)},
		{"2023-06-01", false, true, time.Date(2023, 6, 1, 23, 59, 59, 999999000, time.UTC)},
		{"", false, true, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}, // the service's now
	}
	for _, tt := range tests {
		log.establishmentFilters()
		got := ids(tt.at)
		if got[one] != tt.one || got[two] != tt.two || !got[three] {
			t.Errorf("at=%q: firms %v, want %d:%v %d:%v %d:true", tt.at, got, one, tt.one, two, tt.two, three)
		}
		if fs := log.establishmentFilters(); len(fs) != 1 || fs[0].ActiveAt == nil || !fs[0].ActiveAt.Equal(tt.wantActive) {
			t.Errorf("at=%q: store filters %+v, want one with ActiveAt %v", tt.at, fs, tt.wantActive)
		}
	}
	a := Params{At: "2023-05-30"}.key()
	if a == (Params{At: "2023-05-31"}).key() || a == (Params{}).key() {
		t.Errorf("at is not part of the canonical key %q", a)
	}
	if tmpl := svc.TileJSON([]string{LayerEstablishments}, Params{At: "2023-05-30"}, "").Tiles[0]; !strings.Contains(tmpl, "at=2023-05-30") {
		t.Errorf("TileJSON template %q lacks at", tmpl)
	}
}
