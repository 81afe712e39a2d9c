package ingest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/store/memory"
)

// boxFeature is a generated square region feature with the given properties.
func boxFeature(lon, lat float64, props string) string {
	return fmt.Sprintf(`{"type":"Feature","properties":{%s},"geometry":{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}}`,
		props, lon, lat, lon+0.1, lat, lon+0.1, lat+0.1, lon, lat+0.1, lon, lat)
}

// TestRegionParents: provinces stored as "06" and "34", districts whose
// parents are written "6", "06", "034" and "99": the first three are linked
// (stored as the province's code), the last is reported; the gazetteer then
// finds the districts within their province.
func TestRegionParents(t *testing.T) {
	st := memory.New()
	ctx := t.Context()
	provinces := `{"type":"FeatureCollection","features":[` + boxFeature(32.8, 39.9, `"name":"Ankara","code":"06"`) + "," +
		boxFeature(29.0, 41.0, `"name":"İstanbul","code":"34"`) + `]}`
	rep, err := ImportRegions(ctx, st, strings.NewReader(provinces), RegionOptions{Level: "province"})
	if err != nil || rep.Stored != 2 || rep.ParentLevel != "" || len(rep.Orphans) != 0 {
		t.Fatalf("provinces: %+v, %v", rep, err)
	}
	districts := `{"type":"FeatureCollection","features":[` +
		boxFeature(32.85, 39.92, `"name":"Çankaya","code":"0601","il":6`) + "," +
		boxFeature(32.7, 39.95, `"name":"Merkez","code":"0602","il":"06"`) + "," +
		boxFeature(29.02, 41.05, `"name":"Kadıköy","code":"3401","il":" 034 "`) + "," +
		boxFeature(28.9, 41.1, `"name":"Atlantis","code":"9901","il":"99"`) + `]}`
	rep, err = ImportRegions(ctx, st, strings.NewReader(districts), RegionOptions{Level: "district", ParentField: "il"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.ParentLevel != "province" || rep.Normalised != 2 || len(rep.Orphans) != 1 ||
		rep.Orphans[0] != (Orphan{Code: "9901", Name: "Atlantis", Parent: "99"}) {
		t.Fatalf("report %+v", rep)
	}
	for code, want := range map[string]string{"0601": "06", "0602": "06", "3401": "34", "9901": "99"} {
		r, err := st.Region(ctx, "district", code)
		if err != nil || r.Parent != want {
			t.Errorf("district %s: parent %q (%v), want %q", code, r.Parent, err, want)
		}
	}
	var b strings.Builder
	if err := rep.WriteText(&b, "store"); err != nil || !strings.Contains(b.String(), `9901 "Atlantis": parent "99" not found`) ||
		!strings.Contains(b.String(), "1 of 4 district regions have a parent code that no province region has") {
		t.Errorf("report text %q", b.String())
	}
	gaz, err := LoadGazetteer(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	res, ok, err := gaz.Geocode(ctx, Query{Province: "Ankara", District: "Merkez"})
	if err != nil || !ok || res.Precision != kume.PrecisionDistrict {
		t.Errorf("Merkez, Ankara: %+v %v %v", res, ok, err)
	}
}

func FuzzCodeKey(f *testing.F) {
	for _, s := range []string{"6", "06", " 006 ", "0", "00", "TR510", "tr510", "", "34-01", "٠٦", "0x6"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := CodeKey(s)
		if CodeKey(k) != k {
			t.Fatalf("CodeKey(%q) = %q, not idempotent (%q)", s, k, CodeKey(k))
		}
		if k != "" && strings.Trim(k, "0123456789") == "" {
			if CodeKey("0"+strings.TrimSpace(s)) != k || (k != "0" && k[0] == '0') {
				t.Fatalf("numeric code %q: key %q, with a leading zero %q", s, k, CodeKey("0"+strings.TrimSpace(s)))
			}
		}
		if strings.TrimSpace(s) == "" && k != "" {
			t.Fatalf("blank %q has key %q", s, k)
		}
	})
}
