package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/kume-geo/kume/export"
	"github.com/kume-geo/kume/geo"
	"github.com/kume-geo/kume/layer"
)

// requests returns the requests the leak test sends as caller, by route
// (method and chi pattern). Every route of the router needs an entry; the
// requests aim at the private datasets' places, ids, cells, clusters and
// jobs, and at everything at once. Writes are chosen to leave the world as
// it is for the next caller: they fail, change nothing, or make a new empty
// dataset; the admin's delete aims at no dataset.
func (w *leakWorld) requests(caller string) map[string][]leakReq {
	ids := func(f func(i int) string) []leakReq {
		var out []leakReq
		for i := range leakPlaces {
			out = append(out, get(f(i)))
		}
		return out
	}
	firstOf := func(i int, inst bool) int64 {
		rows := w.rows[w.ds[i].ID]
		if inst {
			return rows[len(rows)-1].ID
		}
		return rows[0].ID
	}
	divisions := []string{"", "13", "62", "10"}
	r := map[string][]leakReq{
		"GET /api/docs":            {get("/api/docs")},
		"GET /api/openapi.json":    {get("/api/openapi.json")},
		"GET /healthz":             {get("/healthz")},
		"GET /readyz":              {get("/readyz")},
		"GET /metrics":             {get("/metrics")},
		"GET /*":                   {get("/"), get("/index.html")},
		"GET /api/v1/config":       {get("/api/v1/config")},
		"GET /api/v1/sectors":      {get("/api/v1/sectors?q=software"), get("/api/v1/sectors?q=bread")},
		"GET /api/v1/value-chains": {get("/api/v1/value-chains")},
		"PUT /api/v1/value-chains/{id}": {{method: http.MethodPut, target: "/api/v1/value-chains/textiles", body: "{}",
			ctype: "application/json"}},
		"GET /api/v1/analysis":  {get("/api/v1/analysis")},
		"POST /api/v1/analysis": {{method: http.MethodPost, target: "/api/v1/analysis?include_private=true"}},
		"GET /api/v1/datasets":  {get("/api/v1/datasets")},
		"POST /api/v1/datasets": {{method: http.MethodPost, target: "/api/v1/datasets",
			body: `{"name":"fresh-` + caller + `"}`, ctype: "application/json"}},
		"GET /api/v1/datasets/{id}": ids(func(i int) string { return "/api/v1/datasets/" + itoa(w.ds[i].ID) }),
		"GET /api/v1/establishments": append(ids(func(i int) string {
			return "/api/v1/establishments?limit=1000&bbox=" + leakPlaces[i].bbox()
		}), get("/api/v1/establishments?limit=1000"), get("/api/v1/establishments?dataset=agency-b"),
			get("/api/v1/establishments?dataset="+itoa(w.ds[2].ID)), get("/api/v1/establishments?kind=institution&limit=1000")),
		"GET /api/v1/establishments/{id}": append(ids(func(i int) string { return "/api/v1/establishments/" + itoa(firstOf(i, false)) }),
			ids(func(i int) string { return "/api/v1/establishments/" + itoa(firstOf(i, true)) })...),
		"GET /api/v1/timeline": {get("/api/v1/timeline?interval=month"), get("/api/v1/timeline?interval=year&kind=firm"),
			get("/api/v1/timeline?dataset=agency-a"), get("/api/v1/timeline?dataset=agency-b"), get("/api/v1/timeline?interval=month&bbox=" + leakPlaces[2].bbox())},
		"GET /api/v1/emerging": {get("/api/v1/emerging?res=7"), get("/api/v1/emerging?res=7&from=1900&to=2024&measure=employment"),
			get("/api/v1/emerging?res=6&sector=10&from=1900&to=1910"), get("/api/v1/emerging?res=7&dataset=agency-b")},
		"GET /api/v1/lisa": {get("/api/v1/lisa?res=7&permutations=9"), get("/api/v1/lisa?res=6&sector=62&permutations=9"),
			get("/api/v1/lisa?res=5&sector=10&permutations=9")},
		"GET /api/v1/rank": {get("/api/v1/rank?unit=region"), get("/api/v1/rank?unit=region&sector=62"),
			get("/api/v1/rank?unit=cluster"), get("/api/v1/rank?unit=cell&level=7&sector=10")},
		"GET /api/v1/regions": {get("/api/v1/regions"), get("/api/v1/regions?level=province")},
		"GET /api/v1/regions/{code}/profile": ids(func(i int) string {
			return "/api/v1/regions/" + leakPlaces[i].region + "/profile?level=province&sector=" + leakPlaces[i].nace
		}),
		"GET /api/v1/jobs":             {get("/api/v1/jobs"), get("/api/v1/jobs?kind=import")},
		"GET /api/v1/keys":             {get("/api/v1/keys")},
		"GET /ogc/":                    {get("/ogc/")},
		"GET /ogc/api":                 {get("/ogc/api")},
		"GET /ogc/conformance":         {get("/ogc/conformance")},
		"GET /ogc/collections":         {get("/ogc/collections")},
		"GET /tiles/{layers}":          {get("/tiles/hexagons.json"), get("/tiles/hexagons,clusters.json"), get("/tiles/establishments.json")},
		"DELETE /api/v1/datasets/{id}": {{method: http.MethodDelete, target: "/api/v1/datasets/999"}},
	}
	if caller != "admin" {
		r["DELETE /api/v1/datasets/{id}"] = append(r["DELETE /api/v1/datasets/{id}"],
			leakReq{method: http.MethodDelete, target: "/api/v1/datasets/" + itoa(w.ds[2].ID)})
	}
	for i := range leakPlaces {
		id := itoa(w.ds[i].ID)
		r["PATCH /api/v1/datasets/{id}"] = append(r["PATCH /api/v1/datasets/{id}"], leakReq{method: http.MethodPatch,
			target: "/api/v1/datasets/" + id, body: `{"visibility":"` + string(leakPlaces[i].vis) + `"}`, ctype: "application/json"})
		r["POST /api/v1/datasets/{id}/imports"] = append(r["POST /api/v1/datasets/{id}/imports"], leakReq{method: http.MethodPost,
			target: "/api/v1/datasets/" + id + "/imports?on-error=skip", ctype: "text/csv"})
	}
	for _, j := range []string{w.jobs[w.ds[1].ID], w.jobs[w.ds[2].ID], w.anaJob} {
		r["GET /api/v1/jobs/{job}"] = append(r["GET /api/v1/jobs/{job}"], get("/api/v1/jobs/"+j))
		r["GET /api/v1/imports/{job}"] = append(r["GET /api/v1/imports/{job}"], get("/api/v1/imports/"+j))
		r["GET /api/v1/imports/{job}/rejects"] = append(r["GET /api/v1/imports/{job}/rejects"], get("/api/v1/imports/"+j+"/rejects"))
	}
	spare := itoa(w.keyIDs["spare"])
	r["PUT /api/v1/keys/{id}/grants/{dataset}"] = []leakReq{{method: http.MethodPut, target: "/api/v1/keys/" + spare + "/grants/agency-b",
		body: `{"right":"read"}`, ctype: "application/json"}}
	r["DELETE /api/v1/keys/{id}/grants/{dataset}"] = []leakReq{{method: http.MethodDelete, target: "/api/v1/keys/" + spare + "/grants/agency-b"}}

	// The analyses' faces: every resolution and sector, boxes of each place.
	for _, res := range []int{5, 6, 7, 8} {
		for _, div := range divisions {
			q := fmt.Sprintf("res=%d&sector=%s&limit=10000", res, div)
			r["GET /api/v1/hexagons"] = append(r["GET /api/v1/hexagons"], get("/api/v1/hexagons?"+q))
			r["GET /api/v1/clusters"] = append(r["GET /api/v1/clusters"], get(fmt.Sprintf("/api/v1/clusters?res=%d&sector=%s", res, div)))
		}
	}
	r["GET /api/v1/hexagons"] = append(r["GET /api/v1/hexagons"], get("/api/v1/hexagons?res=7&include_empty=true&limit=10000"))
	r["GET /api/v1/clusters"] = append(r["GET /api/v1/clusters"], get("/api/v1/clusters"))
	var clusterIDs []string
	for _, id := range w.clusters {
		clusterIDs = append(clusterIDs, id...)
	}
	r["GET /api/v1/clusters/{id}"] = []leakReq{get("/api/v1/clusters/none-5-0")}
	r["GET /api/v1/clusters/{id}/dynamics"] = []leakReq{get("/api/v1/clusters/none-5-0/dynamics")}
	for _, id := range clusterIDs {
		r["GET /api/v1/clusters/{id}"] = append(r["GET /api/v1/clusters/{id}"], get("/api/v1/clusters/"+id))
		r["GET /api/v1/clusters/{id}/dynamics"] = append(r["GET /api/v1/clusters/{id}/dynamics"],
			get("/api/v1/clusters/"+id+"/dynamics"), get("/api/v1/clusters/"+id+"/dynamics?from=1900&to=2024&undated=omit"))
	}
	for _, l := range export.Layers() {
		for _, ext := range []string{"geojson", "csv"} {
			route := "GET /api/v1/export/{layer}." + ext
			r[route] = append(r[route], get("/api/v1/export/"+l+"."+ext+"?limit=10000"))
			for i := range leakPlaces {
				r[route] = append(r[route], get("/api/v1/export/"+l+"."+ext+"?limit=10000&bbox="+leakPlaces[i].bbox()))
			}
			if l == export.LayerHexagons {
				for _, res := range []int{5, 8} {
					r[route] = append(r[route], get(fmt.Sprintf("/api/v1/export/hexagons.%s?res=%d&limit=10000", ext, res)))
				}
			}
			if len(clusterIDs) > 0 && (l == export.LayerHexagons || l == export.LayerEstablishments) {
				r[route] = append(r[route], get("/api/v1/export/"+l+"."+ext+"?cluster="+clusterIDs[len(clusterIDs)-1]))
			}
		}
		r["GET /ogc/collections/{collectionId}"] = append(r["GET /ogc/collections/{collectionId}"], get("/ogc/collections/"+l))
		r["GET /ogc/collections/{collectionId}/queryables"] = append(r["GET /ogc/collections/{collectionId}/queryables"],
			get("/ogc/collections/"+l+"/queryables"))
		items := "GET /ogc/collections/{collectionId}/items"
		r[items] = append(r[items], get("/ogc/collections/"+l+"/items?limit=10000"))
		for i := range leakPlaces {
			r[items] = append(r[items], get("/ogc/collections/"+l+"/items?limit=10000&bbox="+leakPlaces[i].bbox()))
		}
		r[items] = append(r[items], get("/ogc/collections/"+l+"/items?limit=10000&filter="+strings.ReplaceAll("firms > 0", " ", "%20")))
	}
	item := "GET /ogc/collections/{collectionId}/items/{featureId}"
	for i := range leakPlaces {
		r[item] = append(r[item], get("/ogc/collections/establishments/items/"+itoa(firstOf(i, false))),
			get("/ogc/collections/institutions/items/"+itoa(firstOf(i, true))))
		e := w.rows[w.ds[i].ID][0]
		for _, res := range []int{5, 7} {
			if c, err := geo.CellOf(e.Lon, e.Lat, res); err == nil {
				r[item] = append(r[item], get("/ogc/collections/hexagons/items/"+layer.CellID(c)))
			}
		}
		r[item] = append(r[item], get("/ogc/collections/regions/items/province:"+leakPlaces[i].region))
	}
	for _, id := range clusterIDs {
		r[item] = append(r[item], get("/ogc/collections/clusters/items/"+id))
	}

	// Vector tiles: the analyses' layers at zooms of every resolution, the
	// points at z14 and z12, each around every place.
	tile := "GET /tiles/{layers}/{z}/{x}/{y}"
	for i := range leakPlaces {
		for _, z := range []int{5, 7, 9} {
			r[tile] = append(r[tile], w.tilesAround(i, z, "hexagons,clusters,regions")...)
			r[tile] = append(r[tile], w.tilesAround(i, z, "hexagons")...)
		}
		r[tile] = append(r[tile], w.tilesAround(i, 14, "establishments,institutions")...)
		r[tile] = append(r[tile], w.tilesAround(i, 12, "establishments")...)
		r[tile] = append(r[tile], w.tilesAround(i, 10, "institutions")...)
		for _, t := range w.tilesAround(i, 9, "emerging") {
			t.target += "?res=7&from=1900&to=2024&sector=" + strings.Split(leakPlaces[i].nace, ".")[0]
			r[tile] = append(r[tile], t)
		}
		for _, q := range []string{"?sector=" + strings.Split(leakPlaces[i].nace, ".")[0], "?res=8"} {
			for _, t := range w.tilesAround(i, 8, "hexagons,clusters") {
				t.target += q
				r[tile] = append(r[tile], t)
			}
		}
	}

	// Versioned tiles at every version a caller could name: the data
	// version and each scope's analysis version.
	vtile := "GET /tiles/v/{version}/{layers}/{z}/{x}/{y}"
	for _, v := range w.versions() {
		for i := range leakPlaces {
			for _, layers := range []string{"hexagons,clusters,regions", "establishments,institutions"} {
				z := 7
				if strings.HasPrefix(layers, "establishments") {
					z = 14
				}
				for _, t := range w.tilesAround(i, z, layers) {
					t.target = strings.Replace(t.target, "/tiles/", fmt.Sprintf("/tiles/v/%d/", v), 1)
					r[vtile] = append(r[vtile], t)
				}
			}
		}
	}

	// Places, labels and trends around every place, of its region, sector
	// and clusters.
	for i, p := range leakPlaces {
		r["GET /api/v1/places"] = append(r["GET /api/v1/places"], get(fmt.Sprintf("/api/v1/places?at=%.4f,%.4f", p.lon, p.lat)))
		r["GET /api/v1/trends"] = append(r["GET /api/v1/trends"], get("/api/v1/trends?region=province:"+p.region),
			get("/api/v1/trends?interval=year&region=province:"+p.region+"&sector="+strings.Split(p.nace, ".")[0]))
		for _, id := range w.clusters[w.ds[i].ID] {
			r["GET /api/v1/trends"] = append(r["GET /api/v1/trends"], get("/api/v1/trends?cluster="+id))
		}
	}
	r["GET /api/v1/region-labels"] = []leakReq{get("/api/v1/region-labels"), get("/api/v1/region-labels?level=province")}
	r["GET /basemap/{z}/{x}/{y}"] = []leakReq{get("/basemap/5/18/12.mvt")}
	return r
}

// versions returns the store's data version and the version of every
// scope's current analysis.
func (w *leakWorld) versions() []int64 {
	ctx := context.Background()
	dv, err := w.st.DataVersion(ctx)
	if err != nil {
		return nil
	}
	out := []int64{dv}
	runs, _ := w.st.Analyses(ctx)
	for _, run := range runs {
		out = append(out, run.Version)
	}
	return out
}
