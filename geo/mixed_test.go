package geo

import (
	"testing"

	"github.com/kume-geo/kume"
)

// mixedWorld returns a uniform background and, at one site, firms of each
// of the given codes packed together.
func mixedWorld(site bool, codes ...string) []kume.Establishment {
	var es []kume.Establishment
	bg := []string{"47.11", "56.10", "25.11", "70.22", "62.01", "43.21"}
	for i := 0; i < 3000; i++ {
		es = append(es, firmAt(28.0+float64(i%60)*0.03, 40.0+float64(i/60)*0.03, bg[i%len(bg)], 3))
	}
	for k, code := range codes {
		for i := 0; i < 60; i++ {
			es = append(es, firmAt(28.9+float64(i%8)*0.001+float64(k)*0.0005, 40.7+float64(i/8)*0.001, code, 8))
		}
	}
	if site {
		es = append(es, kume.Establishment{Kind: kume.KindInstitution, Type: kume.OSB, Lon: 28.903, Lat: 40.703, Precision: kume.PrecisionAddress})
	}
	return es
}

// Unrelated activities specialised together on one site are the site's
// mix, not clusters; one alone is a cluster, site or not, and so are several
// without a site.
func TestMixedSite(t *testing.T) {
	keys := func(r *kume.AnalysisResult) map[string]bool {
		m := map[string]bool{}
		for _, c := range r.Clusters {
			m[c.Sector] = true
		}
		return m
	}
	p := DefaultParams()
	if k := keys(run(t, mixedWorld(true, "14.13", "10.11", "28.11"), p)); len(k) != 0 {
		t.Errorf("mixed site: clusters %v, want none", k)
	}
	if k := keys(run(t, mixedWorld(true, "14.13"), p)); !k["vc:textiles"] || len(k) != 1 {
		t.Errorf("one chain on a site: clusters %v, want vc:textiles", k)
	}
	if k := keys(run(t, mixedWorld(false, "14.13", "10.11"), p)); !k["vc:textiles"] || !k["vc:food"] {
		t.Errorf("two chains without a site: clusters %v, want vc:textiles and vc:food", k)
	}
	// The food chain's supplier (01) beside its core is one value chain,
	// not a mix.
	if k := keys(run(t, mixedWorld(true, "10.11", "01.11"), p)); !k["vc:food"] {
		t.Errorf("a chain's core and supplier on a site: clusters %v, want vc:food", k)
	}
}
