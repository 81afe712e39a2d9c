package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/ingest"
	"github.com/kume-geo/kume/nace"
)

// university is one entry of the universities list.
type university struct {
	ID        int    `json:"id"`
	Name      string `json:"name"`
	Type      string `json:"type"` // Devlet (state) or Vakıf (foundation)
	City      string `json:"city"`
	Address   string `json:"address"`
	Website   string `json:"website"`
	Faculties []struct {
		Name string `json:"name"`
	} `json:"faculties"`
}

// loadUniversities imports the universities as institutions of type
// university. The list has no coordinates: each is geocoded by its province
// name through the gazetteer, so its precision is "province".
func loadUniversities(ctx context.Context, st kume.Store, tax *nace.Taxonomy, gz *ingest.Gazetteer) (ingest.Summary, error) {
	rc, err := open("data/tr-universities.json.gz")
	if err != nil {
		return ingest.Summary{}, err
	}
	defer rc.Close()
	var us []university
	if err := json.NewDecoder(rc).Decode(&us); err != nil {
		return ingest.Summary{}, fmt.Errorf("demo: universities: %w", err)
	}
	// The list goes through the same import as any user file: written as a
	// CSV with well-known headers, geocoded by province.
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"id", "name", "type", "province", "country", "street", "website", "ownership", "faculties"})
	for _, u := range us {
		faculties := make([]string, len(u.Faculties))
		for i, f := range u.Faculties {
			faculties[i] = f.Name
		}
		w.Write([]string{strconv.Itoa(u.ID), u.Name, string(kume.University), u.City, "TR", u.Address,
			u.Website, ownership(u.Type), strings.Join(faculties, "; ")})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return ingest.Summary{}, err
	}
	return ingest.Run(ctx, st, []ingest.Source{{Name: "tr-universities.csv", Reader: &buf}}, ingest.Options{
		Dataset: UniversitiesDataset,
		NewDataset: kume.Dataset{
			Name:        UniversitiesDataset,
			Source:      "Türkiye's universities (njotrh/turkey-university-api)",
			Licence:     "MIT",
			Attribution: "njotrh/turkey-university-api (MIT)",
			Visibility:  kume.Public,
		},
		Kind:     kume.KindInstitution,
		OnError:  ingest.Abort,
		Geocoder: gz,
		NACE:     tax,
	}, nil)
}

// ownership translates the list's university type.
func ownership(t string) string {
	switch t {
	case "Devlet":
		return "state"
	case "Vakıf":
		return "foundation"
	}
	return t
}
