package geo

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/kume-geo/kume"
)

// Statement is one derived strength or weakness, tied to the number behind it.
type Statement struct {
	Kind   string  `json:"kind"`   // "strength" or "weakness"
	Metric string  `json:"metric"` // key of the metric it rests on
	Value  float64 `json:"value"`
	TR     string  `json:"tr"`
	EN     string  `json:"en"`
}

// ProfileFacts are the numbers of a sector key in one unit (a region or a
// footprint) from which a Profile is derived. Nil pointers are unknown.
type ProfileFacts struct {
	Unit      string   `json:"unit"` // cluster id or "level:code"
	Sector    string   `json:"sector"`
	Firms     int      `json:"firms"`
	Employees float64  `json:"employees"`
	Share     *float64 `json:"share"` // of the sector's total firms
	LQ        *float64 `json:"lq"`
	Entries   int      `json:"entries"`
	Exits     int      `json:"exits"`
	// Undated counts the firms whose founding date is unknown; entries miss
	// them, so growth is claimed only when few are (MaxUndatedShare).
	Undated int `json:"undated"`
	// FocusFirms and Expected are a cluster's firms of its tested activity
	// and the number expected at the benchmark's share (nil for regions).
	FocusFirms   int                          `json:"focus_firms,omitempty"`
	Expected     *float64                     `json:"expected,omitempty"`
	Sizes        map[string]int               `json:"sizes,omitempty"` // micro, small, medium, large, unknown
	Institutions map[kume.InstitutionType]int `json:"institutions,omitempty"`
	// InstitutionsUnloadedKm, when set, says why Institutions is nil: the
	// register holds no institution within that many km (a note says so).
	InstitutionsUnloadedKm float64     `json:"institutions_unloaded_km,omitempty"`
	RolesPresent           []kume.Role `json:"roles_present,omitempty"`
	RolesMissing           []kume.Role `json:"roles_missing,omitempty"`
	Completeness           *float64    `json:"completeness"`
	Stars                  int         `json:"stars"`
	MinFirms               int         `json:"min_firms"` // critical mass (Cluster Support Programme: 20)
	DynamismYears          int         `json:"dynamism_years"`
	SuppressedNote         bool        `json:"suppressed"`
}

// Profile is the competitiveness profile of a sector key in a unit: its
// numbers and the strengths and weaknesses derived from them, each sentence in
// Turkish and English with the metric key and value it rests on.
type Profile struct {
	ProfileFacts
	// Growth is (entries − exits) / firms over the dynamism window; nil when
	// there are no firms, or when the founding dates of more than
	// MaxUndatedShare of them are unknown.
	Growth     *float64    `json:"growth"`
	Strengths  []Statement `json:"strengths"`
	Weaknesses []Statement `json:"weaknesses"`
	// Notes say what the numbers cannot tell (kind "note").
	Notes []Statement `json:"notes,omitempty"`
}

// MaxUndatedShare is the largest share of firms of unknown founding date
// for which a profile still states growth.
const MaxUndatedShare = 0.10

// SizeClasses names the firm-size classes (EU: micro < 10, small < 50,
// medium < 250, large ≥ 250 employees; unknown when no count is known).
func SizeClasses() []string { return []string{"micro", "small", "medium", "large", "unknown"} }

// BuildProfile derives the strengths and weaknesses from the facts. The rules
// (all stated with their numbers): LQ ≥ 2 specialised, LQ < 1 under-
// represented; firms ≥ MinFirms critical mass, fewer a weakness; growth > 5 %
// growing, < 0 shrinking; medium and large firms ≥ 10 % of firms with a known
// size a strength, micro ≥ 90 % fragmented; a university and a chamber present
// or absent; missing value-chain roles; two or more stars.
func BuildProfile(f ProfileFacts) Profile {
	pr := Profile{ProfileFacts: f}
	add := func(strength bool, metric string, v float64, tr, en string) {
		s := Statement{Metric: metric, Value: v, TR: tr, EN: en}
		if strength {
			s.Kind = "strength"
			pr.Strengths = append(pr.Strengths, s)
		} else {
			s.Kind = "weakness"
			pr.Weaknesses = append(pr.Weaknesses, s)
		}
	}
	dated := f.Firms > 0 && float64(f.Undated) <= MaxUndatedShare*float64(f.Firms)
	if dated {
		g := float64(f.Entries-f.Exits) / float64(f.Firms)
		pr.Growth = &g
	} else if f.Firms > 0 {
		share := float64(f.Undated) / float64(f.Firms)
		pr.Notes = append(pr.Notes, Statement{Kind: "note", Metric: "undated", Value: share,
			TR: fmt.Sprintf("%d firmanın %d tanesinin kuruluş tarihi bilinmiyor: büyüme hesaplanmadı.", f.Firms, f.Undated),
			EN: fmt.Sprintf("Founding dates are unknown for %d of %d firms: no growth is stated.", f.Undated, f.Firms)})
	}
	if f.Institutions == nil && f.InstitutionsUnloadedKm > 0 {
		km := f.InstitutionsUnloadedKm
		pr.Notes = append(pr.Notes, Statement{Kind: "note", Metric: "institutions", Value: km,
			TR: fmt.Sprintf("%.0f km çevrede yüklü destekleyici kurum yok: üniversite, oda ve diğer kurumlar değerlendirilmedi.", km),
			EN: fmt.Sprintf("No supporting institutions are loaded within %.0f km: universities, chambers and the other institutions are not assessed.", km)})
	}
	if f.Expected != nil && *f.Expected > 0 && f.FocusFirms > 0 {
		add(true, "focus_firms", float64(f.FocusFirms),
			fmt.Sprintf("Anlamlı uzmanlaşma: beklenen %.1f yerine %d firma (%.1f kat).", *f.Expected, f.FocusFirms, float64(f.FocusFirms) / *f.Expected),
			fmt.Sprintf("Significant specialisation: %d firms of the core activity where %.1f were expected (%.1f times).", f.FocusFirms, *f.Expected, float64(f.FocusFirms) / *f.Expected))
	}
	if f.LQ != nil {
		switch lq := *f.LQ; {
		case lq >= 2:
			add(true, "lq", lq, fmt.Sprintf("Yüksek uzmanlaşma: yerelleşme katsayısı %.2f (≥ 2).", lq),
				fmt.Sprintf("Strong specialisation: location quotient %.2f (≥ 2).", lq))
		case lq < 1:
			add(false, "lq", lq, fmt.Sprintf("Sektör ortalamanın altında temsil ediliyor: yerelleşme katsayısı %.2f (< 1).", lq),
				fmt.Sprintf("Under-represented: location quotient %.2f (< 1).", lq))
		}
	}
	if f.MinFirms > 0 {
		// A cluster's critical mass counts its main activity (the tested
		// one); a region's, all its firms of the sector.
		n, metric, tr, en := f.Firms, "firms", "firma", "firms"
		if f.FocusFirms > 0 {
			n, metric, tr, en = f.FocusFirms, "focus_firms", "ana faaliyet firması", "firms of the main activity"
		}
		if n >= f.MinFirms {
			add(true, metric, float64(n), fmt.Sprintf("Kritik kütle: %d %s (en az %d).", n, tr, f.MinFirms),
				fmt.Sprintf("Critical mass: %d %s (at least %d).", n, en, f.MinFirms))
		} else {
			add(false, metric, float64(n), fmt.Sprintf("Kritik kütlenin altında: %d %s (en az %d gerekli).", n, tr, f.MinFirms),
				fmt.Sprintf("Below critical mass: %d %s (%d needed).", n, en, f.MinFirms))
		}
	}
	if pr.Growth != nil && (f.Entries > 0 || f.Exits > 0) {
		g := *pr.Growth * 100
		switch {
		case g > 5:
			add(true, "growth", *pr.Growth, fmt.Sprintf("Büyüyor: son %d yılda net firma artışı %%%.1f.", f.DynamismYears, g),
				fmt.Sprintf("Growing: net firm growth of %.1f%% over the last %d years.", g, f.DynamismYears))
		case g < 0:
			add(false, "growth", *pr.Growth, fmt.Sprintf("Küçülüyor: son %d yılda net firma değişimi %%%.1f.", f.DynamismYears, g),
				fmt.Sprintf("Shrinking: net firm change of %.1f%% over the last %d years.", g, f.DynamismYears))
		}
	}
	known := f.Sizes["micro"] + f.Sizes["small"] + f.Sizes["medium"] + f.Sizes["large"]
	if known > 0 {
		big := float64(f.Sizes["medium"]+f.Sizes["large"]) / float64(known)
		micro := float64(f.Sizes["micro"]) / float64(known)
		if big >= 0.10 {
			add(true, "share_medium_large", big, fmt.Sprintf("Orta ve büyük ölçekli firmaların payı %%%.0f.", big*100),
				fmt.Sprintf("Medium and large firms make up %.0f%% of firms.", big*100))
		}
		if micro >= 0.90 {
			add(false, "share_micro", micro, fmt.Sprintf("Parçalı yapı: firmaların %%%.0f'i mikro ölçekli.", micro*100),
				fmt.Sprintf("Fragmented: %.0f%% of firms are micro enterprises.", micro*100))
		}
	}
	for _, t := range []struct {
		typ    kume.InstitutionType
		tr, en string
	}{{kume.University, "üniversite", "university"}, {kume.Chamber, "oda", "chamber"}} {
		if f.Institutions == nil {
			break // unknown, not absent
		}
		n := f.Institutions[t.typ]
		if n > 0 {
			add(true, "institutions."+string(t.typ), float64(n), fmt.Sprintf("Destekleyici kurum: %d %s.", n, t.tr),
				fmt.Sprintf("Supporting institutions: %d %s(s).", n, t.en))
		} else {
			add(false, "institutions."+string(t.typ), 0, fmt.Sprintf("Yakında %s yok.", t.tr),
				fmt.Sprintf("No %s within reach.", t.en))
		}
	}
	if len(f.RolesMissing) > 0 {
		names := make([]string, len(f.RolesMissing))
		for i, r := range f.RolesMissing {
			names[i] = string(r)
		}
		v := math.NaN()
		if f.Completeness != nil {
			v = *f.Completeness
		}
		if !finite(v) {
			v = 0
		}
		add(false, "completeness", v, fmt.Sprintf("Değer zincirinde eksik halkalar: %s (tamlık %%%.0f).", strings.Join(names, ", "), v*100),
			fmt.Sprintf("Value-chain gaps: %s (completeness %.0f%%).", strings.Join(names, ", "), v*100))
	} else if f.Completeness != nil && *f.Completeness >= 1 {
		add(true, "completeness", *f.Completeness, "Değer zincirinin tüm halkaları mevcut.", "Every value-chain role is present.")
	}
	if f.Stars >= 2 {
		add(true, "stars", float64(f.Stars), fmt.Sprintf("Avrupa Küme Gözlemevi ölçütlerine göre %d yıldız.", f.Stars),
			fmt.Sprintf("%d stars by the European Cluster Observatory criteria.", f.Stars))
	}
	return pr
}

func footprintProfile(f *footprint, p *Params) Profile {
	c := &f.c
	inst := map[kume.InstitutionType]int{}
	for t, n := range c.InstitutionsInside {
		inst[t] += n
	}
	for t, n := range c.InstitutionsNear {
		inst[t] += n
	}
	sizes := map[string]int{}
	for i, name := range SizeClasses() {
		sizes[name] = f.sizes[i]
	}
	share, expected := c.Share, c.Expected
	var unloadedKm float64
	if !f.instKnown {
		inst, unloadedKm = nil, InstitutionCoverKm
	}
	return BuildProfile(ProfileFacts{
		Unit: c.ID, Sector: c.Sector, Firms: c.Firms, Employees: c.Employees, Share: &share,
		LQ: c.LQ, Entries: f.entries, Exits: f.exits, Undated: f.undated, FocusFirms: c.FocusFirms, Expected: &expected,
		Sizes: sizes, Institutions: inst, InstitutionsUnloadedKm: unloadedKm,
		RolesPresent: c.RolesPresent, RolesMissing: c.RolesMissing, Completeness: c.Completeness,
		Stars: c.Stars, MinFirms: p.MinFirms, DynamismYears: p.DynamismYears, SuppressedNote: c.Suppressed,
	})
}

// RegionProfile builds the profile of a sector key in one region from a
// stored analysis result (size structure and institutions are not part of
// region statistics and stay empty).
func RegionProfile(r *kume.AnalysisResult, level, code, sector string, p Params) (Profile, error) {
	i := slices.IndexFunc(r.Regions, func(s kume.RegionStat) bool {
		return s.Level == level && s.Code == code && s.Sector == sector
	})
	if i < 0 {
		return Profile{}, kume.Errorf(kume.ENOTFOUND, "geo: no statistics for %s in %s:%s", sector, level, code)
	}
	rs := r.Regions[i]
	var tot float64
	for _, s := range r.Regions {
		if s.Level == level && s.Sector == sector {
			tot += float64(s.Firms)
		}
	}
	var share *float64
	if tot > 0 {
		v := float64(rs.Firms) / tot
		share = &v
	}
	lq := rs.LQEmployed
	if lq == nil {
		lq = rs.LQ
	}
	return BuildProfile(ProfileFacts{
		Unit: level + ":" + code, Sector: sector, Firms: rs.Firms, Employees: rs.Employees, Share: share,
		LQ: lq, Entries: rs.Entries, Exits: rs.Exits, Undated: rs.Undated, Stars: rs.Stars, MinFirms: p.MinFirms,
		DynamismYears: p.DynamismYears, SuppressedNote: rs.Suppressed,
	}), nil
}
