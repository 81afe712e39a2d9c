package geo

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strings"
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
	var c collector
	r, err := analyze(ctx, in, p, progress, &c, defaultBudget)
	if err != nil {
		return nil, err
	}
	r.Cells = c.cells
	return r, nil
}

// AnalyzeTo is Analyze with the cell statistics handed to sink as they are
// computed, ordered by (resolution, sector, cell), instead of collected in
// the result, whose Cells stay empty. A run then holds one or two batches of
// rows at a time, not all of them. A sink error ends the run with that error.
func AnalyzeTo(ctx context.Context, in Input, p Params, progress func(stage string, done, total int), sink CellSink) (*kume.AnalysisResult, error) {
	return analyze(ctx, in, p, progress, sink, defaultBudget)
}

// analyze is AnalyzeTo with the batch budget of fillRes.
func analyze(ctx context.Context, in Input, p Params, progress func(stage string, done, total int), sink CellSink, bud budget) (*kume.AnalysisResult, error) {
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
	d.focus = clusterFocus(d, &in, &p)
	if err := markBenchmark(d, rg, &p); err != nil {
		return nil, err
	}
	progress("regions", 0, 1)
	regions, refs := regionStats(d, rg, &p)
	res := &kume.AnalysisResult{Regions: regions}
	progress("regions", 1, 1)
	d.regions = nil
	d.firms = sortFirms(d.firms)
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

	// Pass 1 counts the rows of every key and resolution; pass 2 writes them,
	// batch by batch, into two reused buffers that the sink empties. Both
	// reuse one set of aggregation buffers, so that the garbage stays small.
	giOf := make([]bool, len(order))
	for i, s := range order {
		giOf[i] = p.giLevel(d.keyLevel[s])
	}
	var buf aggBuf
	plans := make([]resPlan, len(ress))
	total, need, most := 0, 0, 0
	var ra *resAgg
	// Counting goes finest first, so that the coarsest resolution's groups,
	// which filling starts with, are still in buf.
	for ri := len(ress) - 1; ri >= 0; ri-- {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r := ress[ri]
		progress("count", len(ress)-1-ri, len(ress))
		giRes := giKeys > 0 && r <= p.GiMaxRes
		// Counting needs the lists of the all-sector key and of Gi* keys only.
		want := make([]bool, len(d.keys))
		want[0] = true
		for i, s := range order {
			want[s] = want[s] || giRes && giOf[i]
		}
		ra = aggregate(d, r, &buf)
		buildLists(d, ra, &buf, want)
		plans[ri] = planRes(d, ra, order, giOf, giRes, p.K)
		plans[ri].cuts, plans[ri].need, plans[ri].most = batchKeys(d, ra.n, order, plans[ri].rows, bud)
		total += plans[ri].total
		need, most = max(need, plans[ri].need), max(most, plans[ri].most)
	}
	progress("count", len(ress), len(ress))
	if err := sink.Begin(total); err != nil {
		return nil, err
	}
	// Counting built long lists; filling needs the largest batch at most.
	buf.cells = make([]cellAgg, need)
	out := newPipe(sink, most)
	defer out.close()
	fpsOf := make([][]footprint, len(ress))
	for ri := range ress {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		progress("aggregate", ri, len(ress))
		if ri > 0 {
			ra = aggregate(d, ress[ri], &buf)
		}
		pl := &plans[ri]
		found, err := fillRes(ctx, d, ra, &buf, pl, out, order, giOf, &p, chainRoles, progress)
		if err != nil {
			return nil, err
		}
		for i := range found {
			fpsOf[ri] = append(fpsOf[ri], found[i]...)
		}
		*pl = resPlan{}
		progress("aggregate", ri+1, len(ress))
	}
	if err := out.close(); err != nil {
		return nil, err
	}
	var fps []footprint
	for _, f := range fpsOf {
		fps = append(fps, f...)
	}
	buf = aggBuf{}
	fps = selectClusters(d, dropMixed(d, fps, p.MinDominance))
	progress("footprints", 0, len(fps))
	finishClusters(d, fps, rg, refs, &in, &p)
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

// finishClusters adds the institutions, places, names, stars, strong flags,
// ecosystems and profiles of the selected clusters. Stars and the strong
// flag judge a cluster against the regions of the level that names it, as
// if it were one more region of that level; a cluster named by no level is
// judged against the other clusters of its key.
func finishClusters(d *data, fps []footprint, rg *regionIndex, refs map[refKey]unitRef, in *Input, p *Params) {
	parallelChunks(len(fps), func(lo, hi, _ int) {
		for i := lo; i < hi; i++ {
			institutionsAround(d, &fps[i], p.InstitutionKm)
			placeOf(d, &fps[i], rg, in.NearestPlace)
		}
	})
	nameClusters(fps, in.SectorNames)
	var loose []int // clusters named by no region level
	for i := range fps {
		f := &fps[i]
		si, st := f.starInput(), StrongInput{Employment: f.c.Employees, Establishments: float64(f.c.Firms), LQ: f.lqEmp}
		if ref, ok := refs[refKey{f.level, f.key}]; ok && f.level >= 0 {
			f.c.Stars, f.c.Strong = ref.stars(si, p.Stars), ref.isStrong(st)
			continue
		}
		loose = append(loose, i)
	}
	byKey := map[int32][]int{}
	for _, i := range loose {
		byKey[fps[i].key] = append(byKey[fps[i].key], i)
	}
	for _, idx := range byKey {
		si := make([]StarInput, len(idx))
		st := make([]StrongInput, len(idx))
		for j, i := range idx {
			f := &fps[i]
			si[j] = f.starInput()
			st[j] = StrongInput{Employment: f.c.Employees, Establishments: float64(f.c.Firms), LQ: f.lqEmp}
		}
		stars, strong := Stars(si, p.Stars), Strong(st)
		for j, i := range idx {
			fps[i].c.Stars, fps[i].c.Strong = stars[j], strong[j]
		}
	}
	for i := range fps {
		fps[i].c.Ecosystem = fps[i].ecosystem()
		pr := footprintProfile(&fps[i], p)
		if raw, err := json.Marshal(pr); err == nil {
			fps[i].c.Profile = raw
		}
	}
}

// starInput returns the numbers the star rules read of a cluster.
func (f *footprint) starInput() StarInput {
	focus := 0.0
	if f.allEmp > 0 {
		focus = f.c.Employees / f.allEmp
	}
	return StarInput{Employment: f.c.Employees, LQ: f.lqEmp, Focus: focus}
}
