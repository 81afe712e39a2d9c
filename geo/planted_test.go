package geo_test

import (
	"context"
	"flag"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/analysis"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/nace"
	"github.com/kume-geo/kume/valuechain"
	"github.com/paulmach/orb"
)

var plantSeeds = flag.Int("plant.seeds", 3, "number of planted worlds TestPlantedWorlds generates")

// plantScore is how a run did on one planted world.
type plantScore struct {
	reported, truePos, found, planted int
	maxPer                            int // most clusters reported for one planted cluster
	falses                            []string
}

// scorePlanted matches reported clusters with the planted ones: a cluster
// matches when its key is the planted chain (or a division of its core) and
// one of its cells' centres lies within three spreads (plus 2 km) of the
// planted centre.
func scorePlanted(w *plantWorld, cls []kume.Cluster) plantScore {
	sc := plantScore{reported: len(cls), planted: len(w.clusters)}
	per := make([]int, len(w.clusters))
	for _, c := range cls {
		hit := false
		for i, pc := range w.clusters {
			if !plantedKey(pc, c.Sector) {
				continue
			}
			reach := 3*pc.sigmaKm + 2
			for _, cell := range c.Cells {
				if distKm(geo.CellCenter(cell), pc.centre) <= reach {
					hit = true
					per[i]++
					break
				}
			}
		}
		if hit {
			sc.truePos++
		} else {
			sc.falses = append(sc.falses, fmt.Sprintf("%s (res %d, %d firms, LQ %.2f)", c.Name, c.Res, c.Firms, deref(c.LQ)))
		}
	}
	for _, n := range per {
		if n > 0 {
			sc.found++
		}
		sc.maxPer = max(sc.maxPer, n)
	}
	return sc
}

func plantedKey(pc plantedCluster, key string) bool {
	if pc.chain != "" && key == "vc:"+pc.chain {
		return true
	}
	if pc.chain == "" {
		return key == pc.division
	}
	for _, c := range pc.core {
		if strings.HasPrefix(c, key+".") {
			return true
		}
	}
	return false
}

func deref(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

func distKm(a, b orb.Point) float64 {
	dLat := (a[1] - b[1]) * 111
	dLon := (a[0] - b[0]) * 111 * math.Cos((a[1]+b[1])/2*math.Pi/180)
	return math.Hypot(dLat, dLon)
}

// TestPlantedWorlds runs the analysis on generated countries where the
// clusters are known: every planted value chain must be found, with at most
// three clusters each, and at most a tenth of the reported clusters may be
// false (city centres of a uniform mix, mixed industrial zones, local
// services, all-sector agglomerations).
func TestPlantedWorlds(t *testing.T) {
	tax, err := nace.New()
	if err != nil {
		t.Fatal(err)
	}
	chains, err := valuechain.Default()
	if err != nil {
		t.Fatal(err)
	}
	var tot plantScore
	for seed := uint64(1); seed <= uint64(*plantSeeds); seed++ {
		w := newPlantWorld(tax, chains, seed, 1)
		in, err := analysis.NewInput(tax, chains)
		if err != nil {
			t.Fatal(err)
		}
		in.Establishments, in.Regions = geo.Slice(w.es), w.regions
		r, err := geo.Analyze(context.Background(), in, geo.DefaultParams(), nil)
		if err != nil {
			t.Fatal(err)
		}
		sc := scorePlanted(w, r.Clusters)
		t.Logf("seed %d: %d firms, %d planted, found %d, reported %d, true %d, most per planted %d", seed, len(w.es),
			sc.planted, sc.found, sc.reported, sc.truePos, sc.maxPer)
		for _, f := range sc.falses {
			t.Logf("  false: %s", f)
		}
		for _, c := range r.Clusters {
			if lv := geo.SectorLevel(c.Sector); lv != geo.LevelChain && lv != geo.LevelDivision {
				t.Errorf("seed %d: cluster of a %s key %q", seed, lv, c.Sector)
			}
			if lv := geo.SectorLevel(c.Sector); lv == geo.LevelDivision && !tax.Traded(c.Sector) {
				t.Errorf("seed %d: cluster of the local division %s", seed, c.Sector)
			}
			if !strings.Contains(c.Name, "Synthetic city") || !strings.Contains(c.NameTR, " – ") {
				t.Errorf("seed %d: cluster named %q / %q", seed, c.Name, c.NameTR)
			}
		}
		if sc.found != sc.planted {
			t.Errorf("seed %d: found %d of %d planted clusters", seed, sc.found, sc.planted)
		}
		if sc.maxPer > 3 {
			t.Errorf("seed %d: %d clusters for one planted cluster, want at most 3", seed, sc.maxPer)
		}
		tot.reported += sc.reported
		tot.truePos += sc.truePos
		tot.found += sc.found
		tot.planted += sc.planted
	}
	precision := float64(tot.truePos) / math.Max(1, float64(tot.reported))
	recall := float64(tot.found) / float64(tot.planted)
	t.Logf("%d worlds: precision %.3f (%d of %d reported), recall %.3f (%d of %d planted)", *plantSeeds,
		precision, tot.truePos, tot.reported, recall, tot.found, tot.planted)
	if precision < 0.9 {
		t.Errorf("precision %.3f: more than a tenth of the reported clusters are false", precision)
	}
}
