package demo

import (
	"fmt"
	"strconv"

	"github.com/kume-geo/kume"
	"github.com/kume-geo/kume/ingest"
)

// provinces reads Türkiye's 81 provinces, coded by their two-digit licence
// plate number, with ISO 3166-2 and NUTS codes from the crosswalk.
func provinces() ([]kume.Region, error) {
	rc, err := open("data/tr-provinces.geojson.gz")
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	regions, err := ingest.ReadRegions(rc, ingest.RegionOptions{Level: ProvinceLevel, NameField: "name", CodeField: "number"})
	if err != nil {
		return nil, fmt.Errorf("demo: provinces: %w", err)
	}
	codes, err := provinceCodes()
	if err != nil {
		return nil, err
	}
	for i := range regions {
		r := &regions[i]
		n, err := strconv.Atoi(r.Code)
		if err != nil {
			return nil, fmt.Errorf("demo: province %q has no plate number", r.Name)
		}
		r.Code = fmt.Sprintf("%02d", n)
		if r.Attrs == nil {
			r.Attrs = map[string]string{}
		}
		for k, v := range codes[r.Code] {
			r.Attrs[k] = v
		}
	}
	return regions, nil
}

// provinceCodes reads the crosswalk: plate code → ISO 3166-2, NUTS-3 and
// statistical region.
func provinceCodes() (map[string]map[string]string, error) {
	rows, col, err := readProvinceCodes()
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]string{}
	for _, row := range rows {
		out[row[col["plate_code"]]] = map[string]string{
			"iso_3166_2":  row[col["iso_3166_2"]],
			"nuts3":       row[col["nuts_code"]],
			"region_name": row[col["region_name"]],
		}
	}
	return out, nil
}
