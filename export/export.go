// Package export writes kume's layers (establishments, institutions, hexagons,
// clusters and regions) as RFC 7946 GeoJSON or CSV, streaming one feature at a
// time so that memory stays constant whatever the size of the layer, each
// with its provenance (the datasets, their licences and the analysis). The
// HTTP API and the "kume export" command share it, and build the query of a
// layer from its filters with one function (NewQuery).
package export

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/paulmach/orb"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/layer"
)

// Layer names (those of package layer).
const (
	LayerEstablishments = layer.Establishments
	LayerInstitutions   = layer.Institutions
	LayerHexagons       = layer.Hexagons
	LayerClusters       = layer.Clusters
	LayerRegions        = layer.Regions
)

// Layers lists every exportable layer in a stable order.
func Layers() []string { return layer.Names() }

// ValidLayer reports whether name is an exportable layer.
func ValidLayer(name string) bool { return layer.Valid(name) }

// Prop is one property of a feature. Properties keep their order in GeoJSON
// and give the columns of CSV.
type Prop struct {
	Key   string
	Value any
}

// Feature is one exported feature: an id (string or integer), a geometry in
// WGS84 lon/lat and ordered properties.
type Feature struct {
	ID       any
	Geometry orb.Geometry
	Props    []Prop
}

// Attribution credits one dataset an export draws on.
type Attribution struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Source      string `json:"source,omitempty"`
	Licence     string `json:"licence,omitempty"`
	Attribution string `json:"attribution,omitempty"`
}

// Provenance tells where an export comes from: the data version, the method
// parameters of the analysis run, when it was generated and which datasets it
// draws on. GeoJSON carries it in a top-level "kume" member; CSV in a header
// or a sidecar file.
type Provenance struct {
	Layer           string          `json:"layer"`
	DataVersion     int64           `json:"data_version"`
	AnalysisVersion int64           `json:"analysis_version,omitempty"`
	Params          json.RawMessage `json:"params,omitempty"`
	GeneratedAt     time.Time       `json:"generated_at"`
	Datasets        []Attribution   `json:"datasets"`
	// Filters echoes the filters the export was made with.
	Filters map[string]string `json:"filters,omitempty"`
}

// NewProvenance reads the data version, the latest analysis run and the
// datasets from the store. With public set, private datasets are left out.
// datasetIDs, when not empty, restricts the attributions to those datasets.
func NewProvenance(ctx context.Context, st kume.Store, layer string, public bool, datasetIDs []int64) (*Provenance, error) {
	p := &Provenance{Layer: layer, GeneratedAt: time.Now().UTC().Truncate(time.Second), Datasets: []Attribution{}}
	v, err := st.DataVersion(ctx)
	if err != nil {
		return nil, fmt.Errorf("export: data version: %w", err)
	}
	p.DataVersion = v
	run, err := st.LatestAnalysis(ctx)
	switch {
	case err == nil:
		p.AnalysisVersion = run.Version
		p.Params = run.Params
	case kume.ErrorCode(err) != kume.ENOTFOUND:
		return nil, fmt.Errorf("export: latest analysis: %w", err)
	}
	ds, err := st.Datasets(ctx)
	if err != nil {
		return nil, fmt.Errorf("export: datasets: %w", err)
	}
	want := map[int64]bool{}
	for _, id := range datasetIDs {
		want[id] = true
	}
	for _, d := range ds {
		if public && d.Visibility != kume.Public {
			continue
		}
		if len(want) > 0 && !want[d.ID] {
			continue
		}
		p.Datasets = append(p.Datasets, Attribution{ID: d.ID, Name: d.Name, Source: d.Source, Licence: d.Licence, Attribution: d.Attribution})
	}
	return p, nil
}
