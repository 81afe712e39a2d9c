package analysis

import (
	"fmt"
	"strings"
	"sync"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/basemap"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/nace"
	"github.com/kume-geo/kume/valuechain"
)

// NewInput returns the analysis input that the NACE taxonomy and the value
// chains in force define: NACE ancestors, chain memberships and roles, the
// traded/local classification (nace.Taxonomy.Market) and the sector names
// that clusters are named with. The caller adds the establishments and the
// regions.
func NewInput(tax *nace.Taxonomy, chains []kume.ValueChain) (geo.Input, error) {
	matcher, err := valuechain.NewMatcher(chains, tax)
	if err != nil {
		return geo.Input{}, fmt.Errorf("analysis: value chains: %w", err)
	}
	byID := make(map[string]*kume.ValueChain, len(chains))
	for i := range chains {
		byID[chains[i].ID] = &chains[i]
	}
	return geo.Input{
		Ancestors: tax.Ancestors,
		ChainsOf: func(code string) []geo.ChainRole {
			ms := matcher.Match(code)
			out := make([]geo.ChainRole, len(ms))
			for i, m := range ms {
				out[i] = geo.ChainRole{Chain: m.Chain, Role: m.Role}
			}
			return out
		},
		Chains:       chains,
		Traded:       tax.Traded,
		NearestPlace: nearestTown(),
		SectorNames: func(key string) (en, tr string) {
			if id, ok := strings.CutPrefix(key, "vc:"); ok {
				if vc := byID[id]; vc != nil {
					return vc.Name["en"], vc.Name["tr"]
				}
				return "", ""
			}
			if s, ok := tax.Lookup(key); ok {
				return s.NameEN, s.NameTR
			}
			return "", ""
		},
	}, nil
}

// nearestTown returns Input.NearestPlace over the offline basemap's
// populated places, loaded on first use (most runs name every cluster after
// a region and never load it).
func nearestTown() func(lon, lat float64) (en, tr string, km float64, ok bool) {
	var once sync.Once
	var bm *basemap.Basemap
	return func(lon, lat float64) (string, string, float64, bool) {
		once.Do(func() { bm, _ = basemap.New() })
		if bm == nil {
			return "", "", 0, false
		}
		p, ok := bm.NearestPlace(lon, lat, 100)
		if !ok {
			return "", "", 0, false
		}
		en, tr := p.NameEN, p.NameTR
		if en == "" {
			en = p.Name
		}
		if tr == "" {
			tr = en
		}
		return en, tr, p.Km, true
	}
}
