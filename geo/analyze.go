package geo

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kume-geo/kume"
)

// RunInfo is what Analyze writes into AnalysisRun.Params besides the
// parameters: everything needed to reproduce the numbers from outside.
type RunInfo struct {
	Params        Params    `json:"params"`
	ReferenceDate time.Time `json:"reference_date"`
	StudyArea     string    `json:"study_area"`
	GiMeasure     string    `json:"gi_measure"`
	BaseRes       int       `json:"base_resolution"`
	Firms         int       `json:"firms"`
	Institutions  int       `json:"institutions"`
	Skipped       int       `json:"skipped_invalid_coordinates"`
	SectorKeys    int       `json:"sector_keys"`
	GiKeys        int       `json:"gi_sector_keys"`
}

// Analyze computes everything of one run: multi-resolution cell aggregates with
// LQ and Gi* (for the sector levels in p.GiLevels), cluster footprints with
// their profiles, and region statistics with stars and the strong-cluster
// flag. progress, when not nil, is called at each stage. Invalid parameters
// give an EINVALID error; bad records (NaN or out-of-range coordinates) are
// skipped and counted in the run's params.
func Analyze(ctx context.Context, in Input, p Params, progress func(stage string, done, total int)) (*kume.AnalysisResult, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if p.LQConvention == ConventionUSCMP && in.Traded == nil {
		return nil, kume.Errorf(kume.EINVALID, "geo: the %q LQ convention needs Input.Traded", ConventionUSCMP)
	}
	if progress == nil {
		progress = func(string, int, int) {}
	}
	started := time.Now().UTC()
	ref := in.RefDate
	if ref.IsZero() {
		ref = started
	}
	ress := slices.Clone(p.Resolutions)
	slices.Sort(ress)
	p.Resolutions = ress
	rg := newRegionIndex(in.Regions, &p)
	progress("ingest", 0, 1)
	d, err := ingest(ctx, &in, &p, ref, rg)
	if err != nil {
		return nil, err
	}
	progress("ingest", 1, 1)
	if err := markBenchmark(d, rg, &p); err != nil {
		return nil, err
	}
	progress("regions", 0, 1)
	res := &kume.AnalysisResult{Regions: regionStats(d, rg, &p)}
	progress("regions", 1, 1)
	d.regions = nil
	sortFirms(d.firms)
	chainRoles := chainRoleSets(d, &in)

	var order []int32 // sector ids in key order, hidden keys left out
	giKeys := 0
	for s := range d.keys {
		if d.keyLevel[s] == "hidden" {
			continue
		}
		order = append(order, int32(s))
		if p.giLevel(d.keyLevel[s]) {
			giKeys++
		}
	}
	slices.SortFunc(order, func(a, b int32) int { return cmp.Compare(d.keys[a], d.keys[b]) })

	var fps []footprint
	chunks := make([][]kume.CellStat, 0, len(ress)*len(order))
	for ri, r := range ress {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		progress("aggregate", ri, len(ress))
		ra := aggregate(d, r)
		insts := institutionCells(d, r)
		var occupied []uint64
		for _, c := range ra.sectors[0] {
			if c.firms > 0 {
				occupied = append(occupied, c.cell)
			}
		}
		var ring *ringIndex
		if giKeys > 0 && len(occupied) > 0 && r <= p.GiMaxRes {
			progress("neighbours", ri, len(ress))
			ring = newRingIndex(occupied, p.K)
		}
		rows := make([][]kume.CellStat, len(order))
		found := make([][]footprint, len(order))
		var next int
		var mu sync.Mutex
		var done int
		parallelChunks(parallelism(), func(_, _, _ int) {
			var sc *scratch
			for {
				if ctx.Err() != nil {
					return
				}
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= len(order) {
					return
				}
				s := order[i]
				var study []studyCell
				if ring != nil && p.giLevel(d.keyLevel[s]) {
					if sc == nil {
						sc = ring.newScratch()
					}
					study = ring.gi(ra.sectors[s], sc, p.FDR)
					found[i] = footprints(d, ra, s, study, ring, &p, chainRoles)
				}
				rows[i] = cellRows(d, ra, s, study, ring, &p, insts)
				mu.Lock()
				done++
				if done%64 == 0 {
					progress("cells", done, len(order))
				}
				mu.Unlock()
			}
		})
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for i := range rows {
			chunks = append(chunks, rows[i])
			fps = append(fps, found[i]...)
		}
		progress("aggregate", ri+1, len(ress))
	}
	n := 0
	for _, c := range chunks {
		n += len(c)
	}
	res.Cells = make([]kume.CellStat, 0, n)
	for i, c := range chunks {
		res.Cells = append(res.Cells, c...)
		chunks[i] = nil
	}
	progress("footprints", 0, len(fps))
	finishFootprints(d, fps, rg, &p)
	for i := range fps {
		res.Clusters = append(res.Clusters, fps[i].c)
	}
	progress("footprints", len(fps), len(fps))
	info := RunInfo{
		Params: p, ReferenceDate: ref, StudyArea: StudyArea, GiMeasure: "active firm count",
		BaseRes: d.base, Firms: len(d.firms), Institutions: len(d.insts), Skipped: d.skipped,
		SectorKeys: len(order), GiKeys: giKeys,
	}
	raw, err := json.Marshal(info)
	if err != nil {
		return nil, err
	}
	res.Run = kume.AnalysisRun{StartedAt: started, FinishedAt: time.Now().UTC(), Params: raw}
	return res, nil
}

// parallelism is the number of sector workers.
func parallelism() int { return max(1, min(64, runtimeProcs())) }

// markBenchmark flags the firms of the benchmark area.
func markBenchmark(d *data, rg *regionIndex, p *Params) error {
	if p.Benchmark == "" {
		for i := range d.firms {
			d.firms[i].flags |= fBench
		}
		return nil
	}
	lv, code, _ := strings.Cut(p.Benchmark, ":")
	l := slices.Index(rg.levels, lv)
	if l < 0 {
		return kume.Errorf(kume.EINVALID, "geo: benchmark level %q has no regions", lv)
	}
	r, ok := rg.byCode[l][code]
	if !ok {
		return kume.Errorf(kume.EINVALID, "geo: benchmark region %q not found", p.Benchmark)
	}
	for i := range d.firms {
		if d.regions[l][i] == r {
			d.firms[i].flags |= fBench
		}
	}
	return nil
}

// institutionCells counts institutions by type per cell at res (those whose
// precision allows the resolution).
func institutionCells(d *data, res int) map[uint64][]int32 {
	if len(d.insts) == 0 {
		return nil
	}
	m := map[uint64][]int32{}
	for i := range d.insts {
		in := &d.insts[i]
		if in.cell == 0 || int(in.maxRes) < res {
			continue
		}
		c := CellParent(in.cell, res)
		if m[c] == nil {
			m[c] = make([]int32, len(d.instTypes))
		}
		m[c][in.typ]++
	}
	return m
}

// finishFootprints adds institutions, stars, names and profiles.
func finishFootprints(d *data, fps []footprint, rg *regionIndex, p *Params) {
	parallelChunks(len(fps), func(lo, hi, _ int) {
		for i := lo; i < hi; i++ {
			institutionsAround(d, &fps[i], p.InstitutionKm)
			fps[i].c.Name = footprintName(&fps[i], rg)
		}
	})
	// Stars among the footprints of the same sector and resolution.
	type sr struct {
		s string
		r int
	}
	groups := map[sr][]int{}
	for i := range fps {
		k := sr{fps[i].c.Sector, fps[i].c.Res}
		groups[k] = append(groups[k], i)
	}
	for _, idx := range groups {
		si := make([]StarInput, len(idx))
		for j, i := range idx {
			f := &fps[i]
			focus := 0.0
			if f.allEmp > 0 {
				focus = f.c.Employees / f.allEmp
			}
			si[j] = StarInput{Employment: f.c.Employees, LQ: f.lqEmp, Focus: focus}
		}
		for j, st := range Stars(si, p.Stars) {
			fps[idx[j]].c.Stars = st
		}
	}
	for i := range fps {
		pr := footprintProfile(&fps[i], p)
		if raw, err := json.Marshal(pr); err == nil {
			fps[i].c.Profile = raw
		}
	}
}

// footprintName names a footprint after its sector and the region (first
// polygon level) that holds the centre of its lowest cell.
func footprintName(f *footprint, rg *regionIndex) string {
	name := f.c.Sector
	if name == "" {
		name = "all sectors"
	}
	if len(f.c.Cells) == 0 {
		return name
	}
	pt := CellCenter(f.c.Cells[0])
	for l := range rg.levels {
		if !rg.polygonal(l) {
			continue
		}
		if r := rg.locate(l, pt); r >= 0 {
			return name + " – " + rg.names[l][r]
		}
	}
	return name
}
