package api

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/emerging"
	"github.com/kume-geo/kume/export"
	"github.com/kume-geo/kume/geo"
)

// dynamicsParamNames are the parameters of GET /clusters/{id}/dynamics: the
// options of the emerging hot spot analysis but its resolution, which is
// the cluster's.
func dynamicsParamNames() []string {
	return slices.DeleteFunc(emerging.ParamNames(), func(n string) bool { return n == emerging.ParamRes })
}

// dynamicsCell is the pattern of one cell of a cluster.
type dynamicsCell struct {
	Cell         string   `json:"cell"`
	Category     string   `json:"category"`
	CategoryCode int      `json:"category_code"`
	TrendZ       *float64 `json:"trend_z"`
	TrendP       *float64 `json:"trend_p"`
	Tau          *float64 `json:"tau"`
}

// handleClusterDynamics says whether a cluster's cells are emerging,
// persistent or diminishing hot spots: the emerging hot spot analysis of the
// cluster's sector key at its resolution (package emerging: the answer the
// map's emerging view and tiles read, computed once and kept until the data
// changes), read at the footprint's cells, with a one-line summary in
// English and Turkish and what the firms' dates lack. It is its own route,
// not a member of the cluster, so that a profile does not wait for a cube.
func (s *Server) handleClusterDynamics(w http.ResponseWriter, r *http.Request) {
	p, err := parseParams(r, dynamicsParamNames()...)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id := chi.URLParam(r, "id")
	if !clusterIDRE.MatchString(id) {
		s.writeError(w, r, kume.Errorf(kume.EINVALID, "malformed cluster id"))
		return
	}
	ctx, cancel := s.exportContext(r)
	defer cancel()
	eng, err := s.emergingEngine()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v := s.view(r)
	req, err := emergingCaller(ctx, r, v)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := v.Cluster(ctx, 0, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	req.Sector = c.Sector
	if req.Options, err = emerging.ParseOptions(func(name string) (string, bool) { return p.v.Get(name), p.has(name) }); err != nil {
		s.writeError(w, r, err)
		return
	}
	req.Res = c.Res
	ans, _, err := eng.Run(ctx, req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cells := make([]dynamicsCell, len(c.Cells))
	for i, cell := range c.Cells {
		cells[i] = dynamicsCell{Cell: export.CellID(cell), Category: string(geo.NoPattern)}
		if e, ok := ans.Cell(cell); ok {
			cells[i] = dynamicsCell{Cell: export.CellID(cell), Category: e.Category, CategoryCode: e.Code, TrendZ: e.TrendZ, TrendP: e.TrendP, Tau: e.Tau}
		}
	}
	steps := ans.Steps()
	q := req.Values()
	q.Set("sector", c.Sector)
	q.Set(emerging.ParamRes, strconv.Itoa(c.Res))
	writeJSON(w, http.StatusOK, struct {
		Cluster string `json:"cluster"`
		Sector  string `json:"sector"`
		Res     int    `json:"res"`
		emerging.Dynamics
		CellCategories []dynamicsCell      `json:"cell_categories"`
		Method         string              `json:"method"`
		Step           geo.Step            `json:"step"`
		From           string              `json:"from"`
		To             string              `json:"to"`
		Window         int                 `json:"window"`
		Alpha          float64             `json:"alpha"`
		FDR            bool                `json:"fdr"`
		Undated        geo.Undated         `json:"undated"`
		Firms          emerging.FirmCounts `json:"firms"`
		Dates          emerging.Dates      `json:"dates"`
		Emerging       string              `json:"emerging"`
		Kume           *export.Provenance  `json:"kume"`
	}{id, c.Sector, c.Res, ans.Dynamics(c.Cells), cells, geo.EmergingMethod, ans.Result.Params.Steps.Step,
		steps[0].Label, steps[len(steps)-1].Label, ans.Result.Params.Window, ans.Result.Params.Alpha(), ans.Result.Params.FDR,
		ans.Result.Params.Undated, ans.Firms, ans.Dates, "/api/v1/emerging?" + q.Encode(), ans.Provenance})
}
