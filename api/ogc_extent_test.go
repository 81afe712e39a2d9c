package api

import (
	"context"
	"net/http"
	"testing"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/export"
	"github.com/kume-geo/kume/internal/teststores"
)

// collectionBBox returns the first spatial bbox of a collection document.
func collectionBBox(t *testing.T, col map[string]any) []float64 {
	t.Helper()
	ext := col["extent"].(map[string]any)["spatial"].(map[string]any)["bbox"].([]any)
	raw := ext[0].([]any)
	b := make([]float64, len(raw))
	for i, v := range raw {
		b[i] = v.(float64)
	}
	return b
}

func TestOGCCollectionExtentsFollowTheData(t *testing.T) {
	onStores(t, testOGCCollectionExtentsFollowTheData)
}

func testOGCCollectionExtentsFollowTheData(t *testing.T, kind teststores.Kind) {
	s, st, _ := newTestServer(t, kind, nil)
	// The institutions' extent is the box of the public institutions.
	var instBound orb.Bound
	n := 0
	for _, e := range st.ests {
		d, err := st.Dataset(context.Background(), e.DatasetID)
		if err != nil {
			t.Fatal(err)
		}
		if e.Kind != kume.KindInstitution || d.Visibility != kume.Public {
			continue
		}
		if n == 0 {
			instBound = orb.Point{e.Lon, e.Lat}.Bound()
		} else {
			instBound = instBound.Extend(orb.Point{e.Lon, e.Lat})
		}
		n++
	}
	if n == 0 {
		t.Fatal("the fixture has no public institution")
	}

	m := decode(t, do(t, s, http.MethodGet, "/ogc/collections?f=json", "", nil))
	got := map[string][]float64{}
	for _, c := range m["collections"].([]any) {
		col := c.(map[string]any)
		got[col["id"].(string)] = collectionBBox(t, col)
	}
	frames := func(b []float64, lon, lat float64) bool {
		return b[0] < lon && lon < b[2] && b[1] < lat && lat < b[3] && b[2]-b[0] < 1 && b[3]-b[1] < 1
	}
	for _, l := range []string{export.LayerEstablishments, export.LayerHexagons, export.LayerClusters} {
		if b := got[l]; len(b) != 4 || !frames(b, 28.98, 41.05) {
			t.Errorf("%s: bbox %v does not frame the fixture's firm cells", l, b)
		}
	}
	want := []float64{instBound.Min[0], instBound.Min[1], instBound.Max[0], instBound.Max[1]}
	if b := got[export.LayerInstitutions]; len(b) != 4 || b[0] != want[0] || b[1] != want[1] || b[2] != want[2] || b[3] != want[3] {
		t.Errorf("institutions: bbox %v, want the public institutions' %v", b, want)
	}
	if b := got[export.LayerRegions]; len(b) != 4 || b[0] != 28.85 || b[1] != 40.95 || b[2] != 29.2 || b[3] != 41.3 {
		t.Errorf("regions: bbox %v, want the province's box", b)
	}

	// One collection's document agrees with the list.
	one := decode(t, do(t, s, http.MethodGet, "/ogc/collections/regions?f=json", "", nil))
	if b := collectionBBox(t, one); b[0] != 28.85 || b[3] != 41.3 {
		t.Errorf("collection regions: bbox %v", b)
	}

	// Before the first analysis and without regions: the whole world.
	empty, _ := storeServer(t, teststores.Open(t, kind))
	m = decode(t, do(t, empty, http.MethodGet, "/ogc/collections/establishments?f=json", "", nil))
	if b := collectionBBox(t, m); b[0] != -180 || b[1] != -90 || b[2] != 180 || b[3] != 90 {
		t.Errorf("no data: bbox %v, want the world", b)
	}
}
