package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/kume-geo/kume/export"
)

// asciiJSON marshals v as JSON with every non-ASCII character escaped, so
// that it can travel in an HTTP header.
func asciiJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("provenance: %w", err)
	}
	var out bytes.Buffer
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&out, `\u%04x`, r)
		case r < utf8.RuneSelf:
			out.WriteByte(byte(r))
		case r > 0xFFFF:
			r1, r2 := utf16Pair(r)
			fmt.Fprintf(&out, `\u%04x\u%04x`, r1, r2)
		default:
			fmt.Fprintf(&out, `\u%04x`, r)
		}
		b = b[n:]
	}
	return out.String(), nil
}

func utf16Pair(r rune) (rune, rune) {
	r -= 0x10000
	return 0xD800 + (r>>10)&0x3FF, 0xDC00 + r&0x3FF
}

// handleExportCSV streams a layer as CSV with lon/lat columns (points) or a
// WKT column (polygons). Provenance travels in the Kume-Provenance header
// (JSON, ASCII-escaped) and the next page in a Link header.
func (s *Server) handleExportCSV(w http.ResponseWriter, r *http.Request) {
	if chi.URLParam(r, "layer") == emergingLayer {
		s.exportEmerging(w, r, "csv")
		return
	}
	layer, err := exportLayer(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := s.exportContext(r)
	defer cancel()
	fr, err := s.parseFeatureRequest(ctx, r, "export/"+layer+".csv", layer, exportExtraParams(layer)...)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	prov, err := asciiJSON(fr.prov)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	total, counted, err := export.Count(ctx, fr.st, fr.q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+layer+`.csv"`)
	h.Set("Kume-Provenance", prov)
	if counted {
		h.Set("Kume-Number-Matched", fmt.Sprint(total))
		if fr.offset+fr.q.Limit < total {
			// the next page pages by offset: its first row is known before this one is written
			next := s.signCursor(cursor{Offset: fr.offset + fr.q.Limit, Query: fingerprint(fr.route, fr.p.v)})
			h.Set("Link", `<`+s.pageHref(r, fr.p, next)+`>; rel="next"`)
		}
	} else {
		h.Set("Trailer", "Link")
	}
	cw := export.NewCSVWriter(w, export.Columns(layer), export.PointLayer(layer))
	if err := cw.Header(); err != nil {
		return
	}
	pg, err := export.Each(ctx, fr.st, fr.q, cw.Write)
	if err == nil {
		err = cw.Flush()
	}
	if err != nil {
		s.abortStream(r, err)
		return
	}
	if !counted && pg.More {
		h.Set("Link", `<`+s.pageHref(r, fr.p, s.nextCursor(fr.route, fr.p, fr.q, pg, fr.offset))+`>; rel="next"`)
	}
}
