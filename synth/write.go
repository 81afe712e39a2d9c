package synth

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
)

// Format is an output format of the generator.
type Format string

// Output formats.
const (
	CSV     Format = "csv"
	GeoJSON Format = "geojson"
)

// Write generates cfg's rows onto w in the given format, one row at a time.
func Write(w io.Writer, cfg Config, format Format) (Stats, error) {
	switch format {
	case CSV, "":
		return WriteCSV(w, cfg)
	case GeoJSON:
		return WriteGeoJSON(w, cfg)
	}
	return Stats{}, fmt.Errorf("synth: unknown format %q (csv or geojson)", format)
}

// WriteCSV writes cfg's rows as CSV with a header of Columns.
func WriteCSV(w io.Writer, cfg Config) (Stats, error) {
	g, err := New(cfg)
	if err != nil {
		return Stats{}, err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns()); err != nil {
		return g.Stats(), err
	}
	var f Firm
	var rec []string
	for g.Next(&f) {
		rec = f.record(rec)
		if err := cw.Write(rec); err != nil {
			return g.Stats(), err
		}
	}
	cw.Flush()
	return g.Stats(), cw.Error()
}

// WriteGeoJSON writes cfg's rows as a GeoJSON FeatureCollection of points
// whose properties are the CSV columns other than lat and lon. A top-level
// "synthetic" member says where the data comes from.
func WriteGeoJSON(w io.Writer, cfg Config) (Stats, error) {
	g, err := New(cfg)
	if err != nil {
		return Stats{}, err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	src, err := json.Marshal(DatasetSource(cfg.Seed))
	if err != nil {
		return g.Stats(), err
	}
	bw.WriteString(`{"type":"FeatureCollection","synthetic":`)
	bw.Write(src)
	bw.WriteString(`,"features":[`)
	var f Firm
	var b []byte
	first := true
	for g.Next(&f) {
		b = b[:0]
		if !first {
			b = append(b, ",\n"...)
		}
		first = false
		b = append(b, `{"type":"Feature","geometry":{"type":"Point","coordinates":[`...)
		b = append(b, formatCoord(f.Lon)...)
		b = append(b, ',')
		b = append(b, formatCoord(f.Lat)...)
		b = append(b, `]},"properties":{`...)
		for i, kv := range [][2]string{{"id", f.ID}, {"name", f.Name}, {"nace", f.NACE},
			{"employees", f.Employees}, {"founded", f.Founded}, {"closed", f.Closed},
			{"province", f.Province}, {"country", f.Country}} {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '"')
			b = append(b, kv[0]...)
			b = append(b, `":`...)
			if kv[1] == "" {
				b = append(b, "null"...)
				continue
			}
			v, err := json.Marshal(kv[1])
			if err != nil {
				return g.Stats(), err
			}
			b = append(b, v...)
		}
		b = append(b, "}}"...)
		if _, err := bw.Write(b); err != nil {
			return g.Stats(), err
		}
	}
	bw.WriteString("]}\n")
	return g.Stats(), bw.Flush()
}
