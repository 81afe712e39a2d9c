package demo

import (
	"encoding/csv"
	"fmt"
	"strconv"
)

// readProvinceCodes reads the bundled province crosswalk
// (data/tr-provinces-codes.csv): its rows after the header, and the index of
// each column by name.
func readProvinceCodes() (rows [][]string, col map[string]int, err error) {
	f, err := files.Open("data/tr-provinces-codes.csv")
	if err != nil {
		return nil, nil, fmt.Errorf("demo: %w", err)
	}
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil || len(all) < 2 {
		return nil, nil, fmt.Errorf("demo: province codes: %v", err)
	}
	col = map[string]int{}
	for i, h := range all[0] {
		col[h] = i
	}
	return all[1:], col, nil
}

// Centre is the centroid and bounding box of one of Türkiye's provinces, as
// given by the bundled province crosswalk (data/tr-provinces-codes.csv).
type Centre struct {
	Code string // two-digit licence plate number, "06"
	Name string // "Ankara"
	Lat  float64
	Lon  float64
	// MinLon, MinLat, MaxLon, MaxLat bound the province.
	MinLon, MinLat, MaxLon, MaxLat float64
}

// ProvinceCentres returns the 81 provinces' centroids and bounding boxes in
// plate-number order.
func ProvinceCentres() ([]Centre, error) {
	rows, col, err := readProvinceCodes()
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"level", "plate_code", "name", "centroid_lat", "centroid_lon",
		"bbox_min_lon", "bbox_min_lat", "bbox_max_lon", "bbox_max_lat"} {
		if _, ok := col[name]; !ok {
			return nil, fmt.Errorf("demo: province codes: no column %s", name)
		}
	}
	var out []Centre
	for i, row := range rows {
		if row[col["level"]] != ProvinceLevel {
			continue
		}
		c := Centre{Code: row[col["plate_code"]], Name: row[col["name"]]}
		for _, v := range []struct {
			dst  *float64
			name string
		}{{&c.Lat, "centroid_lat"}, {&c.Lon, "centroid_lon"}, {&c.MinLon, "bbox_min_lon"},
			{&c.MinLat, "bbox_min_lat"}, {&c.MaxLon, "bbox_max_lon"}, {&c.MaxLat, "bbox_max_lat"}} {
			if *v.dst, err = strconv.ParseFloat(row[col[v.name]], 64); err != nil {
				return nil, fmt.Errorf("demo: province codes line %d: %s: %w", i+2, v.name, err)
			}
		}
		out = append(out, c)
	}
	return out, nil
}
